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

    public init(parent: Int, tree: FileTree, score: Score?, hints: FaultHints, donors: [Donor],
                operatorStats: [String: OperatorStats] = [:]) {
        self.parent = parent
        self.tree = tree
        self.score = score
        self.hints = hints
        self.donors = donors
        self.operatorStats = operatorStats
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

    public init(tree: FileTree, proposer: String, summary: String, reasoning: String) {
        self.tree = tree
        self.proposer = proposer
        self.summary = summary
        self.reasoning = reasoning
    }
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
}
