import CrucibleCore

/// A new best far beyond what the run's history makes plausible — a score that leaps after a
/// history of small steps is more often a gamed benchmark than a breakthrough — is held: it stays
/// the best in the archive, but `crucible promote` writes it into the target files only once a
/// human has approved it (an approval request of type `score_jump`).
///
/// Far beyond: with ten or more scored variants and at least one earlier improvement, a jump over
/// the previous best larger than three times the largest earlier step and than half the range of
/// the scores seen so far. The first improvement of an archive is never held.
public enum ScoreJump {
    /// The action type of the approval request that holds a variant.
    public static let actionType = "score_jump"

    /// Why `value` is held, or nil.
    /// - Parameters:
    ///   - history: every scored variant's score before this one.
    ///   - bests: the successive bests so far, in order (the baseline's score first).
    public static func hold(_ value: Double, history: [Double], bests: [Double]) -> String? {
        guard history.count >= 10, bests.count >= 2, let previous = bests.last,
              let low = history.min(), let high = history.max() else { return nil }
        let largestStep = zip(bests.dropFirst(), bests).map { $0 - $1 }.max() ?? 0
        let jump = value - previous
        guard jump > 3 * largestStep, jump > 0.5 * (high - low), jump > 0 else { return nil }
        func f(_ x: Double) -> String { String(format: "%.4g", x) }
        return "the score jumped from \(f(previous)) to \(f(value)), more than 3× the largest earlier step (\(f(largestStep))) over \(history.count) scored variants"
    }

    /// The approval request's action for holding variant `id`.
    public static func action(variant id: Int, reason: String) -> Action {
        Action(type: actionType, target: "v\(id)", description: reason)
    }
}
