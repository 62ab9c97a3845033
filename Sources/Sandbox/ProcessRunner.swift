import CSandbox
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Spawns one process in a session of its own and supervises it to the end: output captured with
/// a cap, a wall-clock deadline that kills the whole process group, and no process left behind.
///
/// The work is blocking (`poll`), so it runs on a thread of its own rather than on Swift's
/// cooperative pool.
enum ProcessRunner {
    static func run(_ spec: ProcessSpec, isolation: String) async throws -> ProcessOutcome {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try runBlocking(spec, isolation: isolation) })
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    static func runBlocking(_ spec: ProcessSpec, isolation: String) throws -> ProcessOutcome {
        guard let program = spec.arguments.first else { throw SandboxError("no command to run") }
        let path = try resolve(program, environment: spec.environment)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: spec.workdir, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw SandboxError("working directory \(spec.workdir) does not exist")
        }

        var outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        guard csandbox_pipe_cloexec(&outPipe) == 0, csandbox_pipe_cloexec(&errPipe) == 0 else {
            throw SandboxError("cannot create pipes: \(String(cString: strerror(errno)))")
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        csandbox_spawn_addclosefrom(&actions, 3)
        csandbox_spawn_addchdir(&actions, spec.workdir)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t(), allSignals = sigset_t()
        sigemptyset(&noSignals)
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, csandbox_spawn_setsid_flag() | Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = spec.arguments.map { strdup($0) } + [nil]
        let envp = spec.environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }

        let start = DispatchTime.now()
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        close(outPipe[1])
        close(errPipe[1])
        guard spawned == 0 else {
            close(outPipe[0])
            close(errPipe[0])
            throw SandboxError("cannot start \(program): \(String(cString: strerror(spawned)))")
        }
        // The child leads its own session, so its process group id is its pid.
        let group = pid
        let pidfd = csandbox_pidfd_open(pid)

        var stdout = TailBuffer(limit: spec.outputLimit)
        var stderr = TailBuffer(limit: spec.outputLimit)
        var killedBy: ProcessOutcome.Kill?
        let deadline = start.uptimeNanoseconds + UInt64(max(0, spec.timeout) * 1e9)
        var openPipes: [Int32] = [outPipe[0], errPipe[0]]
        var exited = false
        var drainDeadline: UInt64?
        var buffer = [UInt8](repeating: 0, count: 65536)

        while !openPipes.isEmpty || !exited {
            let now = DispatchTime.now().uptimeNanoseconds
            if killedBy == nil, now >= deadline {
                killedBy = .timeout
                kill(-group, SIGKILL)
                kill(pid, SIGKILL)
            }
            if exited, drainDeadline == nil {
                // The main process is gone: end whatever it left in its group, then give the pipes
                // a moment to drain. An escaped holder of the pipe cannot keep the run alive.
                kill(-group, SIGKILL)
                drainDeadline = now + 200_000_000
            }
            if let drain = drainDeadline, now >= drain { break }
            var fds = openPipes.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if !exited, pidfd >= 0 { fds.append(pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)) }
            let limit = drainDeadline ?? (killedBy == nil ? deadline : now + 50_000_000)
            let waitMs = Int32(clamping: max(1, (Int64(limit) - Int64(now)) / 1_000_000))
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
            isolation: isolation)
    }

    /// The absolute path of `program`, searched on the spec's `PATH` when it has no slash.
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

/// Keeps the last `limit` bytes written to it.
struct TailBuffer {
    let limit: Int
    private(set) var bytes: [UInt8] = []
    private(set) var truncated = false

    init(limit: Int) { self.limit = max(0, limit) }

    mutating func append(_ chunk: ArraySlice<UInt8>) {
        bytes.append(contentsOf: chunk)
        if bytes.count > limit {
            bytes.removeFirst(bytes.count - limit)
            truncated = true
        }
    }

    var string: String { String(decoding: bytes, as: UTF8.self) }
}
