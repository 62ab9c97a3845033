import CrucibleCore

/// What a model's tokens cost, per million.
public struct ModelPrice: Sendable, Hashable, Codable {
    public var inputPerMillion: Double
    public var outputPerMillion: Double

    public init(inputPerMillion: Double, outputPerMillion: Double) {
        self.inputPerMillion = inputPerMillion
        self.outputPerMillion = outputPerMillion
    }

    /// The price of `usage`. Estimated tokens (calls without usage) are priced at the higher of
    /// the two rates, so an unknown count never makes a budget look larger than it is.
    public func cost(of usage: TokenUsage) -> Double {
        (Double(usage.promptTokens) * inputPerMillion + Double(usage.completionTokens) * outputPerMillion
            + Double(usage.estimatedTokens) * max(inputPerMillion, outputPerMillion)) / 1_000_000
    }
}

/// The limits of one run's spending; nil for no limit.
public struct LLMBudget: Sendable, Hashable {
    /// Billable tokens (reported, plus estimates for calls that reported none).
    public var maxTokens: Int?
    /// In the unit of the configured prices.
    public var maxCost: Double?

    public init(maxTokens: Int? = nil, maxCost: Double? = nil) {
        self.maxTokens = maxTokens
        self.maxCost = maxCost
    }
}

/// Sums a run's model usage by model and tells when a budget is spent.
public actor UsageMeter {
    public let budget: LLMBudget
    private let prices: [String: ModelPrice]
    private var order: [String] = []
    private var byModel: [String: TokenUsage] = [:]

    /// - Parameters:
    ///   - budget: the run's limits.
    ///   - prices: per model; models without a price cost nothing known.
    ///   - spent: usage already recorded for this run (when a run resumes).
    public init(budget: LLMBudget = LLMBudget(), prices: [String: ModelPrice] = [:], spent: [ModelUsage] = []) {
        self.budget = budget
        self.prices = prices
        var order: [String] = [], byModel: [String: TokenUsage] = [:]
        for entry in spent {
            if byModel[entry.model] == nil { order.append(entry.model) }
            byModel[entry.model, default: TokenUsage()] += entry.usage
        }
        self.order = order
        self.byModel = byModel
    }

    /// Adds one call's usage.
    public func record(_ usage: TokenUsage, model: String) {
        if byModel[model] == nil { order.append(model) }
        byModel[model, default: TokenUsage()] += usage
    }

    /// `usage` priced for `model`, as recorded in events.
    public nonisolated func priced(_ usage: TokenUsage, model: String) -> ModelUsage {
        ModelUsage(model: model, usage: usage, cost: prices[model]?.cost(of: usage))
    }

    /// The run's usage so far, per model, in order of first use.
    public var totals: [ModelUsage] {
        order.map { priced(byModel[$0]!, model: $0) }
    }

    /// Why the run must stop spending, or nil while within budget.
    public var exhausted: String? {
        let tokens = byModel.values.reduce(0) { $0 + $1.billableTokens }
        if let limit = budget.maxTokens, tokens >= limit {
            return "token budget reached: \(tokens) of llm.max_tokens_per_run \(limit)"
        }
        let cost = totals.compactMap(\.cost).reduce(0, +)
        if let limit = budget.maxCost, cost >= limit {
            return "cost budget reached: \(String(format: "%.4f", cost)) of llm.max_cost_per_run \(limit)"
        }
        return nil
    }
}
