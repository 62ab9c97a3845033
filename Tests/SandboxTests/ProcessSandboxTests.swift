import Foundation
import Sandbox
import Testing

struct ProcessSandboxTests {
    let sandbox = PlainProcessSandbox()
    let tmp = FileManager.default.temporaryDirectory.path

    @Test("captures stdout, stderr and the exit status")
    func captures() async throws {
        let outcome = try await sandbox.run(.shell("echo out; echo err >&2; exit 3", workdir: tmp))
        #expect(outcome.stdout == "out\n")
        #expect(outcome.stderr == "err\n")
        #expect(outcome.exitStatus == 3)
        #expect(outcome.killedBy == nil)
        #expect(outcome.isolation == "unisolated")
    }

    @Test("runs in the working directory with only the given environment")
    func environment() async throws {
        let outcome = try await sandbox.run(.shell("pwd; echo ${SECRET:-unset}", workdir: tmp, environment: ["PATH": "/usr/bin:/bin"]))
        #expect(outcome.stdout == "\(URL(fileURLWithPath: tmp).resolvingSymlinksInPath().path)\nunset\n")
    }

    @Test("the timeout kills the whole process tree, and no process it started remains")
    func timeoutKillsTree() async throws {
        let outcome = try await sandbox.run(.shell("sleep 300 & echo $!; sleep 300", workdir: tmp, timeout: 0.5))
        #expect(outcome.killedBy == .timeout)
        #expect(outcome.wallSeconds < 5)
        let child = try #require(Int32(outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        try await Task.sleep(for: .milliseconds(100))
        #expect(!Self.isRunning(child), "the background child \(child) survived")
    }

    /// Whether `pid` is a live process: a zombie waiting for its new parent to reap it is dead.
    static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(close, offsetBy: 2)]
        return state != "Z" && state != "X"
    }

    @Test("an orphan holding the output pipe open cannot keep the run alive")
    func orphanHoldingPipe() async throws {
        let outcome = try await sandbox.run(.shell("(sleep 300 &); echo done", workdir: tmp, timeout: 30))
        #expect(outcome.exitStatus == 0)
        #expect(outcome.stdout == "done\n")
        #expect(outcome.wallSeconds < 5)
    }

    @Test("output beyond the cap is discarded and marked truncated, keeping the tail")
    func outputCap() async throws {
        let outcome = try await sandbox.run(.shell("head -c 3000000 /dev/zero | tr '\\0' a; echo; echo last", workdir: tmp, outputLimit: 1000))
        #expect(outcome.stdoutTruncated)
        #expect(outcome.stdout.utf8.count == 1000)
        #expect(outcome.stdout.hasSuffix("\nlast\n"))
    }

    @Test("a missing command or working directory is an error, not an outcome")
    func startErrors() async throws {
        await #expect(throws: SandboxError.self) { try await sandbox.run(ProcessSpec(arguments: ["no-such-program-xyz"], workdir: tmp)) }
        await #expect(throws: SandboxError.self) { try await sandbox.run(.shell("true", workdir: "/no/such/dir")) }
    }

    @Test("inherited file descriptors are closed in the child")
    func closesDescriptors() async throws {
        let fd = open("/dev/null", O_RDONLY)
        defer { close(fd) }
        let outcome = try await sandbox.run(.shell("ls /proc/self/fd | sort -n | tr '\\n' ' '", workdir: tmp))
        #expect(outcome.stdout.trimmingCharacters(in: .whitespaces) == "0 1 2 3", "open descriptors: \(outcome.stdout)")
    }
}
