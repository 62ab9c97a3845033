import CrucibleCore
/// What the loop reports as it goes, for a progress line or a stream of JSON lines.
public enum EvolutionProgress: Sendable {
    case runStarted(RunStartedInfo)
    case baseline(id: Int, score: Double?, error: String?)
    case iteration(IterationResult)
    case finished(RunSummary)
}

public struct RunStartedInfo: Sendable, Codable, Hashable {
    public var run: Int
    public var fromIteration: Int
    public var untilIteration: Int
    public var resumed: Bool
    public var isolation: String
    public var jobs: Int
    public var seed: UInt64
}

/// One iteration's outcome.
public struct IterationResult: Sendable, Codable, Hashable {
    public var iteration: Int
    public var variant: Int?
    public var parent: Int?
    /// evaluated | error | rejected | awaiting_approval
    public var status: String
    public var score: Double?
    public var reason: String?
    public var summary: String?
    public var improved: Bool
    public var bestID: Int?
    public var bestScore: Double?
    /// Iterations finished in this invocation, and how many it will run in all.
    public var done: Int
    public var total: Int
    public var candidatesPerMinute: Double
}

/// The end of a run.
public struct RunSummary: Sendable, Codable, Hashable {
    public var run: Int
    public var baselineID: Int?
    public var baselineScore: Double?
    public var bestID: Int?
    public var bestScore: Double?
    public var iterations: Int
    public var evaluated: Int
    public var errors: Int
    public var rejected: Int
    public var seconds: Double
    public var candidatesPerMinute: Double
    public var isolation: String
    /// "completed", or why the run stopped early (a spent budget).
    public var reason: String
    /// What this run's model calls cost, per model.
    public var usage: [ModelUsage] = []
    /// Proposals the constitution sent to the approval queue (not counted as rejected).
    public var awaitingApproval: Int = 0
}
