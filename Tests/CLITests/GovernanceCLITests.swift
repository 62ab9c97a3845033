import Constitution
import CrucibleCore
import Foundation
import Ledger
import Testing

/// The approval queue, the emergency stop, promotion under the constitution and the audit trail,
/// as users run them.
@Suite(.serialized)
struct GovernanceCLITests {
    /// A workspace of one text file whose benchmark prints a fixed score after `delay` seconds,
    /// governed by `constitution` (signed with the workspace's own key).
    private func workspace(benchmarkDelay delay: Double = 0, constitution: String) async throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-gov-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let sleep = delay > 0 ? "sleep \(delay); " : ""
        try """
        target:
          editable: ["notes.txt"]
        benchmarks:
          - name: length
            run: "\(sleep)python3 -c 'import json; print(json.dumps({\\"score\\": len(open(\\"notes.txt\\").read()) / 100}))'"
            timeout: 60
        sandbox:
          isolation: none
        """.write(toFile: directory + "/crucible.yaml", atomically: true, encoding: .utf8)
        try "alpha beta gamma\ndelta epsilon zeta\neta theta iota\nkappa lambda mu\n"
            .write(toFile: directory + "/notes.txt", atomically: true, encoding: .utf8)
        try constitution.write(toFile: directory + "/CONSTITUTION.yaml", atomically: true, encoding: .utf8)
        #expect(try await CLITests.crucible(["keys", "generate", directory]).status == 0)
        #expect(try await CLITests.crucible(["constitution", "sign", directory]).status == 0)
        return directory
    }

    private static let reviewEveryPatch = """
        version: "1.0"
        supervised_operations:
          review_every_patch:
            rule: "Every patch needs a human"
            timeout: 3600
            match:
              - actions: [patch]
        """

    private func json(_ result: CLITests.Result) throws -> [[String: Any]] {
        try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
    }

    @Test("a patch that needs approval waits in the queue; approved, the next evolve evaluates it; denied, it never runs")
    func approvalQueue() async throws {
        let directory = try await workspace(constitution: Self.reviewEveryPatch)
        let first = try await CLITests.crucible(["evolve", directory, "--iterations", "3"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("3 awaiting approval"))
        let pending = try json(try await CLITests.crucible(["approvals", "list", "--dir", directory, "--json"]))
        #expect(pending.count == 3)
        #expect(try await CLITests.crucible(["status", directory]).stdout.contains("approvals  3 awaiting a human"))
        let ids = pending.compactMap { $0["id"] as? Int }
        #expect(ids.count == 3)
        // Nothing but the baseline was evaluated.
        #expect(try Ledger(path: directory + "/.crucible/crucible.db").archive().variants.count == 1)

        #expect(try await CLITests.crucible(["approvals", "approve", "a\(ids[0])", "--dir", directory, "--reason", "reviewed"]).status == 0)
        #expect(try await CLITests.crucible(["approvals", "deny", "\(ids[1])", "--dir", directory]).status == 0)
        // An answered request cannot be answered again.
        let again = try await CLITests.crucible(["approvals", "approve", "a\(ids[1])", "--dir", directory])
        #expect(again.status == 1)
        #expect(again.stderr.contains("already denied"))

        let second = try await CLITests.crucible(["evolve", directory, "--iterations", "1"])
        #expect(second.status == 0, "\(second.stderr)")
        let archive = try Ledger(path: directory + "/.crucible/crucible.db").archive()
        let evaluated = archive.variants.filter { $0.status == .evaluated && $0.id != archive.baseline }
        #expect(evaluated.count == 1)
        #expect(evaluated.first?.summary?.hasPrefix("approved a\(ids[0])") == true)
        // The denied patch never became a variant; the still pending one waits.
        let all = try json(try await CLITests.crucible(["approvals", "list", "--all", "--dir", directory, "--json"]))
        let states = Dictionary(uniqueKeysWithValues: all.compactMap { item in (item["id"] as? Int).map { ($0, item["state"] as? String ?? "") } })
        #expect(states[ids[0]] == "granted")
        #expect(states[ids[1]] == "denied")
        #expect(states[ids[2]] == "pending")
        // A rerun does not evaluate the approved patch twice.
        #expect(try await CLITests.crucible(["evolve", directory, "--iterations", "1"]).status == 0)
        let again2 = try Ledger(path: directory + "/.crucible/crucible.db").archive()
        #expect(again2.variants.filter { $0.summary?.hasPrefix("approved a\(ids[0])") == true }.count == 1)
        #expect(try await CLITests.crucible(["ledger", "verify", directory]).status == 0)
    }

    @Test("only the approver key approves: another key is refused and nothing is recorded")
    func approverKeyOnly() async throws {
        let directory = try await workspace(constitution: Self.reviewEveryPatch)
        #expect(try await CLITests.crucible(["evolve", directory, "--iterations", "1"]).status == 0)
        let id = try json(try await CLITests.crucible(["approvals", "list", "--dir", directory, "--json"])).first?["id"] as? Int ?? 0
        let stranger = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-stranger-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: stranger, withIntermediateDirectories: true)
        #expect(try await CLITests.crucible(["keys", "generate", stranger]).status == 0)
        let refused = try await CLITests.crucible(["approvals", "approve", "a\(id)", "--dir", directory, "--key",
                                             stranger + "/.crucible/keys/constitution.key"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("is not the approver key"))
        let list = try json(try await CLITests.crucible(["approvals", "list", "--dir", directory, "--json"]))
        #expect(list.first?["state"] as? String == "pending")
    }

    @Test("stop halts a running evolve within seconds and kills its sandboxes; only the approver key resumes; the run then goes on")
    func emergencyStop() async throws {
        let marker = "30.\(Int.random(in: 100...999))"
        let directory = try await workspace(benchmarkDelay: Double(marker)!, constitution: Constitution.defaultText)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLITests.binary)
        process.arguments = ["evolve", directory, "--iterations", "5"]
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        // Its stderr is drained as it comes, so that a chatty run never blocks on a full pipe.
        let stderrText = Self.drain(err)
        // The baseline's benchmark is sleeping; stop the run.
        let reached = try await waitFor(seconds: 90) { Self.running("sleep \(marker)") || !process.isRunning }
        guard reached, process.isRunning else {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            Issue.record("evolve never reached its benchmark (\(reached ? "exited \(process.terminationStatus)" : "timed out")): \(await stderrText.value)")
            return
        }
        let stop = try await CLITests.crucible(["stop", directory, "--reason", "test"])
        #expect(stop.status == 0, "\(stop.stderr)")
        let stopped = Date()
        process.waitUntilExit()
        #expect(Date().timeIntervalSince(stopped) < 5)
        #expect(process.terminationStatus == 1)
        let stderr = await stderrText.value
        #expect(stderr.contains("stopped by `crucible stop`"))
        #expect(!Self.running("sleep \(marker)"), "the benchmark outlived the stop")

        // Nothing runs until resume; a stranger's key cannot resume.
        #expect(try await CLITests.crucible(["status", directory]).stdout.contains("STOPPED    emergency stop at"))
        let refused = try await CLITests.crucible(["evolve", directory, "--iterations", "1"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("nothing runs until `crucible resume`"))
        let stranger = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-stranger-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: stranger, withIntermediateDirectories: true)
        #expect(try await CLITests.crucible(["keys", "generate", stranger]).status == 0)
        #expect(try await CLITests.crucible(["resume", directory, "--key", stranger + "/.crucible/keys/constitution.key"]).status == 2)
        #expect(try await CLITests.crucible(["evolve", directory, "--iterations", "1"]).status == 1)

        let resume = try await CLITests.crucible(["resume", directory])
        #expect(resume.status == 0, "\(resume.stderr)")
        let audit = try await CLITests.crucible(["audit", directory, "--json"])
        let outcomes = try json(audit).compactMap { $0["outcome"] as? String }
        #expect(outcomes.contains("stopped"))
        #expect(outcomes.contains("resumed"))
        #expect(try await CLITests.crucible(["resume", directory]).status == 1)  // nothing is stopped any more
    }

    @Test("promote goes through the constitution: allowed with the evaluation's evidence, or it waits for approval")
    func promotionIsDecided() async throws {
        // Promotion needs a human; evaluating candidates does not.
        let constitution = """
            version: "1.0"
            supervised_operations:
              review_promotions:
                rule: "Writing a variant into the target files needs a human"
                match:
                  - actions: [patch]
                    sandboxed: false
            autonomous_operations:
              candidate_evaluation:
                rule: "Candidates are evaluated in the sandbox"
                match:
                  - actions: [patch]
                    sandboxed: true
            """
        let directory = try await workspace(constitution: constitution)
        #expect(try await CLITests.crucible(["evolve", directory, "--iterations", "6"]).status == 0)
        let archive = try Ledger(path: directory + "/.crucible/crucible.db").archive()
        guard let variant = archive.variants.first(where: { $0.status == .evaluated && $0.id != archive.baseline }) else {
            Issue.record("no evaluated variant")
            return
        }
        let waiting = try await CLITests.crucible(["promote", "v\(variant.id)", "--dir", directory, "--yes"])
        #expect(waiting.status == 1)
        #expect(waiting.stderr.contains("needs approval"))
        let request = try json(try await CLITests.crucible(["approvals", "list", "--dir", directory, "--json"])).first?["id"] as? Int ?? 0
        #expect(try await CLITests.crucible(["approvals", "approve", "a\(request)", "--dir", directory]).status == 0)
        let promoted = try await CLITests.crucible(["promote", "v\(variant.id)", "--dir", directory, "--yes"])
        #expect(promoted.status == 0, "\(promoted.stderr)")
        #expect(try Ledger(path: directory + "/.crucible/crucible.db").archive().promoted == variant.id)
    }

    @Test("the default constitution never stops an ordinary run, and allows promoting what it evaluated")
    func defaultConstitutionStaysOutOfTheWay() async throws {
        let directory = try await workspace(constitution: Constitution.defaultText)
        let run = try await CLITests.crucible(["evolve", directory, "--iterations", "5"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!run.stdout.contains("awaiting approval"))
        let archive = try Ledger(path: directory + "/.crucible/crucible.db").archive()
        #expect(archive.rejections.allSatisfy { !["constitution", "approval"].contains($0.stage) })
        if let best = archive.best, best != archive.baseline {
            #expect(try await CLITests.crucible(["promote", "v\(best)", "--dir", directory, "--yes"]).status == 0)
        }
        let audit = try json(try await CLITests.crucible(["audit", directory, "--json"]))
        #expect(audit.contains { $0["kind"] as? String == "DecisionMade" && $0["outcome"] as? String == "allow" })
        let violations = try await CLITests.crucible(["audit", directory, "--violations"])
        #expect(violations.stdout.contains("no violations recorded"))
    }

    private static func running(_ command: String) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/pgrep")
        process.arguments = ["-f", command]
        process.standardOutput = FileHandle.nullDevice
        try? process.run()
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    /// Polls `condition` until it holds (true) or `seconds` pass (false).
    private func waitFor(seconds: Double, _ condition: () -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            guard Date() < deadline else { return false }
            try await Task.sleep(for: .milliseconds(100))
        }
        return true
    }

    /// Everything written to `pipe` until its last writer closes it, read on a thread of its own (not one of Swift's few
    /// pool threads).
    private static func drain(_ pipe: Pipe) -> Task<String, Never> {
        Task {
            await withCheckedContinuation { continuation in
                Thread {
                    continuation.resume(returning: String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
                }.start()
            }
        }
    }
}
