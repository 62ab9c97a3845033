import Constitution
import CrucibleCore
import Foundation
import LLM

/// The judge of rules marked `judge: model`: the workspace's model, asked the source documents'
/// critique question. Its verdicts are kept by action digest in `.crucible/judge-cache/`, so an
/// action is judged once; anything but a clear YES or NO is no verdict, and the rule stands.
public struct ModelJudge: Judge {
    public let client: LLMClient
    /// Where verdicts are kept: one file per rule, principle and action.
    public let cacheDirectory: String

    public init(client: LLMClient, cacheDirectory: String) {
        self.client = client
        self.cacheDirectory = cacheDirectory
    }

    /// The judge of `workspace`'s first model, or nil when it names none.
    public static func make(workspace: Workspace) -> ModelJudge? {
        guard let model = workspace.config.llm.resolvedModels.first, !model.client.model.isEmpty else { return nil }
        return ModelJudge(client: LLMClient(configuration: model.client), cacheDirectory: workspace.stateDirectory + "/judge-cache")
    }

    static let system = "You check an action an automated agent is about to take against one principle. Answer with one word: YES if the action violates the principle, NO if it does not."

    public func violates(principle: String, ruleID: String, action: Action, actionDigest: String) async throws -> Bool {
        let key = Digest.sha256(concatenating: ruleID, principle, actionDigest)
        let path = cacheDirectory + "/" + key
        if let cached = FileManager.default.contents(atPath: path).flatMap({ String(data: $0, encoding: .utf8) }),
           let verdict = Self.verdict(cached) {
            return verdict
        }
        let actionJSON = String(decoding: try CanonicalJSON.data(action), as: UTF8.self)
        let request = ChatRequest(messages: [
            ChatMessage(.system, Self.system),
            ChatMessage(.user, "Principle: \(principle)\n\nAction (JSON):\n\(actionJSON)\n\nDoes this action violate the principle? Answer YES or NO."),
        ], temperature: 0, maxTokens: 512)
        let answer = try await client.complete(request, useCache: false).completion
        guard answer.finishReason != "length", let verdict = Self.verdict(answer.content) else {
            throw JudgeError("the model's answer was neither YES nor NO: \(answer.content.prefix(80))")
        }
        try? FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true)
        try? Data((verdict ? "YES" : "NO").utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        return verdict
    }

    /// YES → true, NO → false, from the first word of the answer; anything else nil.
    static func verdict(_ text: String) -> Bool? {
        let word = text.trimmingCharacters(in: .whitespacesAndNewlines).prefix { $0.isLetter }.uppercased()
        switch word {
        case "YES": return true
        case "NO": return false
        default: return nil
        }
    }
}

/// No verdict could be had from the model.
public struct JudgeError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
