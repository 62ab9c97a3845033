import CrucibleCore
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Runs each command in a bubblewrap sandbox: new user, pid, network, ipc, uts and cgroup
/// namespaces; uid/gid 65534 inside (and on the host too when the engine runs as root); a
/// read-only root made only of the system directories and the toolchain the command needs; the
/// working directory at `/work`, read-write; private tmpfs `/tmp` and home; a fresh `/proc` and a
/// minimal `/dev`; no capabilities, no-new-privileges and a seccomp filter; and limits held by a
/// cgroup of its own (or by rlimits where no cgroup can be made, which the outcome then says).
public struct BubblewrapSandbox: Sandbox {
    /// Where the working directory appears inside the sandbox.
    public static let workdirInside = "/work"
    /// The sandbox's home directory, a private tmpfs.
    public static let homeInside = "/home/sandbox"
    /// The unprivileged user and group the code runs as.
    public static let sandboxID: UInt32 = 65534

    public var isolation: String { "bubblewrap" }

    /// The `bwrap` program.
    public let bwrapPath: String
    /// Extra host paths bound read-only at the same place (a workspace's `sandbox.paths`).
    public let readOnlyPaths: [String]
    /// What holds the limits: "cgroup v1", "cgroup v2", or the reason there is no cgroup.
    public let cgroupStatus: String
    private let cgroups: CgroupHost?
    private let staging: StagingArea
    private let asRoot: Bool

    /// Finds `bwrap` and the host's cgroups. Throws when bubblewrap is not installed or a
    /// read-only path does not exist; whether namespaces work is what `check()` finds out.
    public init(readOnlyPaths: [String] = [], bwrapPath: String? = nil) throws {
        let path = bwrapPath ?? ["/usr/bin/bwrap", "/usr/local/bin/bwrap", "/bin/bwrap"].first { access($0, X_OK) == 0 }
        guard let path, access(path, X_OK) == 0 else {
            throw SandboxError("bubblewrap is not installed (no bwrap program); install it with `apt-get install -y bubblewrap` (Debian, Ubuntu) or `dnf install bubblewrap` (Fedora)")
        }
        for extra in readOnlyPaths where !extra.hasPrefix("/") || access(extra, F_OK) != 0 {
            throw SandboxError("sandbox path \(extra) does not exist (paths must be absolute)")
        }
        self.bwrapPath = path
        self.readOnlyPaths = readOnlyPaths
        self.asRoot = geteuid() == 0
        switch CgroupHost.discover() {
        case .success(let host):
            self.cgroups = host
            self.cgroupStatus = host.version.rawValue
            host.removeStale()
        case .failure(let reason):
            self.cgroups = nil
            self.cgroupStatus = "no cgroup (\(reason.description)); limits fall back to rlimits"
        }
        self.staging = try StagingArea()
    }

    /// Runs `true` in the sandbox, so that a host that cannot give the isolation (user namespaces
    /// refused, a broken bwrap) is found before any candidate runs.
    /// - Throws: `SandboxError` naming the reason and how to fix it.
    public func check() async throws {
        let workdir = temporaryDirectoryPath() + "/crucible-check-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: workdir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: workdir) }
        let outcome = try await run(ProcessSpec(arguments: ["/bin/true"], workdir: workdir, timeout: 20))
        guard outcome.exitStatus == 0 else {
            var reason = outcome.stderr.split(separator: "\n").first.map(String.init) ?? "exit status \(outcome.exitStatus.map(String.init) ?? "none")"
            if reason.contains("namespace") || reason.contains("uid map") || reason.contains("Operation not permitted") {
                reason += " (user namespaces look refused: check `sysctl kernel.unprivileged_userns_clone`, `user.max_user_namespaces`, or AppArmor's `kernel.apparmor_restrict_unprivileged_userns`)"
            }
            throw SandboxError("bubblewrap cannot set up a sandbox on this host: \(reason)")
        }
    }

    public func run(_ spec: ProcessSpec) async throws -> ProcessOutcome {
        try await ProcessRunner.onThread { try runBlocking(spec) }
    }

    private static let runCounter = Atomic<Int>(0)

    /// ``run(_:)`` on the calling thread, blocking it until the run ends: for a caller with nothing else to do, such as
    /// `crucible sandbox run`, which then starts no thread of Swift's pool and none of its own (each hop between threads
    /// costs a wake-up at the start and the end of the run).
    public func runBlocking(_ spec: ProcessSpec) throws -> ProcessOutcome {
        guard !spec.arguments.isEmpty else { throw SandboxError("no command to run") }
        try ProcessRunner.requireDirectory(spec.workdir)
        let serial = Self.runCounter.add(1, ordering: .relaxed).newValue
        let limits = spec.limits
        let hostPath = spec.environment["PATH"] ?? ""
        let toolchain = Toolchain.resolve(arguments: spec.arguments, hostPath: hostPath, workdir: spec.workdir)

        // Limits: a cgroup where one can be made, else rlimits per process.
        var group: CgroupGroup?
        var inForce: [String: String] = ["timeout": "engine", "output": "engine"]
        if let cgroups {
            group = try cgroups.makeGroup(name: "crucible-\(getpid())-\(serial)", limits: limits, extraPids: 2)
            let via = cgroups.version.rawValue
            if limits.memoryBytes != nil { inForce["memory"] = via }
            if limits.pids != nil { inForce["pids"] = via }
            if limits.cpuSeconds != nil { inForce["cpu"] = via }
        }
        defer { group?.remove() }
        var rlimits: [(resource: Int32, value: rlim_t)] = [(Int32(RLIMIT_CORE.rawValue), 0)]
        if let size = limits.fileSizeBytes {
            rlimits.append((Int32(RLIMIT_FSIZE.rawValue), rlim_t(size)))
            inForce["file-size"] = "rlimit"
        }
        if let cpu = limits.cpuSeconds {
            // Per process, as a backstop to the group's total; one second later so the total
            // usually speaks first.
            rlimits.append((Int32(RLIMIT_CPU.rawValue), rlim_t(cpu.rounded(.up)) + 1))
            if group == nil { inForce["cpu"] = "rlimit (per process)" }
        }
        if group == nil, let memory = limits.memoryBytes {
            rlimits.append((Int32(RLIMIT_AS.rawValue), rlim_t(memory)))
            inForce["memory"] = "rlimit (address space, per process)"
        }
        if limits.diskBytes != nil { inForce["disk"] = "engine" }
        if limits.network == .none { inForce["network"] = "none" } else { inForce["network"] = "loopback" }

        // The working directory: given to the sandbox's uid for the run, and after it each entry
        // back to its own owner (what the code made, to the directory's owner). The way back is
        // registered before the hand-over starts, so a hand-over that fails part way is undone too.
        var owners: SafeTree.Owners?
        defer { if let owners { try? SafeTree.restoreOwners(of: spec.workdir, owners) } }
        if asRoot {
            var info = stat()
            guard lstat(spec.workdir, &info) == 0 else { throw SandboxError("cannot stat \(spec.workdir)") }
            if let problem = Self.sharedFolderProblem(spec.workdir) { throw SandboxError(problem) }
            if info.st_uid != Self.sandboxID || info.st_gid != Self.sandboxID {
                var record = SafeTree.Owners(root: SafeTree.Owner(uid: info.st_uid, gid: info.st_gid))
                defer { owners = record }
                try SafeTree.handOver(spec.workdir, to: SafeTree.Owner(uid: Self.sandboxID, gid: Self.sandboxID), recording: &record)
            }
        }
        let diskBaseline = limits.diskBytes.map { _ in SafeTree.usage(of: spec.workdir).bytes } ?? 0

        var stages: [(source: String, target: String)] = []
        func reachable(_ source: String) throws -> String {
            // As root the sandbox's uid cannot pass folders such as /root: bind through staging.
            guard asRoot, !Self.othersCanReach(source) else { return source }
            let target = try staging.target(for: source)
            stages.append((source, target))
            return target
        }
        var arguments = [bwrapPath, "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session",
                         "--hostname", "crucible", "--uid", "\(Self.sandboxID)", "--gid", "\(Self.sandboxID)", "--cap-drop", "ALL"]
        arguments += systemMounts()
        for path in toolchain.binds + readOnlyPaths {
            arguments += ["--ro-bind", try reachable(path), path]
        }
        let tmpfsSize = limits.memoryBytes.map { ["--size", "\($0)"] } ?? []
        arguments += ["--proc", "/proc", "--dev", "/dev"]
        // Home lives in the private /tmp: one tmpfs, one limit, and a mount less to make per run.
        arguments += tmpfsSize + ["--perms", "1777", "--tmpfs", "/tmp", "--perms", "0700", "--dir", "/tmp/home",
                                  "--symlink", "/tmp/home", Self.homeInside]
        let workdirSource: String
        if asRoot, !Self.othersCanReach(spec.workdir) {
            workdirSource = try staging.workdirTarget(serial: serial)
            stages.append((spec.workdir, workdirSource))
        } else {
            workdirSource = spec.workdir
        }
        defer { if workdirSource != spec.workdir { staging.releaseWorkdir(serial: serial) } }
        arguments += ["--bind", workdirSource, Self.workdirInside, "--chdir", Self.workdirInside, "--remount-ro", "/"]

        // The seccomp program, read by bwrap from descriptor 3 until end of file.
        let program = SeccompFilter.Architecture.current.map { SeccompFilter.program(for: $0, denyInetSockets: limits.network == .none) }
        var extra: [Int32] = []
        if let program {
            var fds: [Int32] = [-1, -1]
            guard pipe(&fds) == 0 else { throw SandboxError("cannot create a pipe: \(String(cString: strerror(errno)))") }
            let written = program.withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) }
            close(fds[1])
            guard written == program.count else {
                close(fds[0])
                throw SandboxError("cannot pass the seccomp program to bwrap")
            }
            extra.append(fds[0])
            arguments += ["--seccomp", "3"]
            inForce["seccomp"] = "bpf"
        }
        arguments += ["--"] + spec.arguments

        var environment = spec.environment
        environment["PATH"] = (toolchain.pathEntries + Toolchain.systemPath).joined(separator: ":")
        environment["HOME"] = Self.homeInside
        environment["TMPDIR"] = "/tmp"
        environment["USER"] = "sandbox"
        environment["LOGNAME"] = "sandbox"
        for key in ["PWD", "OLDPWD", "PYENV_ROOT", "PYENV_VERSION"] { environment.removeValue(forKey: key) }

        var plan = LaunchPlan(path: bwrapPath, arguments: arguments, environment: environment, workdir: "/")
        plan.extraDescriptors = extra
        plan.cgroupJoins = try group?.joinFiles() ?? []
        defer { plan.cgroupJoins.forEach { close($0) } }
        plan.resourceLimits = rlimits
        plan.stages = stages
        if asRoot { plan.credentials = (Self.sandboxID, Self.sandboxID) }

        var supervision = Supervision()
        supervision.killTree = { group?.killAll() }
        supervision.check = {
            if let cpu = limits.cpuSeconds, let used = group?.cpuSeconds(), used > cpu { return .cpu }
            if let disk = limits.diskBytes {
                let now = SafeTree.usage(of: spec.workdir)
                if now.bytes - diskBaseline > Int64(disk) { return .disk }
            }
            return nil
        }

        var outcome = try ProcessRunner.run(plan, timeout: spec.timeout, outputLimit: spec.outputLimit,
                                            outputKillBytes: limits.outputBytes, supervision: supervision, stop: spec.stop,
                                            isolation: isolation)
        outcome.limitsInForce = inForce
        // bwrap reports a command killed by signal N as exit status 128 + N.
        if let status = outcome.exitStatus, status > 128, status <= 128 + 64 {
            outcome.signal = status - 128
            outcome.exitStatus = nil
        }
        if let usage = group?.usage() {
            outcome.peakMemoryBytes = usage.peakMemoryBytes ?? outcome.peakMemoryBytes
            outcome.cpuSeconds = usage.cpuSeconds ?? outcome.cpuSeconds
            if outcome.killedBy == nil || outcome.killedBy == .timeout {
                if usage.outOfMemoryKills > 0 { outcome.killedBy = .memory } else if usage.pidsLimitHits > 0, !outcome.succeeded { outcome.killedBy = .pids }
            }
        }
        if outcome.killedBy == nil {
            if outcome.signal == SIGXFSZ { outcome.killedBy = .fileSize }
            if outcome.signal == SIGXCPU { outcome.killedBy = .cpu }
            if let cpu = limits.cpuSeconds, outcome.cpuSeconds > cpu, !outcome.succeeded { outcome.killedBy = .cpu }
        }
        if outcome.killedBy != nil { outcome.exitStatus = nil }
        return outcome
    }

    /// Why `path` cannot be a working directory, when every user may write to it (the sticky
    /// bit or write permission for others, as /tmp has): the engine, as root, hands its working
    /// directory to the sandbox's uid for the run, and a shared folder holds other users' files.
    public static func sharedFolderProblem(_ path: String) -> String? {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & (S_ISVTX | S_IWOTH) != 0 else { return nil }
        return "\(path) is shared (every user may write to it) and cannot be the sandbox's working directory: give it a folder of its own"
    }

    /// Whether a user other than the owner may pass every folder above `path`: then bwrap,
    /// running as the sandbox's uid, can bind it by its path and no staging is needed.
    static func othersCanReach(_ path: String) -> Bool {
        var folder = (path as NSString).deletingLastPathComponent
        while !folder.isEmpty {
            var info = stat()
            guard stat(folder, &info) == 0 else { return false }
            if info.st_mode & S_IXOTH == 0, info.st_uid != sandboxID { return false }
            if folder == "/" { return true }
            folder = (folder as NSString).deletingLastPathComponent
        }
        return true
    }

    /// The system directories, read-only: `/usr`, and `/bin`, `/lib`... as the host has them
    /// (symlinks into `/usr` on merged systems), and the staging area's `/etc`.
    private func systemMounts() -> [String] {
        var arguments = ["--ro-bind", "/usr", "/usr"]
        for top in ["/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32"] {
            var info = stat()
            guard lstat(top, &info) == 0 else { continue }
            if (info.st_mode & S_IFMT) == S_IFLNK, let target = try? FileManager.default.destinationOfSymbolicLink(atPath: top) {
                arguments += ["--symlink", target, top]
            } else {
                arguments += ["--ro-bind", top, top]
            }
        }
        // Certificates and alternatives are hundreds of entries: bound, not copied.
        arguments += ["--ro-bind", staging.etc, "/etc"]
        for folder in StagingArea.boundEtcFolders where FileManager.default.fileExists(atPath: "/etc/" + folder) {
            arguments += ["--ro-bind", "/etc/" + folder, "/etc/" + folder]
        }
        return arguments
    }
}

/// Empty folders the engine binds host folders onto in a private mount namespace, so a sandbox
/// that runs as uid 65534 can be given folders below ones only root may pass (`/root/.pyenv`),
/// and the small `/etc` files every sandbox gets. Lives in a fresh folder, `stage-PID-…`, of this
/// user's folder in the temporary directory (``userFolder(in:)``), which only the engine can write.
final class StagingArea: @unchecked Sendable {
    let root: String
    /// The sandbox's `/etc`: the one shared by this user's engines, or this engine's own.
    let etc: String
    private let lock = NSLock()
    private var targets: [String: String] = [:]

    init() throws {
        // Where another user took the user folder's name, this engine stages in a fresh folder beside it instead, with
        // an `/etc` of its own and no sweep: a local user can slow the engine down that way, not stop it.
        let folder = Self.userFolder()
        let prefix = folder.map { $0 + "/stage-" } ?? temporaryDirectoryPath() + "/crucible-\(geteuid())-stage-"
        var template = Array((prefix + "\(getpid())-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw SandboxError("cannot create a staging folder: \(String(cString: strerror(errno)))")
        }
        root = String(cString: made)
        chmod(root, 0o755)
        if let folder, let shared = Self.sharedEtc(in: folder) {
            etc = shared
        } else {
            etc = root + "/etc"
            try Self.makeEtc(at: etc)
        }
        if let folder { Self.removeStale(in: folder, besides: root) }
    }

    /// This user's folder in the temporary directory, `crucible-UID`: it holds the staging areas and shared `/etc`s of
    /// all the user's engines, so that the sweep for what dead engines left (``removeStale(in:besides:)``), which runs
    /// at every start, reads this small folder and not the whole temporary directory (thousands of entries on a busy
    /// host, a millisecond and more to read). Mode 0755, for the sandbox's user passes through it to what is bound.
    /// Nil when it cannot be made, or its name is taken by anything but a folder of this user's with that mode
    /// (another user may have made it, to see or change what is staged).
    static func userFolder(in temporary: String = temporaryDirectoryPath()) -> String? {
        let path = temporary + "/crucible-\(geteuid())"
        if mkdir(path, 0o755) == 0 {
            chmod(path, 0o755)  // whatever the umask took away
        } else if errno != EEXIST {
            return nil
        }
        return isOwnFolder(path) ? path : nil
    }

    /// The sandbox's `/etc`, made once: its own `passwd`, `group` and `hosts`, and copies of the
    /// few host files programs need (the loader cache, time zone, name service).
    /// One folder, so a run binds one mount instead of a dozen.
    /// Folders of `/etc` bound as they are, on empty mount points in the staged `/etc`.
    static let boundEtcFolders = ["ssl", "alternatives"]

    private static func makeEtc(at etc: String) throws {
        let files = FileManager.default
        try files.createDirectory(atPath: etc, withIntermediateDirectories: false)
        for folder in boundEtcFolders { try files.createDirectory(atPath: etc + "/" + folder, withIntermediateDirectories: false) }
        for name in copiedEtcFiles {
            let source = "/etc/" + name
            guard files.fileExists(atPath: source) else { continue }
            // Copies keep symlinks as symlinks: those into /usr resolve inside the sandbox too.
            try? files.copyItem(atPath: source, toPath: etc + "/" + name)
        }
        let id = BubblewrapSandbox.sandboxID
        let made = [
            "passwd": "root:x:0:0:root:/root:/usr/sbin/nologin\nsandbox:x:\(id):\(id):sandbox:\(BubblewrapSandbox.homeInside):/bin/sh\n",
            "group": "root:x:0:\nsandbox:x:\(id):\n",
            "hosts": "127.0.0.1 localhost crucible\n::1 localhost crucible\n",
            "hostname": "crucible\n",
        ]
        // Plain writes: the folder is private and new, nobody reads it before it is done, so an
        // atomic write (a temporary file, an fsync, a rename) would only cost a disk flush each.
        for (name, text) in made {
            try text.write(toFile: etc + "/" + name, atomically: false, encoding: .utf8)
        }
        chmod(etc, 0o755)
        for name in (try? files.subpathsOfDirectory(atPath: etc)) ?? [] {
            var info = stat()
            guard lstat(etc + "/" + name, &info) == 0, (info.st_mode & S_IFMT) != S_IFLNK else { continue }
            chmod(etc + "/" + name, (info.st_mode & S_IFMT) == S_IFDIR ? 0o755 : 0o644)
        }
    }

    /// The host files the staged `/etc` copies.
    static let copiedEtcFiles = ["ld.so.cache", "ld.so.conf", "ld.so.conf.d", "ca-certificates.conf", "localtime", "nsswitch.conf",
                                 "mime.types", "protocols", "services", "os-release", "debian_version"]

    /// The staged `/etc` every engine of this user shares, made once for what it is made from:
    /// `etc-DIGEST` in the user's `folder`, DIGEST covering the host files it
    /// copies (their identity, size and time) and the files it writes. Making one costs a few
    /// milliseconds, which a `crucible sandbox run` would otherwise pay at every start.
    ///
    /// It is made beside its final name and moved there in one `rename`, so it is never seen half
    /// made; and it is used only when it is a real folder owned by this user with mode 0755 (no
    /// one else can have made it or written into it). Otherwise nil: each engine stages its own.
    private static func sharedEtc(in folder: String) -> String? {
        let path = folder + "/etc-\(etcDigest().prefix(16))"
        if isOwnFolder(path), isOwnFolder(path + "/etc"), access(path + "/complete", F_OK) == 0 { return path + "/etc" }
        var template = Array((folder + "/etc-new-\(getpid())-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }).map({ String(cString: $0) }) else {
            return nil
        }
        do {
            try makeEtc(at: made + "/etc")
            guard FileManager.default.createFile(atPath: made + "/complete", contents: nil) else { throw SandboxError("") }
            chmod(made + "/complete", 0o644)
            chmod(made, 0o755)
        } catch {
            try? SafeTree.remove(made)
            return nil
        }
        // Another engine may have made it first; then its copy serves.
        if rename(made, path) != 0 { try? SafeTree.remove(made) }
        return isOwnFolder(path) && isOwnFolder(path + "/etc") && access(path + "/complete", F_OK) == 0 ? path + "/etc" : nil
    }

    /// What the staged `/etc` is made from: the host files' identity, size and change time, and
    /// the written files' text.
    private static func etcDigest() -> String {
        // One line a part, appended to one string (a first `joined` costs a runtime look-up at every start).
        var text = "v1\n\(BubblewrapSandbox.sandboxID)\n" + BubblewrapSandbox.homeInside
        for folder in boundEtcFolders { text += "\n" + folder }
        for name in copiedEtcFiles {
            var info = stat()
            guard lstat("/etc/" + name, &info) == 0 else { text += "\n" + name + ":-"; continue }
            text += "\n\(name):\(info.st_dev):\(info.st_ino):\(info.st_size):\(info.st_ctim.tv_sec).\(info.st_ctim.tv_nsec)"
        }
        return Digest.sha256(text)
    }

    /// A real folder (not a link) owned by this user, mode 0755.
    private static func isOwnFolder(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR && info.st_uid == geteuid() && (info.st_mode & 0o7777) == 0o755
    }

    /// The staging folder (or file) for a host path, made once and reused.
    func target(for source: String) throws -> String {
        lock.lock()
        defer { lock.unlock() }
        if let known = targets[source] { return known }
        let target = root + "/\(targets.count)"
        var info = stat()
        guard stat(source, &info) == 0 else { throw SandboxError("cannot bind \(source): \(String(cString: strerror(errno)))") }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            guard mkdir(target, 0o755) == 0 || errno == EEXIST else { throw SandboxError("cannot create \(target)") }
        } else {
            let fd = open(target, O_CREAT | O_WRONLY | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw SandboxError("cannot create \(target)") }
            close(fd)
        }
        targets[source] = target
        return target
    }

    /// A staging folder for one run's working directory.
    func workdirTarget(serial: Int) throws -> String {
        let target = root + "/w\(serial)"
        guard mkdir(target, 0o755) == 0 || errno == EEXIST else {
            throw SandboxError("cannot create \(target): \(String(cString: strerror(errno)))")
        }
        return target
    }

    func releaseWorkdir(serial: Int) { rmdir(root + "/w\(serial)") }

    /// The folders in the user's `folder` of engines that no longer run: staging areas (`stage-PID-…`) and shared
    /// `/etc`s left half made (`etc-new-PID-…`) by an engine that was killed while making one.
    static func removeStale(in folder: String, besides current: String) {
        for name in entryNames(in: folder, prefix: "") {
            let fields = name.split(separator: "-")
            let pidField: Int
            if name.hasPrefix("stage-") { pidField = 1 } else if name.hasPrefix("etc-new-") { pidField = 2 } else { continue }
            var info = stat()
            guard fields.count > pidField + 1, let pid = pid_t(fields[pidField]), kill(pid, 0) != 0, errno == ESRCH,
                  folder + "/" + name != current, lstat(folder + "/" + name, &info) == 0, info.st_uid == geteuid(),
                  (info.st_mode & S_IFMT) == S_IFDIR else { continue }
            try? SafeTree.remove(folder + "/" + name)
        }
    }
}
