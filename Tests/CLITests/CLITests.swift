import Evolution
import Foundation
import Ledger
import Testing

/// The `crucible` binary as users run it: exit codes, stderr lines, and crash safety.
@Suite(.serialized)
struct CLITests {
    /// The built `crucible` executable, next to this test bundle.
    static let binary: String = {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.path != "/" {
            let candidate = url.deletingLastPathComponent().appendingPathComponent("crucible").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            url.deleteLastPathComponent()
        }
        return ".build/debug/crucible"
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// At most two `crucible` processes of these tests at once, as many as this 2-core machine has cores: more, and an
    /// `evolve` that a test times waits its turn for the processor.
    private static let slots = DispatchSemaphore(value: 2)

    /// Runs the binary and waits for it on a thread of its own: a test that blocked one of Swift's few pool threads for
    /// the seconds an `evolve` takes would hold up every other test's awaits (and their timeouts) meanwhile.
    @discardableResult
    static func crucible(_ arguments: [String]) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                slots.wait()
                defer { slots.signal() }
                continuation.resume(with: Swift.Result {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: binary)
                    process.arguments = arguments
                    let out = Pipe(), err = Pipe()
                    process.standardOutput = out
                    process.standardError = err
                    try process.run()
                    let stdout = out.fileHandleForReading.readDataToEndOfFile()
                    let stderr = err.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                                  stderr: String(decoding: stderr, as: UTF8.self))
                })
            }.start()
        }
    }

    static func copyExample(_ name: String) throws -> String {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../examples/\(name)").standardizedFileURL.path
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-cli-\(UUID().uuidString)").path
        try FileManager.default.copyItem(atPath: source, toPath: directory)
        try? FileManager.default.removeItem(atPath: directory + "/.crucible")
        return directory
    }

    @Test("malformed crucible.yaml exits 2 with one line naming the file, the line and the key")
    func badInputExitsTwo() async throws {
        let directory = try Self.copyExample("bugfix")
        let path = directory + "/crucible.yaml"
        let yaml = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "  seed: 5", with: "  sed: 5")
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try await Self.crucible(["evolve", directory])
        #expect(result.status == 2)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(result.stderr.contains("crucible.yaml:"))
        #expect(result.stderr.contains("evolution.sed: unknown key"))
        #expect(!FileManager.default.fileExists(atPath: directory + "/.crucible/crucible.db"), "bad input must write no ledger")
    }

    @Test("a missing workspace and bad usage exit 2")
    func usageExitsTwo() async throws {
        #expect(try await Self.crucible(["status", "/no/such/workspace"]).status == 2)
        #expect(try await Self.crucible(["evolve", "--jobs", "0"]).status == 2)
        #expect(try await Self.crucible(["frobnicate"]).status == 2)
    }

    @Test("init writes a template that loads once its globs match")
    func initTemplate() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-init-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/bench", withIntermediateDirectories: true)
        try "x = 1\n".write(toFile: directory + "/agent.py", atomically: true, encoding: .utf8)
        try "print('{\"score\": 1}')\n".write(toFile: directory + "/bench/accuracy.py", atomically: true, encoding: .utf8)
        #expect(try await Self.crucible(["init", directory]).status == 0)
        let workspace = try Workspace.load(directory)
        #expect(workspace.config.target.editable == ["agent.py"])
        #expect(workspace.config.sandbox.isolation == .bubblewrap)
        #expect(try await Self.crucible(["init", directory]).status == 1, "init must not overwrite")
    }

    @Test("end to end: kill -9 in the middle of evolve, then the same command resumes and loses nothing")
    func killNineResumes() async throws {
        let directory = try Self.copyExample("router")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["evolve", directory, "--iterations", "30", "--json"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let ledgerPath = directory + "/.crucible/crucible.db"
        // Wait until a few variants are recorded, then kill without warning.
        let deadline = Date().addingTimeInterval(60)
        var before: [VariantRecord] = []
        while Date() < deadline {
            try await Task.sleep(for: .milliseconds(200))
            if FileManager.default.fileExists(atPath: ledgerPath),
               let archive = try? Ledger(path: ledgerPath).archive(), archive.variants.count >= 4 {
                break
            }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let ledger = try Ledger(path: ledgerPath)
        before = try ledger.archive().variants
        #expect(before.count >= 4)
        #expect(try ledger.verify().ok)

        let rerun = try await Self.crucible(["evolve", directory, "--iterations", "30"])
        #expect(rerun.status == 0, "rerun failed: \(rerun.stderr)")
        #expect(rerun.stdout.contains("resuming run 1"))
        let after = try ledger.archive()
        for record in before {
            #expect(after.variant(record.id)?.treeDigest == record.treeDigest, "v\(record.id) was lost or changed")
        }
        #expect(after.iterations == 30)
        #expect(after.variants.allSatisfy { $0.status != .pending })
        #expect(try await Self.crucible(["ledger", "verify", directory]).status == 0)
        let status = try await Self.crucible(["status", directory, "--json"])
        let json = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        #expect(json?["iterations"] as? Int == 30)
        #expect(try await Self.crucible(["replay", directory, "--verify"]).status == 0)
    }
}
