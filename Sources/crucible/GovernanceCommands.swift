import ArgumentParser
import Evolution
import Foundation

extension Crucible {
    struct Approvals: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "approvals", abstract: "List, approve or deny the actions the constitution wants a human to approve.",
            subcommands: [List.self, Approve.self, Deny.self], defaultSubcommand: List.self)

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List the approval requests (pending ones by default).")

            @OptionGroup var workspace: WorkspaceOption
            @Flag(help: "List answered and timed-out requests too.") var all = false
            @Flag(help: "Print JSON.") var json = false

            func run() throws {
                let (governance, constitution) = try Governance.open(workspace.dir)
                let items = try governance.approvals(fallback: constitution.escalation.fallbackOnTimeout)
                    .filter { all || $0.state == .pending }
                if json { return try printJSON(items) }
                if items.isEmpty { return print(all ? "no approval requests" : "no pending approval requests") }
                for item in items {
                    let request = item.request
                    let what = request.patch.map { "patch of \($0.paths.joined(separator: ", ")) to v\(request.parent ?? 0)" }
                        ?? "\(request.action.type) action"
                    print("a\(item.id)  \(item.state.rawValue)  \(what)  (asked \(item.time)\(item.state == .pending ? ", expires \(item.expires)" : ""))")
                    for reason in request.decision.reasons { print("    why: \(reason)") }
                    if let answer = item.answer, item.state != .pending { print("    answer: \(answer)") }
                }
            }
        }

        struct Approve: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "approve", abstract: "Approve a request, signing its action with the approver key; a queued patch is evaluated next.")

            @Argument(help: "The request (a12 or 12).") var id: String
            @OptionGroup var workspace: WorkspaceOption
            @Option(help: "Why, for the audit trail.") var reason: String?
            @Option(help: "The approver's private key (default: .crucible/keys/constitution.key).") var key: String?

            func run() throws {
                let (governance, constitution) = try Governance.open(workspace.dir)
                let grant = try governance.approve(try parseRequest(id), keyPath: key, reason: reason,
                                                   fallback: constitution.escalation.fallbackOnTimeout)
                print("approved a\(grant.request) (action \(grant.actionDigest.prefix(12))); a running or the next `crucible evolve` evaluates it")
            }
        }

        struct Deny: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "deny", abstract: "Deny a request.")

            @Argument(help: "The request (a12 or 12).") var id: String
            @OptionGroup var workspace: WorkspaceOption
            @Option(help: "Why, for the audit trail.") var reason: String?

            func run() throws {
                let (governance, constitution) = try Governance.open(workspace.dir)
                let denial = try governance.deny(try parseRequest(id), reason: reason, fallback: constitution.escalation.fallbackOnTimeout)
                print("denied a\(denial.request)")
            }
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stop", abstract: "Emergency stop: halt every evolution of the workspace and kill its sandboxes; nothing runs until `crucible resume`.")

        @OptionGroup var workspace: WorkspaceArgument
        @Option(help: "Why, for the audit trail.") var reason = "emergency stop"

        func run() throws {
            let seq = try Governance.unchecked(workspace.dir).stop(reason: reason)
            print("stopped (#\(seq)): running evolutions halt within a second; `crucible resume` (approver key) lifts it")
        }
    }

    struct Resume: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "resume", abstract: "Lift an emergency stop; needs the approver key.")

        @OptionGroup var workspace: WorkspaceArgument
        @Option(help: "The approver's private key (default: .crucible/keys/constitution.key).") var key: String?

        func run() throws {
            let resumed = try Governance.open(workspace.dir).governance.resume(keyPath: key)
            print("resumed after the stop #\(resumed.stop); `crucible evolve` continues the run where it stopped")
        }
    }

    struct Audit: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "audit", abstract: "The audit trail: every decision, approval, stop and resume, and every refused attempt.")

        @OptionGroup var workspace: WorkspaceArgument
        @Flag(help: "Only the attempts the rules refused.") var violations = false
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let entries = try Governance.unchecked(workspace.dir).audit(violationsOnly: violations)
            if json { return try printJSON(entries) }
            if entries.isEmpty { return print(violations ? "no violations recorded" : "nothing recorded yet") }
            for entry in entries {
                let rules = entry.rules.isEmpty ? "" : " [\(entry.rules.joined(separator: ", "))]"
                print("#\(entry.seq)  \(entry.time)  \(entry.violation ? "VIOLATION " : "")\(entry.outcome)\(rules)  \(entry.summary)")
            }
        }
    }
}

func parseRequest(_ text: String) throws -> Int64 {
    let digits = text.hasPrefix("a") ? text.dropFirst() : Substring(text)
    guard let id = Int64(digits), id > 0 else { throw ValidationError("'\(text)' is not an approval request id (a12 or 12)") }
    return id
}
