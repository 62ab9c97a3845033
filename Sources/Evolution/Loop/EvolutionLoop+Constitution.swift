import Constitution
import CrucibleCore
import Foundation

extension EvolutionLoop {
    /// The workspace's approval queue and emergency stop.
    var governance: Governance {
        Governance(ledger: ledger, files: ConstitutionFiles(directory: workspace.directory))
    }

    /// Puts `patch`, a child of `parent`, to the constitution before anything runs and records the
    /// decision. Returns nil when it may be evaluated; otherwise the one-line reason it is not:
    /// denied (recorded as a rejection with the rule), or needing a human: then an approval request
    /// (`evolution.approvals: queue`, the loop goes on and evaluates it once granted) or a recorded
    /// skip (`skip`).
    func decide(_ patch: Patch, parent: Int, iteration: Int, usage: [ModelUsage]?) async throws -> String? {
        let action = action(evaluating: patch)
        let decision = await constitution.decide(action, judge: judge)
        let digest = try action.digest()
        try ledger.append(DecisionMade(iteration: iteration, actionType: action.type, actionDigest: digest, decision: decision))
        guard decision.decision != .allow else { return nil }
        let reason = decision.reasons.first ?? "no rule allows it"
        if decision.decision == .deny {
            try ledger.append(PatchRejected(variant: nil, iteration: iteration, stage: "constitution", reason: reason, patch: patch,
                                            usage: usage))
            return "constitution: \(reason)"
        }
        switch workspace.config.evolution.approvals {
        case .skip:
            try ledger.append(PatchRejected(variant: nil, iteration: iteration, stage: "approval",
                                            reason: "needs approval, skipped (evolution.approvals: skip): \(reason)", patch: patch,
                                            usage: usage))
            return "needs approval, skipped: \(reason)"
        case .queue:
            let event = try ledger.append(ApprovalRequested(iteration: iteration, action: action, actionDigest: digest, decision: decision,
                                                            patch: patch, parent: parent,
                                                            timeout: decision.timeout ?? Governance.defaultTimeout))
            return "\(Self.awaitingPrefix) a\(event.seq): \(reason)"
        }
    }

    /// The action of evaluating `patch` in this workspace's sandbox.
    func action(evaluating patch: Patch) -> Action {
        Action(evaluating: patch, inWorkspace: patch.paths.allSatisfy(workspace.isEditable))
    }

    /// How ``decide(_:parent:iteration:usage:)`` begins the reason of a proposal it queued.
    static let awaitingPrefix = "awaiting approval"

    /// Approved patches not yet evaluated, oldest first: granted (with a valid signature) and not
    /// named by any `PatchProposed.approval`.
    func approvedPatches(consumed: Set<Int64>) throws -> [Governance.Approval] {
        try governance.currentApprovals().filter {
            $0.state == .granted && $0.request.patch != nil && $0.request.parent != nil && !consumed.contains($0.id)
        }
    }

    /// The approval requests whose patches have already been proposed as variants.
    func consumedApprovals() throws -> Set<Int64> {
        var consumed: Set<Int64> = []
        for event in try ledger.events(of: [.patchProposed]) {
            if case .object(let fields) = event.payload, case .number(let seq)? = fields["approval"] { consumed.insert(Int64(seq)) }
        }
        return consumed
    }

    /// Refuses to start, or to go on, while an emergency stop is in force.
    func checkNotStopped() throws {
        let governance = self.governance
        if let stop = try governance.stopInForce() {
            throw EmergencyStopped(seq: stop.seq, time: stop.time, reason: stop.stop.reason)
        }
        if governance.stopRequested { try? FileManager.default.removeItem(atPath: governance.stopMarkerPath) }
    }

    /// Watches for `crucible stop` and, when it comes, kills every sandbox of this loop's evaluator.
    func watchForStop() -> Task<Void, Never> {
        let governance = self.governance, stop = evaluator.stop
        return Task.detached {
            while !Task.isCancelled {
                if governance.stopRequested {
                    stop.engage()
                    return
                }
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
    }
}

/// `crucible stop` halted the run; it resumes, where it stopped, after `crucible resume`.
public struct EmergencyStopped: Error, CustomStringConvertible {
    public var seq: Int64
    public var time: String
    public var reason: String
    public var description: String {
        "stopped by `crucible stop` at \(time) (\(reason)); nothing runs until `crucible resume`, which needs the approver key"
    }
}
