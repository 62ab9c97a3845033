import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The control groups the engine may make for its sandboxes: v2 where the host has it, v1 where
/// that is what it has. Each sandboxed run gets a group of its own, below the engine's own group,
/// that holds its memory, process count and CPU time and lets the engine kill all of it at once.
struct CgroupHost: Sendable {
    enum Version: String, Sendable { case v1 = "cgroup v1", v2 = "cgroup v2" }

    let version: Version
    /// The folder under which each run's group is made, per v1 controller ("" for v2's one folder).
    let parents: [String: String]

    /// The controllers a run's group uses, by hierarchy.
    static let v1Controllers = ["memory", "pids", "cpuacct", "freezer"]

    /// What this host offers, or the reason it offers nothing the engine can use.
    static func discover() -> Result<CgroupHost, SandboxError> {
        guard let mountinfo = readSmallFile("/proc/self/mountinfo"), let membership = readSmallFile("/proc/self/cgroup") else {
            return .failure(SandboxError("cannot read /proc/self/mountinfo or /proc/self/cgroup"))
        }
        // "ID:controllers:path", one line per hierarchy; v2's line is "0::path".
        var ownPath: [String: String] = [:]
        var unifiedPath: String?
        for line in membership.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            if parts[0] == "0", parts[1].isEmpty { unifiedPath = String(parts[2]) }
            for controller in parts[1].split(separator: ",") { ownPath[String(controller)] = String(parts[2]) }
        }
        // Fields: id parent major:minor root mountpoint options ... - fstype source superoptions
        var v1: [String: String] = [:]
        var unifiedMount: (root: String, point: String)?
        for line in mountinfo.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            guard let dash = fields.firstIndex(of: "-"), dash + 3 < fields.count, fields.count > 4 else { continue }
            let root = unescape(fields[3]), point = unescape(fields[4])
            switch fields[dash + 1] {
            case "cgroup":
                for controller in fields[dash + 3].split(separator: ",").map(String.init) where v1Controllers.contains(controller) {
                    guard let path = ownPath[controller], let relative = below(path, root) else { continue }
                    v1[controller] = point + relative
                }
            case "cgroup2":
                unifiedMount = (root, point)
            default:
                continue
            }
        }
        if v1Controllers.allSatisfy({ v1[$0] != nil }) {
            return .success(CgroupHost(version: .v1, parents: v1))
        }
        if let mount = unifiedMount, let path = unifiedPath, let relative = below(path, mount.root) {
            let parent = mount.point + relative
            let available = readSmallFile(parent + "/cgroup.controllers") ?? ""
            let controllers = Set(available.split(whereSeparator: \.isWhitespace).map(String.init))
            if controllers.isSuperset(of: ["memory", "pids", "cpu"]) {
                return .success(CgroupHost(version: .v2, parents: ["": parent]))
            }
            return .failure(SandboxError("the engine's cgroup v2 group \(parent) does not delegate the memory, pids and cpu controllers"))
        }
        return .failure(SandboxError("no cgroup hierarchy with the memory, pids, cpuacct and freezer controllers is mounted"))
    }

    /// `path` relative to a mount's `root`, with a leading slash or empty; nil when outside it.
    private static func below(_ path: String, _ root: String) -> String? {
        if root == "/" { return path == "/" ? "" : path }
        if path == root { return "" }
        return path.hasPrefix(root + "/") ? String(path.dropFirst(root.count)) : nil
    }

    /// mountinfo escapes space, tab, newline and backslash as octal.
    private static func unescape(_ field: String) -> String {
        guard field.contains("\\") else { return field }
        return field.replacingOccurrences(of: "\\040", with: " ").replacingOccurrences(of: "\\011", with: "\t")
            .replacingOccurrences(of: "\\012", with: "\n").replacingOccurrences(of: "\\134", with: "\\")
    }

    /// Makes a fresh group for one run, with `limits` applied. `extraPids` are the sandbox's own
    /// supervising processes, which the pids limit must not count against the code.
    func makeGroup(name: String, limits: SandboxLimits, extraPids: Int) throws -> CgroupGroup {
        var made: [String: String] = [:]
        do {
            for (controller, parent) in parents {
                let path = parent + "/" + name
                guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
                    throw SandboxError("cannot create the cgroup \(path): \(String(cString: strerror(errno)))")
                }
                made[controller] = path
            }
            let group = CgroupGroup(version: version, paths: made)
            try group.apply(limits, extraPids: extraPids)
            return group
        } catch {
            CgroupGroup(version: version, paths: made).remove()
            throw error
        }
    }

    /// Removes groups that crashed engines left behind: named `crucible-PID-...` for a PID that
    /// no longer runs.
    func removeStale() {
        for parent in Set(parents.values) {
            for name in entryNames(in: parent, prefix: "crucible-") {
                let fields = name.split(separator: "-")
                guard fields.count >= 3, let pid = pid_t(fields[1]), kill(pid, 0) != 0, errno == ESRCH else { continue }
                let paths = Dictionary(uniqueKeysWithValues: parents.map { ($0.key, $0.value + "/" + name) })
                let group = CgroupGroup(version: version, paths: paths)
                group.killAll()
                group.remove()
            }
        }
    }
}

/// One run's control group (one folder per v1 hierarchy, or one v2 folder).
final class CgroupGroup: @unchecked Sendable {
    let version: CgroupHost.Version
    /// Folder per controller; for v2 the single folder under the key "".
    let paths: [String: String]

    init(version: CgroupHost.Version, paths: [String: String]) {
        self.version = version
        self.paths = paths
    }

    private func path(_ controller: String) -> String? { version == .v2 ? paths[""] : paths[controller] }

    fileprivate func apply(_ limits: SandboxLimits, extraPids: Int) throws {
        switch version {
        case .v1:
            if let memory = limits.memoryBytes {
                try write("\(memory)", to: "memory", "memory.limit_in_bytes")
                // Swap would let the code exceed the limit unseen; where the kernel accounts it, forbid it.
                if let folder = path("memory"), FileManager.default.fileExists(atPath: folder + "/memory.memsw.limit_in_bytes") {
                    try write("\(memory)", to: "memory", "memory.memsw.limit_in_bytes")
                }
            }
            if let pids = limits.pids { try write("\(pids + extraPids)", to: "pids", "pids.max") }
        case .v2:
            if let parent = paths[""].map({ ($0 as NSString).deletingLastPathComponent }) {
                // Delegating the controllers to the run's group; harmless when already done.
                _ = try? Self.writeFile("+memory +pids +cpu", at: parent + "/cgroup.subtree_control")
            }
            if let memory = limits.memoryBytes {
                try write("\(memory)", to: "memory", "memory.max")
                _ = try? write("0", to: "memory", "memory.swap.max")
            }
            if let pids = limits.pids { try write("\(pids + extraPids)", to: "pids", "pids.max") }
        }
    }

    /// Open files through which the child joins the group before it executes the program, by writing "0" (itself).
    ///
    /// On v1 that is `tasks`, not `cgroup.procs`: the child of `vfork` is a single thread, so moving the thread
    /// moves the process, and the kernel moves the current thread without the global write lock that moving a
    /// whole thread group takes (`cgroup_threadgroup_rwsem`, whose write side waits out an RCU grace period —
    /// 5–15 ms at the first join of every `crucible sandbox run`, measured on this kernel). v2 has no
    /// per-thread file outside threaded groups, so there it is `cgroup.procs`.
    func joinFiles() throws -> [Int32] {
        let file = version == .v1 ? "tasks" : "cgroup.procs"
        var fds: [Int32] = []
        for folder in Set(paths.values) {
            let fd = open(folder + "/" + file, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else {
                let reason = String(cString: strerror(errno))
                fds.forEach { close($0) }
                throw SandboxError("cannot open \(folder)/\(file): \(reason)")
            }
            fds.append(fd)
        }
        return fds
    }

    /// The pids in the group; with `threads`, every thread's id (`tasks`, v1 only), where a process whose first thread
    /// has exited and others run on is listed by its running ones.
    func members(threads: Bool = false) -> [pid_t] {
        guard let folder = path(version == .v1 ? "pids" : "") ?? paths.values.first,
              let text = readSmallFile(folder + (threads && version == .v1 ? "/tasks" : "/cgroup.procs")) else { return [] }
        return text.split(separator: "\n").compactMap { pid_t($0) }
    }

    /// Kills every process in the group. v2 has `cgroup.kill`; on v1 the group is frozen first, so
    /// that nothing can fork while the list is read and killed, then thawed so the kills land.
    ///
    /// On v1 a group whose threads have all exited has nothing to kill: a zombie runs no more and cannot fork. That is
    /// the usual group after a run, holding its main process, exited and not yet reaped (or reaped and not yet out of
    /// the list); freezing it would cost the kernel a patch of its own code on every processor (the freezer's static
    /// key), most of a millisecond. Threads, not processes: a process whose first thread exited lists as a zombie
    /// while its other threads run.
    func killAll() {
        switch version {
        case .v2:
            if (try? write("1", to: "", "cgroup.kill")) != nil { return }
            for _ in 0..<8 { let pids = members(); if pids.isEmpty { return }; pids.forEach { kill($0, SIGKILL) } }
        case .v1:
            guard members(threads: true).contains(where: { !hasExited($0) }) else { return }
            let frozen = (try? write("FROZEN", to: "freezer", "freezer.state")) != nil
            for _ in 0..<8 {
                let pids = members()
                if pids.isEmpty { break }
                pids.forEach { kill($0, SIGKILL) }
                if !frozen { break }
            }
            if frozen { _ = try? write("THAWED", to: "freezer", "freezer.state") }
        }
    }

    /// Memory, CPU and limit events, read after the run.
    struct Usage {
        var peakMemoryBytes: Int?
        var cpuSeconds: Double?
        var outOfMemoryKills = 0
        var pidsLimitHits = 0
    }

    func usage() -> Usage {
        var usage = Usage()
        switch version {
        case .v1:
            usage.peakMemoryBytes = read("memory", "memory.max_usage_in_bytes").flatMap { Int($0) }
            usage.cpuSeconds = read("cpuacct", "cpuacct.usage").flatMap { Double($0) }.map { $0 / 1e9 }
            usage.outOfMemoryKills = field("oom_kill", in: read("memory", "memory.oom_control")) ?? 0
        case .v2:
            usage.peakMemoryBytes = read("memory", "memory.peak").flatMap { Int($0) }
            usage.cpuSeconds = field("usage_usec", in: read("cpu", "cpu.stat")).map { Double($0) / 1e6 }
            usage.outOfMemoryKills = field("oom_kill", in: read("memory", "memory.events")) ?? 0
        }
        usage.pidsLimitHits = field("max", in: read("pids", "pids.events")) ?? 0
        return usage
    }

    /// CPU seconds used so far by the whole group.
    func cpuSeconds() -> Double? {
        version == .v1
            ? read("cpuacct", "cpuacct.usage").flatMap { Double($0) }.map { $0 / 1e9 }
            : field("usage_usec", in: read("cpu", "cpu.stat")).map { Double($0) / 1e6 }
    }

    /// Removes the group's folders, killing stragglers; tries for a moment while the kernel
    /// finishes reaping.
    func remove() {
        for attempt in 0..<50 {
            var busy = false
            for folder in Set(paths.values) where rmdir(folder) != 0 && errno != ENOENT {
                busy = true
            }
            if !busy { return }
            killAll()
            usleep(attempt < 10 ? 1_000 : 10_000)
        }
    }

    private func read(_ controller: String, _ file: String) -> String? {
        guard let folder = path(controller) else { return nil }
        return readSmallFile(folder + "/" + file).map { String($0.trimmingBlanks) }
    }

    /// The number after `key` in a "key value" file.
    private func field(_ key: String, in text: String?) -> Int? {
        for line in (text ?? "").split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, parts[0] == key { return Int(parts[1]) }
        }
        return nil
    }

    private func write(_ value: String, to controller: String, _ file: String) throws {
        guard let folder = path(controller) else { return }
        try Self.writeFile(value, at: folder + "/" + file)
    }

    private static func writeFile(_ value: String, at path: String) throws {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SandboxError("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let written = value.withCString { Glibc.write(fd, $0, strlen($0)) }
        guard written >= 0 else { throw SandboxError("cannot write \(value) to \(path): \(String(cString: strerror(errno)))") }
    }
}
