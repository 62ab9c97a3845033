import CrucibleCore

/// Crucible's built-in proposer: the mutation operators of automated program repair and numeric
/// tuning (see `Mutator`), stacked now and then, plus crossover with other good variants.
public struct SearchProposer: Proposer {
    public var name: String { "search" }
    private let baseWeights: [String: Double]
    /// Share of proposals that recombine the parent with a donor, when donors exist.
    public var crossoverRate: Double
    /// How many times to try for a child never proposed before.
    public var attempts: Int

    public init(operatorWeights: [String: Double] = Mutator.defaultOperatorWeights, crossoverRate: Double = 0.1, attempts: Int = 64) {
        self.baseWeights = operatorWeights
        self.crossoverRate = crossoverRate
        self.attempts = attempts
    }

    public func propose(_ context: ProposalContext, isNew: @Sendable (FileTree) -> Bool,
                        using rng: inout SeededGenerator) async throws -> Proposal? {
        let mutator = Mutator(operatorWeights: adaptedWeights(context.operatorStats))
        for _ in 0..<attempts {
            let proposal: Proposal?
            if !context.donors.isEmpty, Double.random(in: 0..<1, using: &rng) < crossoverRate {
                proposal = crossover(context, using: &rng)
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
