import CrucibleCore
import Foundation

extension Governance {
    /// One line of `crucible audit`: a decision, an approval's life, a stop or resume, or a
    /// refusal by the constitution, the protected paths or the objective-hacking checks.
    public struct AuditEntry: Sendable, Hashable, Codable {
        public var seq: Int64
        public var time: String
        public var kind: String
        /// allow, deny, require_approval, requested, granted, denied, stopped, resumed, rejected.
        public var outcome: String
        /// Whether it records an attempt the rules refused (or a forged approval or resume).
        public var violation: Bool
        /// The rules that decided, when a rule did.
        public var rules: [String]
        /// One line a human reads.
        public var summary: String
    }

    /// The refusals that are violations: the constitution's, the protected paths', objective hacking.
    public static let violationStages: Set<String> = ["constitution", "protected", "hacking"]

    /// The audit trail, oldest first; `violationsOnly` keeps the attempts the rules refused.
    public func audit(violationsOnly: Bool = false) throws -> [AuditEntry] {
        let kinds: [EventKind] = [.decisionMade, .approvalRequested, .approvalGranted, .approvalDenied, .emergencyStop, .resumed,
                                  .patchRejected]
        var entries: [AuditEntry] = []
        var stops: [Int64: Event] = [:]
        for event in try ledger.events(of: kinds) {
            if let entry = try auditEntry(event, stops: &stops), !violationsOnly || entry.violation { entries.append(entry) }
        }
        return entries
    }

    private func auditEntry(_ event: Event, stops: inout [Int64: Event]) throws -> AuditEntry? {
        func entry(_ outcome: String, violation: Bool = false, rules: [String] = [], _ summary: String) -> AuditEntry {
            AuditEntry(seq: event.seq, time: event.time, kind: event.kind.rawValue, outcome: outcome, violation: violation,
                       rules: rules, summary: summary)
        }
        switch event.kind {
        case .decisionMade:
            let made = try event.payload(as: DecisionMade.self)
            let decision = made.decision
            let at = made.iteration.map { " (iteration \($0))" } ?? ""
            let why = decision.reasons.first.map { ": \($0)" } ?? ""
            return entry(decision.decision.rawValue, violation: decision.decision == .deny, rules: decision.rules,
                         "\(made.actionType) \(made.actionDigest.prefix(12))\(at)\(why)")
        case .approvalRequested:
            let request = try event.payload(as: ApprovalRequested.self)
            let what = request.patch.map { "patch of \($0.paths.joined(separator: ", "))" } ?? "\(request.action.type) action"
            return entry("requested", rules: request.decision.rules,
                         "a\(event.seq): \(what) waits for approval (\(request.decision.reasons.first ?? "no rule allows it"))")
        case .approvalGranted:
            let grant = try event.payload(as: ApprovalGranted.self)
            let valid = verify(grant)
            return entry("granted", violation: !valid,
                         "a\(grant.request) approved\(grant.reason.map { ": \($0)" } ?? "")\(valid ? "" : " — signature does not verify against the trusted key; ignored")")
        case .approvalDenied:
            let denial = try event.payload(as: ApprovalDenied.self)
            return entry(denial.fallback == nil ? "denied" : "timed_out", "a\(denial.request): \(denial.reason)")
        case .emergencyStop:
            stops[event.seq] = event
            return entry("stopped", "emergency stop: \(try event.payload(as: EmergencyStop.self).reason)")
        case .resumed:
            let resumed = try event.payload(as: Resumed.self)
            let valid = stops[resumed.stop].map { isValid(resumed, of: $0) } ?? false
            return entry("resumed", violation: !valid,
                         "resumed after the stop at #\(resumed.stop)\(valid ? "" : " — signature does not verify against the trusted key; ignored")")
        default:
            let rejected = try event.payload(as: PatchRejected.self)
            guard Self.violationStages.contains(rejected.stage) else { return nil }
            let variant = rejected.variant.map { "v\($0) " } ?? ""
            return entry("rejected", violation: true, "\(variant)iteration \(rejected.iteration), \(rejected.stage): \(rejected.reason)")
        }
    }
}
