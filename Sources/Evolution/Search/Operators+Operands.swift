import Foundation

/// Mutations that move or drop operands: swap the sides of a non-commutative operator, swap two
/// call arguments, unwrap a one-argument call.
extension MutationOperator {
    /// `a - b` → `b - a` (also `/ // % ** << >>`), for simple operands.
    static let swapOperands = MutationOperator(name: "swap-operands", defaultWeight: 1) { $0.swapOperandSites() }
    /// `f(a, b)` → `f(b, a)`, for calls whose arguments are all simple.
    static let swapArguments = MutationOperator(name: "swap-arguments", defaultWeight: 0.7) { $0.swapArgumentSites() }
    /// `f(x)` → `x`.
    static let unwrapCall = MutationOperator(name: "unwrap-call", defaultWeight: 0.5) { $0.unwrapCallSites() }
}

extension SourceAnalysis {
    private static let nonCommutative: Set<String> = ["-", "/", "//", "%", "**", "<<", ">>"]
    /// Words before `name(` that make it a definition, not a call.
    static let definitionIntroducers: Set<String> = [
        "def", "class", "func", "function", "fn", "fun", "struct", "enum", "interface", "new", "sub", "proc", "init",
    ]
    /// Calls whose unwrapping is never a plausible repair.
    private static let keptCalls: Set<String> = [
        "range", "xrange", "print", "super", "enumerate", "zip", "iter", "next", "isinstance", "type", "assert",
        "require", "import", "println", "printf", "console",
    ]

    func swapOperandSites() -> [MutationSite] {
        var sites: [MutationSite] = []
        for k in tokens.indices where tokens[k].kind == .punctuation && Self.nonCommutative.contains(tokens[k].text)
            && language.hasOperator(tokens[k].text) {
            guard isBinaryOperator(at: k), !patternTokens.contains(k),
                  let precedence = Self.precedence(of: tokens[k].text),
                  let leftStart = primaryStart(endingAt: k - 1), let rightEnd = primaryEnd(from: k + 1),
                  isOperandBoundary(before: leftStart, precedence: precedence),
                  isOperandBoundary(after: rightEnd, precedence: precedence, rightAssociative: tokens[k].text == "**")
            else { continue }
            let left = text(tokens: leftStart, through: k - 1)
            let right = text(tokens: k + 1, through: rightEnd - 1)
            let middle = text(tokens[k - 1].end..<tokens[k + 1].start)
            let swapped = candidate(tokens: leftStart, through: rightEnd - 1, with: right + middle + left)
            if left != right, let site = MutationSite(line: tokens[k].line, lastLine: tokens[rightEnd - 1].line,
                                                      candidates: [swapped]) {
                sites.append(site)
            }
        }
        return sites
    }

    /// Whether the tokens in `range` are one simple argument: a primary, optionally negated.
    private func isSimpleArgument(_ range: Range<Int>) -> Bool {
        guard !range.isEmpty else { return false }
        let start = isPunctuation(range.lowerBound, "-") ? range.lowerBound + 1 : range.lowerBound
        return start < range.upperBound && primaryEnd(from: start) == range.upperBound
    }

    /// The opening parenthesis of a call (not a definition, not `if (`), with its closing partner.
    private func callParentheses(at open: Int) -> Int? {
        guard isPunctuation(open, "("), open > 0, !tokens[open].spaceBefore, endsOperand(open - 1),
              let close = partner[open]
        else { return nil }
        if open >= 2, tokens[open - 2].kind == .identifier, Self.definitionIntroducers.contains(tokens[open - 2].text) {
            return nil
        }
        if isPunctuation(close + 1, ["{", "=>"]) { return nil }
        return close
    }

    func swapArgumentSites() -> [MutationSite] {
        var sites: [MutationSite] = []
        for k in tokens.indices {
            guard let close = callParentheses(at: k) else { continue }
            var arguments = splitTopLevel((k + 1)..<close, on: ",")
            if arguments.count > 1, arguments.last?.isEmpty == true { arguments.removeLast() }
            guard arguments.count >= 2, arguments.allSatisfy(isSimpleArgument) else { continue }
            var candidates: [MutationCandidate] = []
            for i in 0..<(arguments.count - 1) {
                let a = arguments[i]
                let b = arguments[i + 1]
                let first = text(tokens: a.lowerBound, through: a.upperBound - 1)
                let second = text(tokens: b.lowerBound, through: b.upperBound - 1)
                let separator = text(tokens[a.upperBound - 1].end..<tokens[b.lowerBound].start)
                candidates.append(candidate(tokens: a.lowerBound, through: b.upperBound - 1,
                                            with: second + separator + first))
            }
            if let site = MutationSite(line: tokens[k].line, lastLine: tokens[close].line, candidates: candidates) {
                sites.append(site)
            }
        }
        return sites
    }

    func unwrapCallSites() -> [MutationSite] {
        var sites: [MutationSite] = []
        for k in tokens.indices where isName(k) {
            guard !isPunctuation(k - 1, [".", "?.", "::", "@"]), !(k > 0 && isWord(k - 1, "new")),
                  !Self.keptCalls.contains(tokens[k].text), let close = callParentheses(at: k + 1)
            else { continue }
            var arguments = splitTopLevel((k + 2)..<close, on: ",")
            if arguments.count > 1, arguments.last?.isEmpty == true { arguments.removeLast() }
            guard arguments.count == 1, let argument = arguments.first, !argument.isEmpty,
                  !isPunctuation(argument.lowerBound, ["*", "**", "..."]),
                  !argument.contains(where: { isPunctuation($0, ["=", ":"]) || isWord($0, "for") || isWord($0, "lambda") })
            else { continue }
            var body = text(tokens: argument.lowerBound, through: argument.upperBound - 1)
            let isPrimary = primaryEnd(from: argument.lowerBound) == argument.upperBound
            let spansLines = tokens[argument.lowerBound].line != tokens[argument.upperBound - 1].line
            // `int(7).real` must become `(7).real`, never `7.real`.
            let accessed = isPunctuation(close + 1, [".", "?.", "(", "["])
                && (!isPrimary || tokens[argument.lowerBound].kind == .number)
            if spansLines || accessed || !isPrimary && (needsParenthesesForAddition(argument)
                || !isOperandBoundary(before: k, precedence: 0) || !isOperandBoundary(after: close + 1, precedence: 0)) {
                body = "(\(body))" // keeps a multi-line argument inside brackets, and precedence intact
            }
            if let site = MutationSite(line: tokens[k].line, lastLine: tokens[close].line,
                                       candidates: [candidate(tokens: k, through: close, with: body)]) {
                sites.append(site)
            }
        }
        return sites
    }
}
