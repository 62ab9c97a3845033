import Testing
@testable import Evolution

/// Each operator family on small snippets: the expected change is among its proposals, and
/// nothing it proposes breaks the surrounding syntax.
struct SearchOperatorTests {
    private func variants(_ source: String, _ op: String, path: String = "m.py") -> Set<String> {
        SearchFixture.variants(source, path: path, operators: [op])
    }

    private func replaced(_ target: String, _ replacement: String, in source: String) -> String {
        SearchFixture.replacingFirst(target, with: replacement, in: source)
    }

    @Test("compare-swap cycles relational operators and flips equality")
    func compareSwap() {
        let source = "if a < b:\n    x = 1\n"
        #expect(variants(source, "compare-swap") == Set(["<=", ">", ">="].map { replaced("<", $0, in: source) }))
        let equality = "ok = a == b\n"
        #expect(variants(equality, "compare-swap") == [replaced("==", "!=", in: equality)])
    }

    @Test("compare-swap handles Python `is`/`is not` and `in`/`not in`, but not `for … in`")
    func compareSwapWords() {
        let source = "for x in xs:\n    if x is None and x not in seen:\n        pass\n"
        #expect(variants(source, "compare-swap") == [
            replaced("x is None", "x is not None", in: source),
            replaced("x not in seen", "x in seen", in: source),
        ])
        let comprehension = "ys = [y for y in xs if y in keep]\n"
        #expect(variants(comprehension, "compare-swap") == [replaced("if y in", "if y not in", in: comprehension)])
    }

    @Test("compare-swap leaves generic angle brackets alone")
    func genericsAreNotComparisons() {
        let source = "let v: Array<Int> = []\nif a < b { f() }\n"
        let results = variants(source, "compare-swap", path: "m.swift")
        #expect(results.count == 3)
        #expect(results.allSatisfy { $0.hasPrefix("let v: Array<Int> = []\n") })
    }

    @Test("arith-swap changes binary operators only: never `*args`, `**kwargs`, `->` or unary minus")
    func arithmeticSwap() {
        let source = "def f(*args, **kwargs) -> int:\n    return a * b - c / -1\n"
        let results = variants(source, "arith-swap")
        #expect(results.contains(replaced("b - c", "b + c", in: source)))
        #expect(results.contains(replaced("a * b", "a / b", in: source)))
        #expect(results.contains(replaced("c / -1", "c // -1", in: source)))
        #expect(results.allSatisfy { $0.hasPrefix("def f(*args, **kwargs) -> int:\n    return a ") && $0.hasSuffix(" -1\n") })
    }

    @Test("arith-swap does not treat `//` as an operator outside Python")
    func floorDivisionIsPythonOnly() {
        let results = variants("x = a / b;\n", "arith-swap", path: "m.js")
        #expect(results == ["x = a * b;\n"])
    }

    @Test("bool-swap swaps `and`/`or`, `&&`/`||` and drops `not`/`!`")
    func booleanSwap() {
        let python = "if a and not b:\n    pass\n"
        #expect(variants(python, "bool-swap") == [replaced("and", "or", in: python), replaced("not b", "b", in: python)])
        let js = "if (a && !b) { f(); }\n"
        #expect(variants(js, "bool-swap", path: "m.js") == [replaced("&&", "||", in: js), replaced("!b", "b", in: js)])
        let summaries = Set(SearchFixture.proposals(js, path: "m.js", operators: ["bool-swap"], count: 40).map(\.summary))
        #expect(summaries == ["m.js:1: `&&` → `||`", "m.js:1: `!b` → `b`"])
    }

    @Test("bitwise-swap and augassign-swap exchange operators within their family")
    func bitwiseAndAugmentedAssignment() {
        let bits = "m = a & b | c << 2\n"
        let results = variants(bits, "bitwise-swap")
        #expect(results.isSuperset(of: [replaced("&", "|", in: bits), replaced("&", "^", in: bits),
                                        replaced("|", "&", in: bits), replaced("<<", ">>", in: bits)]))
        let aug = "total += x\n"
        #expect(variants(aug, "augassign-swap") == [replaced("+=", "-=", in: aug), replaced("+=", "*=", in: aug)])
    }

    @Test("off-by-one adjusts subscripts, slice bounds, range limits, lengths and integer literals")
    func offByOne() {
        let subscripted = "v = a[i]\n"
        #expect(variants(subscripted, "off-by-one") == [replaced("a[i]", "a[i + 1]", in: subscripted),
                                                        replaced("a[i]", "a[i - 1]", in: subscripted)])
        let loop = "for k in range(n):\n    pass\n"
        #expect(variants(loop, "off-by-one") == [replaced("range(n)", "range(n + 1)", in: loop),
                                                 replaced("range(n)", "range(n - 1)", in: loop)])
        let length = "m = len(xs)\n"
        #expect(variants(length, "off-by-one") == [replaced("len(xs)", "len(xs) - 1", in: length),
                                                   replaced("len(xs)", "len(xs) + 1", in: length)])
        let scaled = "m = 2 * len(xs)\n"
        #expect(variants(scaled, "off-by-one").contains(replaced("len(xs)", "(len(xs) - 1)", in: scaled)))
        let sliced = "w = a[lo:hi]\n"
        #expect(variants(sliced, "off-by-one") == Set(["a[lo + 1:hi]", "a[lo - 1:hi]", "a[lo:hi + 1]", "a[lo:hi - 1]"]
            .map { replaced("a[lo:hi]", $0, in: sliced) }))
        let open = "w = a[x:]\n"
        #expect(variants(open, "off-by-one").contains(replaced("a[x:]", "a[x:-1]", in: open)))
        let literal = "k = 7\n"
        #expect(variants(literal, "off-by-one") == ["k = 8\n", "k = 6\n"])
    }

    @Test("off-by-one skips type subscripts and string keys")
    func offByOneSkips() {
        let source = "def f(x: List[int]) -> Dict[str, int]:\n    return d[\"key\"]\n"
        #expect(variants(source, "off-by-one").isEmpty)
    }

    @Test("swap-operands swaps simple operands of non-commutative operators, respecting precedence")
    func swapOperands() {
        let source = "d = a - b\n"
        #expect(variants(source, "swap-operands") == ["d = b - a\n"])
        let call = "r = total / max(1, n)\n"
        #expect(variants(call, "swap-operands") == ["r = max(1, n) / total\n"])
        // `b` is an operand of `*`, not of `-`: swapping `b` and `c` would not swap operands.
        #expect(variants("e = a * b - c\n", "swap-operands").isEmpty)
        #expect(variants("e = x - y * z\n", "swap-operands").isEmpty)
    }

    @Test("swap-arguments swaps adjacent simple arguments, never keyword arguments or definitions")
    func swapArguments() {
        let source = "r = f(a, b[0], -c)\n"
        #expect(variants(source, "swap-arguments") == ["r = f(b[0], a, -c)\n", "r = f(a, -c, b[0])\n"])
        #expect(variants("r = f(a, key=b)\n", "swap-arguments").isEmpty)
        #expect(variants("def f(a, b):\n    pass\n", "swap-arguments").isEmpty)
    }

    @Test("unwrap-call replaces a one-argument call by its argument, parenthesised when needed")
    func unwrapCall() {
        #expect(variants("y = abs(x)\n", "unwrap-call") == ["y = x\n"])
        #expect(variants("y = abs(a - b) * 2\n", "unwrap-call") == ["y = (a - b) * 2\n"])
        #expect(variants("y = obj.f(x)\nprint(y)\n", "unwrap-call").isEmpty)
    }

    @Test("paired-builtin swaps counterparts where they are called or literal, not same-named variables")
    func pairedBuiltins() {
        let source = "m = max(a, b)\nflag = True\nxs.append(y)\nvalues = 3\n"
        #expect(variants(source, "paired-builtin") == [
            replaced("max", "min", in: source), replaced("True", "False", in: source),
            replaced("append", "extend", in: source),
        ])
    }

    @Test("replace-identifier uses nearby variables of the same kind, never keywords, calls or attributes")
    func replaceIdentifier() {
        let source = """
        import math

        def area(width, height):
            scale = math.pi
            return width * height * scale

        """
        let results = variants(source, "replace-identifier")
        #expect(results.contains(replaced("width * height", "height * height", in: source)))
        #expect(results.contains(replaced("* scale", "* width", in: source)))
        #expect(results.allSatisfy { $0.contains("import math\n\ndef area(width, height):\n    scale") })
        #expect(results.allSatisfy { $0.contains("math.pi") })
    }

    @Test("replace-identifier leaves declarations and module names alone in brace languages")
    func replaceIdentifierBraces() {
        let source = "int clamp(int *values, int n) {\n    int total = n;\n    char *s = fmt.name;\n    return total + n;\n}\n"
        let results = SearchFixture.variants(source, path: "m.c", operators: ["replace-identifier"])
        #expect(results.contains(replaced("= n;", "= total;", in: source)))
        #expect(results.contains(replaced("total + n", "n + n", in: source)))
        #expect(results.allSatisfy { $0.hasPrefix("int clamp(int *values, int n) {\n    int total = ") })
        #expect(results.allSatisfy { $0.contains("char *s = fmt.name;") })
    }

    @Test("replace-attribute swaps an attribute for another used in the file")
    func replaceAttribute() {
        let source = "lo = self.low\nhi = self.high\n"
        #expect(variants(source, "replace-attribute") == [replaced("self.low", "self.high", in: source),
                                                          replaced("self.high", "self.low", in: source)])
    }
}
