import Foundation
@testable import Evolution

/// SplitMix64: a tiny seeded generator, so every mutation test is reproducible.
struct SearchTestRNG: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum SearchFixture {
    /// `count` proposals for one file, from one seeded generator.
    static func proposals(
        _ source: String, path: String = "m.py", operators: [String]? = nil, hints: FaultHints = FaultHints(),
        count: Int = 300, seed: UInt64 = 1
    ) -> [Mutation] {
        let mutator = operators.map { Mutator(operatorWeights: Dictionary(uniqueKeysWithValues: $0.map { ($0, 1.0) })) }
            ?? Mutator()
        var rng = SearchTestRNG(seed: seed)
        let file = SourceFile(path: path, text: source)
        return (0..<count).compactMap { _ in mutator.propose(files: [file], hints: hints, using: &rng) }
    }

    /// The texts `source` becomes under each of `count` proposals by `operators`.
    static func variants(
        _ source: String, path: String = "m.py", operators: [String], count: Int = 300, seed: UInt64 = 1
    ) -> Set<String> {
        Set(proposals(source, path: path, operators: operators, count: count, seed: seed).map { apply($0, to: source) })
    }

    /// `source` with the mutation's edits applied (or a marker if they do not apply exactly).
    static func apply(_ mutation: Mutation, to source: String) -> String {
        Mutation.applying(mutation.edits, to: source) ?? "<edits did not apply>"
    }

    /// `source` with the first occurrence of `target` replaced by `replacement`.
    static func replacingFirst(_ target: String, with replacement: String, in source: String) -> String {
        guard let range = source.range(of: target) else { return "<\(target) not found>" }
        return source.replacingCharacters(in: range, with: replacement)
    }
}
