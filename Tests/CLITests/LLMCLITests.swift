import Foundation
import LLMTesting
import Testing

/// `crucible evolve --proposer llm` against a real HTTP server speaking the OpenAI protocol.
@Suite(.serialized)
struct LLMCLITests {
    private func workspace(_ llm: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-cli-llm-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/bench", withIntermediateDirectories: true)
        try "def square(x):\n    return x * 2\n".write(toFile: directory + "/calc.py", atomically: true, encoding: .utf8)
        try """
            import json
            from calc import square
            tasks = [{"id": str(n), "passed": square(n) == n * n, "detail": f"square({n}) = {square(n)}"} for n in (0, 2, 3, 5)]
            print(json.dumps({"score": sum(t["passed"] for t in tasks) / len(tasks), "tasks": tasks}))
            """.write(toFile: directory + "/bench/score.py", atomically: true, encoding: .utf8)
        try """
            target: {editable: [calc.py], protected: ["bench/**"]}
            benchmarks:
              - {name: squares, run: "PYTHONPATH=. python3 bench/score.py", format: json, timeout: 10}
            evolution: {seed: 2}
            \(llm)
            sandbox: {isolation: none}
            """.write(toFile: directory + "/crucible.yaml", atomically: true, encoding: .utf8)
        return directory
    }

    @Test("end to end: evolve --proposer llm finds the fix; status and report show the model, the tokens and the change")
    func evolveWithAModel() async throws {
        let fix = "Square, not double.\n\ncalc.py\n<<<<<<< SEARCH\n    return x * 2\n=======\n    return x * x\n>>>>>>> REPLACE\n"
        let server = try await ScriptedOpenAIServer.start { _, _ in .completion(fix, usage: (300, 50)) }
        defer { Task { try? await server.shutdown() } }
        let directory = try workspace("llm: {endpoint: \"\(server.endpoint)\", model: coder, edit_retries: 0}")
        let run = try await CLITests.crucible(["evolve", directory, "--proposer", "llm", "--iterations", "2"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("llm coder: "))
        let status = try await CLITests.crucible(["status", directory, "--json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        #expect((json["best"] as? [String: Any])?["score"] as? Double == 1.0)
        let llm = try #require((json["llm"] as? [[String: Any]])?.first)
        #expect(llm["model"] as? String == "coder")
        #expect((llm["usage"] as? [String: Any])?["promptTokens"] as? Int == 300 * server.completionRequests)
        let report = try await CLITests.crucible(["report", directory])
        #expect(report.stdout.contains("| coder | \(300 * server.completionRequests) | \(50 * server.completionRequests) |"))
        #expect(report.stdout.contains("llm/coder | `Square, not double.`"))

        // A fresh copy of the workspace with the cache replays the run without asking; --no-cache asks again.
        let asked = server.completionRequests
        func copy() throws -> String {
            let copy = try workspace("llm: {endpoint: \"\(server.endpoint)\", model: coder, edit_retries: 0}")
            try FileManager.default.createDirectory(atPath: copy + "/.crucible", withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: directory + "/.crucible/llm-cache", toPath: copy + "/.crucible/llm-cache")
            return copy
        }
        #expect(try await CLITests.crucible(["evolve", try copy(), "--proposer", "llm", "--iterations", "2"]).status == 0)
        #expect(server.completionRequests == asked)
        #expect(try await CLITests.crucible(["evolve", try copy(), "--proposer", "llm", "--iterations", "2", "--no-cache"]).status == 0)
        #expect(server.completionRequests == 2 * asked)
    }

    @Test("evolve --proposer llm without a model exits 2 naming llm.model")
    func missingModel() async throws {
        let directory = try workspace("")
        let result = try await CLITests.crucible(["evolve", directory, "--proposer", "llm"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("crucible.yaml: llm.model: missing"))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }
}
