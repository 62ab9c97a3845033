import CrucibleCore

/// Crucible's built-in proposer: the mutation operators of automated program repair and numeric
/// tuning (see `Mutator`), stacked now and then, crossover with other good variants, and undoing
/// one of the parent's changes from its baseline.
public struct SearchProposer: Proposer {
    public var name: String { "search" }
    private let baseWeights: [String: Double]
    /// Share of proposals that recombine the parent with a donor, when donors exist.
    public var crossoverRate: Double
    /// Share of proposals that undo one change of the parent, when it has two or more.
    ///
    /// Where tasks already fail, a harmful change costs nothing and is kept as neutral; such
    /// changes pile up exactly where the remaining bugs are, and a later fix then needs several
    /// edits at once. Undoing them one at a time lets the search shed them.
    public var revertRate: Double
    /// How many times to try for a child never proposed before.
    public var attempts: Int

    public init(operatorWeights: [String: Double] = Mutator.defaultOperatorWeights, crossoverRate: Double = 0.1,
                revertRate: Double = 0.1, attempts: Int = 64) {
        self.baseWeights = operatorWeights
        self.crossoverRate = crossoverRate
        self.revertRate = revertRate
        self.attempts = attempts
    }

    public func propose(_ context: ProposalContext, isNew: @Sendable (FileTree) -> Bool,
                        using rng: inout SeededGenerator) async throws -> Proposal? {
        let mutator = Mutator(operatorWeights: adaptedWeights(context.operatorStats))
        for _ in 0..<attempts {
            let proposal: Proposal?
            let roll = Double.random(in: 0..<1, using: &rng)
            if !context.donors.isEmpty, roll < crossoverRate {
                proposal = crossover(context, using: &rng)
            } else if roll < crossoverRate + revertRate, let undone = revert(context, using: &rng) {
                proposal = undone
            } else {
                proposal = mutate(context, mutator: mutator, using: &rng)
            }
            if let proposal, proposal.tree != context.tree, isNew(proposal.tree) { return proposal }
        }
        return nil
    }

    /// The operator weights shifted toward the operators whose children have beaten their
    /// parents in this archive: each base weight times the operator's smoothed success rate
    /// (improvements + 1) / (trials + 2), relative to the archive's overall rate. Unknown
    /// operators keep their base weight; no operator's weight falls below a tenth of its base,
    /// so nothing is ruled out for good.
    func adaptedWeights(_ stats: [String: OperatorStats]) -> [String: Double] {
        let trials = stats.values.reduce(0) { $0 + $1.trials }
        guard trials > 0 else { return baseWeights }
        let overall = Double(stats.values.reduce(0) { $0 + $1.improvements } + 1) / Double(trials + 2)
        var weights = baseWeights
        for (name, weight) in baseWeights {
            guard let s = stats[name] else { continue }
            let rate = Double(s.improvements + 1) / Double(s.trials + 2)
            weights[name] = weight * max(0.1, min(10, rate / overall))
        }
        return weights
    }

    /// One to three stacked mutations; most children differ from their parent in one place.
    func mutate(_ context: ProposalContext, mutator: Mutator, using rng: inout SeededGenerator) -> Proposal? {
        let roll = Double.random(in: 0..<1, using: &rng)
        let count = roll < 0.8 ? 1 : roll < 0.95 ? 2 : 3
        var tree = context.tree
        var names: [String] = []
        var summaries: [String] = []
        for _ in 0..<count {
            let files = tree.files.keys.sorted().map { SourceFile(path: $0, text: tree.files[$0]!) }
            guard let mutation = mutator.propose(files: files, hints: context.hints, using: &rng),
                  let next = try? tree.applying(mutation.edits) else { break }
            tree = next
            names.append(mutation.operatorName)
            summaries.append(mutation.summary)
        }
        guard !names.isEmpty else { return nil }
        return Proposal(tree: tree, proposer: "search/" + names.joined(separator: "+"),
                        summary: summaries.joined(separator: "; "),
                        reasoning: context.hints.isEmpty
                            ? "Random \(names.joined(separator: ", ")) mutation."
                            : "\(names.joined(separator: ", ")) mutation near where failing tasks point.")
    }

    /// Undoes one line hunk, drawn at random, of those by which the parent differs from its
    /// baseline; nil when it differs in fewer than two (undoing the only change gives the baseline).
    func revert(_ context: ProposalContext, using rng: inout SeededGenerator) -> Proposal? {
        guard let origin = context.origin else { return nil }
        var changes: [(path: String, hunk: LineDiff.Hunk, mine: [Substring], theirs: [Substring])] = []
        for path in context.tree.files.keys.sorted() where context.tree.files[path] != origin.files[path] {
            let mine = LineDiff.lines(context.tree.files[path]!)
            let theirs = LineDiff.lines(origin.files[path] ?? "")
            for hunk in LineDiff.hunks(mine, theirs) { changes.append((path, hunk, mine, theirs)) }
        }
        guard changes.count >= 2 else { return nil }
        let change = changes[Int(rng.next(upperBound: UInt64(changes.count)))]
        var lines = change.mine
        lines.replaceSubrange(change.hunk.oldRange, with: change.theirs[change.hunk.newRange])
        var tree = context.tree
        tree.files[change.path] = lines.joined()
        let first = change.hunk.oldRange.lowerBound + 1
        return Proposal(tree: tree, proposer: "search/revert",
                        summary: "\(change.path):\(first): undo a change (\(change.hunk.oldRange.count) line(s) back to the baseline's \(change.hunk.newRange.count))",
                        reasoning: "Sheds one of the parent's changes; neutral ones pile up where tasks already fail.")
    }

    /// Takes a random non-empty subset of the line hunks by which a donor differs from the parent.
    func crossover(_ context: ProposalContext, using rng: inout SeededGenerator) -> Proposal? {
        guard let donor = context.donors.randomElement(using: &rng) else { return nil }
        var tree = context.tree
        var taken = 0
        for path in donor.tree.files.keys.sorted() {
            let mine = LineDiff.lines(context.tree.files[path] ?? "")
            let theirs = LineDiff.lines(donor.tree.files[path]!)
            let hunks = LineDiff.hunks(mine, theirs)
            guard !hunks.isEmpty else { continue }
            var result: [Substring] = []
            var cursor = 0
            for hunk in hunks {
                result += mine[cursor..<hunk.oldRange.lowerBound]
                if Bool.random(using: &rng) {
                    result += theirs[hunk.newRange]
                    taken += 1
                } else {
                    result += mine[hunk.oldRange]
                }
                cursor = hunk.oldRange.upperBound
            }
            result += mine[cursor...]
            tree.files[path] = result.joined()
        }
        guard taken > 0 else { return nil }
        return Proposal(tree: tree, proposer: "search/crossover",
                        summary: "crossover with v\(donor.id): \(taken) hunk(s)",
                        reasoning: "Recombines changes of v\(donor.id) (score \(donor.score)) into the parent.")
    }
}
