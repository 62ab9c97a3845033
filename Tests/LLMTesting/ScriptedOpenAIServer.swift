import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A real HTTP server on 127.0.0.1 that speaks the OpenAI chat protocol with scripted answers, for
/// tests of code that calls a model. It records every request it receives.
public final class ScriptedOpenAIServer: Sendable {
    /// A request as received.
    public struct Request: Sendable {
        public var method: String
        /// The path, without the query.
        public var path: String
        public var headers: [String: String]
        public var body: String

        /// The body as a JSON object, when it is one.
        public var json: [String: any Sendable]? {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: any Sendable]
        }

        /// The `content` of the request's messages, in order.
        public var messages: [String] {
            ((json?["messages"] as? [[String: any Sendable]]) ?? []).compactMap { $0["content"] as? String }
        }
    }

    /// An answer: status, headers, body, and how long to wait before sending it.
    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: String
        public var delay: Double

        public init(status: Int = 200, headers: [String: String] = [:], body: String, delay: Double = 0) {
            self.status = status
            self.headers = headers
            self.body = body
            self.delay = delay
        }

        /// A chat completion whose first choice says `content`.
        /// - Parameters:
        ///   - usage: prompt and completion tokens, or nil to leave `usage` out.
        ///   - extra: more fields of the message (`reasoning_content`, …).
        public static func completion(_ content: String, finishReason: String = "stop", usage: (prompt: Int, completion: Int)? = (100, 20),
                                      extra: [String: String] = [:], model: String = "scripted-model", delay: Double = 0) -> Response {
            var message: [String: Any] = ["role": "assistant", "content": content]
            for (key, value) in extra { message[key] = value }
            var object: [String: Any] = [
                "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": model,
                "choices": [["index": 0, "message": message, "finish_reason": finishReason]],
            ]
            if let usage {
                object["usage"] = ["prompt_tokens": usage.prompt, "completion_tokens": usage.completion,
                                   "total_tokens": usage.prompt + usage.completion]
            }
            return json(object, delay: delay)
        }

        /// An answer with status `status` and the JSON `object` as its body.
        public static func json(_ object: Any, status: Int = 200, headers: [String: String] = [:], delay: Double = 0) -> Response {
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            return Response(status: status, headers: headers, body: String(decoding: data, as: UTF8.self), delay: delay)
        }
    }

    /// Decides the answer to a request; the second argument counts requests from 1.
    public typealias Script = @Sendable (Request, Int) -> Response

    private struct State {
        var requests: [Request] = []
    }

    private let state = Mutex(State())
    private let channel: any Channel
    /// The port the server listens on.
    public let port: Int

    /// `http://127.0.0.1:PORT/v1`.
    public var endpoint: String { "http://127.0.0.1:\(port)/v1" }

    /// The requests received so far, in order.
    public var requests: [Request] { state.withLock { $0.requests } }

    /// The number of chat completion requests received so far.
    public var completionRequests: Int { requests.filter { $0.path.hasSuffix("/chat/completions") }.count }

    private init(channel: any Channel, port: Int) {
        self.channel = channel
        self.port = port
    }

    /// Starts a server on a free port of 127.0.0.1 that answers every request with `script`.
    public static func start(_ script: @escaping Script) async throws -> ScriptedOpenAIServer {
        let recorder = Recorder()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMapThrowing {
                    try channel.pipeline.syncOperations.addHandler(Handler(script: script, recorder: recorder))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let server = ScriptedOpenAIServer(channel: channel, port: channel.localAddress?.port ?? 0)
        recorder.server.withLock { $0 = server }
        return server
    }

    /// A server that answers the n-th request with `responses[n-1]`, and every later one with the last.
    public static func start(answering responses: [Response]) async throws -> ScriptedOpenAIServer {
        try await start { _, n in responses[min(n, responses.count) - 1] }
    }

    /// Stops listening.
    public func shutdown() async throws {
        try await channel.close()
    }

    fileprivate func record(_ request: Request) -> Int {
        state.withLock {
            $0.requests.append(request)
            return $0.requests.count
        }
    }

    /// Lets handlers reach the server, which exists only once the channel is bound.
    private final class Recorder: Sendable {
        let server = Mutex<ScriptedOpenAIServer?>(nil)
        func record(_ request: Request) -> Int {
            server.withLock { $0 }?.record(request) ?? 0
        }
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let script: Script
        let recorder: Recorder
        var head: HTTPRequestHead?
        var body = ""

        init(script: @escaping Script, recorder: Recorder) {
            self.script = script
            self.recorder = recorder
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body = ""
            case .body(let buffer):
                body += String(buffer: buffer)
            case .end:
                guard let head else { return }
                var headers: [String: String] = [:]
                for (name, value) in head.headers { headers[name.lowercased()] = value }
                let request = Request(method: head.method.rawValue, path: String(head.uri.split(separator: "?").first ?? ""),
                                      headers: headers, body: body)
                let count = recorder.record(request)
                let response = script(request, count)
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                if response.delay > 0 {
                    context.eventLoop.scheduleTask(in: .nanoseconds(Int64(response.delay * 1e9))) {
                        Self.write(response, to: bound.value)
                    }
                } else {
                    Self.write(response, to: context)
                }
            }
        }

        static func write(_ response: Response, to context: ChannelHandlerContext) {
            guard context.channel.isActive else { return }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Content-Length", value: String(response.body.utf8.count))
            headers.add(name: "Connection", value: "close")
            for (name, value) in response.headers { headers.add(name: name, value: value) }
            let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
            context.write(NIOAny(HTTPServerResponsePart.head(head)), promise: nil)
            context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: response.body)))), promise: nil)
            let channel = context.channel
            context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
