import Testing
@testable import Evolution

struct SearchFaultHintsTests {
    private let known = ["src/router.py", "src/util.py", "tests/test_router.py"]

    @Test("a Python traceback yields the frames in known files, with their functions")
    func pythonTraceback() {
        let output = """
        Traceback (most recent call last):
          File "/tmp/crucible/run-7/tests/test_router.py", line 22, in test_route
            assert route([3, 1], 2) == 1
          File "/tmp/crucible/run-7/src/router.py", line 14, in route
            return pick(items, limit)
          File "./src/util.py", line 3, in pick
            return sorted(items)[limit]
          File "/usr/lib/python3.12/json/decoder.py", line 337, in decode
            obj, end = self.raw_decode(s, idx=_w(s, 0).end())
        IndexError: list index out of range
        """
        let hints = FaultHints.parse(output, knownPaths: known)
        #expect(hints.lines == ["tests/test_router.py": [22], "src/router.py": [14], "src/util.py": [3]])
        #expect(hints.functions == ["test_route", "route", "pick"])
        #expect(!hints.isEmpty)
    }

    @Test("pytest short tracebacks and the short test summary name files, lines and tests")
    func pytestOutput() {
        let output = """
        ___________________________ test_route_limits ___________________________
        tests/test_router.py:22: in test_route_limits
            assert route([3, 1], 2) == 1
        src/router.py:14: in route
            return pick(items, limit)
        E   AssertionError: assert 3 == 1
        =========================== short test summary info ============================
        FAILED tests/test_router.py::test_route_limits - AssertionError: assert 3 == 1
        FAILED tests/test_router.py::TestRouter::test_empty[case-1] - ValueError
        FAILED tests/test_other.py::test_unrelated - KeyError
        """
        let hints = FaultHints.parse(output, knownPaths: known)
        #expect(hints.lines == ["tests/test_router.py": [22], "src/router.py": [14]])
        #expect(hints.functions == ["test_route_limits", "route", "test_empty"])
    }

    @Test("`path:line:` messages count only for known paths, after normalising prefixes")
    func pathLineMessages() {
        let output = """
        src/router.py:12: AssertionError
        ./src/util.py:3:5: error: undefined name 'x'
        /home/ci/work/src/util.py:7
        lib/other.py:9: warning: unused
        see http://example.com:8080/src/router.py for details
        C:\\work\\src\\router.py:30: in route
        """
        let hints = FaultHints.parse(output, knownPaths: known)
        #expect(hints.lines == ["src/router.py": [12, 30], "src/util.py": [3, 7]])
        #expect(hints.functions == ["route"])
    }

    @Test("JavaScript stack frames and GCC function headers name functions")
    func otherFormats() {
        let js = """
        Error: boom
            at Router.route (/app/src/router.js:14:9)
            at Object.<anonymous> (/app/src/main.js:3:1)
            at node:internal/modules/cjs/loader:1105:14
        """
        let jsHints = FaultHints.parse(js, knownPaths: ["src/router.js", "src/main.js"])
        #expect(jsHints.lines == ["src/router.js": [14], "src/main.js": [3]])
        #expect(jsHints.functions == ["route"])
        let gcc = "src/a.c: In function 'clamp':\nsrc/a.c:12:5: error: expected ';'"
        let gccHints = FaultHints.parse(gcc, knownPaths: ["src/a.c"])
        #expect(gccHints.lines == ["src/a.c": [12]])
        #expect(gccHints.functions == ["clamp"])
    }

    @Test("output that names no known file gives empty hints")
    func nothingKnown() {
        let hints = FaultHints.parse("File \"/usr/lib/x.py\", line 3, in f\nother.py:4: boom", knownPaths: known)
        #expect(hints.isEmpty)
        #expect(FaultHints(lines: ["a.py": []]).isEmpty)
        #expect(FaultHints.parse("", knownPaths: known).isEmpty)
    }
}
