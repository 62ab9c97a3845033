import CrucibleCore

/// Decides when the loop traces a parent's tests for spectra, and turns them into suspiciousness.
///
/// A parent is traced once, when it is first chosen and some task of it failed, unless a nearer
/// ancestor's spectra still describe it: the same tasks pass and fail, and every file has as many
/// lines (so line numbers still mean the same lines). Neutral descendants, the most common
/// parents of a search, then cost no traced run. Tracing turns itself off for the rest of the run
/// after two traced runs in a row recorded no test: the benchmarks run no Python tests (a tuning
/// problem, a suite in another language), and more traced runs would only cost time.
struct SpectrumLocalizer {
    private(set) var enabled: Bool
    private var emptyTraces = 0
    private var known: [Int: Localized] = [:]

    private struct Localized {
        var outcomes: [String: Bool]
        var lineCounts: [String: Int]
        var suspiciousness: [String: [Int: Double]]
    }

    init(enabled: Bool) {
        self.enabled = enabled
    }

    /// The parent's suspicious lines and the runs it took to find them (none when an ancestor's
    /// spectra were reused), or nil when it is not localized by spectra.
    /// - Parameters:
    ///   - score: the parent's score as the proposer may see it.
    ///   - ancestors: the parent's ancestors, nearest first.
    ///   - shows: which traced tests count (``HeldOutTasks/showsTest(in:)``).
    mutating func trace(_ parent: Int, tree: FileTree, score: Score?, ancestors: [Int], evaluator: Evaluator,
                        shows: (_ benchmark: String, _ test: String) -> Bool) async throws
        -> (suspiciousness: [String: [Int: Double]], runs: [SandboxRun])? {
        guard enabled, let score, FaultLocalizer.hasFailures(score), tree.files.keys.contains(where: { $0.hasSuffix(".py") }) else {
            return nil
        }
        let outcomes = Self.outcomes(score)
        let lineCounts = tree.files.mapValues { $0.utf8.count { $0 == UInt8(ascii: "\n") } }
        let known = self.known
        if let ancestor = ancestors.lazy.compactMap({ known[$0] }).first,
           ancestor.outcomes == outcomes, ancestor.lineCounts == lineCounts {
            self.known[parent] = ancestor
            return (ancestor.suspiciousness, [])
        }
        let traced = try await evaluator.traceTests(tree, label: "v\(parent)", shows: shows)
        if traced.spectra.tests.isEmpty {
            emptyTraces += 1
            if emptyTraces >= 2 { enabled = false }
        } else {
            emptyTraces = 0
        }
        let suspiciousness = traced.spectra.ochiai()
        self.known[parent] = Localized(outcomes: outcomes, lineCounts: lineCounts, suspiciousness: suspiciousness)
        return (suspiciousness, traced.runs)
    }

    /// Each task's pass or fail, keyed by benchmark and task id.
    private static func outcomes(_ score: Score) -> [String: Bool] {
        var result: [String: Bool] = [:]
        for benchmark in score.benchmarks {
            result[benchmark.name] = benchmark.score != nil
            for task in benchmark.tasks { result[benchmark.name + "\u{0}" + task.id] = task.passed ?? ((task.score ?? 0) >= 1) }
        }
        return result
    }
}
