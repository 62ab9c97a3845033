import Foundation
@testable import Sandbox
import Testing

/// The bubblewrap backend, run for real. Each test makes its own working directory.
@Suite(.enabled(if: access("/usr/bin/bwrap", X_OK) == 0, "bubblewrap is not installed"))
struct BubblewrapSandboxTests {
    let sandbox: BubblewrapSandbox

    init() throws { sandbox = try BubblewrapSandbox() }

    private func workdir() throws -> String {
        let path = FileManager.default.temporaryDirectory.path + "/crucible-bwrap-test-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private func python(_ code: String, in dir: String, timeout: Double = 20, limits: SandboxLimits = SandboxLimits()) async throws -> ProcessOutcome {
        try await sandbox.run(ProcessSpec(arguments: ["python3", "-c", code], workdir: dir, timeout: timeout, limits: limits))
    }

    @Test("runs as uid 65534 in /work, with only the system, the toolchain and the working directory visible")
    func isolatedView() async throws {
        let dir = try workdir()
        defer { try? SafeTree.remove(dir) }
        let outcome = try await python("""
            import os, sys
            print(os.getuid(), os.getgid(), os.getcwd())
            print(sorted(os.listdir('/')))
            print(os.path.exists(os.path.expanduser('~') + '/..'), os.environ['HOME'])
            open('written', 'w').write('ok')
            """, in: dir)
        #expect(outcome.exitStatus == 0, "\(outcome.stderr)")
        let lines = outcome.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "65534 65534 /work")
        let top = lines.count > 1 ? lines[1] : ""
        for hidden in ["'sys'", "'run'", "'var'", "'opt'", "'srv'", "'mnt'", "'boot'"] {
            #expect(!top.contains(hidden), "\(hidden) is visible: \(top)")
        }
        #expect(outcome.isolation == "bubblewrap")
        var info = stat()
        #expect(lstat(dir + "/written", &info) == 0)
        #expect(info.st_uid == geteuid(), "the working directory was not given back to its owner")
    }

    @Test("the engine's environment never reaches the sandbox, not even bwrap's own /proc/1/environ")
    func environmentCleared() async throws {
        let dir = try workdir()
        defer { try? SafeTree.remove(dir) }
        setenv("CRUCIBLE_TEST_CANARY", "tweety", 1)
        defer { unsetenv("CRUCIBLE_TEST_CANARY") }
        let outcome = try await sandbox.run(.shell("cat /proc/1/environ /proc/self/environ | tr '\\0' '\\n'", workdir: dir))
        #expect(outcome.exitStatus == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("HOME=/home/sandbox"))
        #expect(!outcome.stdout.contains("tweety"))
    }

    @Test("the timeout kills the whole tree, detached children included, and nothing remains")
    func timeoutKillsEverything() async throws {
        let dir = try workdir()
        defer { try? SafeTree.remove(dir) }
        let marker = "\(Int.random(in: 100_000...999_999))"
        let outcome = try await sandbox.run(.shell("(setsid sleep 300.\(marker) &); nohup sleep 301.\(marker) >/dev/null 2>&1 & sleep 302.\(marker)",
                                                   workdir: dir, timeout: 0.5))
        #expect(outcome.killedBy == .timeout)
        #expect(outcome.wallSeconds < 5)
        #expect(Self.processes(containing: marker).isEmpty)
    }

    @Test("memory past the limit is killed and reported as memory", .enabled(if: (try? CgroupHost.discover().get()) != nil))
    func memoryLimit() async throws {
        let dir = try workdir()
        defer { try? SafeTree.remove(dir) }
        let outcome = try await python("b = bytearray(256 << 20)\nprint('allocated')", in: dir,
                                       limits: SandboxLimits(memoryBytes: 64 << 20))
        #expect(outcome.killedBy == .memory)
        #expect(!outcome.stdout.contains("allocated"))
        #expect(outcome.limitsInForce["memory"]?.hasPrefix("cgroup") == true)
    }

    @Test("a flood of output is cut at the output limit; writing past the disk limit is stopped")
    func outputAndDisk() async throws {
        let dir = try workdir()
        defer { try? SafeTree.remove(dir) }
        let flood = try await sandbox.run(.shell("yes", workdir: dir, timeout: 20, outputLimit: 4096,
                                                 limits: SandboxLimits(outputBytes: 1 << 20)))
        #expect(flood.killedBy == .output)
        #expect(flood.stdout.utf8.count == 4096 && flood.stdoutTruncated)
        let fill = try await python("""
            import time
            for i in range(64):
                open('f%d' % i, 'wb').write(b'x' * (4 << 20)); time.sleep(0.02)
            """, in: dir, limits: SandboxLimits(diskBytes: 16 << 20))
        #expect(fill.killedBy == .disk)
    }

    @Test("network none refuses Internet sockets; loopback gives a loopback of the sandbox's own")
    func network() async throws {
        let dir = try workdir()
        defer { try? SafeTree.remove(dir) }
        let code = """
            import socket
            try:
                s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(); print('bound')
            except OSError as e:
                print('refused', e.errno)
            """
        let none = try await python(code, in: dir)
        #expect(none.stdout.hasPrefix("refused"))
        let loopback = try await python(code, in: dir, limits: SandboxLimits(network: .loopback))
        #expect(loopback.stdout.hasPrefix("bound"), "\(loopback.stderr)")
    }

    @Test("toolchain: a shell line's programs are found on PATH, pyenv shims resolved to the real interpreter")
    func toolchainWords() {
        #expect(Toolchain.commandWords("FOO=1 python3 -m pytest -q && timeout 5 ./run.sh | tee log; env A=b node x.js")
                == ["python3", "./run.sh", "tee", "node"])
    }

    /// Live host pids whose command line contains `marker`.
    static func processes(containing marker: String) -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { name in
            guard let pid = Int32(name), let data = FileManager.default.contents(atPath: "/proc/\(name)/cmdline"),
                  String(decoding: data, as: UTF8.self).contains(marker) else { return nil }
            let stat = (try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8)) ?? ""
            return stat.contains(") Z ") ? nil : pid
        }
    }
}
