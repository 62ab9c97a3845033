import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `crucible sandbox selftest`: tries, from inside the sandbox, to break each promise it makes,
/// and checks from outside what the inside cannot see (the host file it must not have changed,
/// the processes it must not have left behind).
public enum SandboxSelfTest {
    /// One promise and whether it held.
    public struct Row: Sendable, Codable, Hashable {
        public var id: String
        public var promise: String
        public var held: Bool
        public var detail: String
    }

    public struct Report: Sendable, Codable {
        public var isolation: String
        /// What holds the limits: "cgroup v1", "cgroup v2" or the rlimit fallback.
        public var limitsBy: String
        public var rows: [Row]
        public var passed: Bool { !rows.isEmpty && rows.allSatisfy(\.held) }
    }

    /// Runs every attack. `progress` sees each row as it is decided.
    public static func run(progress: (@Sendable (Row) -> Void)? = nil) async throws -> Report {
        let sandbox = try BubblewrapSandbox()
        try await sandbox.check()
        let scene = try Scene()
        defer { scene.tearDown() }
        var rows: [Row] = []
        func add(_ row: Row) {
            rows.append(row)
            progress?(row)
        }

        for network in SandboxNetwork.allCases {
            for row in try await probe(sandbox, scene: scene, network: network) where network == .none || row.id.hasPrefix("network.") {
                add(network == .none ? row : Row(id: row.id + "@loopback", promise: row.promise + " (network: loopback)", held: row.held, detail: row.detail))
            }
        }
        for attack in limitAttacks(scene: scene) {
            add(try await attack(sandbox))
        }
        add(scene.hostUnchanged())
        add(scene.nothingLeftBehind())
        return Report(isolation: sandbox.isolation, limitsBy: sandbox.cgroupStatus, rows: rows)
    }

    /// The probe program's rows: everything the inside can try by itself.
    private static func probe(_ sandbox: BubblewrapSandbox, scene: Scene, network: SandboxNetwork) async throws -> [Row] {
        let workdir = try scene.freshWorkdir()
        try SelfTestProbe.script.write(toFile: workdir + "/probe.py", atomically: true, encoding: .utf8)
        var spec = ProcessSpec(arguments: ["python3", "probe.py", scene.probeArgument(network: network)], workdir: workdir, timeout: 30)
        spec.limits.network = network
        let outcome = try await sandbox.run(spec)
        scene.record(outcome)
        var rows: [Row] = []
        for line in outcome.stdout.split(separator: "\n") {
            guard let row = try? JSONDecoder().decode(Row.self, from: Data(line.utf8)) else { continue }
            rows.append(row)
        }
        if rows.isEmpty || !outcome.succeeded {
            rows.append(Row(id: "probe.ran", promise: "the probe program ran to its end inside the sandbox", held: false,
                            detail: "exit \(outcome.exitStatus.map(String.init) ?? "-"), signal \(outcome.signal.map(String.init) ?? "-"), killed by \(outcome.killedBy?.rawValue ?? "-"): \(outcome.stderr.suffix(400))"))
        }
        return rows
    }

    typealias Attack = @Sendable (BubblewrapSandbox) async throws -> Row

    /// Attacks on the limits, each run in a sandbox of its own with small limits.
    private static func limitAttacks(scene: Scene) -> [Attack] {
        let marker = scene.marker
        func python(_ code: String) -> [String] { ["python3", "-c", code] }
        func attack(_ id: String, _ promise: String, _ arguments: [String], timeout: Double = 10,
                    limits: SandboxLimits = SandboxLimits(memoryBytes: 64 << 20, pids: 32, fileSizeBytes: 8 << 20, diskBytes: 16 << 20, outputBytes: 1 << 20),
                    during: (@Sendable () async -> Void)? = nil,
                    judge: @escaping @Sendable (ProcessOutcome) -> (Bool, String)) -> Attack {
            { sandbox in
                let workdir = try scene.freshWorkdir()
                let spec = ProcessSpec(arguments: arguments, workdir: workdir, timeout: timeout, outputLimit: 64 << 10, limits: limits)
                async let outcome = sandbox.run(spec)
                if let during { await during() }
                let result = try await outcome
                scene.record(result)
                let (held, detail) = judge(result)
                let leftovers = Scene.processes(matching: marker)
                if !leftovers.isEmpty {
                    return Row(id: id, promise: promise, held: false, detail: "processes left running: \(leftovers)")
                }
                return Row(id: id, promise: promise, held: held, detail: detail + String(format: " (%.2fs)", result.wallSeconds))
            }
        }
        func killed(_ reason: ProcessOutcome.Kill, within seconds: Double) -> @Sendable (ProcessOutcome) -> (Bool, String) {
            { outcome in
                (outcome.killedBy == reason && outcome.wallSeconds < seconds,
                 "killed by \(outcome.killedBy?.rawValue ?? "nothing"), exit \(outcome.exitStatus.map(String.init) ?? "-")")
            }
        }
        return [
            attack("timeout.busy-loop", "a busy loop is killed at the timeout", python("while True: pass  # \(marker)"),
                   timeout: 1, judge: killed(.timeout, within: 5)),
            attack("timeout.detached", "detached and double-forked children die with the run",
                   ["/bin/sh", "-c", "(setsid sleep 300.\(marker) &); (sleep 301.\(marker) &) ; nohup sleep 302.\(marker) >/dev/null 2>&1 & sleep 303.\(marker)"],
                   timeout: 1, judge: killed(.timeout, within: 5)),
            attack("timeout.stopped-self", "a command that stops itself is still killed at the timeout",
                   ["/bin/sh", "-c", "kill -STOP $$ # \(marker)"], timeout: 1, judge: killed(.timeout, within: 5)),
            attack("timeout.stopped-pid1", "a sandbox whose pid 1 is stopped from outside is still killed at the timeout",
                   ["/bin/sh", "-c", "sleep 304.\(marker)"], timeout: 1,
                   during: {
                       try? await Task.sleep(for: .milliseconds(300))
                       for pid in Scene.processes(matching: marker) { kill(pid, SIGSTOP) }
                   },
                   judge: killed(.timeout, within: 5)),
            attack("memory.heap", "allocating past the memory limit is stopped",
                   python("b = bytearray(256 << 20)\nfor i in range(0, len(b), 4096): b[i] = 1\nprint('allocated')  # \(marker)"),
                   judge: { o in (!o.stdout.contains("allocated") && o.killedBy == .memory, "killed by \(o.killedBy?.rawValue ?? "nothing"), peak \(o.peakMemoryBytes ?? 0) bytes") }),
            attack("memory.tmpfs", "filling the private tmpfs counts against the memory limit",
                   python("""
                   import os
                   n = 0
                   try:
                       with open('/tmp/fill', 'wb') as f:
                           for _ in range(256):
                               f.write(b'x' * (1 << 20)); f.flush(); n += 1
                   except OSError as e:
                       pass
                   print('wrote', n)  # \(marker)
                   """),
                   judge: { o in
                       let wrote = o.stdout.split(separator: " ").last.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
                       return ((wrote ?? 0) <= 64 || o.killedBy == .memory, "wrote \(wrote.map { "\($0) MiB" } ?? "?"), killed by \(o.killedBy?.rawValue ?? "nothing")")
                   }),
            attack("pids.fork-bomb", "forking without bound stops at the pids limit",
                   python("""
                   import os, time
                   n = 0
                   try:
                       for _ in range(2000):
                           if os.fork() == 0:
                               time.sleep(30); os._exit(0)
                           n += 1
                   except OSError:
                       pass
                   print('forked', n, flush=True)  # \(marker)
                   os._exit(0)
                   """), timeout: 3,
                   judge: { o in
                       let forked = o.stdout.split(separator: " ").last.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
                       return ((forked ?? 0) <= 32, "forked \(forked.map(String.init) ?? "?") of 2000 (limit 32)")
                   }),
            attack("disk.file-size", "no file grows past the file-size limit",
                   python("""
                   import os
                   try:
                       with open('big', 'wb') as f:
                           f.write(b'x' * (32 << 20))
                   except OSError as e:
                       print('refused', e.errno)
                   print('size', os.path.getsize('big'))  # \(marker)
                   """),
                   judge: { o in
                       let size = o.stdout.split(separator: "\n").last?.split(separator: " ").last.flatMap { Int($0) }
                       return ((size ?? Int.max) <= 8 << 20 || o.killedBy == .fileSize, "file reached \(size.map(String.init) ?? "?") bytes (limit \(8 << 20))")
                   }),
            attack("disk.fill", "filling the working directory is stopped at the disk limit",
                   python("""
                   import time
                   for i in range(64):
                       with open('f%d' % i, 'wb') as f:
                           f.write(b'x' * (4 << 20))
                       time.sleep(0.02)
                   print('filled')  # \(marker)
                   """),
                   judge: { o in (o.killedBy == .disk, "killed by \(o.killedBy?.rawValue ?? "nothing")") }),
            attack("output.flood", "flooding stdout is cut at the output limit and never buffered without bound",
                   ["/bin/sh", "-c", "yes \(marker)"],
                   judge: { o in (o.killedBy == .output && o.stdout.utf8.count <= 64 << 10 && o.stdoutTruncated,
                                  "killed by \(o.killedBy?.rawValue ?? "nothing"), kept \(o.stdout.utf8.count) bytes") }),
            attack("cpu.time", "CPU time past the limit is stopped",
                   python("while True: pass  # \(marker)"), timeout: 20,
                   limits: SandboxLimits(memoryBytes: 64 << 20, cpuSeconds: 1, pids: 32),
                   judge: killed(.cpu, within: 10)),
        ]
    }
}

/// The host side of the self-test: secrets, a sentinel file, listeners and a canary that the
/// inside must not reach, and the bookkeeping to check afterwards.
private final class Scene: @unchecked Sendable {
    let base: String
    let marker: String
    let secret: String
    let secretPaths: [String]
    let sentinel: String
    let canaryName = "CRUCIBLE_SELFTEST_CANARY"
    let canaryValue: String
    private var listeners: [Int32] = []
    private var ports: [String: Int] = [:]
    private let unixPath: String
    private let abstractName: String
    private var inheritedFD: Int32 = -1
    private let lock = NSLock()
    private var outputs: [String] = []
    private var workdirs = 0

    init() throws {
        let token = String(UInt64.random(in: 1...UInt64.max), radix: 36)
        marker = "\(Int.random(in: 100_000...999_999))"
        base = temporaryDirectoryPath() + "/crucible-selftest-\(token)"
        secret = "secret-\(token)"
        canaryValue = "canary-\(token)"
        sentinel = base + "/outside-sentinel"
        unixPath = base + "/host.sock"
        abstractName = "crucible-selftest-\(token)"
        try FileManager.default.createDirectory(atPath: base + "/other-sandbox", withIntermediateDirectories: true)
        var paths = [base + "/other-sandbox/secret"]
        let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
        if FileManager.default.isWritableFile(atPath: home) { paths.append(home + "/.crucible-selftest-\(token)") }
        secretPaths = paths
        for path in secretPaths + [sentinel] {
            try (path == sentinel ? "sentinel" : secret).write(toFile: path, atomically: true, encoding: .utf8)
        }
        setenv(canaryName, canaryValue, 1)
        // A descriptor the engine holds open without close-on-exec: the sandbox must not get it.
        inheritedFD = open(secretPaths[0], O_RDONLY)
        ports["tcp4_port"] = listen(family: AF_INET, type: Int32(SOCK_STREAM.rawValue), address: "127.0.0.1")
        ports["tcp6_port"] = listen(family: AF_INET6, type: Int32(SOCK_STREAM.rawValue), address: "::1")
        ports["udp4_port"] = listen(family: AF_INET, type: Int32(SOCK_DGRAM.rawValue), address: "127.0.0.1")
        listenUnix(path: unixPath)
        listenUnix(path: "\0" + abstractName)
    }

    func tearDown() {
        listeners.forEach { close($0) }
        if inheritedFD >= 0 { close(inheritedFD) }
        unsetenv(canaryName)
        for path in secretPaths { unlink(path) }
        try? SafeTree.remove(base)
    }

    func freshWorkdir() throws -> String {
        lock.lock()
        workdirs += 1
        let path = base + "/work\(workdirs)"
        lock.unlock()
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func record(_ outcome: ProcessOutcome) {
        lock.lock()
        outputs.append(outcome.stdout + outcome.stderr)
        lock.unlock()
    }

    func probeArgument(network: SandboxNetwork) -> String {
        var object: [String: Any] = [
            "engine_pid": Int(getpid()), "canary_name": canaryName, "canary_value": canaryValue,
            "secret_paths": secretPaths, "outside_path": sentinel, "unix_socket_path": unixPath,
            "abstract_socket": abstractName, "host_hostname": ProcessInfo.processInfo.hostName,
            "host_paths": [base, FileManager.default.currentDirectoryPath, NSHomeDirectory()], "network": network.rawValue,
        ]
        for (key, port) in ports { object[key] = port }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// The sentinel is unchanged and no secret appeared in any output.
    func hostUnchanged() -> SandboxSelfTest.Row {
        let sentinelText = (try? String(contentsOfFile: sentinel, encoding: .utf8)) ?? "(missing)"
        lock.lock()
        let leaked = outputs.contains { $0.contains(secret) }
        lock.unlock()
        let held = sentinelText == "sentinel" && !leaked
        return .init(id: "host.unchanged", promise: "the host file outside the sandbox is unchanged and no secret reached any output",
                     held: held, detail: held ? "sentinel intact, secret never printed" : "sentinel: \(sentinelText.prefix(40)); secret leaked: \(leaked)")
    }

    /// No process of any run remains, and no cgroup of this engine is left.
    func nothingLeftBehind() -> SandboxSelfTest.Row {
        let left = Self.processes(matching: marker)
        return .init(id: "host.no-leftovers", promise: "no process any run started remains on the host",
                     held: left.isEmpty, detail: left.isEmpty ? "none" : "still running: \(left)")
    }

    /// Host pids whose command line contains `marker`, the self-test's own process excepted.
    static func processes(matching marker: String) -> [pid_t] {
        var found: [pid_t] = []
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(name), pid != getpid(),
                  let data = FileManager.default.contents(atPath: "/proc/\(name)/cmdline"), !data.isEmpty else { continue }
            if hasExited(pid) { continue }
            if String(decoding: data, as: UTF8.self).contains(marker) { found.append(pid) }
        }
        return found
    }

    private func listen(family: Int32, type: Int32, address: String) -> Int {
        let fd = socket(family, type | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return 0 }
        listeners.append(fd)
        var port: UInt16 = 0
        if family == AF_INET {
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            inet_pton(AF_INET, address, &addr.sin_addr)
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            withUnsafeMutablePointer(to: &addr) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = bind(fd, $0, length); _ = getsockname(fd, $0, &length) }
            }
            port = UInt16(bigEndian: addr.sin_port)
        } else {
            var addr = sockaddr_in6()
            addr.sin6_family = sa_family_t(AF_INET6)
            inet_pton(AF_INET6, address, &addr.sin6_addr)
            var length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            withUnsafeMutablePointer(to: &addr) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = bind(fd, $0, length); _ = getsockname(fd, $0, &length) }
            }
            port = UInt16(bigEndian: addr.sin6_port)
        }
        if type == Int32(SOCK_STREAM.rawValue) { _ = Glibc.listen(fd, 8) }
        return Int(port)
    }

    /// A unix socket listener at `path`; a leading NUL makes it abstract.
    private func listenUnix(path: String) {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return }
        listeners.append(fd)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (index, byte) in bytes.prefix(raw.count - 1).enumerated() { raw[index] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (path.hasPrefix("\0") ? 0 : 1))
        withUnsafePointer(to: &addr) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = bind(fd, $0, length) }
        }
        _ = Glibc.listen(fd, 8)
    }
}
