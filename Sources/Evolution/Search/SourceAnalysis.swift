import Foundation

/// One file, tokenized and lightly analysed: matching brackets, lines and simple statements,
/// function bodies, plus the token-context questions the mutation operators ask ("is this `-`
/// binary?", "where does the operand before this operator start?").
///
/// It is a heuristic view, not a parser: every question errs towards "no", so operators skip a
/// site rather than produce garbage. A class, because every operator asks it thousands of
/// questions and it is never mutated once built.
final class SourceAnalysis {
    /// One physical line. Byte offsets are into the file; `number` is 1-based.
    struct Line: Sendable {
        var number: Int
        var start: Int
        /// End of the text, before `\r\n` or `\n`.
        var contentEnd: Int
        /// Start of the next line (or end of file).
        var end: Int
        /// End of the leading spaces and tabs.
        var indentEnd: Int
        /// Indentation width with tabs to multiples of 8.
        var indentWidth: Int
        /// First and last code tokens that start on this line.
        var firstToken: Int?
        var lastToken: Int?
        /// Inside a multi-line string or comment that began on an earlier line.
        var isInterior = false
        /// Starts a statement (not a continuation of an earlier line).
        var isLogicalStart = false
        /// A whole single-line statement that line operators may delete, duplicate, swap or copy.
        var isSimpleStatement = false

        var hasCode: Bool { firstToken != nil }
    }

    /// The lines a named function's definition spans.
    struct FunctionRegion: Sendable, Hashable {
        var name: String
        var lines: ClosedRange<Int>
    }

    let path: String
    let language: SourceLanguage
    let bytes: [UInt8]
    /// Code tokens: everything but comments.
    let tokens: [SourceToken]
    /// The matching bracket of each `(`, `)`, `[`, `]`, `{`, `}` token.
    private(set) var partner: [Int?]
    /// Nesting depth of `(` and `[` (and `{` in Python) at each token; a closer has its opener's depth.
    private(set) var groupDepth: [Int]
    /// `lines[0]` is line 1.
    private(set) var lines: [Line] = []
    private(set) var functions: [FunctionRegion] = []
    /// First lines of function definitions (where parameters are declared).
    private(set) var functionHeaderLines: Set<Int> = []
    /// Tokens of Python `case …:` patterns, where `|` and `-` are not operators to swap.
    private(set) var patternTokens: Set<Int> = []
    /// Tokens of generic argument lists (`<Int>` in `Array<Int>`): no `<`, `>` or `&` there is an operator.
    private(set) var genericTokens: Set<Int> = []
    let keywords: Set<String>
    let valueKeywords: Set<String>
    /// Whether most statements of this (non-Python) file end with `;`.
    private(set) var requiresSemicolons = false
    /// Filled on first use by `numberLiterals()`, which several operators share.
    var cachedNumberLiterals: [NumberLiteralSite]?

    init(file: SourceFile) {
        path = file.path
        language = SourceLanguage(path: file.path)
        bytes = Array(file.text.utf8)
        keywords = language.keywords
        valueKeywords = language.valueKeywords
        let all = SourceTokenizer.tokenize(bytes, language: language)
        tokens = all.filter { $0.kind != .comment }
        partner = Array(repeating: nil, count: tokens.count)
        groupDepth = Array(repeating: 0, count: tokens.count)
        matchBrackets()
        buildLines(allTokens: all)
        findFunctions()
        if language.isPython {
            findPatterns()
        } else {
            findGenericSpans()
        }
    }

    // MARK: Text

    /// The file text of the byte range.
    func text(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }

    /// The file text from the start of token `first` to the end of token `last`.
    func text(tokens first: Int, through last: Int) -> String { text(tokens[first].start..<tokens[last].end) }

    func line(_ number: Int) -> Line { lines[number - 1] }

    /// The text of line `number` without its indentation and line break.
    func statementText(_ number: Int) -> String {
        let l = line(number)
        return text(l.indentEnd..<l.contentEnd)
    }

    /// The line break used after line `number` (`\n` when it is the last line).
    func lineBreak(after number: Int) -> String {
        let l = line(number)
        return l.end > l.contentEnd ? text(l.contentEnd..<l.end) : "\n"
    }

    // MARK: Token classes

    func isPunctuation(_ k: Int, _ spellings: Set<String>) -> Bool {
        k >= 0 && k < tokens.count && tokens[k].kind == .punctuation && spellings.contains(tokens[k].text)
    }

    /// Short literal lists: a linear scan, cheaper than building and hashing into a set.
    func isPunctuation(_ k: Int, _ spellings: [String]) -> Bool {
        k >= 0 && k < tokens.count && tokens[k].kind == .punctuation && spellings.contains(tokens[k].text)
    }

    func isPunctuation(_ k: Int, _ spelling: String) -> Bool {
        k >= 0 && k < tokens.count && tokens[k].isPunctuation(spelling)
    }

    func isWord(_ k: Int, _ word: String) -> Bool {
        k >= 0 && k < tokens.count && tokens[k].kind == .identifier && tokens[k].text == word
    }

    /// A keyword that is not a value (`return`, `if`, `and`, `def`…).
    func isKeyword(_ k: Int) -> Bool {
        tokens[k].kind == .identifier && keywords.contains(tokens[k].text) && !valueKeywords.contains(tokens[k].text)
    }

    /// A plain name: an identifier that is neither a keyword nor a value keyword.
    func isName(_ k: Int) -> Bool {
        tokens[k].kind == .identifier && !keywords.contains(tokens[k].text) && !valueKeywords.contains(tokens[k].text)
    }

    func isOpener(_ k: Int) -> Bool { isPunctuation(k, ["(", "[", "{"]) }
    func isCloser(_ k: Int) -> Bool { isPunctuation(k, [")", "]", "}"]) }

    /// Whether token `k` can be the last token of an operand (`x`, `3`, `"s"`, `)`, `]`).
    func endsOperand(_ k: Int) -> Bool {
        guard k >= 0, k < tokens.count else { return false }
        let t = tokens[k]
        switch t.kind {
        case .identifier: return !isKeyword(k)
        case .number, .string: return true
        case .punctuation: return t.text == ")" || t.text == "]" || (t.text == "}" && language.isPython)
        case .comment: return false
        }
    }

    /// Whether token `k` can be the first token of an operand.
    func startsOperand(_ k: Int) -> Bool {
        guard k >= 0, k < tokens.count else { return false }
        let t = tokens[k]
        switch t.kind {
        case .identifier: return !isKeyword(k) || ["not", "lambda", "await", "new", "typeof", "sizeof"].contains(t.text)
        case .number, .string: return true
        case .punctuation: return ["(", "[", "{", "-", "+", "~", "!"].contains(t.text)
        case .comment: return false
        }
    }

    /// Whether the operator token `k` is used as a binary operator (an operand on each side),
    /// which rules out unary minus (`-1`), `*args`, `**kwargs`, pointer declarators and the like.
    func isBinaryOperator(at k: Int) -> Bool {
        guard k > 0, k + 1 < tokens.count, endsOperand(k - 1), startsOperand(k + 1) else { return false }
        let t = tokens[k]
        if language.isPython, tokens[k - 1].line < t.line, groupDepth[k] == 0 { return false }
        if !language.isPython, t.text == "*" || t.text == "&" || t.text == "**" {
            // `Foo *p` / `int &r` are declarators; binary operators are spaced symmetrically.
            return t.spaceBefore == tokens[k + 1].spaceBefore
        }
        return true
    }

    /// Whether token `k` is an assignment operator (`=`, `+=`, `:=`…), not a comparison.
    func isAssignment(_ k: Int) -> Bool {
        guard k >= 0, k < tokens.count, tokens[k].kind == .punctuation, tokens[k].text.hasSuffix("=") else { return false }
        return !Self.comparisonOperators.contains(tokens[k].text)
    }

    /// Binding strength of a binary arithmetic or bitwise operator (higher binds tighter).
    static func precedence(of op: String) -> Int? {
        switch op {
        case "**": 7
        case "*", "/", "//", "%", "@": 6
        case "+", "-": 5
        case "<<", ">>", ">>>": 4
        case "&": 3
        case "^": 2
        case "|": 1
        default: nil
        }
    }

    private static let comparisonOperators: Set<String> = ["==", "!=", "===", "!==", "<", ">", "<=", ">=", "<=>"]

    // MARK: Operands

    /// One past the last token of the primary expression starting at `start` — a name, literal or
    /// bracketed group followed by any `.name`, call or subscript — or nil when none starts there.
    func primaryEnd(from start: Int) -> Int? {
        guard start >= 0, start < tokens.count else { return nil }
        let t = tokens[start]
        var j: Int
        switch t.kind {
        case .identifier:
            guard endsOperand(start) else { return nil }
            j = start + 1
        case .number:
            j = start + 1
        case .string:
            j = start + 1
            while j < tokens.count, tokens[j].kind == .string { j += 1 }
        case .punctuation:
            guard t.text == "(" || t.text == "[" || (t.text == "{" && language.isPython), let p = partner[start] else {
                return nil
            }
            j = p + 1
        case .comment:
            return nil
        }
        while j < tokens.count {
            if isPunctuation(j, [".", "?.", "::"]), j + 1 < tokens.count, tokens[j + 1].kind == .identifier {
                j += 2
            } else if isPunctuation(j, ["(", "["]), !tokens[j].spaceBefore, let p = partner[j] {
                j = p + 1
            } else {
                break
            }
        }
        return j
    }

    /// The first token of the primary expression whose last token is `end`, or nil.
    func primaryStart(endingAt end: Int) -> Int? {
        guard end >= 0, end < tokens.count else { return nil }
        var j = end
        while true {
            let t = tokens[j]
            var start: Int
            switch t.kind {
            case .punctuation:
                guard t.text == ")" || t.text == "]" || (t.text == "}" && language.isPython), let p = partner[j] else {
                    return nil
                }
                if tokens[p].text != "{", !tokens[p].spaceBefore, endsOperand(p - 1) {
                    j = p - 1 // a call or subscript: continue with what is called or subscripted
                    continue
                }
                return p
            case .identifier:
                guard endsOperand(j) else { return nil }
                start = j
            case .number:
                return j
            case .string:
                start = j
                while start > 0, tokens[start - 1].kind == .string { start -= 1 }
                return start
            case .comment:
                return nil
            }
            if start >= 2, isPunctuation(start - 1, [".", "?.", "::"]), endsOperand(start - 2) {
                j = start - 2
                continue
            }
            return start
        }
    }

    /// Whether the operand starting at token `start` begins a complete operand of a binary
    /// operator with binding strength `precedence`: what precedes it binds more loosely.
    func isOperandBoundary(before start: Int, precedence: Int) -> Bool {
        let k = start - 1
        guard k >= 0 else { return true }
        let t = tokens[k]
        if t.line < tokens[start].line, groupDepth[start] == 0, endsOperand(k) || isPunctuation(k, [";", "{", "}", ":"]) {
            return true
        }
        switch t.kind {
        case .identifier:
            return isKeyword(k)
        case .punctuation:
            if ["(", "[", "{", ",", ";", ":", "?", "=>", "->", "&&", "||", "??", "..<", "...", ".."].contains(t.text) {
                return true
            }
            if t.text.hasSuffix("=") || Self.comparisonOperators.contains(t.text) { return true }
            if let q = Self.precedence(of: t.text), isBinaryOperator(at: k) { return q < precedence }
            return false
        case .number, .string, .comment:
            return false
        }
    }

    /// Whether an operand ending just before token `next` is complete for a binary operator with
    /// binding strength `precedence`: what follows binds no tighter.
    func isOperandBoundary(after next: Int, precedence: Int, rightAssociative: Bool = false) -> Bool {
        guard next < tokens.count else { return true }
        let t = tokens[next]
        if next > 0, t.line > tokens[next - 1].line, groupDepth[next] == 0 { return true }
        switch t.kind {
        case .identifier:
            return isKeyword(next)
        case .punctuation:
            if [")", "]", "}", "{", ",", ";", ":", "?", "=>", "&&", "||", "??", "..<", "...", ".."].contains(t.text) {
                return true
            }
            if t.text.hasSuffix("=") || Self.comparisonOperators.contains(t.text) { return true }
            if let q = Self.precedence(of: t.text), isBinaryOperator(at: next) {
                return rightAssociative ? q < precedence : q <= precedence
            }
            return false
        case .number, .string, .comment:
            return false
        }
    }

    /// Token ranges of `range` split at `separator` tokens that are not nested in brackets.
    func splitTopLevel(_ range: Range<Int>, on separator: String) -> [Range<Int>] {
        var parts: [Range<Int>] = []
        var partStart = range.lowerBound
        var k = range.lowerBound
        while k < range.upperBound {
            if isOpener(k), let p = partner[k], p < range.upperBound {
                k = p + 1
                continue
            }
            if isPunctuation(k, separator) {
                parts.append(partStart..<k)
                partStart = k + 1
            }
            k += 1
        }
        parts.append(partStart..<range.upperBound)
        return parts
    }

    /// Whether the tokens in `range` form an expression that needs parentheses before `+ 1` can
    /// follow it: anything binding looser than `+` at the top level (`and`, `<`, `|`, `?:`…).
    func needsParenthesesForAddition(_ range: Range<Int>) -> Bool {
        var k = range.lowerBound
        while k < range.upperBound {
            if isOpener(k), let p = partner[k], p < range.upperBound {
                k = p + 1
                continue
            }
            let t = tokens[k]
            switch t.kind {
            case .identifier where isKeyword(k): return true
            case .punctuation where ![".", "?.", "::", "+", "-", "*", "/", "//", "%", "**", "@", "~"].contains(t.text):
                return true
            default: break
            }
            k += 1
        }
        return false
    }

    /// The text of the tokens in `range` with `delta` (`" + 1"`, `" - 1"`) appended, parenthesised if needed.
    func adjusted(_ range: Range<Int>, by delta: String) -> String {
        let body = text(tokens: range.lowerBound, through: range.upperBound - 1)
        return needsParenthesesForAddition(range) ? "(\(body))\(delta)" : body + delta
    }

    /// The innermost function whose definition spans `line`.
    func enclosingFunction(of line: Int) -> FunctionRegion? {
        functions.filter { $0.lines.contains(line) }.min { $0.lines.count < $1.lines.count }
    }

    // MARK: Building

    private func matchBrackets() {
        var stack: [Int] = []
        var depth = 0
        for k in tokens.indices {
            let t = tokens[k]
            let counts = t.text != "{" && t.text != "}" || language.isPython
            if t.kind == .punctuation, t.text == ")" || t.text == "]" || t.text == "}" {
                let opener = t.text == ")" ? "(" : t.text == "]" ? "[" : "{"
                if let top = stack.last, tokens[top].text == opener {
                    stack.removeLast()
                    partner[k] = top
                    partner[top] = k
                    if counts { depth = max(0, depth - 1) }
                }
                groupDepth[k] = depth
                continue
            }
            groupDepth[k] = depth
            if t.kind == .punctuation, t.text == "(" || t.text == "[" || t.text == "{" {
                stack.append(k)
                if counts { depth += 1 }
            }
        }
    }

    /// Depth after token `k` (counting `k` itself when it opens a group).
    private func depthAfter(_ k: Int) -> Int {
        let opens = isPunctuation(k, ["(", "["]) || (language.isPython && isPunctuation(k, "{"))
        return groupDepth[k] + (opens && partner[k] != nil ? 1 : 0)
    }

    private static let clauseKeywords: Set<String> = [
        "else", "elif", "elsif", "except", "finally", "catch", "case", "default", "when", "rescue", "ensure",
        "end", "then", "fi", "done", "esac", "do", "until",
    ]
    private static let pythonCompoundKeywords: Set<String> = [
        "if", "for", "while", "try", "with", "def", "class", "async", "match", "case",
    ]
    private static let blockKeywords: Set<String> = [
        "if", "for", "while", "def", "class", "module", "unless", "begin", "function", "fn", "func", "switch", "guard",
        "defer", "catch",
        "struct", "enum", "impl", "loop", "repeat", "try", "with", "match", "interface", "namespace", "select",
    ]
    private static let continuationStarts: Set<String> = [
        ".", "?.", "&&", "||", "??", "?", ":", "=>", "+", "-", "/", "%", "==", "!=", "<", ">", "<=", ">=", "|",
    ]

    private static let continuationEnds: Set<String> = continuationStarts.union([
        "=", "(", "[", ",", "->", "*", "&", "^", "\\", "+=", "-=", "*=", "/=", "%=", "|=", "&=", "^=", "<<", ">>",
        "**", "===", "!==",
    ])

    private func buildLines(allTokens: [SourceToken]) {
        var starts = [0]
        for (k, b) in bytes.enumerated() where b == 0x0A { starts.append(k + 1) }
        lines = starts.indices.map { idx in
            let start = starts[idx]
            let end = idx + 1 < starts.count ? starts[idx + 1] : bytes.count
            var contentEnd = end
            if contentEnd > start, bytes[contentEnd - 1] == 0x0A { contentEnd -= 1 }
            if contentEnd > start, bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            var indentEnd = start
            var width = 0
            while indentEnd < contentEnd, bytes[indentEnd] == 0x20 || bytes[indentEnd] == 0x09 {
                width = bytes[indentEnd] == 0x09 ? (width / 8 + 1) * 8 : width + 1
                indentEnd += 1
            }
            return Line(number: idx + 1, start: start, contentEnd: contentEnd, end: end, indentEnd: indentEnd,
                        indentWidth: width)
        }
        for t in allTokens where t.endLine > t.line {
            for l in (t.line + 1)...min(t.endLine, lines.count) { lines[l - 1].isInterior = true }
        }
        for k in tokens.indices {
            let l = tokens[k].line - 1
            if lines[l].firstToken == nil { lines[l].firstToken = k }
            lines[l].lastToken = k
        }
        for idx in lines.indices {
            lines[idx].isLogicalStart = isLogicalStart(lines[idx])
        }
        if !language.isPython {
            // In files whose statements end with `;`, a line without one is half of something
            // larger (`static int` above `main(…)`).
            var endings = (semicolon: 0, other: 0)
            for line in lines where line.isLogicalStart {
                guard let last = line.lastToken else { continue }
                if isPunctuation(last, ";") { endings.semicolon += 1 } else if endsOperand(last) { endings.other += 1 }
            }
            requiresSemicolons = endings.semicolon > 2 * endings.other
        }
        for idx in lines.indices {
            lines[idx].isSimpleStatement = isSimpleStatement(lines[idx])
        }
    }

    private func lastCodeToken(before line: Line) -> Int? {
        guard let first = line.firstToken, first > 0 else { return nil }
        return first - 1
    }

    private func isLogicalStart(_ line: Line) -> Bool {
        guard let first = line.firstToken, !line.isInterior, groupDepth[first] == 0 else { return false }
        // A closing bracket whose opener is on an earlier line ends an earlier statement.
        if isCloser(first), let opener = partner[first], tokens[opener].line < line.number,
           language.isPython || tokens[first].text != "}" {
            return false
        }
        if let previous = lastCodeToken(before: line) {
            if isPunctuation(previous, "\\") { return false }
            // Without significant newlines, a line after a dangling operator continues it.
            if !language.isPython, isPunctuation(previous, Self.continuationEnds) { return false }
        }
        if !language.isPython, isPunctuation(first, Self.continuationStarts) { return false }
        return true
    }

    private func isSimpleStatement(_ line: Line) -> Bool {
        guard line.isLogicalStart, let first = line.firstToken, let last = line.lastToken else { return false }
        for k in first...last where tokens[k].endLine != line.number { return false }
        guard depthAfter(last) == 0, !isPunctuation(last, "\\") else { return false }
        let firstText = tokens[first].text
        if Self.clauseKeywords.contains(firstText) { return false }
        if language.isPython {
            // Compound statements, even on one line (`if x: y`, `try: f()`), may own clauses that follow.
            return !isPunctuation(last, ":") && !Self.pythonCompoundKeywords.contains(firstText)
        }
        for k in first...last where isPunctuation(k, ["{", "}"]) { return false }
        if first == last, isKeyword(first) { return false } // `guard` / `else` / `do` alone on a line
        // The body of a brace-less `if (…)`, `for (…)`, `else`: removing it would orphan the header.
        if let previous = lastCodeToken(before: line) {
            if isWord(previous, "else") || isWord(previous, "do") { return false }
            if isPunctuation(previous, ")"), let open = partner[previous], open > 0,
               ["if", "for", "while", "switch", "foreach", "with"].contains(tokens[open - 1].text) {
                return false
            }
        }
        if Self.blockKeywords.contains(firstText), !isPunctuation(last, ";") { return false }
        if isPunctuation(last, Self.continuationEnds.subtracting([","])) { return false }
        if requiresSemicolons, !isPunctuation(last, ";") { return false }
        if last + 1 < tokens.count, isPunctuation(last + 1, Self.continuationStarts) { return false }
        return true
    }

    private func findFunctions() {
        functions = language.isPython ? pythonFunctions() : braceFunctions()
        functionHeaderLines = Set(functions.map(\.lines.lowerBound))
    }

    /// `def name` (and `async def name`) regions: the header line through the last line indented deeper.
    private func pythonFunctions() -> [FunctionRegion] {
        var found: [FunctionRegion] = []
        for line in lines where line.isLogicalStart {
            guard var k = line.firstToken else { continue }
            if isWord(k, "async") { k += 1 }
            guard isWord(k, "def"), k + 1 < tokens.count, tokens[k + 1].kind == .identifier else { continue }
            var last = line.number
            var next = line.number + 1
            while next <= lines.count {
                let candidate = lines[next - 1]
                if candidate.isLogicalStart, candidate.indentWidth <= line.indentWidth { break }
                if candidate.hasCode || candidate.isInterior { last = next }
                next += 1
            }
            found.append(FunctionRegion(name: tokens[k + 1].text, lines: line.number...last))
        }
        return found
    }

    /// Words after which `name(…)` is a call, never a definition.
    private static let callPrefixes: Set<String> = [
        "return", "new", "else", "await", "if", "while", "for", "switch", "case", "throw", "in", "of", "go", "defer",
        "yield", "do", "try", "and", "or", "not", "typeof", "delete", "void",
    ]

    /// Functions in brace languages: `func/function/fn/fun name(…) {…}`, C-style `type name(…) {…}`,
    /// and `name = (…) => {…}` / `name: function (…) {…}`.
    private func braceFunctions() -> [FunctionRegion] {
        var found: [FunctionRegion] = []
        let introducers: Set<String> = ["func", "function", "fn", "fun", "def", "sub", "proc"]
        for k in tokens.indices where tokens[k].kind == .identifier {
            var name: Int?
            var searchFrom = k + 1
            if introducers.contains(tokens[k].text), k + 1 < tokens.count, tokens[k + 1].kind == .identifier {
                name = k + 1
                searchFrom = k + 2
            } else if isName(k), isPunctuation(k + 1, "("), let close = partner[k + 1],
                      k == 0 || tokens[k - 1].line < tokens[k].line
                      || tokens[k - 1].kind == .identifier && !Self.callPrefixes.contains(tokens[k - 1].text)
                      || isPunctuation(k - 1, ["*", "&", ">", "]", ")", "::", "~", ";", "}"]),
                      k == 0 || !introducers.contains(tokens[k - 1].text) {
                name = k
                searchFrom = close + 1
            } else if isName(k), isPunctuation(k + 1, ["=", ":"]) {
                var j = k + 2
                if isWord(j, "async") { j += 1 }
                if isWord(j, "function") {
                    name = k
                    searchFrom = j + 1
                } else if isPunctuation(j, "("), let close = partner[j], isPunctuation(close + 1, "=>") {
                    name = k
                    searchFrom = close + 2
                }
            }
            guard let name else { continue }
            var j = searchFrom
            var region: ClosedRange<Int>?
            while j < tokens.count, j < searchFrom + 40 {
                if isPunctuation(j, "{") {
                    if let close = partner[j] { region = tokens[name].line...tokens[close].line }
                    break
                }
                if isPunctuation(j, ["(", "["]), let close = partner[j] {
                    j = close + 1
                    continue
                }
                if isPunctuation(j, [";", "}", ")", "]", "="]) { break }
                if isPunctuation(j, "=>") {
                    region = tokens[name].line...tokens[j].line
                    break
                }
                j += 1
            }
            if let region { found.append(FunctionRegion(name: tokens[name].text, lines: region)) }
        }
        return found
    }

    /// Marks the tokens from a statement-starting `case` to its `:` (a `match` pattern).
    private func findPatterns() {
        for line in lines where line.isLogicalStart {
            guard let first = line.firstToken, isWord(first, "case"), !isPunctuation(first + 1, ["=", ".", ",", ":", ")"])
            else { continue }
            var k = first + 1
            while k < tokens.count, !isPunctuation(k, ":") {
                if isOpener(k), let close = partner[k] {
                    patternTokens.formUnion(k...close)
                    k = close + 1
                } else {
                    patternTokens.insert(k)
                    k += 1
                }
            }
        }
    }

    /// Marks `<`…`>` spans that enclose only type-like tokens on one line, opened directly after a
    /// name (`Array<Int>`, `init?<T: P & Q>`): generic arguments, where nothing is an operator.
    private func findGenericSpans() {
        let allowed: Set<String> = [",", ".", "::", "?", "*", "&", "[", "]", "(", ")", "<", ">", ">>", ">>>", ":", "'"]
        for k in tokens.indices where isPunctuation(k, "<") && !tokens[k].spaceBefore {
            guard k > 0, tokens[k - 1].kind == .identifier || isPunctuation(k - 1, ["::", "?", "!"]) else { continue }
            var depth = 1
            var j = k + 1
            while j < tokens.count, j < k + 40, tokens[j].line == tokens[k].line {
                let t = tokens[j]
                guard t.kind == .identifier || t.kind == .number || (t.kind == .punctuation && allowed.contains(t.text))
                else { break }
                switch t.text {
                case "<": depth += 1
                case ">": depth -= 1
                case ">>": depth -= 2
                case ">>>": depth -= 3
                default: break
                }
                if depth <= 0 { break }
                j += 1
            }
            if depth == 0 {
                genericTokens.formUnion(k...j)
            } else if j < tokens.count, tokens[j].line > tokens[k].line, j == k + 1 {
                genericTokens.insert(k) // `func f<` with its parameters on the following lines
            }
        }
        // `where Element == UInt8, T: P & Q` constraints run to the `{` (or the end of the line).
        for k in tokens.indices where isWord(k, "where") && !language.isPython {
            var j = k + 1
            while j < tokens.count, tokens[j].line == tokens[k].line, !isPunctuation(j, "{") {
                genericTokens.insert(j)
                j += 1
            }
        }
    }
}
