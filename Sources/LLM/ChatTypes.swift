import CrucibleCore

/// One message of a conversation.
public struct ChatMessage: Codable, Hashable, Sendable {
    public enum Role: String, Codable, Hashable, Sendable { case system, user, assistant }
    public var role: Role
    public var content: String

    public init(_ role: Role, _ content: String) {
        self.role = role
        self.content = content
    }

    public static func system(_ content: String) -> ChatMessage { ChatMessage(.system, content) }
    public static func user(_ content: String) -> ChatMessage { ChatMessage(.user, content) }
    public static func assistant(_ content: String) -> ChatMessage { ChatMessage(.assistant, content) }
}

/// What to ask a model: the conversation and the sampling settings that decide the answer.
///
/// Settings left nil take the client's configuration. The request's canonical JSON, with the
/// endpoint and model filled in, is the response cache's key.
public struct ChatRequest: Codable, Hashable, Sendable {
    public var messages: [ChatMessage]
    /// The model, when it differs from the client's.
    public var model: String?
    public var temperature: Double?
    public var maxTokens: Int?
    /// Passed to servers that sample deterministically under a seed (vLLM, llama.cpp, Ollama, hosted APIs).
    public var seed: UInt64?

    public init(messages: [ChatMessage], model: String? = nil, temperature: Double? = nil, maxTokens: Int? = nil, seed: UInt64? = nil) {
        self.messages = messages
        self.model = model
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.seed = seed
    }
}

/// A model's answer, with its reasoning kept apart.
public struct ChatCompletion: Codable, Hashable, Sendable {
    /// The answer, with any reasoning (`<think>…</think>`) removed.
    public var content: String
    /// The model's reasoning, from `reasoning_content`, `reasoning` or an inline think block.
    public var reasoning: String?
    /// `stop`, `length`, … as the server sent it.
    public var finishReason: String?
    /// The server's token count, or nil when it sent none (unknown, not zero).
    public var promptTokens: Int?
    public var completionTokens: Int?
    /// The model the server says answered.
    public var model: String?

    public init(content: String, reasoning: String? = nil, finishReason: String? = nil, promptTokens: Int? = nil,
                completionTokens: Int? = nil, model: String? = nil) {
        self.content = content
        self.reasoning = reasoning
        self.finishReason = finishReason
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.model = model
    }

    /// The answer was cut off at the token limit; it must not be applied.
    public var isTruncated: Bool { finishReason == "length" }

    /// Whether the server reported how many tokens the call took.
    public var hasUsage: Bool { promptTokens != nil || completionTokens != nil }
}

/// A completion and what it cost.
public struct ChatResult: Sendable, Hashable {
    public var completion: ChatCompletion
    /// Whether it came from the response cache (then it cost nothing).
    public var cached: Bool
    /// This call's usage: one call (or one cached call), with the server's counts or an estimate.
    public var usage: TokenUsage

    public init(completion: ChatCompletion, cached: Bool, usage: TokenUsage) {
        self.completion = completion
        self.cached = cached
        self.usage = usage
    }
}
