/// The tokens one or more model calls consumed, as the server reported them.
///
/// A server may leave `usage` out of its answer; such calls are counted in `unknownCalls` and
/// never as zero. `estimatedTokens` holds a character-based estimate for them (four characters a
/// token), so budgets still bind.
public struct TokenUsage: Codable, Hashable, Sendable {
    public var promptTokens: Int
    public var completionTokens: Int
    /// Calls that went to the server (cache hits are not counted here).
    public var calls: Int
    /// Calls answered from the response cache, at no cost.
    public var cachedCalls: Int
    /// Calls whose answer carried no usage.
    public var unknownCalls: Int
    /// The estimate for the calls in `unknownCalls`.
    public var estimatedTokens: Int

    public init(promptTokens: Int = 0, completionTokens: Int = 0, calls: Int = 0, cachedCalls: Int = 0,
                unknownCalls: Int = 0, estimatedTokens: Int = 0) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.calls = calls
        self.cachedCalls = cachedCalls
        self.unknownCalls = unknownCalls
        self.estimatedTokens = estimatedTokens
    }

    /// Reported tokens, prompt and completion.
    public var reportedTokens: Int { promptTokens + completionTokens }

    /// Reported tokens plus the estimate for calls that reported none: what budgets count.
    public var billableTokens: Int { reportedTokens + estimatedTokens }

    public static func + (a: TokenUsage, b: TokenUsage) -> TokenUsage {
        TokenUsage(promptTokens: a.promptTokens + b.promptTokens, completionTokens: a.completionTokens + b.completionTokens,
                   calls: a.calls + b.calls, cachedCalls: a.cachedCalls + b.cachedCalls,
                   unknownCalls: a.unknownCalls + b.unknownCalls, estimatedTokens: a.estimatedTokens + b.estimatedTokens)
    }

    public static func += (a: inout TokenUsage, b: TokenUsage) { a = a + b }
}

/// What one model cost a proposal or a run.
public struct ModelUsage: Codable, Hashable, Sendable {
    public var model: String
    public var usage: TokenUsage
    /// The price of the reported tokens (plus estimates) in the configured currency; nil when no
    /// price is configured for the model.
    public var cost: Double?

    public init(model: String, usage: TokenUsage, cost: Double? = nil) {
        self.model = model
        self.usage = usage
        self.cost = cost
    }

    /// Sums usage by model, keeping models in order of first appearance.
    public static func merge(_ lists: [[ModelUsage]]) -> [ModelUsage] {
        var order: [String] = []
        var byModel: [String: ModelUsage] = [:]
        for entry in lists.joined() {
            if var known = byModel[entry.model] {
                known.usage += entry.usage
                known.cost = (known.cost == nil && entry.cost == nil) ? nil : (known.cost ?? 0) + (entry.cost ?? 0)
                byModel[entry.model] = known
            } else {
                order.append(entry.model)
                byModel[entry.model] = entry
            }
        }
        return order.map { byModel[$0]! }
    }
}
