import Glibc

/// Handles a directory tree that untrusted code has written: measures it, gives it a new owner,
/// deletes it and reads single files from it, without ever following a symbolic link out of it.
///
/// Every walk goes by file descriptor (`openat`, `fstatat`, `unlinkat` relative to an open
/// directory), never by path string, so links planted anywhere in the tree, paths longer than
/// `PATH_MAX` and directories renamed mid-walk cannot redirect it. Walks are iterative with an
/// explicit stack and hold at most `maxOpenDirectories` directories open at once.
public enum SafeTree {
    /// The most directories a walk holds open at once, the root included: this bounds the file
    /// descriptors it uses, and how deep `usage` and `changeOwner` go.
    static let maxOpenDirectories = 64

    /// Allocated bytes (st_blocks × 512, so sparse files count what they really use) and entries
    /// under `root`, root included, not following symlinks and not crossing into other file systems.
    /// A file with several hard links is counted once in bytes and once per link in entries.
    /// Stops counting at `maxEntries` and reports `complete: false`; so it does when a directory
    /// `maxOpenDirectories` levels below `root` is met (counted but not entered: going further
    /// would mean rearranging the tree), when a directory cannot be read, and when `root` cannot
    /// be opened.
    public static func usage(of root: String, maxEntries: Int = 1_000_000) -> (bytes: Int64, entries: Int, complete: Bool) {
        var bytes: Int64 = 0
        var entries = 0
        var complete = true
        var countedInodes = Set<UInt>()
        walk(root, visit: { _, _, status, _ in
            guard entries < maxEntries else {
                complete = false
                return false
            }
            entries += 1
            if isDirectory(status) || status.st_nlink <= 1 || countedInodes.insert(status.st_ino).inserted {
                bytes += Int64(status.st_blocks) * 512
            }
            return true
        }, blocked: { _ in complete = false })
        return (bytes, entries, complete)
    }

    /// Gives every entry under `root` (root included) to uid/gid, with lchown semantics (fchownat
    /// AT_SYMLINK_NOFOLLOW), never following a symlink and not crossing into other file systems.
    /// A file with several hard links changes owner only once all its links have been met in the
    /// tree: a link to a file outside would otherwise hand that file over too.
    /// - Throws: `SandboxError` naming the first entry that could not be changed or directory that
    ///   could not be read, after changing all it could; so too when a directory
    ///   `maxOpenDirectories` levels below `root` is met (changed but not entered: going further
    ///   would mean rearranging the tree).
    public static func changeOwner(of root: String, uid: uid_t, gid: gid_t) throws {
        try chownTree(root) { _ in Owner(uid: uid, gid: gid) }
    }

    /// A file's owner.
    public struct Owner: Hashable, Sendable {
        public var uid: uid_t
        public var gid: gid_t
        public init(uid: uid_t, gid: gid_t) {
            self.uid = uid
            self.gid = gid
        }
    }

    /// Who owned each entry of a tree before `handOver`, so that `restoreOwners` gives every
    /// entry back to its own owner, not all of them to the root's.
    public struct Owners: Sendable {
        fileprivate var byFile: [FileID: Owner] = [:]
        /// The owner of the tree's root: entries created since the hand-over go to it.
        public let root: Owner
        /// Whom the tree was handed to; set by `handOver`.
        public fileprivate(set) var handedTo: Owner?

        public init(root: Owner) {
            self.root = root
        }
    }

    /// A file, by device and inode: renames inside the tree keep it.
    fileprivate struct FileID: Hashable, Sendable {
        var device: UInt
        var inode: UInt
        init(_ status: stat) {
            device = UInt(status.st_dev)
            inode = UInt(status.st_ino)
        }
    }

    /// Gives every entry under `root` to `owner` as `changeOwner` does, recording in `owners` whom
    /// each belonged to. Entries that vanish during the walk (a tree others still write to) are
    /// skipped. Call `restoreOwners` with the record afterwards, also when this throws: what was
    /// changed before the failure is recorded.
    public static func handOver(_ root: String, to owner: Owner, recording owners: inout Owners) throws {
        owners.handedTo = owner
        try chownTree(root) { status in
            // Only entries owned otherwise than the root are recorded: the others go back to the root's owner anyway. A
            // tree of one owner (the usual one) then needs no table, and no first use of its type at every start.
            let original = Owner(uid: status.st_uid, gid: status.st_gid)
            if original != owners.root {
                let id = FileID(status)
                if owners.byFile[id] == nil { owners.byFile[id] = original }
            }
            return owner
        }
    }

    /// Gives each entry under `root` back the owner `handOver` recorded for it; an entry it did
    /// not record that belongs to whom the tree was handed to (the code made it) goes to the
    /// root's owner; any other entry is left as it is.
    public static func restoreOwners(of root: String, _ owners: Owners) throws {
        try chownTree(root) { status in
            if !owners.byFile.isEmpty, let recorded = owners.byFile[FileID(status)] { return recorded }
            let current = Owner(uid: status.st_uid, gid: status.st_gid)
            return current == owners.handedTo ? owners.root : nil
        }
    }

    /// Gives every entry under `root` the owner `owner` chooses for it (nil: leave it), with
    /// lchown semantics, never following a symlink, not crossing into other file systems, and
    /// changing a file with several hard links only once all its links have been met.
    private static func chownTree(_ root: String, owner: (stat) -> Owner?) throws {
        var linksMet: [UInt: UInt] = [:]
        var failure: SandboxError?
        walk(root, visit: { directory, name, status, path in
            if !isDirectory(status) && status.st_nlink > 1 {
                let met = linksMet[status.st_ino, default: 0] + 1
                guard met >= status.st_nlink else {
                    linksMet[status.st_ino] = met
                    return true
                }
                linksMet[status.st_ino] = nil
            }
            guard let target = owner(status), target.uid != status.st_uid || target.gid != status.st_gid else { return true }
            if fchownat(directory, name, target.uid, target.gid, AT_SYMLINK_NOFOLLOW) != 0, errno != ENOENT {
                failure = failure ?? systemError(path(), "cannot change owner")
            }
            return true
        }, blocked: { failure = failure ?? $0 })
        if let failure { throw failure }
    }

    /// Deletes `root` and everything under it, however deep, without following symlinks; makes
    /// unreadable directories readable first (as root it usually needs not). A directory
    /// `maxOpenDirectories` levels below `root` is moved up into `root` under a fresh name and
    /// deleted from there, so any depth needs no more descriptors than that. A missing `root` is
    /// already removed.
    /// - Throws: `SandboxError` naming the first entry that could not be deleted, after deleting all
    ///   it could; a directory on another file system is neither entered nor deleted.
    public static func remove(_ root: String) throws {
        let rootName = Array(root.utf8CString)
        guard let rootStatus = status(of: rootName, in: AT_FDCWD) else {
            let code = errno
            if code == ENOENT { return }
            throw SandboxError("\(root): cannot remove: \(reason(code))")
        }
        guard isDirectory(rootStatus) else { throw refusal(root, rootStatus, expected: "a directory") }
        makeAccessible(rootName, in: AT_FDCWD, rootStatus)
        guard let rootStream = openDirectory(rootName, in: AT_FDCWD) else {
            throw openFailure(root, rootName, in: AT_FDCWD)
        }
        var stack = [Frame(stream: rootStream, name: rootName, path: root)]
        defer { for frame in stack { closedir(frame.stream) } }
        var failure: SandboxError?
        var movedUp = 0
        while let top = stack.last {
            let next = nextName(in: top)
            if case .failure(let error) = next { failure = failure ?? error }
            guard case .success(let name?) = next else {
                // Entries moved in while a directory is read may not be listed (POSIX leaves it
                // open), so a directory that changed and is not empty yet is read again.
                let parent = stack.count > 1 ? stack[stack.count - 2].fd : AT_FDCWD
                let removed = unlinkat(parent, top.name, AT_REMOVEDIR) == 0
                let code = errno
                if !removed && code == ENOTEMPTY && top.changed {
                    rewinddir(top.stream)
                    stack[stack.count - 1].changed = false
                    continue
                }
                if !removed && code != ENOENT {
                    failure = failure ?? SandboxError("\(top.path): cannot remove: \(reason(code))")
                }
                closedir(top.stream)
                stack.removeLast()
                if removed && !stack.isEmpty { stack[stack.count - 1].changed = true }
                continue
            }
            let path = top.path + "/" + display(name)
            guard let status = status(of: name, in: top.fd) else {
                if errno != ENOENT { failure = failure ?? systemError(path, "cannot read") }
                continue
            }
            guard isDirectory(status) else {
                // Unlinking a name never reaches another file system; a mount point refuses with EBUSY.
                if unlinkat(top.fd, name, 0) == 0 {
                    stack[stack.count - 1].changed = true
                } else if errno != ENOENT {
                    failure = failure ?? systemError(path, "cannot remove")
                }
                continue
            }
            guard status.st_dev == rootStatus.st_dev else {
                failure = failure ?? SandboxError("\(path): on another file system, not removed")
                continue
            }
            if stack.count == maxOpenDirectories {
                do {
                    try moveUp(name, from: top.fd, to: stack[0].fd, path: path, counter: &movedUp)
                    stack[0].changed = true
                } catch {
                    failure = failure ?? error
                }
                continue
            }
            makeAccessible(name, in: top.fd, status)
            guard let stream = openDirectory(name, in: top.fd) else {
                failure = failure ?? openFailure(path, name, in: top.fd)
                continue
            }
            stack.append(Frame(stream: stream, name: name, path: path))
        }
        if let failure { throw failure }
    }

    /// Reads the regular file at `relativePath` below `root`, refusing if any component is a
    /// symlink (openat with O_NOFOLLOW at every step, O_DIRECTORY for directories), if it is not a
    /// regular file (checked before opening, so a FIFO is never opened, and again with fstat), or
    /// if it leaves `root` (`..` components and absolute paths refused). Reads at most `maxBytes`;
    /// returns the bytes and whether the file was longer.
    /// - Throws: `SandboxError` naming the path and the reason.
    public static func readFile(_ relativePath: String, in root: String, maxBytes: Int) throws -> (data: [UInt8], truncated: Bool) {
        precondition(maxBytes >= 0, "maxBytes must not be negative")
        let components = relativePath.split(separator: "/").map(String.init).filter { $0 != "." }
        guard !relativePath.hasPrefix("/"), let fileName = components.last else {
            throw SandboxError("\(relativePath): not a relative path to a file below \(root)")
        }
        guard !components.contains("..") else {
            throw SandboxError("\(relativePath): '..' would leave \(root), refused")
        }
        let rootName = Array(root.utf8CString)
        var directory = openat(AT_FDCWD, rootName, directoryFlags)
        guard directory >= 0 else { throw openFailure(root, rootName, in: AT_FDCWD) }
        defer { close(directory) }
        var path = ""
        for component in components.dropLast() {
            let name = Array(component.utf8CString)
            path += component + "/"
            let next = openat(directory, name, directoryFlags)
            guard next >= 0 else { throw openFailure(String(path.dropLast()), name, in: directory) }
            close(directory)
            directory = next
        }
        path += fileName
        let name = Array(fileName.utf8CString)
        guard let status = status(of: name, in: directory) else { throw systemError(path, "cannot read") }
        guard isRegularFile(status) else { throw refusal(path, status, expected: "a regular file") }
        let file = openat(directory, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        guard file >= 0 else { throw openFailure(path, name, in: directory) }
        defer { close(file) }
        var opened = stat()
        guard fstat(file, &opened) == 0 else { throw systemError(path, "cannot read") }
        guard isRegularFile(opened) else { throw refusal(path, opened, expected: "a regular file") }

        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: min(maxBytes, 1 << 16))
        while data.count < maxBytes {
            let wanted = min(chunk.count, maxBytes - data.count)
            let count = try chunk.withUnsafeMutableBytes { try readSome(file, into: $0.baseAddress, count: wanted, path: path) }
            if count == 0 { break }
            data.append(contentsOf: chunk[..<count])
        }
        var probe: UInt8 = 0
        let truncated = try data.count == maxBytes && readSome(file, into: &probe, count: 1, path: path) == 1
        return (data, truncated)
    }

    // MARK: - Walking

    private static let directoryFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC

    /// A directory being read by a walk.
    private struct Frame {
        /// The directory stream, which owns the descriptor.
        let stream: OpaquePointer
        /// Its name in its parent, NUL-terminated; the root's path for the root.
        let name: [CChar]
        /// Its path, for messages.
        let path: String
        /// Whether an entry left it or arrived in it since it was last read from the start.
        var changed = false

        var fd: Int32 { dirfd(stream) }
    }

    /// Visits `root` and every entry below it on the same file system, parents before children,
    /// without following symlinks and without changing the tree.
    /// - Parameters:
    ///   - visit: gets the descriptor of the directory holding the entry (AT_FDCWD for the root),
    ///     its NUL-terminated name (the root's path for the root), its status and its path; returns
    ///     false to end the walk.
    ///   - blocked: hears of each entry left unvisited because its status cannot be read, and of
    ///     each directory whose entries are left unvisited because it cannot be opened or read, or
    ///     is `maxOpenDirectories` levels below the root; the walk goes on when it returns.
    private static func walk(
        _ root: String,
        visit: (_ directory: Int32, _ name: [CChar], _ status: stat, _ path: () -> String) -> Bool,
        blocked: (SandboxError) -> Void
    ) {
        let rootName = Array(root.utf8CString)
        guard let rootStream = openDirectory(rootName, in: AT_FDCWD) else {
            return blocked(openFailure(root, rootName, in: AT_FDCWD))
        }
        var stack = [Frame(stream: rootStream, name: rootName, path: root)]
        defer { for frame in stack { closedir(frame.stream) } }
        var rootStatus = stat()
        guard fstat(stack[0].fd, &rootStatus) == 0 else {
            return blocked(systemError(root, "cannot read"))
        }
        guard visit(AT_FDCWD, rootName, rootStatus, { root }) else { return }
        while let top = stack.last {
            let name: [CChar]
            switch nextName(in: top) {
            case .success(let next?):
                name = next
            case .success(nil):
                closedir(top.stream)
                stack.removeLast()
                continue
            case .failure(let error):
                closedir(top.stream)
                stack.removeLast()
                blocked(error)
                continue
            }
            let path = { top.path + "/" + display(name) }
            guard let status = status(of: name, in: top.fd) else {
                if errno != ENOENT { blocked(systemError(path(), "cannot read")) }
                continue
            }
            guard status.st_dev == rootStatus.st_dev else { continue }
            guard visit(top.fd, name, status, path) else { return }
            guard isDirectory(status) else { continue }
            guard stack.count < maxOpenDirectories else {
                blocked(SandboxError("\(path()): \(maxOpenDirectories) levels below the root, not entered"))
                continue
            }
            guard let stream = openDirectory(name, in: top.fd) else {
                // A directory that vanished since it was listed is no longer part of the tree.
                if errno != ENOENT { blocked(openFailure(path(), name, in: top.fd)) }
                continue
            }
            stack.append(Frame(stream: stream, name: name, path: path()))
        }
    }

    /// Opens directory `name` in `parent` as a stream, never following a symlink; nil with errno set on failure.
    private static func openDirectory(_ name: [CChar], in parent: Int32) -> OpaquePointer? {
        let fd = openat(parent, name, directoryFlags)
        guard fd >= 0 else { return nil }
        guard let stream = fdopendir(fd) else {
            let code = errno
            close(fd)
            errno = code
            return nil
        }
        return stream
    }

    /// The next name in `frame`'s directory, NUL-terminated, skipping `.` and `..`; nil at the end.
    private static func nextName(in frame: Frame) -> Result<[CChar]?, SandboxError> {
        while true {
            errno = 0
            guard let entry = readdir(frame.stream) else {
                let code = errno
                return code == 0 ? .success(nil) : .failure(SandboxError("\(frame.path): cannot read: \(reason(code))"))
            }
            let field = entryName(entry)
            let name = Array(UnsafeBufferPointer(start: field, count: strlen(field) + 1))
            if name != [46, 0] && name != [46, 46, 0] { return .success(name) }
        }
    }

    /// Moves directory `name` from `parent` into the root directory under a name not in use there.
    private static func moveUp(_ name: [CChar], from parent: Int32, to root: Int32, path: String, counter: inout Int) throws(SandboxError) {
        var newName: [CChar]
        repeat {
            counter += 1
            newName = Array(".safetree-moved-\(counter)".utf8CString)
        } while status(of: newName, in: root) != nil
        guard renameat(parent, name, root, newName) == 0 else {
            throw systemError(path, "cannot move up to remove it")
        }
    }

    /// Gives the owner read, write and search permission on a directory lacking any of them, so it
    /// can be listed and emptied; never follows a symlink. A failure is left for the open or unlink
    /// that follows to report.
    private static func makeAccessible(_ name: [CChar], in parent: Int32, _ status: stat) {
        guard status.st_mode & S_IRWXU != S_IRWXU else { return }
        _ = fchmodat(parent, name, (status.st_mode & 0o7777) | S_IRWXU, AT_SYMLINK_NOFOLLOW)
    }

    // MARK: - Status and messages

    private static func status(of name: [CChar], in directory: Int32) -> stat? {
        var result = stat()
        return fstatat(directory, name, &result, AT_SYMLINK_NOFOLLOW) == 0 ? result : nil
    }

    private static func isDirectory(_ status: stat) -> Bool { status.st_mode & S_IFMT == S_IFDIR }

    private static func isRegularFile(_ status: stat) -> Bool { status.st_mode & S_IFMT == S_IFREG }

    /// Reads up to `count` bytes, retrying when interrupted; 0 at the end of the file.
    private static func readSome(_ file: Int32, into buffer: UnsafeMutableRawPointer?, count: Int, path: String) throws -> Int {
        while true {
            let result = read(file, buffer, count)
            if result >= 0 { return result }
            if errno != EINTR { throw systemError(path, "cannot read") }
        }
    }

    /// Why opening `name` in `directory` just failed: a symlink or a file of the wrong kind is named as such.
    private static func openFailure(_ path: @autoclosure () -> String, _ name: [CChar], in directory: Int32) -> SandboxError {
        let code = errno
        if code == ENOTDIR || code == ELOOP, let status = status(of: name, in: directory) {
            return refusal(path(), status, expected: "a directory")
        }
        return SandboxError("\(path()): cannot open: \(reason(code))")
    }

    /// Refuses an entry that is not of the `expected` kind.
    private static func refusal(_ path: String, _ status: stat, expected: String) -> SandboxError {
        let kind: String
        switch status.st_mode & S_IFMT {
        case S_IFLNK: return SandboxError("\(path): is a symbolic link, not followed")
        case S_IFDIR: kind = "a directory"
        case S_IFREG: kind = "a regular file"
        case S_IFIFO: kind = "a FIFO"
        case S_IFSOCK: kind = "a socket"
        default: kind = "a device"
        }
        return SandboxError("\(path): is \(kind), not \(expected)")
    }

    /// A NUL-terminated name for messages; bytes that are not UTF-8 show as replacement characters.
    private static func display(_ name: [CChar]) -> String {
        String(decoding: name.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The error of the last failed call on `path`, errno read before the message is built.
    private static func systemError(_ path: @autoclosure () -> String, _ action: String) -> SandboxError {
        let code = errno
        return SandboxError("\(path()): \(action): \(reason(code))")
    }

    private static func reason(_ code: Int32) -> String { String(cString: strerror(code)) }
}
