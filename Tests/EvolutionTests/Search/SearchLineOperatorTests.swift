import Testing
@testable import Evolution

/// The statement-level (GenProg) operators keep indentation-sensitive code valid.
struct SearchLineOperatorTests {
    private let source = """
    def f(xs):
        total = 0
        for x in xs:
            total += x
        if total > 10:
            return 10
        values = [
            1, 2,
        ]
        return total

    """

    private func variants(_ op: String) -> Set<String> {
        SearchFixture.variants(source, operators: [op], count: 400)
    }

    @Test("delete-line deletes a statement, or turns a block's only statement into `pass`")
    func deleteLine() {
        let results = variants("delete-line")
        #expect(results.contains(SearchFixture.replacingFirst("    total = 0\n", with: "", in: source)))
        #expect(results.contains(SearchFixture.replacingFirst("total += x", with: "pass", in: source)))
        #expect(results.contains(SearchFixture.replacingFirst("return 10", with: "pass", in: source)))
        // Headers, and the lines of a multi-line statement, are never deleted.
        #expect(results.allSatisfy { $0.contains("def f(xs):\n") && $0.contains("for x in xs:\n") })
        #expect(results.allSatisfy { $0.contains("    values = [\n        1, 2,\n    ]\n") })
        #expect(results.count == 4)
    }

    @Test("duplicate-line repeats a statement but not a jump")
    func duplicateLine() {
        let results = variants("duplicate-line")
        #expect(results == [
            SearchFixture.replacingFirst("    total = 0\n", with: "    total = 0\n    total = 0\n", in: source),
            SearchFixture.replacingFirst("        total += x\n", with: "        total += x\n        total += x\n", in: source),
        ])
    }

    @Test("swap-lines only swaps adjacent statements at the same indentation")
    func swapLines() {
        let flat = "a = 1\nb = 2\nif a:\n    c = 3\nd = 4\n"
        let results = SearchFixture.variants(flat, operators: ["swap-lines"])
        #expect(results == ["b = 2\na = 1\nif a:\n    c = 3\nd = 4\n"])
    }

    @Test("copy-line inserts another statement re-indented to the target line")
    func copyLine() {
        let results = variants("copy-line")
        #expect(results.contains(SearchFixture.replacingFirst(
            "        total += x\n", with: "        total = 0\n        total += x\n", in: source)))
        #expect(results.contains(SearchFixture.replacingFirst(
            "    total = 0\n", with: "    total += x\n    total = 0\n", in: source)))
    }

    @Test("line operators keep CRLF line breaks")
    func crlf() {
        let crlf = "a = 1\r\nb = 2\r\n"
        #expect(SearchFixture.variants(crlf, operators: ["swap-lines"]) == ["b = 2\r\na = 1\r\n"])
        #expect(SearchFixture.variants(crlf, operators: ["duplicate-line"]).contains("a = 1\r\na = 1\r\nb = 2\r\n"))
    }

    @Test("C-like lines with braces or continuation operators are not statements")
    func braceLanguages() {
        let js = "function f(a) {\n  let x = a +\n    1;\n  return x;\n}\n"
        let results = SearchFixture.variants(js, path: "m.js", operators: ["delete-line"])
        #expect(results == [SearchFixture.replacingFirst("  return x;\n", with: "", in: js)])
        let braceless = "if (a)\n    b();\nelse\n    c();\nd();\n"
        #expect(SearchFixture.variants(braceless, path: "m.c", operators: ["delete-line"]) == ["if (a)\n    b();\nelse\n    c();\n"])
    }
}
