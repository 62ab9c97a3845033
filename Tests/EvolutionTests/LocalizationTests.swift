import CrucibleCore
@testable import Evolution
import Foundation
import Sandbox
import Testing

/// Spectrum-based fault localization: the tracer, Ochiai, and how suspiciousness steers the mutator.
struct LocalizationTests {
    @Test("Ochiai ranks the line only failing tests execute above lines every test executes")
    func ochiai() {
        let spectra = TestSpectra(tests: [
            .init(test: "t1", failed: true, lines: ["a.py": [1, 2, 3]]),
            .init(test: "t2", failed: true, lines: ["a.py": [1, 3]]),
            .init(test: "t3", failed: false, lines: ["a.py": [1, 2]]),
            .init(test: "t4", failed: false, lines: ["a.py": [1, 4], "b.py": [9]]),
        ])
        let values = spectra.ochiai()["a.py"] ?? [:]
        #expect(values[3] == 1.0)
        #expect(abs((values[1] ?? 0) - 2 / (2 * 4.0).squareRoot()) < 1e-12)
        #expect(abs((values[2] ?? 0) - 1 / (2 * 2.0).squareRoot()) < 1e-12)
        #expect(values[4] == nil, "no failing test executed line 4")
        #expect(spectra.ochiai()["b.py"] == nil)
        #expect(TestSpectra(tests: [.init(test: "t", failed: false, lines: ["a.py": [1]])]).ochiai().isEmpty)
    }

    /// A workspace whose `sub` is wrong: a unittest class with a passing and a failing test, and a test function that
    /// runs `calc` in a child process.
    static func calcWorkspace() throws -> String {
        try TestWorkspace.make(files: [
            "calc.py": "def add(a, b):\n    return a + b\n\ndef sub(a, b):\n    return a + b\n",
            "tests/__init__.py": "",
            "tests/test_calc.py": """
                import unittest
                import calc

                class CalcTests(unittest.TestCase):
                    def test_add(self):
                        self.assertEqual(calc.add(2, 1), 3)

                    def test_sub(self):
                        self.assertEqual(calc.sub(2, 1), 1)

                def test_helper_in_a_child_process():
                    import subprocess, sys
                    subprocess.run([sys.executable, "-c", "import calc; calc.sub(5, 5)"], check=True)
                """,
            "bench/run.py": """
                import subprocess, sys, unittest
                sys.path.insert(0, ".")
                suite = unittest.defaultTestLoader.discover("tests", top_level_dir=".")
                unittest.TextTestRunner(stream=open("/dev/null", "w")).run(suite)
                from tests.test_calc import test_helper_in_a_child_process
                test_helper_in_a_child_process()
                print('{"score": 0.5}')
                """,
        ], yaml: """
            target: {editable: ["calc.py"], protected: ["tests/**", "bench/**"]}
            benchmarks: [{name: tests, run: "python3 bench/run.py", format: json}]
            sandbox: {isolation: none}
            """)
    }

    @Test("a traced run records each unittest and pytest test's lines in the editable files and whether it failed")
    func tracesPythonTests() async throws {
        let directory = try Self.calcWorkspace()
        let workspace = try Workspace.load(directory)
        let evaluator = try Evaluator(workspace: workspace, sandbox: PlainProcessSandbox())
        let traced = try await evaluator.traceTests(try workspace.readEditableTree(), label: "v0")
        let byName = Dictionary(traced.spectra.tests.map { ($0.test, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byName["CalcTests.test_add"]?.failed == false)
        #expect(byName["CalcTests.test_add"]?.lines["calc.py"] == [1, 2])
        #expect(byName["CalcTests.test_sub"]?.failed == true)
        #expect(byName["CalcTests.test_sub"]?.lines["calc.py"] == [4, 5])
        #expect(byName["test_helper_in_a_child_process"]?.failed == false)
        #expect(traced.runs.map(\.purpose) == ["trace:tests"])
        #expect(traced.spectra.ochiai()["calc.py"]?[5] == 1.0)
        let left = try FileManager.default.contentsOfDirectory(atPath: workspace.stateDirectory + "/candidates")
        #expect(left.isEmpty, "the traced copy is removed: \(left)")
    }

    @Test("with tasks held out, only traced tests that name visible tasks are shown; unknown ones are not")
    func heldOutTestsAreNotLocalized() async throws {
        #expect(HeldOutTasks.id("tests.test_calc.CalcTests.test_add", names: "CalcTests.test_add"))
        #expect(HeldOutTasks.id("tests/test_calc.py::CalcTests::test_add", names: "CalcTests.test_add"))
        #expect(HeldOutTasks.id("tests.test_calc.test_add[2-3]", names: "test_add"))
        #expect(HeldOutTasks.id("test_add", names: "test_add"))
        #expect(!HeldOutTasks.id("tests.test_calc.CalcTests.test_addition", names: "test_add"))
        #expect(!HeldOutTasks.id("tests.test_calc.Other.test_add", names: "CalcTests.test_add"))
        let ids = (0..<40).map { "tests.test_calc.CalcTests.test_\($0)" }
        let score = Score(benchmarks: [BenchmarkResult(name: "tests", weight: 1, score: 0.5, tasks: ids.map { TaskResult(id: $0, passed: true) })])
        #expect(HeldOutTasks(share: 0).showsTest(in: score)("tests", "anything"))
        let heldOut = HeldOutTasks(share: 0.3)
        let shows = heldOut.showsTest(in: score)
        var hidden = 0
        for (n, id) in ids.enumerated() {
            let held = heldOut.isHeldOut(benchmark: "tests", task: id)
            if held { hidden += 1 }
            #expect(shows("tests", "CalcTests.test_\(n)") == !held, "\(id)")
        }
        #expect(hidden > 0 && hidden < ids.count, "the share holds out some tasks and not all")
        #expect(!shows("tests", "CalcTests.test_unknown"), "a test that names no task may be held out")
        #expect(!shows("other", "CalcTests.test_0"), "nor one of a benchmark with no such task")

        // What a dropped test executed counts for nothing: without the failing test, no line is suspicious.
        let directory = try Self.calcWorkspace()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let workspace = try Workspace.load(directory)
        let evaluator = try Evaluator(workspace: workspace, sandbox: PlainProcessSandbox())
        let all = try await evaluator.traceTests(try workspace.readEditableTree(), label: "v0")
        #expect(all.spectra.ochiai()["calc.py"]?[5] == 1.0)
        let shown = try await evaluator.traceTests(try workspace.readEditableTree(), label: "v0") { benchmark, test in
            benchmark == "tests" && test != "CalcTests.test_sub"
        }
        #expect(Set(shown.spectra.tests.map(\.test)) == ["CalcTests.test_add", "test_helper_in_a_child_process"])
        #expect(shown.spectra.ochiai().isEmpty)
    }

    @Test("a tree without Python files is not traced")
    func noPythonNoTrace() async throws {
        let directory = try TestWorkspace.make(files: ["rules.txt": "a\n"], yaml: """
            target: {editable: ["rules.txt"]}
            benchmarks: [{name: b, run: "true", format: exit-code}]
            sandbox: {isolation: none}
            """)
        let workspace = try Workspace.load(directory)
        let evaluator = try Evaluator(workspace: workspace, sandbox: PlainProcessSandbox())
        let traced = try await evaluator.traceTests(try workspace.readEditableTree(), label: "v0")
        #expect(traced.spectra.tests.isEmpty && traced.runs.isEmpty)
    }

    @Test("with spectra, the mutator draws most sites on the most suspicious line")
    func suspicionSteersSites() {
        let text = (1...30).map { "x\($0) = a\($0) < b\($0)\n" }.joined()
        let file = SourceFile(path: "m.py", text: text)
        let hints = FaultHints(suspiciousness: ["m.py": [7: 1.0, 8: 0.5, 20: 0.45]])
        let mutator = Mutator(operatorWeights: ["compare-swap": 1])
        var rng = SeededGenerator(seed: 3)
        var lines: [Int: Int] = [:]
        for _ in 0..<400 {
            guard let edit = mutator.propose(files: [file], hints: hints, using: &rng)?.edits.first else { continue }
            let line = text.utf8.prefix(edit.offset).count { $0 == UInt8(ascii: "\n") } + 1
            lines[line, default: 0] += 1
        }
        let onTop = lines[7, default: 0]
        #expect(onTop > 400 / 2, "line 7 drawn \(onTop) of 400: \(lines)")
        #expect(onTop > 20 * max(1, lines[8, default: 0]), "\(lines)")
    }
}

struct RevertAndSharingTests {
    private func context(parent: String, origin: String?) -> ProposalContext {
        ProposalContext(parent: 1, tree: FileTree(["a.py": parent]), score: nil, hints: FaultHints(), donors: [],
                        origin: origin.map { FileTree(["a.py": $0]) })
    }

    @Test("revert undoes exactly one of the parent's changes from its baseline, and needs two to choose from")
    func revertUndoesOneHunk() throws {
        let origin = "a = 1\nb = 2\nc = 3\nd = 4\n"
        let parent = "a = 5\nb = 2\nc = 3\nd = 6\n"
        var rng = SeededGenerator(seed: 1)
        var seen = Set<String>()
        for _ in 0..<20 {
            let proposal = try #require(SearchProposer().revert(context(parent: parent, origin: origin), using: &rng))
            #expect(proposal.proposer == "search/revert")
            seen.insert(proposal.tree.files["a.py"]!)
        }
        #expect(seen == ["a = 1\nb = 2\nc = 3\nd = 6\n", "a = 5\nb = 2\nc = 3\nd = 4\n"])
        #expect(SearchProposer().revert(context(parent: "a = 5\nb = 2\nc = 3\nd = 4\n", origin: origin), using: &rng) == nil)
        #expect(SearchProposer().revert(context(parent: parent, origin: nil), using: &rng) == nil)
    }

    @Test("variants that behave alike share one weight, so one fix outdraws many neutral copies")
    func nicheSharing() {
        let selector = ParentSelector(selection: .dgm)
        var candidates = (0..<40).map { ParentSelector.Candidate(id: $0, score: 0.5, children: 1, niche: 0) }
        candidates.append(ParentSelector.Candidate(id: 40, score: 0.6, children: 1, niche: 1))
        let weights = selector.dgmWeights(candidates)
        let neutral = weights.prefix(40).reduce(0, +)
        #expect(weights[40] > neutral, "the fix's weight \(weights[40]) against the neutral copies' \(neutral)")
        let unshared = selector.dgmWeights(candidates.map { .init(id: $0.id, score: $0.score, children: $0.children) })
        #expect(abs(unshared[40] - weights[40]) < 1e-12 && unshared[0] > weights[0] * 39)
    }
}
