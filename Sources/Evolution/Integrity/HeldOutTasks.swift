import CrucibleCore
import Foundation

/// The share of benchmark tasks (`evolution.held_out`) the proposer never sees: their ids, details
/// and output are removed from what it is shown. A variant that does better on the tasks the
/// proposer saw while doing worse on these has learned the visible tasks, not the job: objective
/// hacking, and it is not kept. Which tasks are held out depends only on the benchmark's name and
/// the task's id, so it is the same in every run.
public struct HeldOutTasks: Sendable {
    public let share: Double

    public init(share: Double) { self.share = share }

    /// Whether task `id` of `benchmark` is held out.
    public func isHeldOut(benchmark: String, task id: String) -> Bool {
        guard share > 0 else { return false }
        let digest = Digest.sha256(benchmark + "\u{0}" + id)
        let value = UInt64(digest.prefix(12), radix: 16) ?? 0
        return Double(value) / Double(1 << 48) < share
    }

    /// `score` as the proposer may see it: without the held-out tasks.
    public func visible(_ score: Score?) -> Score? {
        guard share > 0, var score else { return score }
        for index in score.benchmarks.indices {
            let name = score.benchmarks[index].name
            score.benchmarks[index].tasks.removeAll { isHeldOut(benchmark: name, task: $0.id) }
        }
        return score
    }

    /// Which traced tests (``TestSpectra``) of `score`'s benchmarks the proposer may see localized: with a share held out,
    /// only a test that names tasks of its benchmark, none of them held out. A traced test matches a task whose id is
    /// the test's name or ends with it (`tests.test_calc.CalcTests.test_add`, `tests/test_calc.py::CalcTests::test_add`,
    /// and with a parameter, `…test_add[2]`). A test that names no task may be a held-out one: it is left out too, so
    /// with a share held out, benchmarks whose task ids are not their tests' names are localized from tracebacks only.
    /// Without that, the lines held-out tests fail on would be pointed out to the proposer.
    public func showsTest(in score: Score?) -> @Sendable (_ benchmark: String, _ test: String) -> Bool {
        guard share > 0 else { return { _, _ in true } }
        var tasks: [String: [String]] = [:]
        for benchmark in score?.benchmarks ?? [] { tasks[benchmark.name, default: []] += benchmark.tasks.map(\.id) }
        return { [self, tasks] benchmark, test in
            let named = (tasks[benchmark] ?? []).filter { Self.id($0, names: test) }
            return !named.isEmpty && !named.contains { isHeldOut(benchmark: benchmark, task: $0) }
        }
    }

    /// Whether task `id` is the test a tracer names `test` (a qualified name, `CalcTests.test_add`).
    static func id(_ id: String, names test: String) -> Bool {
        var id = Substring(id)
        if id.hasSuffix("]"), let bracket = id.firstIndex(of: "[") { id = id[..<bracket] }
        if id == test || id.hasSuffix("." + test) { return true }
        let colons = test.split(separator: ".").joined(separator: "::")
        return id.hasSuffix("::" + colons)
    }

    /// Why `child` is objective hacking against `parent`, or nil: it scores better on the visible
    /// tasks and worse on the held-out ones.
    public func overfitting(child: Score, parent: Score?) -> String? {
        guard share > 0, let parent else { return nil }
        let (childSeen, childHidden) = means(child), (parentSeen, parentHidden) = means(parent)
        guard let cs = childSeen, let ps = parentSeen, let ch = childHidden, let ph = parentHidden,
              cs > ps + 1e-9, ch < ph - 1e-9 else { return nil }
        func f(_ x: Double) -> String { String(format: "%.3f", x) }
        return "improves the visible tasks (\(f(ps)) → \(f(cs))) while falling on the held-out ones (\(f(ph)) → \(f(ch)))"
    }

    /// The mean task score over the visible and over the held-out tasks (nil where there are none).
    private func means(_ score: Score) -> (Double?, Double?) {
        var seen: [Double] = [], hidden: [Double] = []
        for benchmark in score.benchmarks {
            for task in benchmark.tasks {
                let value = task.score ?? task.passed.map { $0 ? 1 : 0 } ?? 0
                if isHeldOut(benchmark: benchmark.name, task: task.id) { hidden.append(value) } else { seen.append(value) }
            }
        }
        func mean(_ xs: [Double]) -> Double? { xs.isEmpty ? nil : xs.reduce(0, +) / Double(xs.count) }
        return (mean(seen), mean(hidden))
    }
}
