import Foundation

/// Chooses the parent of the next proposal among the variants that evaluated without error.
public struct ParentSelector: Sendable {
    /// One selectable variant.
    public struct Candidate: Sendable, Hashable {
        public var id: Int
        public var score: Double
        public var children: Int
        /// Candidates of one niche behave alike (they pass and fail the same tasks) and share
        /// one candidate's weight under `dgm`; nil is a niche of its own.
        public var niche: Int?
        public init(id: Int, score: Double, children: Int, niche: Int? = nil) {
            self.id = id
            self.score = score
            self.children = children
            self.niche = niche
        }
    }

    public var selection: WorkspaceConfig.Selection
    public var lambda: Double
    public var tournamentSize: Int

    public init(selection: WorkspaceConfig.Selection, lambda: Double = 10, tournamentSize: Int = 3) {
        self.selection = selection
        self.lambda = lambda
        self.tournamentSize = tournamentSize
    }

    /// The chosen parent's id, or nil when there is no candidate.
    public func select(from candidates: [Candidate], using rng: inout some RandomNumberGenerator) -> Int? {
        guard !candidates.isEmpty else { return nil }
        switch selection {
        case .best:
            let top = candidates.map(\.score).max()!
            let tied = candidates.filter { $0.score == top }
            return tied.randomElement(using: &rng)!.id
        case .tournament:
            let contestants = (0..<max(1, tournamentSize)).map { _ in candidates.randomElement(using: &rng)! }
            return contestants.max { ($0.score, -$0.children) < ($1.score, -$1.children) }!.id
        case .dgm:
            let weights = dgmWeights(candidates)
            var draw = Double.random(in: 0..<weights.reduce(0, +), using: &rng)
            for (candidate, weight) in zip(candidates, weights) {
                draw -= weight
                if draw < 0 { return candidate.id }
            }
            return candidates.last!.id
        }
    }

    /// The Darwin Gödel Machine's weights: sigmoid(λ·(score − median)/spread) × 1/(1 + children),
    /// with the score rescaled by the archive's median and spread so any scale of score works,
    /// and divided by the size of the candidate's niche (fitness sharing).
    ///
    /// Without sharing, a search on a test suite fills the archive with neutral variants that
    /// pass and fail exactly the baseline's tasks; sitting at the median, each keeps half a
    /// weight, and by their number they outdraw the few variants that fixed something. Sharing
    /// gives each behaviour, not each copy of it, its DGM weight.
    public func dgmWeights(_ candidates: [Candidate]) -> [Double] {
        let scores = candidates.map(\.score).sorted()
        let median = Self.median(scores)
        let deviations = scores.map { abs($0 - median) }.sorted()
        var spread = 1.4826 * Self.median(deviations)
        if spread <= 1e-12 { spread = (scores.last! - scores.first!) / 4 }
        if spread <= 1e-12 { spread = 1 }
        var nicheSizes: [Int: Int] = [:]
        for candidate in candidates { if let niche = candidate.niche { nicheSizes[niche, default: 0] += 1 } }
        return candidates.map { candidate in
            let z = lambda * (candidate.score - median) / spread
            let sigmoid = 1 / (1 + exp(-z))
            let shared = Double(candidate.niche.flatMap { nicheSizes[$0] } ?? 1)
            return max(sigmoid, 1e-9) / Double(1 + candidate.children) / shared
        }
    }

    public static func median(_ sorted: [Double]) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}
