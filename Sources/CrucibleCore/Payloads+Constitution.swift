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
public struct ApprovalRequested: EventPayload, Hashable {
    public static let kind = EventKind.approvalRequested
    public var iteration: Int?
    public var action: Action
    public var actionDigest: String
    public var decision: Decision
    /// The patch, when the action is one the loop proposed.
    public var patch: Patch?

    public init(iteration: Int?, action: Action, actionDigest: String, decision: Decision, patch: Patch? = nil) {
        self.iteration = iteration
        self.action = action
        self.actionDigest = actionDigest
        self.decision = decision
        self.patch = patch
    }
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
