import Constitution
import CrucibleCore

// To wire in (as on the branch it comes from):
// - EvolutionLoop gets `public let constitution: Constitution`, an init parameter
//   `constitution: Constitution = .standard`, and `import Constitution`;
// - in `run`, right after the protected-path check of a proposal:
//       if let refusal = try decide(patch, iteration: iteration) {
//           rejectedCount += 1
//           report(iteration, variant: nil, parent: parent, status: "rejected", score: nil, reason: refusal,
//                  summary: proposal.summary, improved: false, model: model)
//           iteration += 1
//           continue
//       }
// - EvolutionSession.open loads it before anything runs (it throws when CONSTITUTION.yaml does
//   not verify): `let constitution = try ConstitutionFiles(directory: workspace.directory).load()`
//   and passes it to the loop;
// - Package.swift: CrucibleCore depends on Yams (YAMLReader moved there), a `Constitution` target
//   (CrucibleCore, Yams), Evolution and the executable depend on it, `ConstitutionTests`, and
//   CLITests on Constitution; Evolution's Workspace/Glob.swift and ConfigError.swift and the
//   YAMLReader in WorkspaceConfig+YAML.swift are removed (now in CrucibleCore), with
//   `import CrucibleCore` where they were used (WorkspaceConfig+YAML, EvolutionSession, the CLI's
//   Crucible.swift, WorkspaceConfigTests);
// - CrucibleCore/Event.swift gains the kinds decisionMade, approvalRequested, approvalGranted,
//   approvalDenied, emergencyStop and resumed (raw values "DecisionMade", "ApprovalRequested", ...);
// - Crucible.swift lists `KeysCommand.self, ConstitutionCommand.self`; Init.swift calls
//   `ConstitutionFiles(directory:).setUp()` after writing crucible.yaml and prints what it wrote.
extension EvolutionLoop {
    /// Puts `patch` to the constitution before anything runs and records the decision. Returns nil
    /// when it may be evaluated; otherwise the one-line reason it is not: denied (recorded as a
    /// rejection with the rule) or waiting for a human (an approval request; the loop goes on).
    func decide(_ patch: Patch, iteration: Int) throws -> String? {
        let action = Action(evaluating: patch, inWorkspace: patch.paths.allSatisfy(workspace.isEditable))
        let decision = constitution.decide(action)
        let digest = try action.digest()
        try ledger.append(DecisionMade(iteration: iteration, actionType: action.type, actionDigest: digest, decision: decision))
        guard decision.decision != .allow else { return nil }
        let reason = decision.reasons.first ?? "no rule allows it"
        if decision.decision == .deny {
            try ledger.append(PatchRejected(variant: nil, iteration: iteration, stage: "constitution", reason: reason, patch: patch))
            return "constitution: \(reason)"
        }
        try ledger.append(ApprovalRequested(iteration: iteration, action: action, actionDigest: digest, decision: decision, patch: patch))
        return "awaiting approval: \(reason)"
    }
}
