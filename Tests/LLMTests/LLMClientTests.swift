import CrucibleCore
import Foundation
import LLM
import LLMTesting
import Synchronization
import Testing

struct LLMClientTests {
    private typealias Response = ScriptedOpenAIServer.Response

    /// A client of `server` with fast retries; `sleeps` records each wait between attempts.
    private func client(_ server: ScriptedOpenAIServer, retries: Int = 3, timeout: Double = 5, cache: ResponseCache? = nil,
                        environment: [String: String] = [:], sleeps: Recorded<Double>? = nil) -> LLMClient {
        let configuration = LLMConfiguration(endpoint: server.endpoint, model: "m", apiKeyEnv: "TEST_LLM_KEY", temperature: 0,
                                             maxTokens: 256, timeout: timeout, maxConcurrency: 2, maxRetries: retries,
                                             backoff: 0.001, maxBackoff: 30)
        return LLMClient(configuration: configuration, cache: cache, environment: environment, sleep: { seconds in
            if let sleeps { sleeps.append(seconds) } else { try await Task.sleep(for: .seconds(seconds)) }
        }, jitter: { 0.5 })
    }

    private let ask = ChatRequest(messages: [.system("fix it"), .user("the bug")], seed: 7)

    private func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "crucible-llm-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func goodAnswerIsReturnedWithItsUsageAndTheRequestCarriesModelSeedAndKey() async throws {
        let server = try await ScriptedOpenAIServer.start(answering: [.completion("the fix", usage: (120, 30))])
        defer { Task { try? await server.shutdown() } }
        let result = try await client(server, environment: ["TEST_LLM_KEY": "sk-secret"]).complete(ask)
        #expect(result.completion.content == "the fix")
        #expect(result.completion.reasoning == nil)
        #expect(result.usage == TokenUsage(promptTokens: 120, completionTokens: 30, calls: 1))
        #expect(!result.cached)
        let request = try #require(server.requests.first)
        #expect(request.path == "/v1/chat/completions")
        #expect(request.headers["authorization"] == "Bearer sk-secret")
        #expect(request.json?["model"] as? String == "m")
        #expect(request.json?["seed"] as? Int == 7)
        #expect(request.json?["max_tokens"] as? Int == 256)
        #expect(request.messages == ["fix it", "the bug"])
    }

    @Test func thinkBlockIsKeptApartFromTheAnswer() async throws {
        let server = try await ScriptedOpenAIServer.start(answering: [.completion("<think>\nmaybe the loop\n</think>\n\nthe fix")])
        defer { Task { try? await server.shutdown() } }
        let completion = try await client(server).complete(ask).completion
        #expect(completion.content == "the fix")
        #expect(completion.reasoning == "maybe the loop")
    }

    @Test func thinkBlockWithoutItsOpeningTagIsKeptApart() async throws {
        let server = try await ScriptedOpenAIServer.start(answering: [.completion("maybe the loop\n</think>\nthe fix")])
        defer { Task { try? await server.shutdown() } }
        let completion = try await client(server).complete(ask).completion
        #expect(completion.content == "the fix")
        #expect(completion.reasoning == "maybe the loop")
    }

    @Test func reasoningFieldsAreKeptApartFromTheAnswer() async throws {
        let server = try await ScriptedOpenAIServer.start(answering: [
            .completion("the fix", extra: ["reasoning_content": "first thought"]),
            .completion("the other fix", extra: ["reasoning": "second thought"]),
        ])
        defer { Task { try? await server.shutdown() } }
        let llm = client(server)
        let first = try await llm.complete(ask).completion
        let second = try await llm.complete(ChatRequest(messages: [.user("again")])).completion
        #expect(first.content == "the fix" && first.reasoning == "first thought")
        #expect(second.content == "the other fix" && second.reasoning == "second thought")
    }

    @Test func rateLimitIsRetriedAfterRetryAfter() async throws {
        let server = try await ScriptedOpenAIServer.start(answering: [
            .json(["error": ["message": "slow down", "type": "requests", "code": "rate_limit_exceeded"]], status: 429,
                  headers: ["Retry-After": "7"]),
            .completion("the fix"),
        ])
        defer { Task { try? await server.shutdown() } }
        let sleeps = Recorded<Double>()
        let result = try await client(server, sleeps: sleeps).complete(ask)
        #expect(result.completion.content == "the fix")
        #expect(server.completionRequests == 2)
        #expect(sleeps.values == [7])
    }

    @Test func retryAfterInMillisecondsOrAsADateIsHonouredAndCappedByMaxBackoff() async throws {
        let date = Date(timeIntervalSinceNow: 3600)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        let server = try await ScriptedOpenAIServer.start(answering: [
            .json(["error": ["message": "busy"]], status: 429, headers: ["retry-after-ms": "250"]),
            .json(["error": ["message": "busy"]], status: 503, headers: ["Retry-After": formatter.string(from: date)]),
            .completion("the fix"),
        ])
        defer { Task { try? await server.shutdown() } }
        let sleeps = Recorded<Double>()
        _ = try await client(server, sleeps: sleeps).complete(ask)
        #expect(sleeps.values == [0.25, 30], "an hour's Retry-After is capped at max_backoff 30")
    }

    @Test func openingThinkTagWithoutItsEndIsAllReasoningAndNoAnswer() async throws {
        let server = try await ScriptedOpenAIServer.start(answering: [.completion("<think>\nstill weighing the loop", finishReason: "length")])
        defer { Task { try? await server.shutdown() } }
        let completion = try await client(server).complete(ask).completion
        #expect(completion.content.isEmpty)
        #expect(completion.reasoning == "still weighing the loop")
        #expect(completion.isTruncated)
    }

    @Test func serverErrorsAreRetriedWithGrowingBackoffUntilRetriesRunOut() async throws {
        let server = try await ScriptedOpenAIServer.start(answering: [.json(["error": ["message": "boom"]], status: 500)])
        defer { Task { try? await server.shutdown() } }
        let sleeps = Recorded<Double>()
        let error = await #expect(throws: LLMError.self) { try await client(server, retries: 3, sleeps: sleeps).complete(ask) }
        #expect(error?.status == 500)
        #expect(error?.attempts == 4)
        #expect(error?.message == "boom")
        #expect(server.completionRequests == 4)
        // backoff 0.001 doubled per attempt, times the jitter factor 0.75
        #expect(sleeps.values == [0.00075, 0.0015, 0.003])
    }

    @Test func modelLoadingIsRetriedForReal() async throws {
        let server = try await ScriptedOpenAIServer.start(answering: [
            .json(["error": ["code": 503, "message": "Loading model", "type": "unavailable_error"]], status: 503),
            .completion("the fix"),
        ])
        defer { Task { try? await server.shutdown() } }
        let result = try await client(server).complete(ask)
        #expect(result.completion.content == "the fix")
        #expect(server.completionRequests == 2)
    }

    @Test(arguments: [400, 401, 404])
    func clientErrorsAreNotRetried(status: Int) async throws {
        let server = try await ScriptedOpenAIServer.start(answering: [.json(["error": ["message": "no"]], status: status)])
        defer { Task { try? await server.shutdown() } }
        let error = await #expect(throws: LLMError.self) { try await client(server).complete(ask) }
        #expect(error?.status == status)
        #expect(server.completionRequests == 1)
    }

    @Test func quotaErrorIsNotRetried() async throws {
        let server = try await ScriptedOpenAIServer.start(answering: [
            .json(["error": ["message": "You exceeded your current quota", "type": "insufficient_quota", "code": "insufficient_quota"]], status: 429),
        ])
        defer { Task { try? await server.shutdown() } }
        let error = await #expect(throws: LLMError.self) { try await client(server).complete(ask) }
        #expect(error?.code == .quota)
        #expect(error?.serverCode == "insufficient_quota")
        #expect(server.completionRequests == 1)
    }

    @Test func errorBodiesOfEveryShapeGiveTheirMessageAndCode() async throws {
        let server = try await ScriptedOpenAIServer.start(answering: [
            .json(["error": ["message": "bad model", "code": "model_not_found"]], status: 404),
            .json(["error": ["message": "context too long", "code": 400]], status: 400),
            .json(["object": "error", "message": "vllm says no", "type": "BadRequestError", "code": 400], status: 400),
            .json(["detail": "Model not loaded"], status: 400),
            .json(["detail": [["loc": ["body", "messages"], "msg": "field required"]]], status: 422),
            .json(["error": "plain text error"], status: 400),
            Response(status: 400, body: "not json at all"),
        ])
        defer { Task { try? await server.shutdown() } }
        let llm = client(server)
        var seen: [String] = []
        for _ in 0..<7 {
            do {
                _ = try await llm.complete(ask, useCache: false)
            } catch let error as LLMError {
                seen.append("\(error.status ?? 0) \(error.serverCode ?? "-") \(error.message)")
            }
        }
        #expect(seen == [
            "404 model_not_found bad model", "400 400 context too long", "400 400 vllm says no", "400 - Model not loaded",
            "422 - field required", "400 - plain text error", "400 - not json at all",
        ])
    }

    @Test func answerCutOffByLengthIsMarkedTruncated() async throws {
        let server = try await ScriptedOpenAIServer.start(answering: [.completion("half of a fi", finishReason: "length")])
        defer { Task { try? await server.shutdown() } }
        let completion = try await client(server).complete(ask).completion
        #expect(completion.isTruncated)
    }

    @Test func slowAnswerPastTheTimeoutFailsAsTimeoutWithoutRetry() async throws {
        // The answer would come after 10 s; the client gives up at its 1 s timeout. A client that waited for the
        // answer would return it, so the timeout error itself shows it did not; how long the test took is not
        // asserted (on a loaded machine its own threads are late), nor whether the request reached the server
        // before the timeout, only that it was not sent again.
        let server = try await ScriptedOpenAIServer.start(answering: [.completion("late", delay: 10)])
        defer { Task { try? await server.shutdown() } }
        let error = await #expect(throws: LLMError.self) { try await client(server, timeout: 1).complete(ask) }
        #expect(error?.code == .timeout)
        #expect(server.completionRequests <= 1)
    }

    @Test func missingUsageCountsAsUnknownWithAnEstimateNotZero() async throws {
        let server = try await ScriptedOpenAIServer.start(answering: [.completion("the fix", usage: nil)])
        defer { Task { try? await server.shutdown() } }
        let result = try await client(server).complete(ask)
        #expect(!result.completion.hasUsage)
        #expect(result.usage.unknownCalls == 1)
        #expect(result.usage.reportedTokens == 0)
        #expect(result.usage.estimatedTokens > 0)
        #expect(result.usage.billableTokens == result.usage.estimatedTokens)
    }

    @Test func secondIdenticalRequestIsAnsweredFromTheCacheAndNoCacheAsksAgain() async throws {
        let server = try await ScriptedOpenAIServer.start { _, n in .completion("answer \(n)") }
        defer { Task { try? await server.shutdown() } }
        let cache = ResponseCache(directory: temporaryDirectory())
        let first = try await client(server, cache: cache).complete(ask)
        let second = try await client(server, cache: cache).complete(ask)
        #expect(server.completionRequests == 1)
        #expect(second.cached && second.completion == first.completion)
        #expect(second.usage == TokenUsage(cachedCalls: 1))
        let other = try await client(server, cache: cache).complete(ChatRequest(messages: ask.messages, seed: 8))
        #expect(other.completion.content == "answer 2")
        let bypassed = try await client(server, cache: cache).complete(ask, useCache: false)
        #expect(!bypassed.cached && bypassed.completion.content == "answer 3")
        #expect(server.completionRequests == 3)
    }

    @Test func serverThatWantsMaxCompletionTokensIsAskedAgainWithIt() async throws {
        let server = try await ScriptedOpenAIServer.start { request, _ in
            request.json?["max_tokens"] != nil
                ? .json(["error": ["message": "Unsupported parameter: 'max_tokens'. Use 'max_completion_tokens' instead.",
                                   "code": "unsupported_parameter"]], status: 400)
                : .completion("the fix")
        }
        defer { Task { try? await server.shutdown() } }
        let result = try await client(server).complete(ask)
        #expect(result.completion.content == "the fix")
        #expect(server.requests.last?.json?["max_completion_tokens"] as? Int == 256)
    }

    @Test func unreachableServerIsAConnectionErrorAfterRetries() async throws {
        let server = try await ScriptedOpenAIServer.start(answering: [.completion("x")])
        let llm = client(server, retries: 1)
        try await server.shutdown()
        let error = await #expect(throws: LLMError.self) { try await llm.complete(ask) }
        #expect(error?.code == .connection)
        #expect(error?.attempts == 2)
    }

    @Test func modelListIsRead() async throws {
        let server = try await ScriptedOpenAIServer.start(answering: [.json(["object": "list", "data": [["id": "a"], ["id": "b"]]])])
        defer { Task { try? await server.shutdown() } }
        #expect(try await client(server).models() == ["a", "b"])
        #expect(server.requests.first?.path == "/v1/models")
    }

    @Test func errorDescriptionNamesTheURLAndNeverTheKey() async throws {
        let server = try await ScriptedOpenAIServer.start(answering: [.json(["error": ["message": "invalid key"]], status: 401)])
        defer { Task { try? await server.shutdown() } }
        let error = await #expect(throws: LLMError.self) {
            try await client(server, environment: ["TEST_LLM_KEY": "sk-secret"]).complete(ask)
        }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.hasPrefix(server.endpoint + "/chat/completions: HTTP 401"))
        #expect(!text.contains("sk-secret"))
    }

    @Test func concurrencyLimitHoldsRequestsInFlight() async throws {
        let inFlight = Recorded<Int>()
        let counter = Recorded<Int>()
        let limiter = ConcurrencyLimiter(limit: 2)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    try await limiter.run {
                        inFlight.append(counter.add(1))
                        try await Task.sleep(for: .milliseconds(20))
                        _ = counter.add(-1)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(inFlight.values.max() == 2)
    }
}

/// Values appended from concurrent code, read after.
final class Recorded<T: Sendable>: Sendable {
    private let storage = Mutex<[T]>([])
    var values: [T] { storage.withLock { $0 } }
    func append(_ value: T) { storage.withLock { $0.append(value) } }
}

extension Recorded where T == Int {
    /// Adds `delta` to a running total kept as the single value, and returns the new total.
    func add(_ delta: Int) -> Int {
        storage.withLock {
            let total = ($0.first ?? 0) + delta
            $0 = [total]
            return total
        }
    }
}
