import CrucibleCore
import Evolution
import Foundation
import Ledger
import Testing

/// The whole loop on workspaces written like real projects, with their own test suites.
/// Each of these runs real benchmark processes and takes seconds.
@Suite(.serialized)
struct EndToEndTests {
    private func evolve(_ directory: String, iterations: Int) async throws -> (RunSummary, Ledger) {
        let session = try await EvolutionSession.open(directory)
        let summary = try await session.loop.run(EvolutionLoop.Options(iterations: iterations))
        return (summary, session.loop.ledger)
    }

    @Test("end to end: the search repairs a single-line bug checked by the program's own pytest suite")
    func repairsSingleBug() async throws {
        let directory = try TestWorkspace.fixture("py-single-bug", yaml: """
            target: {editable: ["inventory.py"], protected: ["tests/**", "pyproject.toml"]}
            benchmarks:
              - {name: tests, run: "python3 -m pytest -q -p no:cacheprovider --junitxml=report.xml", format: junit, timeout: 30}
            evolution: {seed: 1}
            sandbox: {isolation: bubblewrap, memory: 256M}
            """)
        let (summary, ledger) = try await evolve(directory, iterations: 60)
        #expect(summary.isolation == "bubblewrap")
        let runs = try ledger.events().filter { $0.kind == .sandboxRun }
        #expect(runs.count >= 60, "every benchmark run is a SandboxRun event")
        #expect(runs.allSatisfy { $0.payload["isolation"]?.stringValue == "bubblewrap" })
        #expect(summary.baselineScore == 0.75)
        #expect(summary.bestScore == 1.0, "best \(String(describing: summary.bestScore)) after \(summary.iterations) iterations")
        #expect(try ledger.verify().ok)
        let bestID = try #require(summary.bestID)
        let best = try #require(try ledger.archive().variant(bestID))
        #expect(best.patch?.paths == ["inventory.py"])
    }

    @Test("end to end: the timeout ends tests that loop forever, and the search goes on from the timed-out baseline")
    func repairsInfiniteLoop() async throws {
        let directory = try TestWorkspace.fixture("py-infinite-loop", yaml: """
            target: {editable: ["sortedlist.py"], protected: ["tests/**", "pyproject.toml"]}
            benchmarks:
              - {name: tests, run: "python3 -m pytest -q -p no:cacheprovider --junitxml=report.xml", format: junit, timeout: 3}
            evolution: {seed: 3, jobs: 2}
            sandbox: {isolation: none}
            """)
        let (summary, ledger) = try await evolve(directory, iterations: 60)
        let archive = try ledger.archive()
        let baselineID = try #require(summary.baselineID)
        let baseline = try #require(archive.variant(baselineID))
        #expect(baseline.status == .error)
        #expect(baseline.result?.benchmarks.first?.timedOut == true)
        #expect((summary.bestScore ?? 0) > 0, "nothing scored after \(summary.iterations) iterations")
        #expect(summary.iterations == 60)
    }

    @Test("end to end: the search tunes thresholds far from their best values against a labelled set")
    func tunesThresholds() async throws {
        let directory = try TestWorkspace.fixture("tuning", yaml: """
            target: {editable: ["policy.py"], protected: ["check.py", "data.csv"]}
            benchmarks:
              - {name: accuracy, run: python3 check.py, format: json, timeout: 10}
            evolution: {seed: 2, jobs: 2}
            sandbox: {isolation: none}
            """)
        let (summary, _) = try await evolve(directory, iterations: 160)
        #expect(summary.baselineScore == 0.65)
        #expect((summary.bestScore ?? 0) >= 0.8, "best \(String(describing: summary.bestScore))")
    }

    @Test("end to end: a patch to a protected file is rejected and recorded, never evaluated")
    func protectedPatchRejected() async throws {
        let directory = try TestWorkspace.fixture("tuning", yaml: """
            target: {editable: ["policy.py"], protected: ["check.py", "data.csv"]}
            benchmarks:
              - {name: accuracy, run: python3 check.py, format: json, timeout: 10}
            sandbox: {isolation: none}
            """)
        let session = try await EvolutionSession.open(directory)
        let loop = EvolutionLoop(workspace: session.workspace, ledger: session.loop.ledger,
                                 evaluator: session.loop.evaluator, proposer: ScorerRewriter())
        let summary = try await loop.run(EvolutionLoop.Options(iterations: 2))
        #expect(summary.rejected == 2)
        let rejections = try session.loop.ledger.archive().rejections
        #expect(rejections.map(\.stage) == ["protected", "protected"])
        #expect(rejections[0].reason.contains("check.py"))
        #expect(try String(contentsOfFile: directory + "/check.py", encoding: .utf8).contains("json") )
    }

    @Test("end to end: the same seed replays the same run")
    func deterministic() async throws {
        func run() async throws -> [String] {
            let directory = try TestWorkspace.fixture("tuning", yaml: """
                target: {editable: ["policy.py"], protected: ["check.py", "data.csv"]}
                benchmarks:
                  - {name: accuracy, run: python3 check.py, format: json, timeout: 10}
                evolution: {seed: 9}
                sandbox: {isolation: none}
                """)
            let (_, ledger) = try await evolve(directory, iterations: 8)
            return try ledger.archive().variants.map { "\($0.id) \($0.parent ?? -1) \($0.treeDigest) \($0.score ?? -1)" }
        }
        #expect(try await run() == run())
    }
}

/// A proposer that tries to game the score by rewriting the scorer.
private struct ScorerRewriter: Proposer {
    var name: String { "test-rewriter" }
    func propose(_ context: ProposalContext, isNew: @Sendable (FileTree) -> Bool,
                 using rng: inout SeededGenerator) async throws -> Proposal? {
        var tree = context.tree
        tree.files["check.py"] = "print('{\"score\": 1.0}')\n"
        return Proposal(tree: tree, proposer: name, summary: "rewrite the scorer", reasoning: "game it")
    }
}
