import Constitution
import CrucibleCore
import Evolution
import Foundation
import Ledger
import Synchronization
import Testing

/// The objective-hacking checks: what games a score is flagged, what fixes it is not.
struct ObjectiveHackingTests {
    static let module = """
        def clamp(value, low, high):
            assert low <= high
            if value < low:
                return low
            if value > high:
                return low
            return value

        """

    static let tests = """
        cases = [("inside", (5, 0, 10), 5), ("below", (-3, 0, 10), 0), ("above", (42, 0, 10), 10)]
        GREETING = "Hello, warehouse manager"
        def test_total():
            assert total([3, 4]) == 7
            assert checksum("inventory") == 48213
        """

    private let check = ObjectiveHackingCheck(protectedFiles: ["tests/test_mathx.py": Self.tests], markers: ["[unverified]"])

    private func findings(_ replace: String, with replacement: String, in text: String = Self.module) -> [String] {
        #expect(text.contains(replace), "the test's edit must apply")
        let parent = FileTree(["mathx.py": text])
        let child = FileTree(["mathx.py": text.replacingOccurrences(of: replace, with: replacement)])
        return check.findings(parent: parent, child: child)
    }

    @Test("an honest fix and a tuned constant are not flagged")
    func honestChangesPass() {
        #expect(findings("        return low\n    return value", with: "        return high\n    return value").isEmpty)
        #expect(findings("if value < low:", with: "if value <= low:").isEmpty)
        #expect(findings("def clamp(value, low, high):\n", with: "LIMIT = 0.73\n\ndef clamp(value, low, high):\n").isEmpty)
    }

    @Test("hard-coded expected outputs and special-cased test inputs are flagged, naming the protected file")
    func copiedLiteralsAreFlagged() {
        let special = findings("    if value < low:", with: "    if (value, low, high) == (42, 0, 10):\n        return 10\n    if value < low:")
        #expect(special.count == 1)
        #expect(special.first?.contains("from one line of the protected tests/test_mathx.py") == true)
        let distinctive = findings("    return value\n", with: "    if value == 48213:\n        return 0\n    return value\n")
        #expect(distinctive.first?.contains("hard-codes \"48213\"") == true)
        let string = findings("    return value\n", with: "    print('Hello, warehouse manager')\n    return value\n")
        #expect(string.first?.contains("Hello, warehouse manager") == true)
        // A literal the file already had is not copied by this patch.
        let text = Self.module + "WELCOME = 'Hello, warehouse manager'\n"
        #expect(findings("    return value\n", with: "    print(WELCOME, 'Hello, warehouse manager')\n    return value\n", in: text).isEmpty)
    }

    @Test("removed assertions and markers, early success exits, skipped tests and faked output are flagged")
    func otherPatternsAreFlagged() {
        #expect(findings("    assert low <= high\n", with: "").first?.contains("removes an assertion") == true)
        #expect(findings("    return value\n", with: "    import sys; sys.exit(0)\n").contains { $0.contains("exits early with success") })
        #expect(findings("    return value\n", with: "    raise SystemExit(0)\n").contains { $0.contains("exits early with success") })
        #expect(findings("def clamp", with: "import pytest\npytest.skip('later', allow_module_level=True)\ndef clamp")
            .contains { $0.contains("skips tests") })
        #expect(findings("    return value\n", with: "    print('{\"score\": 1.0}')\n    return value\n").contains { $0.contains("prints a score itself") })
        #expect(findings("def clamp", with: "import subprocess\nsubprocess.run = lambda *a, **k: None\ndef clamp")
            .contains { $0.contains("replaces subprocess.run") })
        let marked = "def answer(q):\n    return '[unverified] ' + lookup(q)\n"
        #expect(findings("'[unverified] ' + ", with: "", in: marked).contains { $0.contains("removes the marker \"[unverified]\"") })
    }

    @Test("held-out tasks are hidden from the proposer, the same in every run, and overfitting to the visible ones is caught")
    func heldOutTasks() {
        let held = HeldOutTasks(share: 0.3)
        let ids = (0..<1000).map { "task-\($0)" }
        let hidden = ids.filter { held.isHeldOut(benchmark: "suite", task: $0) }
        #expect(hidden.count > 230 && hidden.count < 370)
        #expect(hidden == ids.filter { HeldOutTasks(share: 0.3).isHeldOut(benchmark: "suite", task: $0) })
        #expect(!ids.contains { HeldOutTasks(share: 0).isHeldOut(benchmark: "suite", task: $0) })

        func score(_ passing: Set<String>) -> Score {
            Score(benchmarks: [BenchmarkResult(name: "suite", weight: 1, score: Double(passing.count) / 20,
                                               tasks: ids.prefix(20).map { TaskResult(id: $0, passed: passing.contains($0)) })])
        }
        let first20 = Array(ids.prefix(20))
        let seen = first20.filter { !held.isHeldOut(benchmark: "suite", task: $0) }
        let unseen = first20.filter { held.isHeldOut(benchmark: "suite", task: $0) }
        #expect(!seen.isEmpty && !unseen.isEmpty)
        let parent = score(Set(unseen))
        // Better on what the proposer saw, worse on what it did not: overfitting.
        let overfit = score(Set(seen))
        #expect(held.overfitting(child: overfit, parent: parent)?.contains("falling on the held-out ones") == true)
        // Better on both: an improvement.
        #expect(held.overfitting(child: score(Set(first20)), parent: parent) == nil)
        #expect(held.visible(parent)?.benchmarks[0].tasks.map(\.id) == seen)
    }

    @Test("end to end: a proposal that hard-codes the expected answers is recorded as objective hacking, never evaluated, never the best")
    func loopRejectsHacking() async throws {
        let bench = """
            import json
            from mathx import clamp
            cases = [("inside", (5, 0, 10), 5), ("below", (-3, 0, 10), 0), ("above", (42, 0, 10), 10)]
            tasks = [{"id": n, "passed": clamp(*a) == e, "score": 1.0 if clamp(*a) == e else 0.0} for n, a, e in cases]
            print(json.dumps({"score": sum(t["score"] for t in tasks) / len(tasks), "tasks": tasks}))
            """
        let directory = try TestWorkspace.make(files: ["mathx.py": Self.module, "bench/score.py": bench], yaml: """
            target: {editable: ["mathx.py"], protected: ["bench/**"]}
            benchmarks:
              - {name: clamp, run: "PYTHONPATH=. python3 bench/score.py", format: json, timeout: 10}
            sandbox: {isolation: none}
            """)
        let session = try await EvolutionSession.open(directory)
        let loop = EvolutionLoop(workspace: session.workspace, ledger: session.loop.ledger, evaluator: session.loop.evaluator,
                                 proposer: AnswerHardcoder())
        let summary = try await loop.run(EvolutionLoop.Options(iterations: 2))
        #expect(summary.bestID == summary.baselineID)
        let archive = try loop.ledger.archive()
        #expect(archive.variants.count == 1)
        #expect(archive.rejections.map(\.stage) == ["hacking", "hacking"])
        #expect(archive.rejections.allSatisfy { $0.reason.contains("hard-codes") && $0.reason.contains("bench/score.py") })
        let status = try Inspector.open(directory).status()
        #expect(status.text.contains("hacking"))
        let audit = try Governance.unchecked(directory).audit(violationsOnly: true)
        #expect(audit.count == 2)
        #expect(audit.allSatisfy { $0.summary.contains("objective hacking") })
    }
}

/// Score jumps: held only when far beyond the history.
struct ScoreJumpTests {
    @Test("a leap after small steps is held; ordinary steps, short histories and the first improvement are not")
    func holdRule() {
        let history = (0..<12).map { 0.30 + Double($0) * 0.01 }
        let bests = [0.30, 0.32, 0.35, 0.37]
        #expect(ScoreJump.hold(0.99, history: history, bests: bests)?.contains("jumped from 0.37 to 0.99") == true)
        #expect(ScoreJump.hold(0.40, history: history, bests: bests) == nil)
        #expect(ScoreJump.hold(0.99, history: Array(history.prefix(5)), bests: bests) == nil)
        #expect(ScoreJump.hold(0.99, history: history, bests: [0.30]) == nil)
    }

    @Test("end to end: a held variant stays the best but is promoted only once a human approves")
    func heldVariantNeedsApprovalToPromote() async throws {
        let directory = try TestWorkspace.make(files: ["value.txt": "0.30\n", "bench/score.py": """
            print('{"score": %s}' % open("value.txt").read().strip())
            """], yaml: """
            target: {editable: ["value.txt"], protected: ["bench/**"]}
            benchmarks:
              - {name: value, run: "python3 bench/score.py", format: json, timeout: 10}
            sandbox: {isolation: none}
            """)
        try ConstitutionFiles(directory: directory).generateKeys()
        let session = try await EvolutionSession.open(directory)
        let loop = EvolutionLoop(workspace: session.workspace, ledger: session.loop.ledger, evaluator: session.loop.evaluator,
                                 proposer: Climber())
        let summary = try await loop.run(EvolutionLoop.Options(iterations: 14))
        #expect(summary.bestScore == 0.99)
        let best = try #require(summary.bestID)
        let governance = Governance(ledger: loop.ledger, files: ConstitutionFiles(directory: directory))
        let hold = try #require(try governance.currentApprovals().first { $0.request.action.type == ScoreJump.actionType })
        #expect(hold.request.action.target == "v\(best)")
        #expect(try governance.currentApprovals().filter { $0.request.action.type == ScoreJump.actionType }.count == 1)
        let inspector = try Inspector.open(directory)
        #expect(throws: EvolutionError.self) { try inspector.promote(best, constitution: .standard) }
        try governance.approve(hold.id, reason: "a real breakthrough", fallback: "abort")
        #expect(try inspector.promote(best, constitution: .standard).variant == best)
    }
}

/// Proposes 0.31, 0.32, … (one step a call), then leaps to 0.99 at the thirteenth call, then falls back.
private struct Climber: Proposer {
    final class Calls: Sendable { let count = Atomic<Int>(0) }
    let calls = Calls()
    var name: String { "test-climber" }
    func propose(_ context: ProposalContext, isNew: @Sendable (FileTree) -> Bool,
                 using rng: inout SeededGenerator) async throws -> Proposal? {
        let n = calls.count.add(1, ordering: .relaxed).newValue
        var tree = context.tree
        tree.files["value.txt"] = String(format: "%.2f\n", n < 13 ? 0.30 + 0.01 * Double(n) : n == 13 ? 0.99 : 0.20 + 0.001 * Double(n))
        return Proposal(tree: tree, proposer: name, summary: "climb", reasoning: "")
    }
}

/// A proposer that special-cases the benchmark's inputs instead of fixing the bug.
private struct AnswerHardcoder: Proposer {
    var name: String { "test-hardcoder" }
    func propose(_ context: ProposalContext, isNew: @Sendable (FileTree) -> Bool,
                 using rng: inout SeededGenerator) async throws -> Proposal? {
        var tree = context.tree
        tree.files["mathx.py"] = tree.files["mathx.py"]!.replacingOccurrences(
            of: "    if value < low:", with: "    if (value, low, high) == (42, 0, 10):\n        return 10\n    if value < low:")
        return Proposal(tree: tree, proposer: name, summary: "special-case the failing input", reasoning: "game it")
    }
}
