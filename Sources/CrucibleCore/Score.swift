/// One task of a benchmark, as the benchmark reported it.
public struct TaskResult: Codable, Hashable, Sendable {
    public var id: String
    public var passed: Bool?
    public var score: Double?
    public var detail: String?

    /// Whether the task failed: said so, or scored below full marks without saying.
    public var failed: Bool { passed == false || (passed == nil && (score ?? 1) < 1) }

    public init(id: String, passed: Bool? = nil, score: Double? = nil, detail: String? = nil) {
        self.id = id
        self.passed = passed
        self.score = score
        self.detail = detail
    }
}

/// One benchmark's run on one variant.
public struct BenchmarkResult: Codable, Hashable, Sendable {
    public var name: String
    public var weight: Double
    /// The benchmark's score, or nil when it failed to produce one (see `error`).
    public var score: Double?
    public var tasks: [TaskResult]
    /// Why no score could be read: crashed, timed out, printed no score.
    public var error: String?
    /// The last lines of the benchmark's standard error (kept for errors and failing tasks).
    public var stderrTail: String?
    public var exitStatus: Int32?
    public var wallSeconds: Double
    public var timedOut: Bool

    public init(
        name: String, weight: Double, score: Double?, tasks: [TaskResult] = [], error: String? = nil,
        stderrTail: String? = nil, exitStatus: Int32? = nil, wallSeconds: Double = 0, timedOut: Bool = false
    ) {
        self.name = name
        self.weight = weight
        self.score = score
        self.tasks = tasks
        self.error = error
        self.stderrTail = stderrTail
        self.exitStatus = exitStatus
        self.wallSeconds = wallSeconds
        self.timedOut = timedOut
    }
}

/// A variant's evaluation: the weighted mean of its benchmarks' scores, or an evaluation error.
public struct Score: Codable, Hashable, Sendable {
    /// The weighted mean, or nil when any benchmark failed to score.
    public var value: Double?
    public var benchmarks: [BenchmarkResult]

    public init(benchmarks: [BenchmarkResult]) {
        self.benchmarks = benchmarks
        let weights = benchmarks.map(\.weight).reduce(0, +)
        if benchmarks.isEmpty || benchmarks.contains(where: { $0.score == nil }) || weights <= 0 {
            value = nil
        } else {
            value = benchmarks.reduce(0) { $0 + $1.weight * $1.score! } / weights
        }
    }

    /// The first benchmark error, when the evaluation failed.
    public var error: String? {
        benchmarks.first { $0.score == nil }.map { "\($0.name): \($0.error ?? "no score")" }
    }
}
