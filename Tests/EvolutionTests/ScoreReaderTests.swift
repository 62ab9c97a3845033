import CrucibleCore
import Evolution
import Foundation
import Sandbox
import Testing

/// Scores read through a real evaluation of a one-file workspace whose benchmark prints or writes
/// what each test gives it.
struct ScoreReaderTests {
    private func evaluate(_ run: String, format: String, extra: String = "") async throws -> Score {
        let directory = try TestWorkspace.make(files: ["agent.txt": "x\n"], yaml: """
            target: {editable: ["agent.txt"]}
            benchmarks:
              - {name: b, run: "\(run)", format: \(format), timeout: 2\(extra)}
            sandbox: {isolation: none}
            """)
        let workspace = try Workspace.load(directory)
        let evaluator = try Evaluator(workspace: workspace, sandbox: PlainProcessSandbox())
        guard case .scored(let score) = try await evaluator.evaluate(try workspace.readEditableTree(), changed: [], label: "t").verdict else {
            Issue.record("not scored")
            return Score(benchmarks: [])
        }
        return score
    }

    @Test("json: the last stdout line is the score object, with its tasks")
    func json() async throws {
        let score = try await evaluate(#"echo noise; echo '{\"score\": 0.25, \"tasks\": [{\"id\": \"t1\", \"passed\": false, \"detail\": \"d\"}]}'"#, format: "json")
        #expect(score.value == 0.25)
        #expect(score.benchmarks[0].tasks == [TaskResult(id: "t1", passed: false, detail: "d")])
    }

    @Test("json: no score line is an evaluation error that says so")
    func noScore() async throws {
        let score = try await evaluate("echo hello; echo oops >&2", format: "json")
        #expect(score.value == nil)
        #expect(score.error?.contains("printed no score") == true)
        #expect(score.benchmarks[0].stderrTail == "oops")
    }

    @Test("exit-code: 1.0 on exit 0, else 0.0")
    func exitCode() async throws {
        #expect(try await evaluate("true", format: "exit-code").value == 1)
        #expect(try await evaluate("exit 4", format: "exit-code").value == 0)
    }

    @Test("junit: the pass rate of the report's test cases, skipped ones not counted")
    func junit() async throws {
        let xml = #"<testsuite><testcase classname='m' name='a'/><testcase classname='m' name='b'><failure message='boom'>File \"agent.txt\", line 1</failure></testcase><testcase name='c'><skipped/></testcase></testsuite>"#
        let score = try await evaluate("printf \\\"\(xml)\\\" > out.xml; exit 1", format: "junit", extra: ", report: out.xml")
        #expect(score.value == 0.5)
        #expect(score.benchmarks[0].tasks.map(\.id) == ["m.a", "m.b", "c"])
        #expect(score.benchmarks[0].tasks[1].detail?.contains("boom") == true)
    }

    @Test("a benchmark past its timeout is an evaluation error naming the timeout")
    func timeout() async throws {
        let score = try await evaluate("sleep 30", format: "exit-code")
        #expect(score.value == nil)
        #expect(score.benchmarks[0].timedOut)
        #expect(score.error == "b: timed out after 2s")
    }
}

/// Temporary workspaces for tests.
enum TestWorkspace {
    /// A new folder holding `files` and `crucible.yaml`.
    static func make(files: [String: String], yaml: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-test-\(UUID().uuidString)").path
        for (path, content) in files {
            let url = URL(fileURLWithPath: directory + "/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(content.utf8).write(to: url)
        }
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: directory + "/crucible.yaml"))
        return directory
    }

    /// A copy of fixture `name` with `yaml` as its crucible.yaml.
    static func fixture(_ name: String, yaml: String) throws -> String {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)").path
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-\(name)-\(UUID().uuidString)").path
        try FileManager.default.copyItem(atPath: source, toPath: directory)
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: directory + "/crucible.yaml"))
        return directory
    }

    /// The repository's `examples/` folder.
    static func example(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../examples/\(name)").standardizedFileURL.path
    }
}
