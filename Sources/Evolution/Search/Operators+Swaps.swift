import Foundation

/// Operator-replacement mutations: one binary operator spelled as another of its family.
extension MutationOperator {
    /// `<` ↔ `<=` ↔ `>` ↔ `>=`, `==` ↔ `!=`, Python `is` ↔ `is not`, `in` ↔ `not in`.
    static let compareSwap = MutationOperator(name: "compare-swap", defaultWeight: 3) { $0.compareSwapSites() }
    /// `+ - * / // % **` among themselves.
    static let arithmeticSwap = MutationOperator(name: "arith-swap", defaultWeight: 2) { $0.arithmeticSwapSites() }
    /// `and` ↔ `or`, `&&` ↔ `||`, `not x` → `x`, `!x` → `x`.
    static let booleanSwap = MutationOperator(name: "bool-swap", defaultWeight: 2) { $0.booleanSwapSites() }
    /// `& | ^` among themselves, `<<` ↔ `>>`.
    static let bitwiseSwap = MutationOperator(name: "bitwise-swap", defaultWeight: 0.5) { $0.bitwiseSwapSites() }
    /// `+=` ↔ `-=`, `*=` ↔ `/=`, `&=` ↔ `|=`, `<<=` ↔ `>>=`…
    static let augmentedAssignmentSwap = MutationOperator(name: "augassign-swap", defaultWeight: 1) {
        $0.augmentedAssignmentSwapSites()
    }
}

extension SourceAnalysis {
    static let comparisonSwaps: [String: [String]] = [
        "<": ["<=", ">", ">="], "<=": ["<", ">=", ">"], ">": [">=", "<", "<="], ">=": [">", "<=", "<"],
        "==": ["!="], "!=": ["=="], "===": ["!=="], "!==": ["==="],
    ]
    static let arithmeticSwaps: [String: [String]] = [
        "+": ["-", "*"], "-": ["+"], "*": ["/", "+", "**"], "/": ["*", "//"], "//": ["/", "*"], "%": ["//", "/", "*"],
        "**": ["*"],
    ]
    static let bitwiseSwaps: [String: [String]] = [
        "&": ["|", "^"], "|": ["&", "^"], "^": ["&", "|"], "<<": [">>"], ">>": ["<<"], ">>>": [">>", "<<"],
    ]
    static let augmentedAssignmentSwaps: [String: [String]] = [
        "+=": ["-=", "*="], "-=": ["+="], "*=": ["/=", "+="], "/=": ["*=", "//="], "//=": ["/=", "*="],
        "%=": ["//=", "/="], "**=": ["*="], "&=": ["|=", "^="], "|=": ["&=", "^="], "^=": ["|=", "&="],
        "<<=": [">>="], ">>=": ["<<="],
    ]

    /// Sites replacing a binary operator token by the alternatives in `table`.
    private func tokenSwapSites(_ table: [String: [String]], requireBinary: Bool = true) -> [MutationSite] {
        var sites: [MutationSite] = []
        for k in tokens.indices where tokens[k].kind == .punctuation {
            guard let alternatives = table[tokens[k].text], language.hasOperator(tokens[k].text),
                  !genericTokens.contains(k),
                  !patternTokens.contains(k),
                  !requireBinary || isBinaryOperator(at: k)
            else { continue }
            let candidates = alternatives.filter(language.hasOperator).map { candidate(tokens: k, through: k, with: $0) }
            if let site = MutationSite(line: tokens[k].line, candidates: candidates) { sites.append(site) }
        }
        return sites
    }

    func compareSwapSites() -> [MutationSite] {
        var sites = tokenSwapSites(Self.comparisonSwaps)
        guard language.isPython else { return sites }
        for k in tokens.indices where tokens[k].kind == .identifier {
            var candidates: [MutationCandidate] = []
            switch tokens[k].text {
            case "is":
                if isWord(k + 1, "not") {
                    candidates.append(candidate(tokens: k, through: k + 1, with: "is"))
                } else if isBinaryWordOperator(at: k) {
                    candidates.append(candidate(tokens: k, through: k, with: "is not"))
                }
            case "not" where isWord(k + 1, "in") && endsOperand(k - 1):
                candidates.append(candidate(tokens: k, through: k + 1, with: "in"))
            case "in" where !isWord(k - 1, "not") && isBinaryWordOperator(at: k) && !isLoopIn(at: k):
                candidates.append(candidate(tokens: k, through: k, with: "not in"))
            default:
                break
            }
            if let site = MutationSite(line: tokens[k].line, candidates: candidates) { sites.append(site) }
        }
        return sites
    }

    func arithmeticSwapSites() -> [MutationSite] { tokenSwapSites(Self.arithmeticSwaps) }

    func bitwiseSwapSites() -> [MutationSite] { tokenSwapSites(Self.bitwiseSwaps) }

    func augmentedAssignmentSwapSites() -> [MutationSite] {
        tokenSwapSites(Self.augmentedAssignmentSwaps, requireBinary: false)
    }

    func booleanSwapSites() -> [MutationSite] {
        var sites: [MutationSite] = []
        for k in tokens.indices {
            let t = tokens[k]
            var candidates: [MutationCandidate] = []
            switch (t.kind, t.text) {
            case (.identifier, "and") where language.hasWordBooleans && isBinaryWordOperator(at: k):
                candidates.append(candidate(tokens: k, through: k, with: "or"))
            case (.identifier, "or") where language.hasWordBooleans && isBinaryWordOperator(at: k):
                candidates.append(candidate(tokens: k, through: k, with: "and"))
            case (.punctuation, "&&") where language.hasOperator("&&") && isBinaryOperator(at: k):
                candidates.append(candidate(tokens: k, through: k, with: "||"))
            case (.punctuation, "||") where language.hasOperator("||") && isBinaryOperator(at: k):
                candidates.append(candidate(tokens: k, through: k, with: "&&"))
            case (.identifier, "not") where language.hasWordBooleans && !isWord(k + 1, "in") && !isWord(k - 1, "is")
                && startsOperand(k + 1):
                candidates.append(removal(of: k))
            case (.punctuation, "!") where language.hasOperator("!") && !endsOperand(k - 1) && startsOperand(k + 1)
                && !(k > 0 && tokens[k - 1].kind == .identifier && !t.spaceBefore): // not `as!`, `try!`
                candidates.append(removal(of: k))
            default:
                break
            }
            if let site = MutationSite(line: t.line, candidates: candidates) { sites.append(site) }
        }
        return sites
    }

    /// Removing the prefix operator token `k` (and the space after it): `not x` → `x`.
    private func removal(of k: Int) -> MutationCandidate {
        let old = text(tokens[k].start..<tokens[k + 1].start)
        let operandEnd = (primaryEnd(from: k + 1) ?? k + 2) - 1
        let operand = text(tokens: k + 1, through: operandEnd)
        let before = text(tokens: k, through: operandEnd)
        return MutationCandidate(offset: tokens[k].start, old: old, new: "",
                                 description: "`\(Self.snippet(before))` → `\(Self.snippet(operand))`")
    }

    /// Whether a word operator (`and`, `is`, `in`) at `k` sits between two operands.
    private func isBinaryWordOperator(at k: Int) -> Bool {
        k > 0 && k + 1 < tokens.count && endsOperand(k - 1) && startsOperand(k + 1)
    }

    /// Whether the Python `in` at `k` belongs to a `for … in` (loop or comprehension), not a test.
    func isLoopIn(at k: Int) -> Bool {
        var j = k - 1
        while j >= 0 {
            if isCloser(j), let p = partner[j] {
                j = p - 1
                continue
            }
            if isOpener(j) || (tokens[j].line < tokens[k].line && groupDepth[k] == 0) { return false }
            if isWord(j, "for") { return true }
            if isKeyword(j) || isPunctuation(j, ["=", ":", ";"]) || tokens[j].text.hasSuffix("=") { return false }
            j -= 1
        }
        return false
    }
}
