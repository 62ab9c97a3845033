import Constitution
import CrucibleCore
import Evolution
import Foundation
import LLM
import LLMTesting
import Testing

/// Rules marked `judge: model`, judged by a model behind a real HTTP server speaking the OpenAI protocol.
@Suite(.serialized)
struct JudgeTests {
    /// A constitution whose only deny rule is judged: deleting user data, as the model sees it.
    static let constitution = try! Constitution.parse("""
        version: "1.0"
        immutable_constraints:
          - id: no_user_data_loss
            rule: "Never destroy users' data"
            principle: "The action must not delete or overwrite data that belongs to users"
            judge: model
            match:
              - actions: [command]
                commands: [rm]
        autonomous_operations:
          housekeeping:
            rule: "Sandboxed commands run freely"
            match:
              - actions: [command]
                sandboxed: true
        """, file: "CONSTITUTION.yaml")

    private func judge(_ server: ScriptedOpenAIServer?) -> ModelJudge {
        let endpoint = server?.endpoint ?? "http://127.0.0.1:9/v1"
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-judge-\(UUID().uuidString)").path
        return ModelJudge(client: LLMClient(configuration: LLMConfiguration(endpoint: endpoint, model: "judge", timeout: 5, maxRetries: 0)),
                          cacheDirectory: cache)
    }

    private let removal = Action(type: "command", command: "rm -rf /srv/users/alice", sandboxed: true)

    @Test("YES keeps the rule: the action is denied; NO clears it: the rest of the constitution decides")
    func verdictsDecide() async throws {
        let yes = try await ScriptedOpenAIServer.start { _, _ in .completion("YES") }
        defer { Task { try? await yes.shutdown() } }
        let denied = await Self.constitution.decide(removal, judge: judge(yes))
        #expect(denied.decision == .deny)
        #expect(denied.rules.first == "no_user_data_loss")
        let prompt = try #require(yes.requests.first?.messages.last)
        #expect(prompt.contains("must not delete or overwrite data that belongs to users"))
        #expect(prompt.contains("rm -rf /srv/users/alice"))

        let no = try await ScriptedOpenAIServer.start { _, _ in .completion("NO, it only removes a cache.") }
        defer { Task { try? await no.shutdown() } }
        let allowed = await Self.constitution.decide(Action(type: "command", command: "rm -rf build/cache", sandboxed: true), judge: judge(no))
        #expect(allowed.decision == .allow)
        #expect(allowed.rules == ["housekeeping"])
        #expect(allowed.reasons.contains { $0.contains("does not violate") })
    }

    @Test("the verdict is cached by action digest: the same action is judged once")
    func verdictIsCached() async throws {
        let server = try await ScriptedOpenAIServer.start { _, _ in .completion("NO") }
        defer { Task { try? await server.shutdown() } }
        let judge = judge(server)
        for _ in 0..<3 { _ = await Self.constitution.decide(removal, judge: judge) }
        #expect(server.completionRequests == 1)
    }

    @Test("an unreachable model, an unclear answer or no model at all: the rule stands (fails closed)")
    func failsClosed() async throws {
        let unreachable = await Self.constitution.decide(removal, judge: judge(nil))
        #expect(unreachable.decision == .deny)
        #expect(unreachable.reasons.contains { $0.contains("no verdict from the model") })

        let unclear = try await ScriptedOpenAIServer.start { _, _ in .completion("It depends on the retention policy.") }
        defer { Task { try? await unclear.shutdown() } }
        #expect(await Self.constitution.decide(removal, judge: judge(unclear)).decision == .deny)

        let none = await Self.constitution.decide(removal, judge: nil)
        #expect(none.decision == .deny)
        #expect(Self.constitution.decide(removal).decision == .deny)
    }

    @Test("judge takes only the value model, and explain says the rule is judged")
    func configuration() throws {
        #expect(throws: ConfigError.self) {
            try Constitution.parse("""
                immutable_constraints:
                  - {id: x, rule: "No", judge: human, match: [{actions: [command]}]}
                """, file: "C.yaml")
        }
        #expect(Self.constitution.judgedRules.map(\.id) == ["no_user_data_loss"])
        #expect(Self.constitution.explanation().contains("judged by the model"))
    }
}
