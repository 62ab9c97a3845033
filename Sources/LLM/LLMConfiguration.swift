import Foundation

/// How to reach one model behind an OpenAI-compatible server, and how patiently.
public struct LLMConfiguration: Sendable, Hashable {
    /// Which field carries the answer's length limit: most servers read `max_tokens`; newer
    /// hosted models want `max_completion_tokens` and refuse the other.
    public enum TokenLimitField: String, Sendable, Hashable, CaseIterable {
        case maxTokens = "max_tokens"
        case maxCompletionTokens = "max_completion_tokens"
    }

    /// The API's base URL, up to and including `/v1` (`http://127.0.0.1:5000/v1`).
    public var endpoint: String
    public var model: String
    /// The name of the environment variable holding the API key; the key itself is never stored.
    public var apiKeyEnv: String
    public var temperature: Double
    /// The longest answer, in tokens.
    public var maxTokens: Int
    public var tokenLimitField: TokenLimitField
    /// Seconds one request may take, connection to last byte.
    public var timeout: Double
    /// Requests in flight at once to this client.
    public var maxConcurrency: Int
    /// Retries after the first attempt, for retryable failures.
    public var maxRetries: Int
    /// The first retry's delay in seconds; each further retry doubles it, with jitter.
    public var backoff: Double
    /// The longest delay between retries, in seconds, Retry-After included.
    public var maxBackoff: Double

    public init(
        endpoint: String = "http://127.0.0.1:5000/v1", model: String = "", apiKeyEnv: String = "CRUCIBLE_LLM_KEY",
        temperature: Double = 0.7, maxTokens: Int = 4096, tokenLimitField: TokenLimitField = .maxTokens,
        timeout: Double = 300, maxConcurrency: Int = 2, maxRetries: Int = 4, backoff: Double = 1, maxBackoff: Double = 60
    ) {
        self.endpoint = endpoint
        self.model = model
        self.apiKeyEnv = apiKeyEnv
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.tokenLimitField = tokenLimitField
        self.timeout = timeout
        self.maxConcurrency = maxConcurrency
        self.maxRetries = maxRetries
        self.backoff = backoff
        self.maxBackoff = maxBackoff
    }

    /// The endpoint without a trailing slash, so paths join cleanly.
    var base: String {
        var base = endpoint
        while base.hasSuffix("/") { base.removeLast() }
        return base
    }
}
