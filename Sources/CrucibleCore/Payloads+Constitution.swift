/// The payloads of the constitution's events: the audit trail of what was decided and why.

/// The constitution decided an action.
public struct DecisionMade: EventPayload, Hashable {
    public static let kind = EventKind.decisionMade
    /// The iteration of the loop that asked, when it was the loop.
    public var iteration: Int?
    public var actionType: String
    /// The SHA-256 of the action's canonical JSON.
    public var actionDigest: String
    public var decision: Decision

    public init(iteration: Int?, actionType: String, actionDigest: String, decision: Decision) {
        self.iteration = iteration
        self.actionType = actionType
        self.actionDigest = actionDigest
        self.decision = decision
    }
}

/// An action waits for a human's approval; an approval applies to exactly this action's digest.
/// Its id (what `crucible approvals` names it by) is this event's sequence number.
public struct ApprovalRequested: EventPayload, Hashable {
    public static let kind = EventKind.approvalRequested
    public var iteration: Int?
    public var action: Action
    public var actionDigest: String
    public var decision: Decision
    /// The patch, when the action is one the loop proposed; it is evaluated once approved.
    public var patch: Patch?
    /// The variant the patch applies to.
    public var parent: Int?
    /// Seconds the request may wait; past them the escalation policy's `fallback_on_timeout` applies.
    public var timeout: Int

    public init(iteration: Int?, action: Action, actionDigest: String, decision: Decision, patch: Patch? = nil,
                parent: Int? = nil, timeout: Int) {
        self.iteration = iteration
        self.action = action
        self.actionDigest = actionDigest
        self.decision = decision
        self.patch = patch
        self.parent = parent
        self.timeout = timeout
    }
}

/// A human approved a request, signing its action's digest with the approver key.
public struct ApprovalGranted: EventPayload, Hashable {
    public static let kind = EventKind.approvalGranted
    /// The request's sequence number.
    public var request: Int64
    public var actionDigest: String
    /// The approver's public key (base64) and its Ed25519 signature of ``message(for:)``.
    public var approverKey: String
    public var signature: String
    public var reason: String?

    public init(request: Int64, actionDigest: String, approverKey: String, signature: String, reason: String?) {
        self.request = request
        self.actionDigest = actionDigest
        self.approverKey = approverKey
        self.signature = signature
        self.reason = reason
    }

    /// What the approver signs: the digest of the exact action approved.
    public static func message(for actionDigest: String) -> String { "crucible approve \(actionDigest)" }
}

/// A request was denied: by a human, or by the escalation policy when nobody answered in time.
public struct ApprovalDenied: EventPayload, Hashable {
    public static let kind = EventKind.approvalDenied
    public var request: Int64
    public var actionDigest: String
    public var reason: String
    /// Set when the request timed out: the `fallback_on_timeout` that applied (`abort` or `deny`).
    public var fallback: String?

    public init(request: Int64, actionDigest: String, reason: String, fallback: String? = nil) {
        self.request = request
        self.actionDigest = actionDigest
        self.reason = reason
        self.fallback = fallback
    }
}

/// `crucible stop`: every evolution of the workspace halts at its next safe point, and nothing
/// runs until a ``Resumed`` signed by the approver key.
public struct EmergencyStop: EventPayload, Hashable {
    public static let kind = EventKind.emergencyStop
    public var reason: String

    public init(reason: String) { self.reason = reason }
}

/// `crucible resume`: lifts the stop recorded at sequence number `stop`, signed by the approver key.
public struct Resumed: EventPayload, Hashable {
    public static let kind = EventKind.resumed
    public var stop: Int64
    public var approverKey: String
    public var signature: String

    public init(stop: Int64, approverKey: String, signature: String) {
        self.stop = stop
        self.approverKey = approverKey
        self.signature = signature
    }

    /// What the approver signs: the stop, named by its sequence number and the hash it chains to.
    public static func message(stop: Int64, prev: String) -> String { "crucible resume \(stop) \(prev)" }
}

extension Action {
    /// The action of evaluating `patch` in the sandbox: its kind, files and added text, inside the
    /// workspace when every file is one a patch may change (the caller has checked that).
    public init(evaluating patch: Patch, inWorkspace: Bool) {
        self.init(type: "patch", kind: patch.kind.rawValue, target: patch.target, paths: patch.paths,
                  content: patch.edits.map(\.new).joined(separator: "\n"), inWorkspace: inWorkspace, sandboxed: true,
                  description: patch.reasoning)
    }
}
