import Foundation
import Testing

/// `crucible sandbox run` and `selftest` as scripts use them: exit codes and the lines they print.
@Suite(.enabled(if: access("/usr/bin/bwrap", X_OK) == 0, "bubblewrap is not installed"))
struct SandboxCLITests {
    private func run(_ arguments: [String]) async throws -> CLITests.Result {
        try await CLITests.crucible(["sandbox", "run"] + arguments)
    }

    @Test("the exit status is the command's own; a limit gives 125 and a line naming it")
    func exitStatus() async throws {
        // A folder of its own: the sandbox hands its working directory to uid 65534 for the run,
        // and the shared temporary folder is not this test's to hand over.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-sandbox-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ok = try await run(["--workdir", dir, "--", "/bin/sh", "-c", "echo hello; exit 3"])
        #expect(ok.status == 3)
        #expect(ok.stdout == "hello\n")
        let killed = try await run(["--workdir", dir, "--timeout", "300ms", "--", "sleep", "30"])
        #expect(killed.status == 125)
        #expect(killed.stderr.contains("crucible: sandbox: killed by timeout"))
        let json = try await run(["--workdir", dir, "--json", "--", "/bin/true"])
        #expect(json.status == 0)
        let record = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(record?["isolation"] as? String == "bubblewrap")
        #expect((record?["limitsInForce"] as? [String: String])?["timeout"] == "engine")
    }

    @Test("bad limits, a missing command, a missing or shared working directory exit 2 with one clear line")
    func badInput() async throws {
        var cases: [([String], String)] = [
            (["--memory=-1", "--", "true"], "--memory -1"),
            (["--memory", "12Q", "--", "true"], "--memory 12Q"),
            (["--timeout", "soon", "--", "true"], "--timeout soon"),
            (["--pids", "0", "--", "true"], "--pids 0"),
            (["--network", "host", "--", "true"], "--network host"),
            (["--workdir", "/no/such/dir", "--", "true"], "/no/such/dir"),
            ([], "no command given"),
        ]
        // As root the sandbox hands its working directory over for the run: never a shared one.
        if geteuid() == 0 { cases.append((["--workdir", "/tmp", "--", "true"], "/tmp is shared")) }
        for (arguments, words) in cases {
            let result = try await run(arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(words), "\(arguments): \(result.stderr)")
            // `run` is parsed as a root of its own (see `Crucible.main`): its usage and hint still name it in full.
            #expect(result.stderr.contains("Usage: crucible sandbox run [--memory"), "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("See 'crucible sandbox run --help'"), "\(arguments): \(result.stderr)")
        }
        let help = try await run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("USAGE: crucible sandbox run [--memory"), "\(help.stdout)")
    }

    @Test("end to end: the self-test breaks no promise on this machine, and --json lists every row")
    func selftestEndToEnd() async throws {
        let result = try await CLITests.crucible(["sandbox", "selftest", "--json"])
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let rows = report?["rows"] as? [[String: Any]] ?? []
        let broken = rows.filter { $0["held"] as? Bool != true }.map { "\($0["id"] ?? "?"): \($0["detail"] ?? "")" }
        #expect(result.status == 0, "broken promises: \(broken), stderr: \(result.stderr)")
        #expect(broken.isEmpty, "\(broken)")
        let ids = Set(rows.compactMap { $0["id"] as? String })
        for id in ["network.tcp4.host_loopback", "fs.symlink.outside", "env.canary", "syscall.io_uring", "tty.tiocsti_pty",
                   "timeout.stopped-pid1", "memory.tmpfs", "pids.fork-bomb", "disk.fill", "output.flood", "host.no-leftovers"] {
            #expect(ids.contains(id), "the self-test has no row \(id)")
        }
    }
}
