import CrucibleCore
import Foundation
import GRDB
import Ledger
import Testing

struct LedgerTests {
    private func temporaryLedger() throws -> (Ledger, String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/crucible.db"
        return (try Ledger(path: path), path)
    }

    private func fill(_ ledger: Ledger) throws {
        try ledger.append(RunStarted(run: 1, seed: 5, untilIteration: 3, jobs: 1, proposer: "search", selection: "dgm",
                                     configDigest: "c", isolation: "unisolated", resumed: false))
        try ledger.append(BaselineRecorded(variant: 0, treeDigest: "t0", files: ["a.py": "x = 1\n"]))
        try ledger.append(VariantEvaluated(variant: 0, score: Score(benchmarks: [BenchmarkResult(name: "b", weight: 1, score: 0.5)]),
                                           improved: true, isolation: "unisolated"))
        let patch = Patch(kind: .code, target: "a.py", baseDigest: "t0", edits: [Edit(path: "a.py", offset: 4, old: "1", new: "2")],
                          reasoning: "r", proposer: "search/numeric")
        try ledger.append(PatchProposed(variant: 1, parent: 0, iteration: 0, patch: patch, patchDigest: try patch.digest(),
                                        treeDigest: "t1", summary: "a.py:1: 1 → 2"))
        try ledger.append(VariantEvaluated(variant: 1, score: Score(benchmarks: [BenchmarkResult(name: "b", weight: 1, score: 0.9)]),
                                           improved: true, isolation: "unisolated"))
        try ledger.append(PatchRejected(variant: nil, iteration: 1, stage: "proposal", reason: "nothing new"))
    }

    @Test("events chain: each prev_hash is the hash before it, and verify passes")
    func chainVerifies() throws {
        let (ledger, _) = try temporaryLedger()
        try fill(ledger)
        let events = try ledger.events()
        #expect(events.map(\.seq) == [1, 2, 3, 4, 5, 6])
        #expect(events[0].prev == Event.genesis)
        let result = try ledger.verify()
        #expect(result.ok)
        #expect(result.verified == 6)
    }

    @Test("the archive projection follows the events")
    func projection() throws {
        let (ledger, _) = try temporaryLedger()
        try fill(ledger)
        let archive = try ledger.archive()
        #expect(archive.baseline == 0)
        #expect(archive.best == 1)
        #expect(archive.variant(1)?.score == 0.9)
        #expect(archive.variant(1)?.patch?.edits.first?.new == "2")
        #expect(archive.iterations == 2)
        #expect(archive.nextIteration == 2)
        #expect(archive.rejections.map(\.stage) == ["proposal"])
    }

    @Test("editing any byte of any event makes verify fail, naming that event", arguments: [1, 2, 3, 4, 5, 6])
    func tamperingIsNamed(seq: Int) throws {
        let (ledger, path) = try temporaryLedger()
        try fill(ledger)
        let database = try DatabaseQueue(path: path)
        for column in ["body", "prev_hash", "hash", "kind"] {
            let original = try database.read { try String.fetchOne($0, sql: "SELECT \(column) FROM events WHERE seq = ?", arguments: [seq])! }
            var bytes = Array(original.utf8)
            let index = bytes.count / 2
            bytes[index] = bytes[index] == UInt8(ascii: "1") ? UInt8(ascii: "2") : UInt8(ascii: "1")
            try database.write { try $0.execute(sql: "UPDATE events SET \(column) = ? WHERE seq = ?",
                                                arguments: [String(decoding: bytes, as: UTF8.self), seq]) }
            let result = try ledger.verify()
            #expect(result.failure?.seq == Int64(seq), "tampering with \(column) of event \(seq) was not named: \(String(describing: result.failure))")
            try database.write { try $0.execute(sql: "UPDATE events SET \(column) = ? WHERE seq = ?", arguments: [original, seq]) }
            #expect(try ledger.verify().ok)
        }
    }

    @Test("a deleted event breaks the chain at the event after it")
    func deletionIsNamed() throws {
        let (ledger, path) = try temporaryLedger()
        try fill(ledger)
        try DatabaseQueue(path: path).write { try $0.execute(sql: "DELETE FROM events WHERE seq = 3") }
        #expect(try ledger.verify().failure?.seq == 4)
    }

    @Test("replaying the events rebuilds exactly the same archive")
    func replay() throws {
        let (ledger, path) = try temporaryLedger()
        try fill(ledger)
        let before = try ledger.projectionDigest()
        try DatabaseQueue(path: path).write { try $0.execute(sql: "DELETE FROM variants; DELETE FROM state") }
        #expect(try ledger.projectionDigest() != before)
        try ledger.rebuildProjections()
        #expect(try ledger.projectionDigest() == before)
    }

    @Test("the ledger survives reopening and continues the chain")
    func reopen() throws {
        let (ledger, path) = try temporaryLedger()
        try fill(ledger)
        let reopened = try Ledger(path: path)
        try reopened.append(RunFinished(run: 1, iterations: 3, reason: "completed"))
        #expect(try reopened.verify().verified == 7)
        #expect(try reopened.archive().runs.first?.finishedReason == "completed")
    }
}
