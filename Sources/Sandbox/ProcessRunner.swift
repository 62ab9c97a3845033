import CSandbox
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How to start one process: the plain spawn, plus what an isolating backend adds.
struct LaunchPlan {
    /// The absolute path of the program.
    var path: String
    var arguments: [String]
    var environment: [String: String]
    var workdir: String
    /// Descriptors the program receives as 3, 4, ...; the runner closes its copies after the spawn.
    var extraDescriptors: [Int32] = []
    /// Open files the child writes "0" to, to join its cgroups before it executes the program (see `CgroupHost.joinFiles`).
    var cgroupJoins: [Int32] = []
    /// Resource limits set in the child (soft and hard alike).
    var resourceLimits: [(resource: Int32, value: rlim_t)] = []
    /// Host folders the child binds on empty staging folders in a mount namespace of its own
    /// before it drops its credentials: (source, target).
    var stages: [(source: String, target: String)] = []
    /// The uid and gid the child drops to before it executes the program.
    var credentials: (uid: uid_t, gid: gid_t)?
}

/// What a backend adds to the supervision of a running process.
struct Supervision {
    /// How often `check` runs while the process lives, in seconds.
    var interval: Double = 0.2
    /// Returns the limit the run has gone past, if any; it is then killed.
    var check: () -> ProcessOutcome.Kill? = { nil }
    /// Kills everything the run started, wherever it hides.
    var killTree: () -> Void = {}
}

/// Spawns one process in a session of its own and supervises it to the end: output captured with
/// a cap, a wall-clock deadline that kills the whole process tree, limits checked as it runs, and
/// no process left behind.
///
/// The work is blocking (`poll`), so it runs on a thread of its own rather than on Swift's
/// cooperative pool.
enum ProcessRunner {
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try body() }) }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    /// A plan for `spec` as an ordinary process: its program looked up on its own `PATH`.
    static func plainPlan(_ spec: ProcessSpec) throws -> LaunchPlan {
        guard let program = spec.arguments.first else { throw SandboxError("no command to run") }
        try requireDirectory(spec.workdir)
        return LaunchPlan(path: try resolve(program, environment: spec.environment), arguments: spec.arguments,
                          environment: spec.environment, workdir: spec.workdir)
    }

    static func requireDirectory(_ path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw SandboxError("working directory \(path) does not exist")
        }
    }

    static func run(_ plan: LaunchPlan, timeout: Double, outputLimit: Int, outputKillBytes: Int?,
                    supervision: Supervision = Supervision(), stop: StopSignal? = nil, isolation: String) throws -> ProcessOutcome {
        defer { plan.extraDescriptors.forEach { close($0) } }
        var outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        guard csandbox_pipe_cloexec(&outPipe) == 0, csandbox_pipe_cloexec(&errPipe) == 0 else {
            throw SandboxError("cannot create pipes: \(String(cString: strerror(errno)))")
        }
        let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
        // The child moves descriptors into 0...; every source must sit at 10 or above.
        let high = ([devNull, outPipe[1], errPipe[1]] + plan.extraDescriptors).map { fcntl($0, F_DUPFD_CLOEXEC, 10) }
        var highOpen = true
        // The parent's copies must be gone before supervision: a write end left open here would
        // keep the pipes from ever reaching end of file.
        func closeHigh() { if highOpen { high.forEach { close($0) }; highOpen = false } }
        defer { closeHigh() }
        close(devNull)
        close(outPipe[1])
        close(errPipe[1])

        let argv = plan.arguments.map { strdup($0) } + [nil]
        let envp = plan.environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        let extras = Array(high[3...])
        let limits = plan.resourceLimits.map { csandbox_rlimit(resource: $0.resource, value: $0.value) }
        let stageSources = plan.stages.map { UnsafePointer(strdup($0.source)) }
        let stageTargets = plan.stages.map { UnsafePointer(strdup($0.target)) }
        defer { (stageSources + stageTargets).forEach { free(UnsafeMutablePointer(mutating: $0)) } }
        let start = DispatchTime.now()
        var failedStep: UnsafePointer<CChar>?
        let pid: pid_t = plan.path.withCString { path in
            plan.workdir.withCString { workdir in
                argv.withUnsafeBufferPointer { argv in
                    envp.withUnsafeBufferPointer { envp in
                        extras.withUnsafeBufferPointer { extras in
                            plan.cgroupJoins.withUnsafeBufferPointer { cgroups in
                                limits.withUnsafeBufferPointer { limits in
                                  stageSources.withUnsafeBufferPointer { stageSources in
                                   stageTargets.withUnsafeBufferPointer { stageTargets in
                                    var request = csandbox_spawn_request(
                                        path: path, argv: argv.baseAddress, envp: envp.baseAddress, workdir: workdir,
                                        stdin_fd: high[0], stdout_fd: high[1], stderr_fd: high[2],
                                        extra_fds: extras.baseAddress, extra_count: Int32(extras.count),
                                        cgroup_fds: cgroups.baseAddress, cgroup_count: Int32(cgroups.count),
                                        rlimits: limits.baseAddress, rlimit_count: Int32(limits.count),
                                        stage_sources: stageSources.baseAddress, stage_targets: stageTargets.baseAddress,
                                        stage_count: Int32(stageSources.count),
                                        drop_credentials: plan.credentials == nil ? 0 : 1,
                                        uid: plan.credentials?.uid ?? 0, gid: plan.credentials?.gid ?? 0)
                                    return csandbox_spawn(&request, &failedStep)
                                   }
                                  }
                                }
                            }
                        }
                    }
                }
            }
        }
        let spawnError = errno
        closeHigh()
        guard pid > 0 else {
            let reason = String(cString: strerror(spawnError))
            close(outPipe[0])
            close(errPipe[0])
            let step = failedStep.map { String(cString: $0) } ?? "spawn"
            throw SandboxError("cannot start \(plan.arguments.first ?? plan.path): \(step) failed: \(reason)")
        }
        // The child leads its own session, so its process group id is its pid.
        let group = pid
        let pidfd = csandbox_pidfd_open(pid)

        var stdout = TailBuffer(limit: outputLimit)
        var stderr = TailBuffer(limit: outputLimit)
        var killedBy: ProcessOutcome.Kill?
        func end(_ reason: ProcessOutcome.Kill) {
            if killedBy == nil { killedBy = reason }
            supervision.killTree()
            kill(-group, SIGKILL)
            kill(pid, SIGKILL)
        }
        let deadline = start.uptimeNanoseconds + UInt64(max(0, timeout) * 1e9)
        let interval = UInt64(max(0.01, supervision.interval) * 1e9)
        var nextCheck = start.uptimeNanoseconds + interval
        var openPipes: [Int32] = [outPipe[0], errPipe[0]]
        var exited = false
        var drainDeadline: UInt64?
        var buffer = [UInt8](repeating: 0, count: 65536)

        while !openPipes.isEmpty || !exited {
            let now = DispatchTime.now().uptimeNanoseconds
            if killedBy == nil, now >= deadline { end(.timeout) }
            if killedBy == nil, stop?.isEngaged == true { end(.stopped) }
            if killedBy == nil, !exited, now >= nextCheck {
                if let reason = supervision.check() { end(reason) }
                nextCheck = now + interval
            }
            if exited, drainDeadline == nil {
                // The main process is gone: end whatever it left behind, then give the pipes a
                // moment to drain. An escaped holder of the pipe cannot keep the run alive.
                supervision.killTree()
                kill(-group, SIGKILL)
                drainDeadline = now + 200_000_000
            }
            if let drain = drainDeadline, now >= drain { break }
            var fds = openPipes.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if !exited, pidfd >= 0 { fds.append(pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)) }
            let wake = drainDeadline ?? (killedBy == nil ? min(deadline, nextCheck) : now + 50_000_000)
            let waitMs = Int32(clamping: max(1, (Int64(wake) - Int64(now)) / 1_000_000))
            let ready = poll(&fds, nfds_t(fds.count), pidfd >= 0 || exited ? waitMs : min(waitMs, 20))
            if ready < 0, errno != EINTR { break }
            for entry in fds where entry.revents != 0 {
                if entry.fd == pidfd {
                    exited = true
                    continue
                }
                let count = read(entry.fd, &buffer, buffer.count)
                if count > 0 {
                    if entry.fd == outPipe[0] { stdout.append(buffer[0..<count]) } else { stderr.append(buffer[0..<count]) }
                    if let cap = outputKillBytes, killedBy == nil, stdout.total + stderr.total > cap { end(.output) }
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    close(entry.fd)
                    openPipes.removeAll { $0 == entry.fd }
                }
            }
            if pidfd < 0, !exited {
                var status: Int32 = 0
                if waitpid(pid, &status, WNOHANG | WNOWAIT) == pid { exited = true }
            }
        }
        openPipes.forEach { close($0) }
        if pidfd >= 0 { close(pidfd) }

        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0, errno == EINTR {}
        supervision.killTree()
        kill(-group, SIGKILL)
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9

        let exitedNormally = (status & 0x7f) == 0
        return ProcessOutcome(
            exitStatus: exitedNormally && killedBy == nil ? (status >> 8) & 0xff : nil,
            signal: exitedNormally ? nil : status & 0x7f,
            killedBy: killedBy,
            wallSeconds: wall,
            cpuSeconds: seconds(usage.ru_utime) + seconds(usage.ru_stime),
            peakMemoryBytes: usage.ru_maxrss * 1024,
            stdout: stdout.string, stderr: stderr.string,
            stdoutTruncated: stdout.truncated, stderrTruncated: stderr.truncated,
            isolation: isolation,
            limitsInForce: ["timeout": "engine", "output": "engine"])
    }

    /// The absolute path of `program`, searched on the `PATH` of `environment` when it has no slash.
    static func resolve(_ program: String, environment: [String: String]) throws -> String {
        if program.contains("/") {
            guard access(program, X_OK) == 0 else { throw SandboxError("command not found or not executable: \(program)") }
            return program
        }
        for directory in (environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(directory)/\(program)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        throw SandboxError("command not found: \(program)")
    }

    private static func seconds(_ time: timeval) -> Double {
        Double(time.tv_sec) + Double(time.tv_usec) / 1e6
    }
}

/// Keeps the last `limit` bytes written to it, in a ring, and counts all of them.
struct TailBuffer {
    let limit: Int
    private var ring: [UInt8] = []
    /// Where the oldest byte is once the ring is full.
    private var head = 0
    private(set) var total = 0

    init(limit: Int) { self.limit = max(0, limit) }

    var truncated: Bool { total > limit }

    mutating func append(_ chunk: ArraySlice<UInt8>) {
        total += chunk.count
        guard limit > 0 else { return }
        var chunk = chunk.suffix(limit)
        if ring.count < limit {
            let room = limit - ring.count
            ring.append(contentsOf: chunk.prefix(room))
            chunk = chunk.dropFirst(room)
        }
        for byte in chunk {
            ring[head] = byte
            head = (head + 1) % limit
        }
    }

    var bytes: [UInt8] { Array(ring[head...] + ring[..<head]) }

    var string: String { String(decoding: bytes, as: UTF8.self) }
}
