import Testing
@testable import Evolution

struct SearchNumericTests {
    @Test("floats are formatted compactly and round-trip")
    func compactFloats() throws {
        #expect(NumericLiteral.compactFloat(0.35 * 1.01, significantDigits: 4) == "0.3535")
        #expect(NumericLiteral.compactFloat(0.1 + 0.2, significantDigits: 4) == "0.3")
        #expect(NumericLiteral.compactFloat(2, significantDigits: 3) == "2.0")
        #expect(NumericLiteral.compactFloat(-0.0, significantDigits: 3) == "0.0")
        #expect(NumericLiteral.compactFloat(.infinity, significantDigits: 3) == nil)
        let literal = try #require(NumericLiteral("0.35"))
        #expect(literal.spelling(double: 0.35 * 1.1) == "0.385")
        #expect(literal.spelling(double: 0.35 * 0.99) == "0.3465")
    }

    @Test("literals keep their radix, grouping and suffix")
    func literalStyles() throws {
        #expect(try #require(NumericLiteral("0x1F")).spelling(integer: 32) == "0x20")
        #expect(try #require(NumericLiteral("0xff")).spelling(integer: -240) == "-0xf0")
        #expect(try #require(NumericLiteral("1_000_000")).spelling(integer: 2_000_000) == "2_000_000")
        #expect(try #require(NumericLiteral("10L")).spelling(integer: 11) == "11L")
        #expect(try #require(NumericLiteral("1.5f")).spelling(double: 3) == "3.0f")
        #expect(NumericLiteral("017") == nil) // C octal / Python error: left alone
        #expect(NumericLiteral("12abc") == nil)
        #expect(try #require(NumericLiteral("2.5e-3")).doubleValue == 0.0025)
        #expect(try #require(NumericLiteral("1.")).isInteger == false)
    }

    @Test("numeric operators keep ints ints and floats floats, with compact spellings")
    func numericKeepsKind() {
        let source = "count = 10\nrate = 0.35\n"
        let mutations = SearchFixture.proposals(
            source, operators: ["numeric-perturb", "numeric-scale", "numeric-special"], count: 400)
        var newCounts: Set<String> = []
        var newRates: Set<String> = []
        for m in mutations {
            let edit = m.edits[0]
            if edit.old == "10" { newCounts.insert(edit.new) } else { newRates.insert(edit.new) }
            #expect(edit.old == "10" || edit.old == "0.35")
        }
        #expect(newCounts.allSatisfy { Int($0) != nil })
        #expect(newRates.allSatisfy { $0.contains(".") && Double($0) != nil })
        #expect(newRates.allSatisfy { $0.count <= 7 }, "compact: \(newRates.sorted())")
        #expect(newCounts.isSuperset(of: ["11", "9", "20", "5", "100", "1", "0", "-10"]))
        #expect(newRates.isSuperset(of: ["0.3535", "0.3465", "0.525", "0.7", "0.175", "3.5", "0.035", "-0.35", "0.0", "1.0"]))
    }

    @Test("a unary minus belongs to the literal; a binary minus does not")
    func signs() {
        let negative = SearchFixture.variants("x = -1\n", operators: ["numeric-special"])
        #expect(negative.contains("x = 1\n"))
        let binary = SearchFixture.variants("y = a-1\n", operators: ["numeric-special"])
        #expect(binary == ["y = a-(-1)\n", "y = a-0\n"])
    }

    @Test("numbers inside strings and comments and tuple indices are never touched")
    func protectedNumbers() {
        let source = "s = \"7 + 1\"  # 42\nt = p.0\nn = 5\n"
        let mutations = SearchFixture.proposals(source,
                                                operators: ["numeric-perturb", "numeric-scale", "off-by-one"])
        #expect(!mutations.isEmpty)
        #expect(mutations.allSatisfy { $0.edits[0].old == "5" })
    }
}
