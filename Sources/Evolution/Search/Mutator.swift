import CrucibleCore
import Foundation

/// The built-in search proposer's mutation engine: automated-program-repair and numeric-tuning
/// mutations at the token and statement level, language-agnostic.
///
/// Each proposal picks an operator (by weight, among operators that apply somewhere), a site
/// (uniformly, or — most of the time when fault hints are given — among sites on or near hinted
/// lines and in hinted functions) and one change at that site. Nothing inside a string literal
/// or comment is ever changed, and a proposal always changes the text.
public struct Mutator: Sendable {
    /// The built-in operator names, in the order they are considered.
    public static let operatorNames: [String] = MutationOperator.all.map(\.name)

    /// The default weight of every built-in operator.
    public static let defaultOperatorWeights: [String: Double] = Dictionary(
        uniqueKeysWithValues: MutationOperator.all.map { ($0.name, $0.defaultWeight) })

    /// The weight of each operator in effect (0 disables an operator).
    public let operatorWeights: [String: Double]

    /// How often a proposal is drawn from hinted sites when hints are non-empty and some site is hinted.
    public var hintedSiteProbability: Double = 0.7

    /// A mutator using `operatorWeights` (operator name → relative weight).
    ///
    /// An empty dictionary means `defaultOperatorWeights`. Otherwise only the operators it names
    /// are used, with its weights (negative and non-finite weights count as 0; unknown names are
    /// ignored); start from `defaultOperatorWeights` to adjust a few.
    public init(operatorWeights: [String: Double] = [:]) {
        if operatorWeights.isEmpty {
            self.operatorWeights = Self.defaultOperatorWeights
        } else {
            self.operatorWeights = Dictionary(uniqueKeysWithValues: Self.operatorNames.map { name in
                let weight = operatorWeights[name] ?? 0
                return (name, weight.isFinite && weight > 0 ? weight : 0)
            })
        }
    }

    /// Proposes one mutation of `files` (all editable), biased toward `hints` when they are non-empty.
    ///
    /// Returns nil only when no operator can produce anything (e.g. all files empty). The result
    /// is a single exact edit whose `offset` and `old` refer to the given texts. Deterministic: the
    /// same inputs and the same generator state give the same result.
    public func propose(files: [SourceFile], hints: FaultHints, using rng: inout some RandomNumberGenerator)
        -> Mutation? {
        let analyses = files.map(SourceAnalysis.init(file:))
        let focus = analyses.map { HintFocus(analysis: $0, hints: hints) }

        var pools: [Pool] = []
        var siteCount = 0
        for op in MutationOperator.all {
            let weight = operatorWeights[op.name] ?? 0
            guard weight > 0 else { continue }
            var sites: [ScoredSite] = []
            for (index, analysis) in analyses.enumerated() {
                for site in op.sites(analysis) {
                    sites.append(ScoredSite(id: siteCount, file: index, site: site, score: focus[index].score(site)))
                    siteCount += 1
                }
            }
            if !sites.isEmpty { pools.append(Pool(op: op, weight: weight, sites: sites)) }
        }
        guard !pools.isEmpty else { return nil }

        let anyHinted = pools.contains { $0.sites.contains { $0.score > 0 } }
        var useHints = anyHinted && unitInterval(&rng) < hintedSiteProbability
        // A site's candidates are only built once it is picked; the rare site that turns out to
        // have none is dropped and the draw repeated.
        while true {
            let eligible: [Pool] = useHints
                ? pools.compactMap { pool in
                    let hinted = pool.sites.filter { $0.score > 0 }
                    return hinted.isEmpty ? nil : Pool(op: pool.op, weight: pool.weight, sites: hinted)
                }
                : pools
            if eligible.isEmpty {
                if useHints {
                    useHints = false
                    continue
                }
                return nil
            }
            let chosen = eligible[weightedIndex(eligible.map(\.weight), &rng)]
            let scored = useHints
                ? chosen.sites[weightedIndex(chosen.sites.map(\.score), &rng)]
                : chosen.sites[Int(rng.next(upperBound: UInt64(chosen.sites.count)))]
            let candidates = scored.site.candidates()
            guard !candidates.isEmpty else {
                if let p = pools.firstIndex(where: { $0.op.name == chosen.op.name }) {
                    pools[p].sites.removeAll { $0.id == scored.id }
                    if pools[p].sites.isEmpty { pools.remove(at: p) }
                }
                continue
            }
            // The first comparison alternative moves the boundary (`<` → `<=`), the most common
            // repair of a comparison: it gets half the draws, the others share the rest.
            let boundaryFirst = chosen.op.name == "compare-swap" && candidates.count > 1 && unitInterval(&rng) < 0.5
            let candidate = boundaryFirst ? candidates[0] : candidates[Int(rng.next(upperBound: UInt64(candidates.count)))]
            let site = scored.site
            let path = files[scored.file].path
            let lines = site.line == site.lastLine ? "\(site.line)" : "\(site.line)-\(site.lastLine)"
            return Mutation(
                edits: [Edit(path: path, offset: candidate.offset, old: candidate.old, new: candidate.new)],
                operatorName: chosen.op.name,
                summary: "\(path):\(lines): \(candidate.description)")
        }
    }

    // MARK: Choosing

    private struct ScoredSite {
        /// Position among all sites of the proposal, to tell sites apart.
        var id: Int
        var file: Int
        var site: MutationSite
        /// How strongly hints point at the site (0 = not at all).
        var score: Double
    }

    private struct Pool {
        var op: MutationOperator
        var weight: Double
        var sites: [ScoredSite]
    }

    /// How sharply suspiciousness from test spectra concentrates the draw on the most suspicious
    /// lines: a site's weight is (suspiciousness / the highest)^sharpness, so a line at 0.9 of the
    /// top is drawn about 0.43 times as often as a top line, and one at half the top almost never.
    public static let suspicionSharpness = 8.0

    /// Where hints point within one file.
    private struct HintFocus {
        var lines: Set<Int> = []
        var functionLines: [ClosedRange<Int>] = []
        /// Line → suspiciousness relative to the highest of all files, when spectra were given.
        var suspicion: [Int: Double] = [:]
        var spectra = false

        init(analysis: SourceAnalysis, hints: FaultHints) {
            for (path, numbers) in hints.lines where FaultHints.pathsMatch(path, analysis.path) {
                lines.formUnion(numbers)
            }
            let top = hints.suspiciousness.values.flatMap(\.values).max() ?? 0
            if top > 0 {
                spectra = true
                for (path, values) in hints.suspiciousness where FaultHints.pathsMatch(path, analysis.path) {
                    suspicion.merge(values.mapValues { $0 / top }, uniquingKeysWith: max)
                }
            } else {
                functionLines = analysis.functions.filter { hints.functions.contains($0.name) }.map(\.lines)
            }
        }

        /// Without spectra: 4 on a line failures name, 2 within two lines of one, 1 inside a
        /// function they name, else 0. With spectra: the site's most suspicious line, sharpened
        /// (see `suspicionSharpness`), plus 1 on a named line or ½ beside one.
        func score(_ site: MutationSite) -> Double {
            if lines.isEmpty, functionLines.isEmpty, !spectra { return 0 }
            let span = site.line...site.lastLine
            let named: Double = span.contains(where: lines.contains) ? 1
                : (1...2).contains(where: { lines.contains(span.lowerBound - $0) || lines.contains(span.upperBound + $0) }) ? 0.5 : 0
            if spectra {
                let suspicious = span.compactMap { suspicion[$0] }.max() ?? 0
                return (suspicious > 0 ? pow(suspicious, Mutator.suspicionSharpness) : 0) + named
            }
            if named > 0 { return 4 * named }
            return functionLines.contains(where: { $0.overlaps(span) }) ? 1 : 0
        }
    }

    private func unitInterval(_ rng: inout some RandomNumberGenerator) -> Double {
        Double(rng.next() >> 11) * 0x1p-53
    }

    /// An index drawn with probability proportional to `weights` (all positive).
    private func weightedIndex(_ weights: [Double], _ rng: inout some RandomNumberGenerator) -> Int {
        var r = unitInterval(&rng) * weights.reduce(0, +)
        for (index, weight) in weights.enumerated() {
            r -= weight
            if r < 0 { return index }
        }
        return weights.count - 1
    }
}
