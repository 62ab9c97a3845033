import CrucibleCore

/// What a proposer sees of the parent it must improve.
public struct ProposalContext: Sendable {
    public var parent: Int
    /// The parent's editable files (protected files are never offered).
    public var tree: FileTree
    /// The parent's evaluation, with failing tasks and their output.
    public var score: Score?
    /// Where the parent's failures point.
    public var hints: FaultHints
    /// Other good variants, best first, for proposers that recombine.
    public var donors: [Donor]

    public struct Donor: Sendable {
        public var id: Int
        public var score: Double
        public var tree: FileTree
        public init(id: Int, score: Double, tree: FileTree) {
            self.id = id
            self.score = score
            self.tree = tree
        }
    }

    /// How each way of proposing has fared in this archive so far, by the name recorded in the
    /// patch's `proposer` (`search/compare-swap` → `compare-swap`).
    public var operatorStats: [String: OperatorStats]
    /// The editable files of the baseline the parent descends from, for proposers that undo
    /// changes (nil when the parent is that baseline).
    public var origin: FileTree?

    /// Children already proposed from this parent, oldest first, and how they fared.
    public var tried: [Attempt]

    /// One earlier child of the parent.
    public struct Attempt: Sendable, Hashable {
        public var variant: Int
        public var proposer: String
        public var summary: String
        /// Its score, when it evaluated without error.
        public var score: Double?
        /// `evaluated`, `error`, `rejected` or `pending`, with the reason when there is one.
        public var outcome: String

        public init(variant: Int, proposer: String, summary: String, score: Double?, outcome: String) {
            self.variant = variant
            self.proposer = proposer
            self.summary = summary
            self.score = score
            self.outcome = outcome
        }
    }

    public init(parent: Int, tree: FileTree, score: Score?, hints: FaultHints, donors: [Donor],
                operatorStats: [String: OperatorStats] = [:], origin: FileTree? = nil, tried: [Attempt] = []) {
        self.parent = parent
        self.tree = tree
        self.score = score
        self.hints = hints
        self.donors = donors
        self.operatorStats = operatorStats
        self.origin = origin
        self.tried = tried
    }
}

/// Trials and successes of one operator: children it took part in, and those that beat their parent.
public struct OperatorStats: Sendable, Hashable {
    public var trials: Int = 0
    public var improvements: Int = 0
    public init(trials: Int = 0, improvements: Int = 0) {
        self.trials = trials
        self.improvements = improvements
    }
}

/// A proposed child: its editable files and how it came about.
public struct Proposal: Sendable {
    /// The child's editable files: the parent's with the change applied.
    public var tree: FileTree
    /// The operator or model that made it, as recorded in the patch's `proposer`.
    public var proposer: String
    /// One line a human reads.
    public var summary: String
    /// Why the change might help.
    public var reasoning: String
    /// What the model calls behind the proposal cost, per model (empty for proposers that call none).
    public var usage: [ModelUsage]

    public init(tree: FileTree, proposer: String, summary: String, reasoning: String, usage: [ModelUsage] = []) {
        self.tree = tree
        self.proposer = proposer
        self.summary = summary
        self.reasoning = reasoning
        self.usage = usage
    }
}

/// A proposer that tried and failed to write a child (a "proposal error"): the answer held no
/// edits that apply, the model could not be reached. Carries what the attempt cost.
public struct ProposalError: Error, CustomStringConvertible, Sendable {
    public var reason: String
    public var usage: [ModelUsage]

    public init(_ reason: String, usage: [ModelUsage] = []) {
        self.reason = reason
        self.usage = usage
    }

    public var description: String { reason }
}

/// Writes children of a parent. Proposers are deterministic given their generator's state.
public protocol Proposer: Sendable {
    /// The proposer's name, as `evolution.proposer` spells it.
    var name: String { get }

    /// Proposes one child of `context.parent`.
    /// - Parameters:
    ///   - context: the parent and what is known of it.
    ///   - isNew: whether a child tree has never been proposed before; a proposer should not
    ///     return a tree for which it is false.
    ///   - rng: the iteration's generator.
    /// - Returns: the proposal, or nil when the proposer found nothing new to propose.
    /// - Throws: when the proposer failed (for a model: unreachable, over budget).
    func propose(_ context: ProposalContext, isNew: @Sendable (FileTree) -> Bool,
                 using rng: inout SeededGenerator) async throws -> Proposal?

    /// Why the run must stop proposing (a spent budget), checked before each iteration; nil to go on.
    func stopReason() async -> String?
}

extension Proposer {
    public func stopReason() async -> String? { nil }
}
