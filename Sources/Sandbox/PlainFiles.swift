import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A kernel file (`/proc`, a cgroup's), read with plain system calls: these files report no size, and Foundation's reader
/// costs more than the read itself at every start. Nil when it cannot be opened or read.
func readSmallFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 16384)
    while true {
        let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        if count < 0, errno == EINTR { continue }
        guard count >= 0 else { return nil }
        if count == 0 { break }
        bytes += chunk[0..<count]
        if bytes.count > 16 << 20 { return nil }  // no kernel file the engine reads is this long
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// The temporary directory, as Foundation's `FileManager.temporaryDirectory` finds it on Linux (`$TMPDIR` when set,
/// else `/tmp`), without a trailing slash; read with `getenv`, where Foundation's URL would cost first uses of generic
/// types (a scan of the binary's conformances each) at every start of `crucible sandbox run`.
func temporaryDirectoryPath() -> String {
    var path = getenv("TMPDIR").map { String(cString: $0) } ?? ""
    while path.count > 1, path.hasSuffix("/") { path.removeLast() }
    return path.isEmpty ? "/tmp" : path
}

/// `path` absolute, without `.`, `..` or links, as the kernel names it (`realpath`); nil when it does not exist.
/// Foundation's URL standardizing would cost first uses of generic types (a scan of the binary's conformances each) at
/// every start of `crucible sandbox run`.
public func resolvedPath(_ path: String) -> String? {
    realpath(path, nil).map { resolved in
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// Whether process or thread `id` has exited or is exiting, by `/proc/ID/stat`: a zombie (waiting to be reaped) or dead
/// by its state letter, or exiting by its flags (`PF_EXITING`: in the kernel's exit path, it never runs its own code
/// again nor forks) — the fields after the last `)` byte (the command's name before it may hold anything, `)` and `Z`
/// included, and is never read as characters, which a combining mark could join to the `)`). Or it is gone: `/proc`
/// has no entry for it and `kill(id, 0)` finds none either (an entry that `hidepid` only hides is not gone).
func hasExited(_ id: pid_t) -> Bool {
    func gone() -> Bool { kill(id, 0) != 0 && errno == ESRCH }
    guard let stat = readSmallFile("/proc/\(id)/stat") else { return (errno == ENOENT || errno == ESRCH) && gone() }
    let bytes = Array(stat.utf8)
    guard let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return gone() }
    // state ppid pgrp session tty_nr tpgid flags ...
    let fields = bytes[(close + 1)...].split(separator: UInt8(ascii: " "))
    guard fields.count > 6, let state = fields[0].first else { return gone() }
    if state == UInt8(ascii: "Z") || state == UInt8(ascii: "X") { return true }
    let exiting: UInt = 0x4  // PF_EXITING
    return UInt(String(decoding: fields[6], as: UTF8.self)).map { $0 & exiting != 0 } ?? false
}

/// The names in folder `path` (without `.` and `..`) that start with `prefix`, read with plain system calls (a sweep at every start would
/// otherwise pay for Foundation's directory reader); empty when it cannot be read.
func entryNames(in path: String, prefix: String) -> [String] {
    guard let stream = opendir(path) else { return [] }
    defer { closedir(stream) }
    var names: [String] = []
    while let entry = readdir(stream) {
        let name = String(cString: entryName(entry))
        if name != ".", name != "..", name.hasPrefix(prefix) { names.append(name) }
    }
    return names
}

/// The NUL-terminated name of an entry `readdir` returned, where it is. Never copy `d_name` itself: it is declared 256
/// bytes long, but the record `readdir` returns holds only the name, and a copy reads past it — past the end of
/// readable memory when the record is the last of its buffer (a crash `crucible evolve` met in a `/tmp` of a few
/// thousand entries).
func entryName(_ entry: UnsafeMutablePointer<dirent>) -> UnsafePointer<CChar> {
    UnsafeRawPointer(entry).advanced(by: MemoryLayout<dirent>.offset(of: \dirent.d_name)!).assumingMemoryBound(to: CChar.self)
}
