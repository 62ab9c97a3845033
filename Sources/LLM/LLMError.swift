/// A model call that failed: what, where (the endpoint) and why, in one line. Never holds the key.
public struct LLMError: Error, CustomStringConvertible, Sendable, Hashable {
    /// The kind of failure, as a code that can grow.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String { case http, quota, timeout, connection, malformed }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The server answered with an error status.
        public static let http = Code(.http)
        /// The account is out of quota (429 `insufficient_quota`): retrying cannot help.
        public static let quota = Code(.quota)
        /// The request took longer than `llm.timeout`.
        public static let timeout = Code(.timeout)
        /// The server could not be reached, or it closed the connection.
        public static let connection = Code(.connection)
        /// The server's answer is not an OpenAI-compatible response.
        public static let malformed = Code(.malformed)

        public var description: String { value.rawValue }
    }

    public var code: Code
    /// The URL called.
    public var url: String
    /// The HTTP status, when the server answered.
    public var status: Int?
    /// The server's error code (`rate_limit_exceeded`, `503`), when its body had one.
    public var serverCode: String?
    /// What went wrong, from the server's error body when it had one.
    public var message: String
    /// Seconds the server asked to wait (Retry-After).
    public var retryAfter: Double?
    /// Attempts made before giving up.
    public var attempts: Int

    public init(code: Code, url: String, status: Int? = nil, serverCode: String? = nil, message: String,
                retryAfter: Double? = nil, attempts: Int = 1) {
        self.code = code
        self.url = url
        self.status = status
        self.serverCode = serverCode
        self.message = message
        self.retryAfter = retryAfter
        self.attempts = attempts
    }

    /// Whether another attempt may succeed: 408, 409, 425, 429 (not for quota), 5xx and lost
    /// connections. Not 400/401/403/404/422, not quota, not timeouts (a local server that took too
    /// long is still working on the first request; sending it again only queues more work).
    public var isRetryable: Bool {
        switch code {
        case .connection: return true
        case .http:
            guard let status else { return false }
            return status == 408 || status == 409 || status == 425 || status == 429 || status >= 500
        default: return false
        }
    }

    public var description: String {
        var text = "\(url): "
        if let status { text += "HTTP \(status)" + (serverCode.map { " (\($0))" } ?? "") + ": " }
        else { text += "\(code): " }
        text += message
        if attempts > 1 { text += " (after \(attempts) attempts)" }
        return text
    }
}
