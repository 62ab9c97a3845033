import Foundation

/// One concrete change an operator can make at a site: replace `old` at byte `offset` with `new`.
struct MutationCandidate: Sendable, Hashable {
    var offset: Int
    var old: String
    var new: String
    /// What the change does, e.g. "`<` → `<=`"; the mutator prefixes the file and line.
    var description: String
}

/// A place an operator applies, with every change it could make there.
struct MutationSite: Sendable {
    /// First and last line the change touches (1-based), for fault-hint matching and summaries.
    var line: Int
    var lastLine: Int
    var candidates: [MutationCandidate]

    /// A site with the candidates that actually change something (duplicates dropped); nil when none do.
    init?(line: Int, lastLine: Int? = nil, candidates: [MutationCandidate]) {
        var seen: Set<MutationCandidate> = []
        var kept: [MutationCandidate] = []
        for c in candidates where c.new != c.old && !c.old.isEmpty {
            var key = c
            key.description = ""
            if seen.insert(key).inserted { kept.append(c) }
        }
        guard !kept.isEmpty else { return nil }
        self.line = line
        self.lastLine = max(line, lastLine ?? line)
        self.candidates = kept
    }
}

/// A named mutation operator: finds every site in a file where it applies.
struct MutationOperator: Sendable {
    let name: String
    let defaultWeight: Double
    let sites: @Sendable (SourceAnalysis) -> [MutationSite]

    /// Every built-in operator, in the fixed order the mutator enumerates them (which keeps
    /// proposals deterministic). Default weights favour cheap, high-yield token changes
    /// (operator swaps, numbers, off-by-one) over statement deletion and copying.
    static let all: [MutationOperator] = [
        .compareSwap, .arithmeticSwap, .booleanSwap, .bitwiseSwap, .augmentedAssignmentSwap,
        .numericPerturb, .numericScale, .numericSpecial,
        .offByOne,
        .swapOperands, .swapArguments, .unwrapCall,
        .replaceIdentifier, .replaceAttribute, .pairedBuiltin,
        .deleteLine, .duplicateLine, .swapLines, .copyLine,
    ]
}

extension SourceAnalysis {
    /// A candidate replacing the byte range of tokens `first...last` with `new`, described as
    /// "`old` → `new`" unless `description` is given.
    func candidate(tokens first: Int, through last: Int, with new: String, description: String? = nil)
        -> MutationCandidate {
        let old = text(tokens: first, through: last)
        return MutationCandidate(offset: tokens[first].start, old: old, new: new,
                                 description: description ?? "`\(Self.snippet(old))` → `\(Self.snippet(new))`")
    }

    /// `text` on one line, trimmed, at most `limit` characters.
    static func snippet(_ text: String, limit: Int = 60) -> String {
        let flat = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .joined(separator: " ⏎ ")
            .trimmingCharacters(in: .whitespaces)
        return flat.count <= limit ? flat : String(flat.prefix(limit - 1)) + "…"
    }
}
