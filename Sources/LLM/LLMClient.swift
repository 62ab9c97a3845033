import AsyncHTTPClient
import CrucibleCore
import Foundation
import NIOCore
import NIOHTTP1

/// A client of one OpenAI-compatible server: `POST {endpoint}/chat/completions` and
/// `GET {endpoint}/models`, with retries, a per-request timeout, a concurrency limit and a
/// response cache.
///
/// Retried: 429 (after Retry-After when the server sends it), 408, 409, 425, 5xx (503 while a
/// model loads) and lost connections, with exponential backoff and jitter. Not retried: other
/// 4xx, quota errors (429 `insufficient_quota`), timeouts and malformed answers.
public struct LLMClient: Sendable {
    public let configuration: LLMConfiguration
    private let cache: ResponseCache?
    private let http: HTTPClient
    private let limiter: ConcurrencyLimiter
    private let environment: [String: String]
    private let sleep: @Sendable (Double) async throws -> Void
    private let jitter: @Sendable () -> Double

    /// - Parameters:
    ///   - configuration: the server, the model and the limits.
    ///   - cache: where answers are kept; nil for none.
    ///   - httpClient: the HTTP client (default: one for model calls, shared by every client).
    ///   - environment: where `api_key_env` is looked up.
    ///   - sleep: waits the given seconds between retries.
    ///   - jitter: a number in 0..<1 that spreads retries apart.
    public init(
        configuration: LLMConfiguration, cache: ResponseCache? = nil, httpClient: HTTPClient = LLMClient.sharedHTTPClient,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        sleep: @escaping @Sendable (Double) async throws -> Void = { try await Task.sleep(for: .seconds($0)) },
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.configuration = configuration
        self.cache = cache
        self.http = httpClient
        self.limiter = ConcurrencyLimiter(limit: configuration.maxConcurrency)
        self.environment = environment
        self.sleep = sleep
        self.jitter = jitter
    }

    /// The HTTP client model calls share: connection failures fail the attempt at once (this
    /// client retries with its own backoff) instead of being retried until the request's deadline.
    public static let sharedHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// The wire body of `request`: model, messages, temperature, the token limit and the seed.
    public func body(for request: ChatRequest, tokenLimitField: LLMConfiguration.TokenLimitField? = nil) -> JSONValue {
        var body: [String: JSONValue] = [
            "model": .string(request.model ?? configuration.model),
            "messages": .array(request.messages.map { .object(["role": .string($0.role.rawValue), "content": .string($0.content)]) }),
            "temperature": .number(request.temperature ?? configuration.temperature),
            (tokenLimitField ?? configuration.tokenLimitField).rawValue: .number(Double(request.maxTokens ?? configuration.maxTokens)),
            "stream": .bool(false),
        ]
        if let seed = request.seed { body["seed"] = .number(Double(seed % (1 << 53))) }
        return .object(body)
    }

    /// The cache key of `request`: the SHA-256 of the endpoint and the canonical wire body.
    public func cacheKey(for request: ChatRequest) throws -> String {
        let body = String(decoding: try CanonicalJSON.data(body(for: request)), as: UTF8.self)
        return Digest.sha256(concatenating: configuration.base, "\n", body)
    }

    /// Asks the model, from the cache when the same request was answered before.
    /// - Parameters:
    ///   - request: the conversation and its settings.
    ///   - useCache: false to ask the server even when the cache holds an answer (the answer
    ///     still replaces the cached one).
    /// - Returns: the completion, whether it was cached, and its usage.
    /// - Throws: `LLMError` when the server could not answer, after the retries allowed.
    public func complete(_ request: ChatRequest, useCache: Bool = true) async throws -> ChatResult {
        let key = try cacheKey(for: request)
        if useCache, let cache, let completion = cache.completion(for: key) {
            return ChatResult(completion: completion, cached: true, usage: TokenUsage(cachedCalls: 1))
        }
        let completion = try await limiter.run { try await completeWithRetries(request) }
        // The answer is paid for: a cache that cannot be written (a full disk) costs the replay, not the answer.
        do {
            try cache?.store(completion, request: body(for: request), for: key)
        } catch {
            FileHandle.standardError.write(Data("crucible: warning: the response cache could not be written: \(error)\n".utf8))
        }
        return ChatResult(completion: completion, cached: false, usage: usage(of: completion, request: request))
    }

    /// The ids of the models the server offers.
    public func models() async throws -> [String] {
        let url = configuration.base + "/models"
        let body = try await withRetries(url: url) { try await send(url: url, method: .GET, body: nil) }
        return try ResponseDecoding.models(body, url: url)
    }

    /// A call's usage: the server's counts, or for an answer without them one unknown call and an
    /// estimate of four characters a token.
    func usage(of completion: ChatCompletion, request: ChatRequest) -> TokenUsage {
        if completion.hasUsage {
            return TokenUsage(promptTokens: completion.promptTokens ?? 0, completionTokens: completion.completionTokens ?? 0, calls: 1)
        }
        let characters = request.messages.reduce(0) { $0 + $1.content.count } + completion.content.count
            + (completion.reasoning?.count ?? 0)
        return TokenUsage(calls: 1, unknownCalls: 1, estimatedTokens: (characters + 3) / 4)
    }

    private func completeWithRetries(_ request: ChatRequest) async throws -> ChatCompletion {
        let url = configuration.base + "/chat/completions"
        var field = configuration.tokenLimitField
        while true {
            let wire = try CanonicalJSON.data(body(for: request, tokenLimitField: field))
            do {
                let answer = try await withRetries(url: url) { try await send(url: url, method: .POST, body: wire) }
                return try ResponseDecoding.completion(answer, url: url)
            } catch let error as LLMError where error.status == 400 && field == .maxTokens
                && error.message.contains("max_completion_tokens") {
                // The server wants the newer field and says so; ask again once with it.
                field = .maxCompletionTokens
            }
        }
    }

    private func withRetries(url: String, _ attempt: () async throws -> Data) async throws -> Data {
        var attempts = 0
        while true {
            attempts += 1
            do {
                return try await attempt()
            } catch var error as LLMError {
                guard error.isRetryable, attempts <= configuration.maxRetries else {
                    error.attempts = attempts
                    throw error
                }
                try await sleep(delay(afterAttempt: attempts, retryAfter: error.retryAfter))
            }
        }
    }

    /// The wait before the next attempt: Retry-After when the server sent it, else the backoff
    /// doubled per attempt, scaled by a jitter in [0.5, 1); never more than `max_backoff`.
    func delay(afterAttempt attempt: Int, retryAfter: Double?) -> Double {
        if let retryAfter { return min(max(0, retryAfter), configuration.maxBackoff) }
        let exponential = configuration.backoff * pow(2, Double(attempt - 1))
        return min(configuration.maxBackoff, exponential) * (0.5 + 0.5 * jitter())
    }

    private func send(url: String, method: HTTPMethod, body: Data?) async throws -> Data {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        if !configuration.apiKeyEnv.isEmpty, let key = environment[configuration.apiKeyEnv], !key.isEmpty {
            request.headers.add(name: "Authorization", value: "Bearer \(key)")
        }
        let response: HTTPClientResponse
        let data: Data
        let http = self.http, timeout = configuration.timeout, prepared = request
        do {
            // The client's own deadline, and a timer of ours racing it: the deadline alone was seen
            // to let an answer through long after it, on a loaded machine.
            (response, data) = try await withThrowingTaskGroup(of: (HTTPClientResponse, Data)?.self) { group in
                group.addTask {
                    let response = try await http.execute(prepared, timeout: .nanoseconds(Int64(timeout * 1e9)))
                    return (response, Data(try await response.body.collect(upTo: 32 << 20).readableBytesView))
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(timeout))
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let answer = first else { throw HTTPClientError.deadlineExceeded }
                return answer
            }
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw LLMError(code: .timeout, url: url, message: "no answer within \(DurationFormat.seconds(configuration.timeout)) (llm.timeout)")
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw LLMError(code: .connection, url: url, message: "cannot reach the server: \(error)")
        }
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            let detail = ResponseDecoding.errorBody(data)
            let quota = status == 429 && [detail.code, detail.type].contains("insufficient_quota")
            throw LLMError(code: quota ? .quota : .http, url: url, status: status, serverCode: detail.code,
                           message: detail.message, retryAfter: Self.retryAfter(response.headers))
        }
        return data
    }

    /// Seconds to wait from `retry-after-ms`, or `Retry-After` as seconds or an HTTP date.
    static func retryAfter(_ headers: HTTPHeaders) -> Double? {
        if let ms = headers.first(name: "retry-after-ms").flatMap(Double.init) { return ms / 1000 }
        guard let value = headers.first(name: "Retry-After")?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Double(value) { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: value).map { max(0, $0.timeIntervalSinceNow) }
    }
}

/// Seconds as people write them.
enum DurationFormat {
    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value))s" : String(format: "%.3gs", value)
    }
}
