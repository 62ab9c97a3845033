import Foundation
import Testing
@testable import Evolution

/// Spots where a token-level mutator easily produces garbage, each found by mutating real code
/// (the Python standard library, npm's JavaScript) and pinned here.
struct SearchSyntaxSafetyTests {
    private func all(_ source: String, path: String = "m.py", count: Int = 300) -> [Mutation] {
        SearchFixture.proposals(source, path: path, count: count, seed: 42)
    }

    @Test("JavaScript regular expression literals are never mutated")
    func regexLiterals() {
        let source = "const re = /a+[0-9]{2,3}\\/x/g;\nconst half = total / 2;\n"
        let regex = "/a+[0-9]{2,3}\\/x/g"
        for m in all(source, path: "m.js") {
            #expect(SearchFixture.apply(m, to: source).contains(regex), "\(m.summary)")
        }
        let tokens = SourceTokenizer.tokenize(Array(source.utf8), language: .cLike)
        #expect(tokens.contains { $0.kind == .string && $0.text == regex })
        #expect(tokens.contains { $0.kind == .punctuation && $0.text == "/" })
    }

    @Test("a JavaScript private name is one name, not a call to unwrap")
    func privateNames() {
        let source = "if (this.#ignored(m)) { skip(m, 1); }\n"
        #expect(SearchFixture.variants(source, path: "m.js", operators: ["unwrap-call"]).isEmpty)
        let tokens = SourceTokenizer.tokenize(Array(source.utf8), language: .cLike)
        #expect(tokens.contains { $0.kind == .identifier && $0.text == "#ignored" })
    }

    @Test("Python match patterns keep their `|` and negative literals")
    func matchPatterns() {
        let source = "match x:\n    case -1 | [1,\n            2 | 3]:\n        y = a - b | c\n"
        for m in all(source, count: 400) where ["arith-swap", "bitwise-swap", "swap-operands"].contains(m.operatorName) {
            #expect(SearchFixture.apply(m, to: source).hasPrefix("match x:\n    case -1 | [1,\n            2 | 3]:\n"),
                    "\(m.summary)")
        }
    }

    @Test("one-line compound statements are not moved or deleted; decorators are not moved or copied")
    func compoundLinesAndDecorators() {
        let source = "try: f()\nexcept E: pass\nx = 1\n@property\ndef g(self):\n    return 1\n"
        let lineOps = ["delete-line", "duplicate-line", "swap-lines", "copy-line"]
        for m in SearchFixture.proposals(source, operators: lineOps, count: 200) {
            let result = SearchFixture.apply(m, to: source)
            #expect(result.hasPrefix("try: f()\nexcept E: pass\n"), "\(m.summary)")
            // Deleting a decorator is fine; separating it from its function is not.
            #expect(result.contains("@property\ndef g(self):\n") || m.operatorName == "delete-line", "\(m.summary)")
        }
    }

    @Test("copies stay within their function, so `return` never leaves one")
    func copiesStayInScope() {
        let source = "def f(a):\n    b = a + 1\n    return b\n\nc = 2\nd = c * 3\n"
        for m in SearchFixture.proposals(source, operators: ["copy-line"], count: 200) {
            let result = SearchFixture.apply(m, to: source)
            #expect(!result.hasSuffix("return b\nd = c * 3\n") && !result.contains("\nreturn b\nc = 2"), "\(m.summary)")
            #expect(!result.contains("    c = 2") && !result.contains("    d = c * 3"), "\(m.summary)")
        }
    }

    @Test("unwrapping keeps `int(7).real` valid and multi-line arguments bracketed")
    func unwrapKeepsSyntax() {
        #expect(SearchFixture.variants("y = int(7).real\n", operators: ["unwrap-call"]) == ["y = (7).real\n"])
        let multiline = "raise ValueError('a '\n                 'b')\n"
        #expect(SearchFixture.variants(multiline, operators: ["unwrap-call"]) == ["raise ('a '\n                 'b')\n"])
    }

    @Test("attribute lengths that are assigned to are not adjusted")
    func lengthTargets() {
        let source = "self.count += 1\nn = self.count\n"
        #expect(SearchFixture.variants(source, operators: ["off-by-one"]).allSatisfy { $0.hasPrefix("self.count += ") })
    }

    @Test("integer literals at the edge of 64 bits do not overflow")
    func hugeLiterals() {
        let source = "MASK = 0x7fffffffffffffff\nLOW = -9223372036854775807\n"
        let mutations = all(source, count: 200)
        #expect(!mutations.isEmpty)
        #expect(mutations.allSatisfy { SearchFixture.apply($0, to: source) != "<edits did not apply>" })
    }

    @Test("brace-language declarations are not duplicated, copied or deleted")
    func declarationsStay() {
        let source = "function f(a) {\n  const b = a + 1;\n  let c = b * 2;\n  g(b);\n  return c;\n}\n"
        let lineOps = ["delete-line", "duplicate-line", "copy-line"]
        for m in SearchFixture.proposals(source, path: "m.js", operators: lineOps, count: 200) {
            let result = SearchFixture.apply(m, to: source)
            #expect(result.components(separatedBy: "const b").count == 2, "\(m.summary)")
            #expect(result.components(separatedBy: "let c").count == 2, "\(m.summary)")
        }
    }
}
