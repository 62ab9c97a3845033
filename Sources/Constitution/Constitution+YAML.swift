import CrucibleCore
import Foundation
import Yams

extension Constitution {
    static let ruleNotes: Set<String> = ["scope", "rollback", "validation", "auto_deploy", "unlimited", "auto_approve_threshold",
                                         "description"]
    static let matchKeys: Set<String> = ["actions", "commands", "command_text", "content", "checks", "paths", "except_paths",
                                         "targets", "kinds", "operations", "services", "branches", "purposes", "tools",
                                         "sandboxed", "in_workspace", "executes_code"]

    /// Reads a constitution from `text`, the contents of `file`, strictly: malformed YAML, unknown
    /// keys, invalid regular expressions or globs and empty matchers are errors naming the file,
    /// the line, the column and the key.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> Constitution {
        guard let root = try YAMLReader.compose(text, file: file) else {
            throw ConfigError(file: file, message: "the file is empty; `crucible init` writes the default constitution")
        }
        let reader = YAMLReader(file: file)
        let top = try reader.mapping(root, key: nil, allowed: [
            "version", "immutable_constraints", "supervised_operations", "autonomous_operations", "escalation_policy",
            "audit_trail", "signature",
        ])
        if let node = top["signature"] {
            throw reader.error(node, "signature", "the signature is detached: it lives in CONSTITUTION.yaml.sig, written by `crucible constitution sign`")
        }
        var builder = Builder(reader: reader)
        let version = try top["version"].map { node throws(ConfigError) in try reader.string(node, key: "version") } ?? "1"

        if let node = top["immutable_constraints"] {
            guard case .sequence(let sequence) = node else {
                throw reader.error(node, "immutable_constraints", "expected a list of constraints, each with an id, a rule and a match")
            }
            for (index, item) in sequence.enumerated() {
                let key = "immutable_constraints[\(index)]"
                guard case .mapping = item else {
                    throw reader.error(item, key, "expected a mapping with id, rule and match; a bare sentence cannot be checked by machine")
                }
                let map = try reader.mapping(item, key: key, allowed: Set(["id", "rule", "effect", "match", "judge", "principle"]).union(ruleNotes))
                guard let idNode = map["id"] else { throw reader.error(item, "\(key).id", "missing") }
                let id = try reader.string(idNode, key: "\(key).id")
                var effect = Decision.Verdict.deny
                if let node = map["effect"] {
                    let text = try reader.string(node, key: "\(key).effect")
                    guard let value = Decision.Verdict(rawValue: text), value != Decision.Verdict.allow else {
                        throw reader.error(node, "\(key).effect", "\"\(text)\" is not one of deny, require_approval")
                    }
                    effect = value
                }
                try builder.add(id: id, idNode: idNode, map: map, tier: .immutable, effect: effect, key: key, node: item)
            }
        }
        for tier in [Rule.Tier.supervised, .autonomous] {
            guard let node = top[tier.rawValue] else { continue }
            guard case .mapping(let mapping) = node else {
                throw reader.error(node, tier.rawValue, "expected a mapping of operation names to their rule and match")
            }
            var allowed = ["rule", "match"] + ruleNotes
            allowed += tier == .supervised ? ["approval_method", "timeout", "required_approvers", "judge", "principle"] : ["requires"]
            for (nameNode, item) in mapping {
                let id = nameNode.string ?? ""
                let key = "\(tier.rawValue).\(id)"
                let map = try reader.mapping(item, key: key, allowed: Set(allowed))
                try builder.add(id: id, idNode: nameNode, map: map, tier: tier, effect: tier == .supervised ? .requireApproval : .allow,
                                key: key, node: item)
            }
        }

        var escalation = EscalationPolicy()
        if let node = top["escalation_policy"] {
            let map = try reader.mapping(node, key: "escalation_policy", allowed: ["default_action", "fallback_on_timeout", "emergency_contact"])
            if let n = map["default_action"] {
                escalation.defaultAction = try reader.string(n, key: "escalation_policy.default_action")
                guard ["request_approval", "deny"].contains(escalation.defaultAction) else {
                    throw reader.error(n, "escalation_policy.default_action", "\"\(escalation.defaultAction)\" is not one of request_approval, deny")
                }
            }
            if let n = map["fallback_on_timeout"] {
                escalation.fallbackOnTimeout = try reader.string(n, key: "escalation_policy.fallback_on_timeout")
                guard ["abort", "deny"].contains(escalation.fallbackOnTimeout) else {
                    throw reader.error(n, "escalation_policy.fallback_on_timeout", "\"\(escalation.fallbackOnTimeout)\" is not one of abort, deny")
                }
            }
            if let n = map["emergency_contact"] { escalation.emergencyContact = try reader.string(n, key: "escalation_policy.emergency_contact") }
        }
        var audit = AuditTrail()
        if let node = top["audit_trail"] {
            let map = try reader.mapping(node, key: "audit_trail", allowed: ["enabled", "storage", "retention_days", "log_level", "alert_on"])
            if let n = map["enabled"] {
                audit.enabled = try reader.bool(n, key: "audit_trail.enabled")
                if !audit.enabled { throw reader.error(n, "audit_trail.enabled", "the audit trail cannot be turned off; every decision is a ledger event") }
            }
            if let n = map["storage"] { audit.storage = try reader.string(n, key: "audit_trail.storage") }
            if let n = map["retention_days"] { audit.retentionDays = try reader.int(n, key: "audit_trail.retention_days", min: 1) }
            if let n = map["log_level"] { audit.logLevel = try reader.string(n, key: "audit_trail.log_level") }
            if let n = map["alert_on"] { audit.alertOn = try reader.strings(n, key: "audit_trail.alert_on") }
        }
        if builder.rules.isEmpty {
            throw ConfigError(file: file, line: root.mark?.line, message: "no rules; with none, every action would wait for a human")
        }
        return Constitution(version: version, rules: builder.rules, escalation: escalation, auditTrail: audit,
                            digest: Digest.sha256(text), patterns: builder.patterns)
    }

    /// Collects rules and the regular expressions their matchers use.
    private struct Builder {
        let reader: YAMLReader
        var rules: [Rule] = []
        var patterns: [ContentPattern] = []
        var patternIndex: [String: Int] = [:]
        var ids: Set<String> = []

        mutating func add(id: String, idNode: Node, map: [String: Node], tier: Rule.Tier, effect: Decision.Verdict,
                          key: String, node: Node) throws(ConfigError) {
            guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." }) else {
                throw reader.error(idNode, key, "an id is letters, digits, `_`, `-` and `.`")
            }
            guard ids.insert(id).inserted else { throw reader.error(idNode, key, "the id \"\(id)\" is used twice") }
            guard let ruleNode = map["rule"] else { throw reader.error(node, "\(key).rule", "missing; the sentence a human reads") }
            guard let matchNode = map["match"] else {
                throw reader.error(node, "\(key).match", "missing; say which actions the rule is about (see docs/constitution.md)")
            }
            var rule = Rule(id: id, sentence: try reader.string(ruleNode, key: "\(key).rule"), tier: tier, effect: effect,
                            requires: [], notes: [], clauses: [])
            if let n = map["requires"] { rule.requires = try reader.strings(n, key: "\(key).requires") }
            if let n = map["judge"] {
                let judge = try reader.string(n, key: "\(key).judge")
                guard judge == "model" else { throw reader.error(n, "\(key).judge", "\"\(judge)\" is not model, the one judge there is") }
                rule.judged = true
            }
            if let n = map["principle"] { rule.principle = try reader.string(n, key: "\(key).principle") }
            if let n = map["approval_method"] { rule.approvalMethod = try reader.string(n, key: "\(key).approval_method") }
            if let n = map["timeout"] { rule.timeout = try reader.int(n, key: "\(key).timeout", min: 1) }
            if let n = map["required_approvers"] { rule.requiredApprovers = try reader.int(n, key: "\(key).required_approvers", min: 1) }
            for note in Constitution.ruleNotes.sorted() {
                guard let n = map[note] else { continue }
                let value: String
                switch n {
                case .scalar(let scalar): value = scalar.string
                default: value = try reader.strings(n, key: "\(key).\(note)").joined(separator: ", ")
                }
                rule.notes.append((note, value))
            }
            switch matchNode {
            case .sequence(let items):
                if items.isEmpty { throw reader.error(matchNode, "\(key).match", "is empty") }
                for (index, item) in items.enumerated() {
                    rule.clauses.append(try clause(item, key: "\(key).match[\(index)]"))
                }
            default:
                rule.clauses.append(try clause(matchNode, key: "\(key).match"))
            }
            rules.append(rule)
        }

        mutating func clause(_ node: Node, key: String) throws(ConfigError) -> Clause {
            let map = try reader.mapping(node, key: key, allowed: Constitution.matchKeys)
            if map.isEmpty { throw reader.error(node, key, "an empty match would match every action; name what it is about") }
            var clause = Clause()
            func strings(_ name: String) throws(ConfigError) -> [String]? {
                guard let n = map[name] else { return nil }
                let values = try reader.strings(n, key: "\(key).\(name)")
                if values.isEmpty { throw reader.error(n, "\(key).\(name)", "is empty; leave the key out instead") }
                return values
            }
            func globs(_ name: String, lowercased: Bool = false) throws(ConfigError) -> [Glob]? {
                guard let values = try strings(name) else { return nil }
                var result: [Glob] = []
                for value in values {
                    if let problem = Glob.syntaxProblem(in: value) {
                        throw reader.error(map[name]!, "\(key).\(name)", "glob \"\(value)\": \(problem)")
                    }
                    result.append(Glob(lowercased ? value.lowercased() : value))
                }
                return result
            }
            func regexes(_ name: String) throws(ConfigError) -> [Int]? {
                guard let values = try strings(name) else { return nil }
                var result: [Int] = []
                for value in values {
                    if let index = patternIndex[value] { result.append(index); continue }
                    do {
                        patterns.append(try ContentPattern(value))
                    } catch {
                        throw reader.error(map[name]!, "\(key).\(name)", "invalid regular expression \"\(value)\"")
                    }
                    patternIndex[value] = patterns.count - 1
                    result.append(patterns.count - 1)
                }
                return result
            }
            func bool(_ name: String) throws(ConfigError) -> Bool? {
                try map[name].map { n throws(ConfigError) in try reader.bool(n, key: "\(key).\(name)") }
            }
            clause.actions = try strings("actions").map(Set.init)
            if let commands = try strings("commands") {
                for command in commands {
                    let words = command.split(separator: " ")
                    if words.isEmpty { throw reader.error(map["commands"]!, "\(key).commands", "an empty command") }
                    for word in words {
                        if let problem = Glob.syntaxProblem(in: String(word)) {
                            throw reader.error(map["commands"]!, "\(key).commands", "\"\(command)\": \(problem)")
                        }
                    }
                }
                clause.commands = commands.map(CommandPattern.init)
            }
            clause.commandText = try regexes("command_text")
            clause.content = try regexes("content")
            if let names = try strings("checks") {
                var checks: [StaticCheck] = []
                for name in names {
                    guard let check = StaticCheck(rawValue: name) else {
                        throw reader.error(map["checks"]!, "\(key).checks", "\"\(name)\" is not one of \(StaticCheck.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    checks.append(check)
                }
                clause.checks = checks
            }
            clause.paths = try globs("paths")
            clause.exceptPaths = try globs("except_paths")
            clause.targets = try globs("targets")
            if let kinds = try strings("kinds") {
                for kind in kinds where PatchKind(rawValue: kind) == nil {
                    throw reader.error(map["kinds"]!, "\(key).kinds", "\"\(kind)\" is not one of \(PatchKind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                clause.kinds = Set(kinds)
            }
            clause.operations = try globs("operations", lowercased: true)
            clause.services = try globs("services")
            clause.branches = try globs("branches")
            clause.purposes = try strings("purposes").map(Set.init)
            clause.tools = try strings("tools").map(Set.init)
            clause.sandboxed = try bool("sandboxed")
            clause.inWorkspace = try bool("in_workspace")
            clause.executesCode = try bool("executes_code")
            if clause.exceptPaths != nil, clause.paths == nil, clause.targets == nil {
                throw reader.error(map["except_paths"]!, "\(key).except_paths", "needs `paths` or `targets` to take exceptions from")
            }
            return clause
        }
    }
}
