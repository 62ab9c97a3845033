import CrucibleCore
@testable import Evolution
import Foundation
import LLM
import LLMTesting
import Testing

struct LLMProposerTests {
    private let file = "def double(x):\n    return x + x + 1\n"

    private var context: ProposalContext {
        let score = Score(benchmarks: [BenchmarkResult(name: "unit", weight: 1, score: 0.5, tasks: [
            TaskResult(id: "two", passed: false, score: 0, detail: "double(2) returned 5, expected 4"),
            TaskResult(id: "zero", passed: true, score: 1),
        ])])
        return ProposalContext(parent: 3, tree: FileTree(["calc.py": file]), score: score, hints: FaultHints(), donors: [],
                               tried: [.init(variant: 4, proposer: "llm/m", summary: "made it x * 3", score: 0.0, outcome: "evaluated")])
    }

    private let fix = "Drop the stray + 1.\n\ncalc.py\n<<<<<<< SEARCH\n    return x + x + 1\n=======\n    return x + x\n>>>>>>> REPLACE\n"

    private func proposer(_ server: ScriptedOpenAIServer, models: [String] = ["m"], weights: [Double]? = nil, analysis: Bool = false,
                          editRetries: Int = 1, cache: ResponseCache? = nil, templates: PromptTemplates = .builtIn,
                          budget: LLMBudget = LLMBudget()) -> LLMProposer {
        let list = models.enumerated().map { i, name in
            LLMProposer.Model(client: LLMClient(configuration: LLMConfiguration(endpoint: server.endpoint, model: name, maxRetries: 0),
                                                cache: cache), weight: weights?[i] ?? 1)
        }
        return LLMProposer(models: list, settings: .init(analysis: analysis, editRetries: editRetries, rules: "- Change only calc.py."),
                           templates: templates, meter: UsageMeter(budget: budget))
    }

    private func propose(_ proposer: LLMProposer, seed: UInt64 = 1) async throws -> Proposal? {
        var rng = SeededGenerator(seed: seed, stream: 0)
        return try await proposer.propose(context, isNew: { _ in true }, using: &rng)
    }

    @Test func correctAnswerBecomesAProposalWithModelSummaryAndUsage() async throws {
        let server = try await ScriptedOpenAIServer.start(answering: [.completion(fix, usage: (200, 40))])
        defer { Task { try? await server.shutdown() } }
        let proposal = try #require(try await propose(proposer(server)))
        #expect(proposal.tree.files["calc.py"] == "def double(x):\n    return x + x\n")
        #expect(proposal.proposer == "llm/m")
        #expect(proposal.summary == "Drop the stray + 1.")
        #expect(proposal.usage == [ModelUsage(model: "m", usage: TokenUsage(promptTokens: 200, completionTokens: 40, calls: 1))])
    }

    @Test func promptCarriesFilesFailuresEarlierAttemptsAndRules() async throws {
        let server = try await ScriptedOpenAIServer.start(answering: [.completion(fix)])
        defer { Task { try? await server.shutdown() } }
        _ = try await propose(proposer(server))
        let messages = try #require(server.requests.first?.messages)
        #expect(messages.first?.contains("<<<<<<< SEARCH") == true, "the system prompt explains the edit format")
        let prompt = messages.last ?? ""
        #expect(prompt.contains("calc.py\n```\ndef double(x):\n    return x + x + 1\n```"))
        #expect(prompt.contains("failing task two (score 0):\n      double(2) returned 5, expected 4"))
        #expect(prompt.contains("- v4 (llm/m): made it x * 3 → score 0"))
        #expect(prompt.contains("- Change only calc.py."))
        #expect(!prompt.contains("task zero"))
    }

    @Test func failedBlockIsReportedBackAndTheCorrectionApplies() async throws {
        let wrong = "calc.py\n<<<<<<< SEARCH\n    return x * 2 + 1\n=======\n    return x * 2\n>>>>>>> REPLACE\n"
        let server = try await ScriptedOpenAIServer.start(answering: [.completion(wrong), .completion(fix)])
        defer { Task { try? await server.shutdown() } }
        let proposal = try #require(try await propose(proposer(server)))
        #expect(proposal.tree.files["calc.py"] == "def double(x):\n    return x + x\n")
        let retry = try #require(server.requests.last?.messages)
        #expect(retry.count == 4, "system, prompt, the first answer, the failure report")
        #expect(retry[3].contains("block 1 (calc.py): the SEARCH text is not in the file"))
        #expect(proposal.usage.first?.usage.calls == 2)
    }

    @Test func ambiguousBlockIsNeverGuessedAndTheModelIsToldWhere() async throws {
        let twice = "def double(x):\n    return x + x + 1\n\ndef twice(x):\n    return x + x + 1\n"
        let ambiguous = "calc.py\n<<<<<<< SEARCH\n    return x + x + 1\n=======\n    return x + x\n>>>>>>> REPLACE\n"
        let server = try await ScriptedOpenAIServer.start(answering: [.completion(ambiguous)])
        defer { Task { try? await server.shutdown() } }
        var context = self.context
        context.tree = FileTree(["calc.py": twice])
        var rng = SeededGenerator(seed: 1, stream: 0)
        let error = await #expect(throws: ProposalError.self) {
            try await proposer(server).propose(context, isNew: { _ in true }, using: &rng)
        }
        #expect(server.requests.last?.messages.last?.contains("block 1 (calc.py): the SEARCH text matches 2 places (line 2, line 5)") == true)
        #expect(error?.reason.contains("matches 2 places") == true)
    }

    @Test func editsThatStillFailAreAProposalErrorCarryingTheTokens() async throws {
        let server = try await ScriptedOpenAIServer.start(answering: [.completion("I would rewrite it in Rust.", usage: (10, 5))])
        defer { Task { try? await server.shutdown() } }
        let error = await #expect(throws: ProposalError.self) { try await propose(proposer(server, editRetries: 2)) }
        #expect(server.completionRequests == 3)
        #expect(error?.reason == "llm/m: no edits that apply after 3 answers: the answer holds no edits in the format asked for (search-replace)")
        #expect(error?.usage.first?.usage == TokenUsage(promptTokens: 30, completionTokens: 15, calls: 3))
    }

    @Test func answerCutOffByLengthIsNotApplied() async throws {
        let server = try await ScriptedOpenAIServer.start(answering: [.completion(fix, finishReason: "length")])
        defer { Task { try? await server.shutdown() } }
        let error = await #expect(throws: ProposalError.self) { try await propose(proposer(server, editRetries: 0)) }
        #expect(error?.reason.contains("cut off at the token limit") == true)
    }

    @Test func serverErrorIsAProposalErrorNotACrash() async throws {
        let server = try await ScriptedOpenAIServer.start(answering: [.json(["detail": "Model not loaded"], status: 400)])
        defer { Task { try? await server.shutdown() } }
        let error = await #expect(throws: ProposalError.self) { try await propose(proposer(server)) }
        #expect(error?.reason.hasPrefix("llm/m: \(server.endpoint)/chat/completions: HTTP 400: Model not loaded") == true)
    }

    @Test func changeAlreadyInTheArchiveIsRefusedAndTheModelAskedForAnother() async throws {
        let other = "calc.py\n<<<<<<< SEARCH\n    return x + x + 1\n=======\n    return 2 * x\n>>>>>>> REPLACE\n"
        let server = try await ScriptedOpenAIServer.start(answering: [.completion(fix), .completion(other)])
        defer { Task { try? await server.shutdown() } }
        let known = FileTree(["calc.py": "def double(x):\n    return x + x\n"]).digest
        var rng = SeededGenerator(seed: 1, stream: 0)
        let proposal = try #require(try await proposer(server).propose(context, isNew: { $0.digest != known }, using: &rng))
        #expect(proposal.tree.files["calc.py"] == "def double(x):\n    return 2 * x\n")
        #expect(server.requests.last?.messages.last?.contains("reproduce a variant already tried") == true)
    }

    @Test func analysisStepAsksForTheWeaknessFirstAndPassesItOn() async throws {
        let server = try await ScriptedOpenAIServer.start(answering: [
            .completion("The function adds one too many."), .completion(fix),
        ])
        defer { Task { try? await server.shutdown() } }
        let proposal = try #require(try await propose(proposer(server, analysis: true)))
        #expect(server.completionRequests == 2)
        #expect(server.requests[0].messages.last?.contains("primary weakness") == true)
        #expect(server.requests[1].messages.last?.contains("# The primary weakness\n\nThe function adds one too many.") == true)
        #expect(proposal.reasoning.hasPrefix("Weakness: The function adds one too many."))
    }

    @Test func sameSeedWithTheCacheReplaysWithoutAskingAndAnotherSeedAsks() async throws {
        let server = try await ScriptedOpenAIServer.start(answering: [.completion(fix)])
        defer { Task { try? await server.shutdown() } }
        let cache = ResponseCache(directory: NSTemporaryDirectory() + "crucible-cache-\(UUID().uuidString)")
        let first = try await propose(proposer(server, cache: cache), seed: 5)
        let second = try await propose(proposer(server, cache: cache), seed: 5)
        #expect(server.completionRequests == 1)
        #expect(first?.tree == second?.tree)
        #expect(second?.usage.first?.usage == TokenUsage(cachedCalls: 1))
        _ = try await propose(proposer(server, cache: cache), seed: 6)
        #expect(server.completionRequests == 2)
        #expect(server.requests[0].json?["seed"] as? Int != server.requests[1].json?["seed"] as? Int)
    }

    @Test func modelsAreChosenByWeightAndEachProposalNamesItsModel() async throws {
        let server = try await ScriptedOpenAIServer.start { _, _ in .completion(fix) }
        defer { Task { try? await server.shutdown() } }
        let llm = proposer(server, models: ["a", "b"], weights: [0, 1])
        for seed in 1...5 { #expect(try await propose(llm, seed: UInt64(seed))?.proposer == "llm/b") }
        #expect(server.requests.allSatisfy { $0.json?["model"] as? String == "b" })
    }

    @Test func banditShiftsTheShareTowardTheModelThatImproves() {
        let llm = LLMProposer(models: [
            .init(client: LLMClient(configuration: LLMConfiguration(model: "a"))),
            .init(client: LLMClient(configuration: LLMConfiguration(model: "b"))),
        ], settings: .init(selection: .bandit))
        let stats = ["llm/a": OperatorStats(trials: 40, improvements: 0), "llm/b": OperatorStats(trials: 40, improvements: 20)]
        var rng = SeededGenerator(seed: 3, stream: 0)
        let picks = (0..<400).map { _ in llm.choose(stats, using: &rng).name }
        let b = picks.filter { $0 == "b" }.count
        #expect(b > 300, "b improved 20 times in 40, a never: \(b) of 400")
        var even = SeededGenerator(seed: 3, stream: 0)
        let unbiased = (0..<400).map { _ in llm.choose([:], using: &even).name }.filter { $0 == "b" }.count
        #expect((150...250).contains(unbiased))
    }

    @Test func budgetIsReportedOnceSpent() async throws {
        let server = try await ScriptedOpenAIServer.start(answering: [.completion(fix, usage: (60, 40))])
        defer { Task { try? await server.shutdown() } }
        let llm = proposer(server, budget: LLMBudget(maxTokens: 100))
        #expect(await llm.stopReason() == nil)
        _ = try await propose(llm)
        #expect(await llm.stopReason() == "token budget reached: 100 of llm.max_tokens_per_run 100")
    }

    @Test func promptTemplatesInTheWorkspaceFolderReplaceTheBuiltInOnes() async throws {
        let directory = NSTemporaryDirectory() + "crucible-prompts-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "Fix {{parent}} now.\n{{files}}".write(toFile: directory + "/propose.md", atomically: true, encoding: .utf8)
        let templates = try PromptTemplates.load(directory: directory)
        #expect(templates.system == PromptTemplates.builtIn.system)
        let server = try await ScriptedOpenAIServer.start(answering: [.completion(fix)])
        defer { Task { try? await server.shutdown() } }
        _ = try await propose(proposer(server, templates: templates))
        #expect(server.requests.first?.messages.last?.hasPrefix("Fix v3 now.\ncalc.py\n") == true)
    }

    @Test func eachTemplateFileReplacesItsOwnTemplate() throws {
        let directory = NSTemporaryDirectory() + "crucible-prompts-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for name in PromptTemplates.fileNames { try "from \(name)".write(toFile: directory + "/" + name, atomically: true, encoding: .utf8) }
        let templates = try PromptTemplates.load(directory: directory)
        #expect([templates.system, templates.propose, templates.analyse, templates.retry, templates.searchReplace, templates.wholeFile]
            == ["system.md", "propose.md", "analyse.md", "retry.md", "search-replace.md", "whole-file.md"].map { "from \($0)" })
    }
}
