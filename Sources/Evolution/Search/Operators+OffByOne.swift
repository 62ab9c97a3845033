import Foundation

/// Off-by-one mutations: integer literals ±1, subscripts and slice bounds ±1, `range(…)` limits
/// ±1, and lengths (`len(x)`, `x.length`, `x.count`) ±1.
extension MutationOperator {
    static let offByOne = MutationOperator(name: "off-by-one", defaultWeight: 2.5) { $0.offByOneSites() }
}

extension SourceAnalysis {
    /// Subscripted names that are types, not containers: `List[int] + 1` is never meant.
    private static let typeSubscripts: Set<String> = [
        "list", "dict", "tuple", "set", "frozenset", "type", "Optional", "Union", "Callable", "Literal",
    ]
    private static let lengthAttributes: Set<String> = ["length", "count", "size"]

    func offByOneSites() -> [MutationSite] {
        var sites: [MutationSite] = []
        for number in numberLiterals() where number.literal.isInteger {
            sites.append(MutationSite(line: tokens[number.last].line) { [self] in
                [number.integer(plus: 1), number.integer(plus: -1)].compactMap {
                    $0.flatMap { replacement(for: number, value: .integer($0)) }
                }
            })
        }
        for k in tokens.indices {
            let site: MutationSite?
            if isPunctuation(k, "[") {
                site = subscriptSite(at: k)
            } else if tokens[k].kind == .identifier, !isPunctuation(k - 1, [".", "?.", "::"]),
                      tokens[k].text == "range" || tokens[k].text == "xrange" {
                site = rangeSite(at: k)
            } else if isWord(k, "len"), !isPunctuation(k - 1, [".", "?.", "::"]), isPunctuation(k + 1, "("),
                      let close = partner[k + 1], close > k + 2 {
                site = lengthSite(first: k, last: close)
            } else if tokens[k].kind == .identifier, Self.lengthAttributes.contains(tokens[k].text),
                      isPunctuation(k - 1, [".", "?."]), let start = primaryStart(endingAt: k), start < k - 1 {
                var last = k
                if isPunctuation(k + 1, "("), !tokens[k + 1].spaceBefore, let close = partner[k + 1] { last = close }
                site = lengthSite(first: start, last: last)
            } else {
                site = nil
            }
            if let site { sites.append(site) }
        }
        return sites
    }

    /// Whether `range` is an expression worth adjusting by one (literals are handled as literals;
    /// `i + 1` already has a literal to adjust; comprehensions, lambdas and starred values are skipped).
    private func isAdjustable(_ range: Range<Int>) -> Bool {
        guard !range.isEmpty else { return false }
        if range.count == 1, tokens[range.lowerBound].kind == .number { return false }
        if tokens[range.lowerBound].kind == .string { return false }
        if range.count >= 2, tokens[range.upperBound - 1].kind == .number, isPunctuation(range.upperBound - 2, ["+", "-"]) {
            return false
        }
        if isPunctuation(range.lowerBound, ["*", "**", "...", "&"]) { return false }
        for k in range where isWord(k, "for") || isWord(k, "lambda") || isWord(k, "yield")
            || isPunctuation(k, ["=", ":=", ";"]) {
            return false
        }
        return true
    }

    /// A candidate replacing tokens `whole` with the same text where `part` is replaced by `new`.
    private func replacing(_ part: Range<Int>, in whole: ClosedRange<Int>, with new: String) -> MutationCandidate {
        let before = text(tokens[whole.lowerBound].start..<tokens[part.lowerBound].start)
        let after = text(tokens[part.upperBound - 1].end..<tokens[whole.upperBound].end)
        return candidate(tokens: whole.lowerBound, through: whole.upperBound, with: before + new + after)
    }

    /// `a[i]` → `a[i ± 1]`; `a[x:y]` → each bound ± 1 (an empty lower bound becomes 1, an empty upper bound -1).
    private func subscriptSite(at open: Int) -> MutationSite? {
        guard open > 0, !tokens[open].spaceBefore, endsOperand(open - 1), let close = partner[open], close > open + 1
        else { return nil }
        let previous = tokens[open - 1]
        if previous.kind == .identifier, Self.typeSubscripts.contains(previous.text) || previous.text.first?.isUppercase == true {
            return nil
        }
        let inner = (open + 1)..<close
        guard splitTopLevel(inner, on: ",").count == 1 else { return nil }
        let whole = (previous.kind == .identifier ? open - 1 : open)...close
        let parts = splitTopLevel(inner, on: ":")
        var candidates: [MutationCandidate] = []
        if parts.count == 1 {
            guard isAdjustable(inner) else { return nil }
            candidates = [" + 1", " - 1"].map { replacing(inner, in: whole, with: adjusted(inner, by: $0)) }
        } else if parts.count <= 3 {
            for bound in parts.prefix(2) where isAdjustable(bound) {
                candidates += [" + 1", " - 1"].map { replacing(bound, in: whole, with: adjusted(bound, by: $0)) }
            }
            let firstColon = parts[0].upperBound
            if parts[0].isEmpty {
                candidates.append(replacing(firstColon..<(firstColon + 1), in: whole, with: "1:"))
            }
            if parts[1].isEmpty {
                candidates.append(replacing(firstColon..<(firstColon + 1), in: whole, with: ":-1"))
            }
        }
        return MutationSite(line: tokens[open].line, lastLine: tokens[close].line, candidates: candidates)
    }

    /// `range(n)` → `range(n ± 1)`; `range(a, b)` → `a ± 1` or `b ± 1`.
    private func rangeSite(at name: Int) -> MutationSite? {
        guard isPunctuation(name + 1, "("), let close = partner[name + 1] else { return nil }
        let arguments = splitTopLevel((name + 2)..<close, on: ",").filter { !$0.isEmpty }
        guard (1...3).contains(arguments.count) else { return nil }
        var candidates: [MutationCandidate] = []
        for bound in arguments.prefix(2) where isAdjustable(bound) {
            candidates += [" + 1", " - 1"].map { replacing(bound, in: name...close, with: adjusted(bound, by: $0)) }
        }
        return MutationSite(line: tokens[name].line, lastLine: tokens[close].line, candidates: candidates)
    }

    /// `len(x)` → `len(x) ± 1` (parenthesised when a neighbouring operator binds tighter).
    private func lengthSite(first: Int, last: Int) -> MutationSite? {
        if isAssignment(last + 1) { return nil } // `self.count += 1` is a target, not a length
        let body = text(tokens: first, through: last)
        let bare = isOperandBoundary(before: first, precedence: 5) && isOperandBoundary(after: last + 1, precedence: 5)
        let candidates = [" - 1", " + 1"].map {
            candidate(tokens: first, through: last, with: bare ? body + $0 : "(\(body)\($0))")
        }
        return MutationSite(line: tokens[first].line, lastLine: tokens[last].line, candidates: candidates)
    }
}
