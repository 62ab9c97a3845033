import CrucibleCore
import Evolution
import Foundation
import Ledger
import LLMTesting
import Testing

/// The loop with `evolution.proposer: llm` against a real HTTP server speaking the OpenAI
/// protocol, on a workspace with a one-bug Python module and a json benchmark. Each runs real
/// benchmark processes.
@Suite(.serialized)
struct LLMEndToEndTests {
    static let module = """
        def clamp(value, low, high):
            if value < low:
                return low
            if value > high:
                return low
            return value

        """

    static let bench = """
        import json
        from mathx import clamp

        cases = [("inside", (5, 0, 10), 5), ("below", (-3, 0, 10), 0), ("above", (42, 0, 10), 10), ("edge", (10, 0, 10), 10)]
        tasks = []
        for name, args, expected in cases:
            got = clamp(*args)
            ok = got == expected
            tasks.append({"id": name, "passed": ok, "score": 1.0 if ok else 0.0,
                          "detail": f"clamp{args} returned {got!r}, expected {expected!r}"})
        print(json.dumps({"score": sum(t["score"] for t in tasks) / len(tasks), "tasks": tasks}))

        """

    static let fix = """
        The upper bound returns the lower bound instead of the upper one.

        mathx.py
        ```python
        <<<<<<< SEARCH
            if value > high:
                return low
        =======
            if value > high:
                return high
        >>>>>>> REPLACE
        ```
        """

    private func workspace(_ server: ScriptedOpenAIServer, extra: String = "") throws -> String {
        try TestWorkspace.make(files: ["mathx.py": Self.module, "bench/score.py": Self.bench], yaml: """
            target: {editable: ["mathx.py"], protected: ["bench/**"]}
            benchmarks:
              - {name: clamp, run: "PYTHONPATH=. python3 bench/score.py", format: json, timeout: 10}
            evolution: {proposer: llm, seed: 4}
            llm:
              endpoint: \(server.endpoint)
              model: scripted-model
              retries: 1
              backoff: 0.001
              edit_retries: 1
              timeout: 5
            \(extra)
            sandbox: {isolation: none}
            """)
    }

    private func evolve(_ directory: String, iterations: Int) async throws -> (RunSummary, Ledger) {
        let session = try await EvolutionSession.open(directory)
        let summary = try await session.loop.run(EvolutionLoop.Options(iterations: iterations))
        return (summary, session.loop.ledger)
    }

    @Test("end to end: a server answering with the correct fix takes the best variant to 1.0, recording the model and tokens")
    func llmFindsTheFix() async throws {
        let server = try await ScriptedOpenAIServer.start { _, _ in .completion(Self.fix, usage: (120, 30), model: "scripted-model") }
        defer { Task { try? await server.shutdown() } }
        let directory = try workspace(server)
        let (summary, ledger) = try await evolve(directory, iterations: 3)
        #expect(summary.baselineScore == 0.75)
        #expect(summary.bestScore == 1.0)
        let bestID = try #require(summary.bestID)
        let best = try #require(try ledger.archive().variant(bestID))
        #expect(best.proposer == "llm/scripted-model")
        #expect(best.patch?.paths == ["mathx.py"])
        #expect(best.summary == "The upper bound returns the lower bound instead of the upper one.")

        let proposed = try ledger.events().filter { $0.kind == .patchProposed }.map { try $0.payload(as: PatchProposed.self) }
        let usage = try #require(proposed.first?.usage?.first)
        #expect(usage.model == "scripted-model")
        #expect(usage.usage.promptTokens == 120 && usage.usage.completionTokens == 30 && usage.usage.calls == 1)

        // The first request showed the model the file, the failing task and its output.
        let prompt = try #require(server.requests.first?.messages.last)
        #expect(prompt.contains("def clamp(value, low, high):"))
        #expect(prompt.contains("failing task above"))
        #expect(prompt.contains("clamp(42, 0, 10) returned 0, expected 10"))
        #expect(!prompt.contains("bench/score.py\n```"), "protected files are never shown")

        let status = try Inspector.open(directory).status()
        #expect(status.llm.first?.model == "scripted-model")
        #expect(status.llm.first.map { $0.usage.reportedTokens } == 150 * server.completionRequests)
        #expect(status.text.contains("llm        scripted-model: \(150 * server.completionRequests) tokens"))
        let report = try Inspector.open(directory).report().markdown
        #expect(report.contains("| scripted-model | \(120 * server.completionRequests) | \(30 * server.completionRequests) |"))
        #expect(report.contains("llm/scripted-model"))
        let finished = try ledger.events().filter { $0.kind == .runFinished }.map { try $0.payload(as: RunFinished.self) }
        #expect(finished.last?.usage?.first?.usage.calls == server.completionRequests)
    }

    @Test("end to end: a server answering garbage and errors leaves the run finished, counting proposal errors")
    func garbageAndErrorsAreProposalErrors() async throws {
        let server = try await ScriptedOpenAIServer.start { _, n in
            switch n % 3 {
            case 0: return .completion("I am not sure what to change here.")
            case 1: return .json(["error": ["message": "internal failure"]], status: 500)
            default: return ScriptedOpenAIServer.Response(body: "{not json")
            }
        }
        defer { Task { try? await server.shutdown() } }
        let directory = try workspace(server)
        let (summary, ledger) = try await evolve(directory, iterations: 4)
        #expect(summary.reason == "completed")
        #expect(summary.rejected == 4)
        #expect(summary.bestScore == 0.75)
        let status = try Inspector.open(directory).status()
        #expect(status.rejected["proposal"] == 4)
        let reasons = try ledger.archive().rejections.map(\.reason)
        #expect(reasons.allSatisfy { $0.hasPrefix("llm/scripted-model: ") })
        #expect(reasons.contains { $0.contains("HTTP 500") || $0.contains("not JSON") || $0.contains("holds no edits") })
        #expect(try ledger.verify().ok)
    }

    @Test("end to end: a run with a token budget stops at it and says so")
    func tokenBudgetStopsTheRun() async throws {
        let server = try await ScriptedOpenAIServer.start { _, _ in .completion("Nothing to change.", usage: (900, 100)) }
        defer { Task { try? await server.shutdown() } }
        let directory = try workspace(server, extra: "  max_tokens_per_run: 1500\n  price: {input: 1.0, output: 2.0}")
        let (summary, ledger) = try await evolve(directory, iterations: 10)
        // Each proposal takes two answers (one edit retry) of 1000 tokens: the first spends 2000.
        #expect(summary.reason.hasPrefix("token budget reached: 2000 of llm.max_tokens_per_run 1500"))
        #expect(summary.iterations == 1)
        #expect(server.completionRequests == 2)
        let finished = try #require(try ledger.events().last { $0.kind == .runFinished }?.payload(as: RunFinished.self))
        #expect(finished.reason == summary.reason)
        let status = try Inspector.open(directory).status()
        #expect(status.stopped == summary.reason)
        // 1800 in at 1.0 per million and 200 out at 2.0 per million
        #expect(abs((status.llm.first?.cost ?? 0) - 0.0022) < 1e-9)
    }

    @Test("end to end: an answer that rewrites the protected scorer is rejected as protected and never evaluated")
    func protectedScorerIsRefused() async throws {
        let hack = "Make the benchmark pass.\n\nbench/score.py\n<<<<<<< SEARCH\n=======\nprint('{\"score\": 1.0}')\n>>>>>>> REPLACE\n"
        let server = try await ScriptedOpenAIServer.start { _, _ in .completion(hack) }
        defer { Task { try? await server.shutdown() } }
        let directory = try workspace(server)
        let (summary, ledger) = try await evolve(directory, iterations: 2)
        #expect(summary.bestScore == 0.75)
        let rejections = try ledger.archive().rejections
        #expect(rejections.map(\.stage) == ["protected", "protected"])
        #expect(rejections.allSatisfy { $0.reason.contains("bench/score.py") })
        let rejected = try ledger.events().filter { $0.kind == .patchRejected }.map { try $0.payload(as: PatchRejected.self) }
        #expect(rejected.allSatisfy { $0.patch?.proposer == "llm/scripted-model" && $0.usage?.first?.usage.calls == 1 })
        #expect(try String(contentsOfFile: directory + "/bench/score.py", encoding: .utf8) == Self.bench)
    }

    @Test("end to end: an answer that hard-codes the expected output is recorded as objective hacking and never the best")
    func hardCodedAnswerIsHacking() async throws {
        let hack = """
            Handle the failing case.

            mathx.py
            <<<<<<< SEARCH
                if value > high:
            =======
                if (value, low, high) == (42, 0, 10):
                    return 10
                if value > high:
            >>>>>>> REPLACE
            """
        let server = try await ScriptedOpenAIServer.start { _, _ in .completion(hack) }
        defer { Task { try? await server.shutdown() } }
        let directory = try workspace(server)
        let (summary, ledger) = try await evolve(directory, iterations: 2)
        #expect(summary.bestScore == 0.75)
        #expect(summary.bestID == summary.baselineID)
        let rejections = try ledger.archive().rejections
        #expect(!rejections.isEmpty)
        #expect(rejections.allSatisfy { $0.stage == "hacking" && $0.reason.contains("bench/score.py") })
        #expect(try Inspector.open(directory).report().markdown.contains("hacking"))
    }

    @Test("end to end: the same seed with the response cache replays the run without asking the server")
    func cacheReplaysTheRun() async throws {
        let server = try await ScriptedOpenAIServer.start { _, n in
            n % 2 == 1 ? .completion(Self.fix) : .completion("no edits here")
        }
        defer { Task { try? await server.shutdown() } }
        let first = try workspace(server)
        let (_, firstLedger) = try await evolve(first, iterations: 3)
        let asked = server.completionRequests
        #expect(asked > 0)

        let second = try workspace(server)
        try FileManager.default.createDirectory(atPath: second + "/.crucible", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: first + "/.crucible/llm-cache", toPath: second + "/.crucible/llm-cache")
        let (_, secondLedger) = try await evolve(second, iterations: 3)
        #expect(server.completionRequests == asked, "every answer came from the cache")
        func outline(_ ledger: Ledger) throws -> [String] {
            try ledger.archive().variants.map { "\($0.id) \($0.parent ?? -1) \($0.treeDigest) \($0.score ?? -1) \($0.proposer ?? "")" }
        }
        #expect(try outline(firstLedger) == outline(secondLedger))
        let cached = try secondLedger.modelUsage().first?.usage
        #expect(cached?.calls == 0 && (cached?.cachedCalls ?? 0) == asked)
    }
}
