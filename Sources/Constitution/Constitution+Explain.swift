extension Constitution {
    /// The rules in plain words, tier by tier, for `crucible constitution explain`.
    public func explanation() -> String {
        var lines: [String] = ["Constitution \(version) (sha256 \(digest.prefix(16))…)", ""]
        let headings: [(Rule.Tier, String)] = [
            (.immutable, "Never (denied, or held for a human where it says so):"),
            (.supervised, "Only with a human's approval:"),
            (.autonomous, "Freely, once the evidence is there:"),
        ]
        for (tier, heading) in headings {
            let tierRules = rules.filter { $0.tier == tier }
            guard !tierRules.isEmpty else { continue }
            lines.append(heading)
            for rule in tierRules {
                var line = "  \(rule.id): \(rule.sentence)"
                if rule.tier == .immutable, rule.effect == .requireApproval { line += " [needs approval]" }
                if rule.judged { line += " [judged by the model: \"\(rule.principle ?? rule.sentence)\"]" }
                lines.append(line)
                var details: [String] = []
                if !rule.requires.isEmpty {
                    details.append("requires " + rule.requires.map { $0.split(separator: "|").joined(separator: " or ") }.joined(separator: ", "))
                }
                if let method = rule.approvalMethod { details.append("approval by \(method)") }
                if let timeout = rule.timeout { details.append("waits \(timeout)s") }
                if let approvers = rule.requiredApprovers { details.append("\(approvers) approver(s)") }
                for note in rule.notes { details.append("\(note.key): \(note.value)") }
                if !details.isEmpty { lines.append("      " + details.joined(separator: "; ")) }
                for clause in rule.clauses { lines.append("      when " + describe(clause)) }
            }
            lines.append("")
        }
        lines.append("Anything no rule allows: \(escalation.defaultAction == "deny" ? "denied" : "needs a human's approval").")
        lines.append("A request nobody answers in time: \(escalation.fallbackOnTimeout).")
        lines.append("Audit trail: \(auditTrail.storage)\(auditTrail.retentionDays.map { ", kept \($0) days" } ?? "").")
        return lines.joined(separator: "\n") + "\n"
    }

    private func describe(_ clause: Clause) -> String {
        var parts: [String] = []
        func list(_ values: [String], _ limit: Int = 6) -> String {
            values.count <= limit ? values.joined(separator: ", ") : values.prefix(limit).joined(separator: ", ") + ", … (\(values.count) in all)"
        }
        if let actions = clause.actions { parts.append("a \(list(actions.sorted())) action") }
        if let commands = clause.commands { parts.append("it runs \(list(commands.map(\.text)))") }
        if let executes = clause.executesCode { parts.append(executes ? "it runs code" : "it runs no code") }
        if let texts = clause.commandText { parts.append("the command matches \(list(texts.map { "/\(patterns[$0].source)/" }, 2))") }
        if let paths = clause.paths { parts.append("it touches \(list(paths.map(\.pattern)))") }
        if let except = clause.exceptPaths { parts.append("except \(list(except.map(\.pattern)))") }
        if let targets = clause.targets { parts.append("its target is \(list(targets.map(\.pattern)))") }
        if let kinds = clause.kinds { parts.append("of kind \(list(kinds.sorted()))") }
        if let operations = clause.operations { parts.append("the operation is \(list(operations.map(\.pattern)))") }
        if let services = clause.services { parts.append("the service is \(list(services.map(\.pattern)))") }
        if let branches = clause.branches { parts.append("the branch is \(list(branches.map(\.pattern)))") }
        if let purposes = clause.purposes { parts.append("for \(list(purposes.sorted()))") }
        if let tools = clause.tools { parts.append("with \(list(tools.sorted()))") }
        if let sandboxed = clause.sandboxed { parts.append(sandboxed ? "inside the sandbox" : "outside the sandbox") }
        if let inside = clause.inWorkspace { parts.append(inside ? "inside the workspace" : "outside the workspace") }
        if let content = clause.content { parts.append("the content matches \(list(content.map { "/\(patterns[$0].source)/" }, 2))") }
        if let checks = clause.checks { parts.append("the built-in check finds \(list(checks.map(\.rawValue)))") }
        return parts.joined(separator: ", ")
    }
}
