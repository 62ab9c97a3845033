import CrucibleCore

/// Decides, for a rule marked `judge: model`, whether an action violates the rule's principle:
/// the source documents' Constitutional-AI critique ("does this action violate the principle?
/// YES or NO"), asked of the configured model.
public protocol Judge: Sendable {
    /// true when the action violates `principle`. Throws when no verdict could be had; the rule
    /// then stands (fails closed).
    func violates(principle: String, ruleID: String, action: Action, actionDigest: String) async throws -> Bool
}

extension Constitution {
    /// The rules whose matches are put to a judge.
    public var judgedRules: [Rule] { rules.filter(\.judged) }

    /// This constitution without its judged rules, for deciding once a judge has cleared them, compiled with it.
    /// It keeps the full constitution's digest: its decisions are the full one's.
    var withoutJudgedRules: Constitution { unjudged?.constitution ?? self }

    /// Decides `action`, putting every judged rule that matched to `judge`: a rule the judge says
    /// is not violated drops out of the decision; one it says is violated, or that it could not
    /// judge (unreachable, no clear answer), stands. Without a judge, every judged rule stands.
    public func decide(_ action: Action, judge: (any Judge)?) async -> Decision {
        let decision = decide(action)
        let judged = Set(judgedRules.map(\.id))
        let matched = decision.rules.filter { judged.contains($0) }
        guard !matched.isEmpty else { return decision }
        let digest: String
        do {
            guard judge != nil else { throw JudgeUnavailable() }
            digest = try action.digest()
        } catch {
            var standing = decision
            let why = error is JudgeUnavailable ? "without a model to judge them" : "(the action has no digest: \(error))"
            standing.reasons.append("judged rules stand \(why): \(matched.joined(separator: ", "))")
            return standing
        }
        let judge = judge!
        var standing: [Rule] = [], notes: [String] = []
        for id in matched {
            guard let rule = rule(id) else { continue }
            do {
                if try await judge.violates(principle: rule.principle ?? rule.sentence, ruleID: id, action: action, actionDigest: digest) {
                    standing.append(rule)
                    notes.append("\(id): the model judged that the action violates the principle")
                } else {
                    notes.append("\(id): the model judged that the action does not violate the principle")
                }
            } catch {
                standing.append(rule)
                notes.append("\(id): no verdict from the model (\(error)); the rule stands")
            }
        }
        if standing.count == matched.count {
            var result = decision
            result.reasons += notes
            return result
        }
        // Decide again without the judged rules, then add back those that stand.
        var result = withoutJudgedRules.decide(action)
        for rule in standing where rule.effect > result.decision || !result.rules.contains(rule.id) {
            if rule.effect > result.decision {
                result.decision = rule.effect
                if rule.effect == .requireApproval {
                    result.approvalMethod = rule.approvalMethod
                    result.timeout = rule.timeout
                }
            }
            result.rules.insert(rule.id, at: 0)
            result.sentences.insert(rule.sentence, at: 0)
        }
        result.reasons += notes
        return result
    }
}

private struct JudgeUnavailable: Error {}
