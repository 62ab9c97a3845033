import Testing
@testable import Evolution

struct SearchTokenizerTests {
    private func tokens(_ text: String, path: String = "m.py") -> [SourceToken] {
        SourceTokenizer.tokenize(Array(text.utf8), language: SourceLanguage(path: path))
    }

    private func kinds(_ text: String, path: String = "m.py") -> [String] {
        tokens(text, path: path).map { "\($0.kind):\($0.text)" }
    }

    @Test("numbers keep floats, exponents, hex, underscores and suffixes in one token")
    func numbers() {
        let texts = tokens("a = 1_000 + 0x1F + 2.5e-3 + .5 + 3. + 1e10 + 2j + 7").filter { $0.kind == .number }.map(\.text)
        #expect(texts == ["1_000", "0x1F", "2.5e-3", ".5", "3.", "1e10", "2j", "7"])
    }

    @Test("member access after a name is not a number, and ranges split at `..`")
    func memberAccessAndRanges() {
        #expect(kinds("t.0", path: "m.rs") == ["identifier:t", "punctuation:.", "number:0"])
        #expect(kinds("0..<n", path: "m.swift") == ["number:0", "punctuation:..<", "identifier:n"])
    }

    @Test("strings with escapes, prefixes and Python triple quotes are single tokens")
    func strings() {
        let source = #"x = "a \" # b" + r'\d' + f"{y}" + """one"two""" + '''x'''"#
        let strings = tokens(source).filter { $0.kind == .string }.map(\.text)
        #expect(strings == [#""a \" # b""#, #"r'\d'"#, #"f"{y}""#, #""""one"two""""#, "'''x'''"])
        #expect(!tokens(source).contains { $0.kind == .comment })
    }

    @Test("a triple-quoted string spans lines and records its last line")
    func multilineString() {
        let t = tokens("s = '''a\nb < c\n'''\nx = 1")
        let string = t.first { $0.kind == .string }
        #expect(string?.line == 1)
        #expect(string?.endLine == 3)
        #expect(t.last?.line == 4)
    }

    @Test("comments follow the language: `#` in Python, `//` and `/* */` in C-like files")
    func comments() {
        #expect(kinds("a // b # c") == ["identifier:a", "punctuation://", "identifier:b", "comment:# c"])
        #expect(kinds("a / b // c < d", path: "m.js") == ["identifier:a", "punctuation:/", "identifier:b", "comment:// c < d"])
        #expect(kinds("a /* x < 1 */ + b", path: "m.c") == ["identifier:a", "comment:/* x < 1 */", "punctuation:+", "identifier:b"])
        #expect(kinds("#include <a.h>\nx", path: "m.c") == ["comment:#include <a.h>", "identifier:x"])
    }

    @Test("operators are matched longest first per language")
    func operators() {
        let py = tokens("a **= b // c -> d != e").filter { $0.kind == .punctuation }.map(\.text)
        #expect(py == ["**=", "//", "->", "!="])
        let js = tokens("a === b && c => d >>> e", path: "m.js").filter { $0.kind == .punctuation }.map(\.text)
        #expect(js == ["===", "&&", "=>", ">>>"])
    }

    @Test("offsets are UTF-8 byte offsets")
    func byteOffsets() {
        let t = tokens("é = '€'; x")
        let x = t.last
        #expect(x?.text == "x")
        #expect(x?.start == Array("é = '€'; ".utf8).count)
    }
}
