import CrucibleCore
import Evolution
import Ledger
import LLM
import Testing

struct ModelUsageTests {
    private func rejection(_ iteration: Int, tokens: Int) -> PatchRejected {
        PatchRejected(variant: nil, iteration: iteration, stage: "proposal", reason: "no edits",
                      usage: [ModelUsage(model: "m", usage: TokenUsage(promptTokens: tokens, completionTokens: 1, calls: 1))])
    }

    private func started(_ run: Int, resumed: Bool) -> RunStarted {
        RunStarted(run: run, seed: 0, untilIteration: 10, jobs: 1, proposer: "llm", selection: "dgm", configDigest: "",
                   isolation: "unisolated", resumed: resumed)
    }

    @Test func unfinishedRunUsageCountsTheInterruptedRunAcrossResumesAndNothingOnceFinished() throws {
        let ledger = try Ledger.inMemory()
        try ledger.append(started(1, resumed: false))
        try ledger.append(rejection(0, tokens: 10))
        try ledger.append(RunFinished(run: 1, iterations: 1, reason: "completed"))
        #expect(try ledger.unfinishedRunUsage().isEmpty)
        try ledger.append(started(2, resumed: false))
        try ledger.append(rejection(1, tokens: 100))
        try ledger.append(started(2, resumed: true))
        try ledger.append(rejection(2, tokens: 1000))
        #expect(try ledger.unfinishedRunUsage().first?.usage == TokenUsage(promptTokens: 1100, completionTokens: 2, calls: 2))
        #expect(try ledger.modelUsage().first?.usage.promptTokens == 1110)
    }

    @Test func resumedMeterStartsFromWhatTheRunSpent() async {
        let spent = [ModelUsage(model: "m", usage: TokenUsage(promptTokens: 900, completionTokens: 100, calls: 3))]
        let meter = UsageMeter(budget: LLMBudget(maxTokens: 1000), spent: spent)
        #expect(await meter.exhausted == "token budget reached: 1000 of llm.max_tokens_per_run 1000")
    }

    @Test func costBudgetCountsPricesAndPricesUnknownUsageAtTheHigherRate() async {
        let price = ModelPrice(inputPerMillion: 1, outputPerMillion: 3)
        #expect(price.cost(of: TokenUsage(promptTokens: 1_000_000, completionTokens: 0, unknownCalls: 1, estimatedTokens: 1_000_000)) == 4)
        let meter = UsageMeter(budget: LLMBudget(maxCost: 2), prices: ["m": price])
        await meter.record(TokenUsage(promptTokens: 500_000, completionTokens: 100_000, calls: 1), model: "m")
        #expect(await meter.exhausted == nil)
        await meter.record(TokenUsage(promptTokens: 500_000, completionTokens: 300_000, calls: 1), model: "m")
        #expect(await meter.exhausted == "cost budget reached: 2.2000 of llm.max_cost_per_run 2.0")
        #expect(abs((await meter.totals.first?.cost ?? 0) - 2.2) < 1e-9)
    }

    @Test func mergeSumsPerModelInOrderOfFirstUse() {
        let a = ModelUsage(model: "a", usage: TokenUsage(promptTokens: 1, calls: 1), cost: 0.5)
        let b = ModelUsage(model: "b", usage: TokenUsage(cachedCalls: 1))
        let merged = ModelUsage.merge([[b], [a, b], [a]])
        #expect(merged.map(\.model) == ["b", "a"])
        #expect(merged[0].usage.cachedCalls == 2 && merged[0].cost == nil)
        #expect(merged[1].usage.promptTokens == 2 && merged[1].cost == 1)
    }
}
