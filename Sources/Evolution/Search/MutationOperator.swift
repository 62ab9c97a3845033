import Foundation

/// One concrete change an operator can make at a site: replace `old` at byte `offset` with `new`.
struct MutationCandidate: Sendable, Hashable {
    var offset: Int
    var old: String
    var new: String
    /// What the change does when "`old` → `new`" would not say it well (e.g. "delete `x = 1`").
    var customDescription: String?

    init(offset: Int, old: String, new: String, description: String? = nil) {
        self.offset = offset
        self.old = old
        self.new = new
        self.customDescription = description
    }

    /// What the change does, e.g. "`<` → `<=`"; the mutator prefixes the file and line.
    var description: String {
        customDescription ?? "`\(Self.snippet(old))` → `\(Self.snippet(new))`"
    }

    /// `text` on one line, trimmed, at most `limit` characters.
    static func snippet(_ text: String, limit: Int = 60) -> String {
        let utf8 = text.utf8
        if utf8.count <= limit, !utf8.contains(where: { $0 == 0x0A || $0 == 0x0D }),
           utf8.first.map({ $0 != 0x20 && $0 != 0x09 }) ?? true, utf8.last.map({ $0 != 0x20 && $0 != 0x09 }) ?? true {
            return text
        }
        let flat = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .joined(separator: " ⏎ ")
            .trimmingCharacters(in: .whitespaces)
        return flat.count <= limit ? flat : String(flat.prefix(limit - 1)) + "…"
    }
}

/// A place an operator applies, with every change it could make there.
///
/// Candidates are produced on demand: the mutator enumerates every site of every operator but
/// only ever needs the changes of the one site it picks, and building them (formatting numbers,
/// ranking nearby names) is most of the cost.
struct MutationSite {
    /// First and last line the change touches (1-based), for fault-hint matching and summaries.
    var line: Int
    var lastLine: Int
    private let generate: () -> [MutationCandidate]

    /// A site whose candidates are already known; nil when none of them changes anything.
    init?(line: Int, lastLine: Int? = nil, candidates: [MutationCandidate]) {
        let kept = Self.effective(candidates)
        guard !kept.isEmpty else { return nil }
        self.init(line: line, lastLine: lastLine) { kept }
    }

    /// A site whose candidates `generate` builds when asked (it may turn out to have none).
    init(line: Int, lastLine: Int? = nil, lazy generate: @escaping () -> [MutationCandidate]) {
        self.line = line
        self.lastLine = max(line, lastLine ?? line)
        self.generate = generate
    }

    /// The candidates that change something, without duplicates, in a fixed order.
    func candidates() -> [MutationCandidate] { Self.effective(generate()) }

    private static func effective(_ candidates: [MutationCandidate]) -> [MutationCandidate] {
        var kept: [MutationCandidate] = []
        for c in candidates where c.new != c.old && !c.old.isEmpty {
            // Candidate lists are short: a linear duplicate check beats hashing.
            if !kept.contains(where: { $0.offset == c.offset && $0.old == c.old && $0.new == c.new }) {
                kept.append(c)
            }
        }
        return kept
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
        MutationCandidate(offset: tokens[first].start, old: text(tokens: first, through: last), new: new,
                          description: description)
    }

    static func snippet(_ text: String, limit: Int = 60) -> String { MutationCandidate.snippet(text, limit: limit) }
}
