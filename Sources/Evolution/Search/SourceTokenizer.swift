import Foundation

/// One lexical token of a source file. Offsets are UTF-8 byte offsets into the file.
struct SourceToken: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        case identifier, number, string, comment, punctuation
    }

    var kind: Kind
    /// First byte of the token.
    var start: Int
    /// One past the last byte of the token.
    var end: Int
    /// 1-based line of the first byte.
    var line: Int
    /// 1-based line of the last byte (differs from `line` for multi-line strings and comments).
    var endLine: Int
    var text: String
    /// Whether whitespace (or the start of the file) immediately precedes the token.
    var spaceBefore: Bool

    func isPunctuation(_ spelling: String) -> Bool { kind == .punctuation && text == spelling }
}

/// A small, language-agnostic lexer: good enough to tell code from strings and comments and to
/// find names, numbers and operators. It never fails: anything it does not recognise becomes a
/// one-byte punctuation token, and an unterminated string or comment runs to the end of its line
/// (or file), which keeps its contents safe from mutation.
struct SourceTokenizer {
    private let bytes: [UInt8]
    private let language: SourceLanguage

    /// Every token of `bytes`, comments included, in order.
    static func tokenize(_ bytes: [UInt8], language: SourceLanguage) -> [SourceToken] {
        SourceTokenizer(bytes: bytes, language: language).run()
    }

    private init(bytes: [UInt8], language: SourceLanguage) {
        self.bytes = bytes
        self.language = language
    }

    private func run() -> [SourceToken] {
        let n = bytes.count
        let lineComments = language.lineComments.map { Array($0.utf8) }
        let blockComments = language.blockComments.map { (open: Array($0.open.utf8), close: Array($0.close.utf8)) }
        let punctuators = language.punctuators.map { Array($0.utf8) }
        var tokens: [SourceToken] = []
        var i = 0
        var line = 1
        var lineHasToken = false

        func emit(_ kind: SourceToken.Kind, _ start: Int, _ startLine: Int) {
            let end = min(i, n)
            tokens.append(SourceToken(
                kind: kind, start: start, end: end, line: startLine, endLine: line,
                text: String(decoding: bytes[start..<end], as: UTF8.self),
                spaceBefore: start == 0 || Self.isSpace(bytes[start - 1]) || bytes[start - 1] == 0x0A))
            lineHasToken = true
        }

        while i < n {
            let c = bytes[i]
            if c == 0x0A {
                line += 1
                i += 1
                lineHasToken = false
                continue
            }
            if Self.isSpace(c) {
                i += 1
                continue
            }
            let start = i
            let startLine = line

            if Self.isCommentStart(c), let block = blockComments.first(where: { matches($0.open, at: i) }) {
                i += block.open.count
                while i < n, !matches(block.close, at: i) {
                    if bytes[i] == 0x0A { line += 1 }
                    i += 1
                }
                i = min(n, i + block.close.count)
                emit(.comment, start, startLine)
                continue
            }
            let isDirective = language.hashDirectives && c == UInt8(ascii: "#") && !lineHasToken
            if isDirective || (Self.isCommentStart(c) && lineComments.contains(where: { matches($0, at: i) })) {
                while i < n, bytes[i] != 0x0A {
                    // A directive continues over backslash-newline.
                    if isDirective, bytes[i] == UInt8(ascii: "\\"), i + 1 < n, bytes[i + 1] == 0x0A {
                        line += 1
                        i += 2
                        continue
                    }
                    i += 1
                }
                emit(.comment, start, startLine)
                continue
            }
            if Self.isQuote(c) {
                scanString(&i, &line)
                emit(.string, start, startLine)
                continue
            }
            if c == UInt8(ascii: "/"), language.hasRegexLiterals,
               !endsOperand(tokens.last(where: { $0.kind != .comment })), let end = regexEnd(from: i) {
                i = end
                emit(.string, start, startLine)
                continue
            }
            if c == UInt8(ascii: "#"), language.hasRegexLiterals, i + 1 < n, Self.isIdentifierStart(bytes[i + 1]) {
                // A JavaScript private name (`this.#count`) is one name.
                i += 1
                while i < n, Self.isIdentifierPart(bytes[i]) { i += 1 }
                emit(.identifier, start, startLine)
                continue
            }
            if Self.isIdentifierStart(c) {
                while i < n, Self.isIdentifierPart(bytes[i]) { i += 1 }
                if i < n, Self.isQuote(bytes[i]), isStringPrefix(start..<i) {
                    scanString(&i, &line)
                    emit(.string, start, startLine)
                } else {
                    emit(.identifier, start, startLine)
                }
                continue
            }
            if Self.isDigit(c) || (c == UInt8(ascii: ".") && i + 1 < n && Self.isDigit(bytes[i + 1])
                && !isMemberAccess(after: tokens.last, at: i)) {
                scanNumber(&i)
                emit(.number, start, startLine)
                continue
            }
            var length = 1
            for op in punctuators where op[0] == c && matches(op, at: i) {
                length = op.count
                break
            }
            i += length
            emit(.punctuation, start, startLine)
        }
        return tokens
    }

    // MARK: Strings

    /// Advances `i` past the string starting at the quote `bytes[i]`.
    private func scanString(_ i: inout Int, _ line: inout Int) {
        let n = bytes.count
        let quote = bytes[i]
        if quote != UInt8(ascii: "`"), i + 2 < n, bytes[i + 1] == quote, bytes[i + 2] == quote {
            i += 3
            while i < n {
                if bytes[i] == UInt8(ascii: "\\") {
                    if i + 1 < n, bytes[i + 1] == 0x0A { line += 1 }
                    i += 2
                    continue
                }
                if bytes[i] == quote, i + 2 < n, bytes[i + 1] == quote, bytes[i + 2] == quote {
                    i += 3
                    return
                }
                if bytes[i] == 0x0A { line += 1 }
                i += 1
            }
            i = n
            return
        }
        let spansLines = quote == UInt8(ascii: "`")
        i += 1
        while i < n {
            let b = bytes[i]
            if b == UInt8(ascii: "\\") {
                if i + 1 < n, bytes[i + 1] == 0x0A { line += 1 }
                i += 2
                continue
            }
            if b == quote {
                i += 1
                return
            }
            if b == 0x0A {
                guard spansLines else { return } // unterminated: stop at the end of the line
                line += 1
            }
            i += 1
        }
        i = n
    }

    /// Whether the identifier bytes in `range` are a string prefix such as `r`, `b`, `f`, `rb`, `u8`, `L`.
    private func isStringPrefix(_ range: Range<Int>) -> Bool {
        guard range.count <= 3 else { return false }
        return bytes[range].allSatisfy { "rRbBuUfFL8".utf8.contains($0) }
    }

    // MARK: Regular expressions

    /// Words after which a `/` starts a regular expression rather than dividing.
    private static let regexPrefixWords: Set<String> = [
        "return", "typeof", "case", "in", "of", "instanceof", "new", "delete", "void", "throw", "yield", "await", "else", "do",
    ]

    /// Whether `token` ends an operand, so that a following `/` divides it.
    private func endsOperand(_ token: SourceToken?) -> Bool {
        guard let token else { return false }
        switch token.kind {
        case .identifier: return !Self.regexPrefixWords.contains(token.text)
        case .number, .string: return true
        case .punctuation: return token.text == ")" || token.text == "]" || token.text == "}"
        case .comment: return false
        }
    }

    /// The end of the JavaScript-style regular expression literal starting with the `/` at `start`
    /// (body, then flags), or nil when the line ends before its closing `/`.
    private func regexEnd(from start: Int) -> Int? {
        let n = bytes.count
        var i = start + 1
        var inClass = false
        guard i < n, bytes[i] != UInt8(ascii: "/"), bytes[i] != UInt8(ascii: "*") else { return nil }
        while i < n {
            let b = bytes[i]
            if b == 0x0A { return nil }
            if b == UInt8(ascii: "\\") {
                i += 2
                continue
            }
            if b == UInt8(ascii: "[") { inClass = true }
            if b == UInt8(ascii: "]") { inClass = false }
            if b == UInt8(ascii: "/"), !inClass {
                i += 1
                while i < n, Self.isIdentifierPart(bytes[i]) { i += 1 }
                return i
            }
            i += 1
        }
        return nil
    }

    // MARK: Numbers

    /// Advances `i` past the number literal starting at `bytes[i]` (digits, radix prefixes,
    /// fractions, exponents, underscores and alphanumeric suffixes such as `j`, `f`, `u64`).
    private func scanNumber(_ i: inout Int) {
        let n = bytes.count
        var sawDot = false
        if bytes[i] == UInt8(ascii: ".") {
            sawDot = true
            i += 1
        } else if bytes[i] == UInt8(ascii: "0"), i + 1 < n, "xXbBoO".utf8.contains(bytes[i + 1]) {
            i += 2
            while i < n, Self.isIdentifierPart(bytes[i]) { i += 1 }
            return
        }
        while i < n, Self.isDigit(bytes[i]) || bytes[i] == UInt8(ascii: "_") { i += 1 }
        if !sawDot, i < n, bytes[i] == UInt8(ascii: ".") {
            let next: UInt8? = i + 1 < n ? bytes[i + 1] : nil
            let isFraction: Bool
            if let next {
                isFraction = Self.isDigit(next) || isExponent(at: i + 1)
                    || (next != UInt8(ascii: ".") && !Self.isIdentifierStart(next))
            } else {
                isFraction = true
            }
            if isFraction {
                i += 1
                while i < n, Self.isDigit(bytes[i]) || bytes[i] == UInt8(ascii: "_") { i += 1 }
            }
        }
        if i < n, isExponent(at: i) {
            i += 1
            if bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            while i < n, Self.isDigit(bytes[i]) || bytes[i] == UInt8(ascii: "_") { i += 1 }
        }
        while i < n, Self.isIdentifierPart(bytes[i]) { i += 1 }
    }

    /// Whether an exponent (`e5`, `E-3`, `e+10`) starts at `i`.
    private func isExponent(at i: Int) -> Bool {
        let n = bytes.count
        guard i < n, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") else { return false }
        if i + 1 < n, Self.isDigit(bytes[i + 1]) { return true }
        if i + 2 < n, bytes[i + 1] == UInt8(ascii: "+") || bytes[i + 1] == UInt8(ascii: "-") {
            return Self.isDigit(bytes[i + 2])
        }
        return false
    }

    /// Whether a `.` at `i` directly follows an operand (`t.0`, `x.5`): member access, not a number.
    private func isMemberAccess(after previous: SourceToken?, at i: Int) -> Bool {
        guard let previous, previous.end == i else { return false }
        switch previous.kind {
        case .identifier, .number, .string: return true
        case .punctuation: return previous.text == ")" || previous.text == "]"
        case .comment: return false
        }
    }

    // MARK: Bytes

    private func matches(_ pattern: [UInt8], at i: Int) -> Bool {
        guard i + pattern.count <= bytes.count else { return false }
        var k = 0
        while k < pattern.count {
            if bytes[i + k] != pattern[k] { return false }
            k += 1
        }
        return true
    }

    /// Whether `c` can begin a comment in some language (`#`, `/`, `-`, `{`).
    private static func isCommentStart(_ c: UInt8) -> Bool {
        c == UInt8(ascii: "#") || c == UInt8(ascii: "/") || c == UInt8(ascii: "-") || c == UInt8(ascii: "{")
    }

    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0B || c == 0x0C }
    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    static func isQuote(_ c: UInt8) -> Bool { c == 0x22 || c == 0x27 || c == 0x60 }
    static func isIdentifierStart(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c == 0x24 || c >= 0x80
    }
    static func isIdentifierPart(_ c: UInt8) -> Bool { isIdentifierStart(c) || isDigit(c) }
}
