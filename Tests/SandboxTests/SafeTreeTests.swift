import Foundation
@testable import Sandbox
import Testing

@Suite("SafeTree")
struct SafeTreeTests {
    @Test("readFile refuses a symlink to a file outside the tree")
    func readFileRefusesSymlinkedFile() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write(scratch.outside + "/secret", "top secret")
        try #require(symlink(scratch.outside + "/secret", scratch.tree + "/report.xml") == 0)

        let error = #expect(throws: SandboxError.self) {
            try SafeTree.readFile("report.xml", in: scratch.tree, maxBytes: 100)
        }
        #expect(error?.description == "report.xml: is a symbolic link, not followed")
    }

    @Test("readFile refuses a symlinked directory on the way, '..' and absolute paths")
    func readFileRefusesEscapes() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write(scratch.outside + "/secret", "top secret")
        try #require(symlink(scratch.outside, scratch.tree + "/out") == 0)
        try #require(symlink("..", scratch.tree + "/up") == 0)
        try #require(mkdir(scratch.tree + "/real", 0o755) == 0)

        let linked = #expect(throws: SandboxError.self) { try SafeTree.readFile("out/secret", in: scratch.tree, maxBytes: 100) }
        #expect(linked?.description == "out: is a symbolic link, not followed")
        let parent = #expect(throws: SandboxError.self) { try SafeTree.readFile("up/outside/secret", in: scratch.tree, maxBytes: 100) }
        #expect(parent?.description == "up: is a symbolic link, not followed")
        #expect(throws: SandboxError.self) { try SafeTree.readFile("real/../../outside/secret", in: scratch.tree, maxBytes: 100) }
        #expect(throws: SandboxError.self) { try SafeTree.readFile("real/..", in: scratch.tree, maxBytes: 100) }
        #expect(throws: SandboxError.self) { try SafeTree.readFile(scratch.outside + "/secret", in: scratch.tree, maxBytes: 100) }
    }

    @Test("readFile reads a regular file, at most maxBytes of it")
    func readFileReadsUpToLimit() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try #require(mkdir(scratch.tree + "/out", 0o755) == 0)
        try scratch.write(scratch.tree + "/out/report.xml", "<ok/>")

        let whole = try SafeTree.readFile("./out//report.xml", in: scratch.tree, maxBytes: 5)
        #expect(whole.data == Array("<ok/>".utf8))
        #expect(!whole.truncated)
        let part = try SafeTree.readFile("out/report.xml", in: scratch.tree, maxBytes: 3)
        #expect(part.data == Array("<ok".utf8))
        #expect(part.truncated)
        let directory = #expect(throws: SandboxError.self) { try SafeTree.readFile("out", in: scratch.tree, maxBytes: 5) }
        #expect(directory?.description == "out: is a directory, not a regular file")
    }

    @Test("remove deletes the tree but nothing its links point to")
    func removeKeepsLinkTargets() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write(scratch.outside + "/secret", "top secret")
        try #require(mkdir(scratch.outside + "/dir", 0o755) == 0)
        try scratch.write(scratch.outside + "/dir/kept", "kept")
        try #require(symlink(scratch.outside + "/secret", scratch.tree + "/file-link") == 0)
        try #require(symlink(scratch.outside + "/dir", scratch.tree + "/dir-link") == 0)
        try #require(symlink("..", scratch.tree + "/up") == 0)
        try #require(link(scratch.outside + "/secret", scratch.tree + "/hard-link") == 0)

        try SafeTree.remove(scratch.tree)

        #expect(!exists(scratch.tree))
        #expect(try String(contentsOfFile: scratch.outside + "/secret", encoding: .utf8) == "top secret")
        #expect(exists(scratch.outside + "/dir/kept"))
        try SafeTree.remove(scratch.tree) // already gone: nothing to do
    }

    @Test("changeOwner changes the tree but nothing its links point to", .enabled(if: geteuid() == 0, "needs root"))
    func changeOwnerKeepsLinkTargets() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write(scratch.outside + "/secret", "top secret")
        try #require(mkdir(scratch.tree + "/out", 0o755) == 0)
        try scratch.write(scratch.tree + "/out/report.xml", "<ok/>")
        try #require(link(scratch.tree + "/out/report.xml", scratch.tree + "/report-copy") == 0)
        try #require(symlink(scratch.outside + "/secret", scratch.tree + "/file-link") == 0)
        try #require(symlink(scratch.outside, scratch.tree + "/dir-link") == 0)
        try #require(link(scratch.outside + "/secret", scratch.tree + "/hard-link") == 0)

        try SafeTree.changeOwner(of: scratch.tree, uid: 4242, gid: 4343)

        for changed in ["", "/out", "/out/report.xml", "/file-link", "/dir-link"] {
            #expect(try owner(of: scratch.tree + changed) == (4242, 4343), "\(changed)")
        }
        let creator = (geteuid(), getegid())
        #expect(try owner(of: scratch.outside) == creator)
        #expect(try owner(of: scratch.outside + "/secret") == creator)
    }

    @Test("after a hand-over each entry gets its own owner back, and what the code made goes to the root's owner",
          .enabled(if: geteuid() == 0, "needs root"))
    func restoreGivesEachEntryItsOwner() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write(scratch.tree + "/mine", "root's")
        try scratch.write(scratch.tree + "/theirs", "another user's")
        try #require(mkdir(scratch.tree + "/their-dir", 0o755) == 0)
        try #require(chown(scratch.tree + "/theirs", 4242, 4343) == 0)
        try #require(chown(scratch.tree + "/their-dir", 4242, 4343) == 0)
        let creator = (geteuid(), getegid())
        var owners = SafeTree.Owners(root: SafeTree.Owner(uid: creator.0, gid: creator.1))

        try SafeTree.handOver(scratch.tree, to: SafeTree.Owner(uid: 65534, gid: 65534), recording: &owners)
        for path in ["", "/mine", "/theirs", "/their-dir"] {
            #expect(try owner(of: scratch.tree + path) == (65534, 65534), "\(path)")
        }
        // What the sandboxed code does meanwhile: makes a file, renames one of the others.
        try scratch.write(scratch.tree + "/made", "new")
        try #require(chown(scratch.tree + "/made", 65534, 65534) == 0)
        try #require(rename(scratch.tree + "/theirs", scratch.tree + "/their-dir/moved") == 0)

        try SafeTree.restoreOwners(of: scratch.tree, owners)
        #expect(try owner(of: scratch.tree) == creator)
        #expect(try owner(of: scratch.tree + "/mine") == creator)
        #expect(try owner(of: scratch.tree + "/made") == creator)
        #expect(try owner(of: scratch.tree + "/their-dir") == (4242, 4343))
        #expect(try owner(of: scratch.tree + "/their-dir/moved") == (4242, 4343))
    }

    @Test("a sparse 1 TiB file counts only its allocated blocks and reads only maxBytes")
    func sparseFile() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let file = open(scratch.tree + "/sparse", O_WRONLY | O_CREAT, 0o644)
        try #require(file >= 0)
        defer { close(file) }
        try #require(ftruncate(file, 1 << 40) == 0)

        let usage = SafeTree.usage(of: scratch.tree)
        #expect(usage.bytes < 1 << 20)
        #expect(usage.entries == 2)
        #expect(usage.complete)
        let read = try SafeTree.readFile("sparse", in: scratch.tree, maxBytes: 4096)
        #expect(read.data == [UInt8](repeating: 0, count: 4096))
        #expect(read.truncated)
    }

    @Test("a FIFO is refused by readFile without blocking, and removed")
    func fifo() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try #require(mkfifo(scratch.tree + "/pipe", 0o644) == 0)

        let error = #expect(throws: SandboxError.self) { try SafeTree.readFile("pipe", in: scratch.tree, maxBytes: 100) }
        #expect(error?.description == "pipe: is a FIFO, not a regular file")
        try SafeTree.remove(scratch.tree)
        #expect(!exists(scratch.tree))
    }

    @Test("a 20,000-deep chain of directories is measured, refused by changeOwner and removed completely")
    func deepChain() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        var directory = open(scratch.tree, O_RDONLY | O_DIRECTORY)
        for _ in 0..<20_000 {
            try #require(mkdirat(directory, "d", 0o755) == 0)
            let child = openat(directory, "d", O_RDONLY | O_DIRECTORY)
            close(directory)
            directory = child
            try #require(directory >= 0)
        }
        close(directory)

        let usage = SafeTree.usage(of: scratch.tree)
        #expect(!usage.complete)
        #expect(usage.entries == SafeTree.maxOpenDirectories + 1)
        let error = #expect(throws: SandboxError.self) { try SafeTree.changeOwner(of: scratch.tree, uid: geteuid(), gid: getegid()) }
        #expect(error?.description.hasSuffix("levels below the root, not entered") == true)
        try SafeTree.remove(scratch.tree)
        #expect(!exists(scratch.tree))
    }

    @Test("an unreadable directory (mode 000) is removed with its contents")
    func unreadableDirectory() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try #require(mkdir(scratch.tree + "/closed", 0o755) == 0)
        try scratch.write(scratch.tree + "/closed/inside", "x")
        try #require(chmod(scratch.tree + "/closed", 0) == 0)

        try SafeTree.remove(scratch.tree)
        #expect(!exists(scratch.tree))
    }

    @Test("usage stops at maxEntries and says it is incomplete")
    func maxEntries() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        for index in 0..<10 { try scratch.write(scratch.tree + "/file\(index)", "x") }

        let stopped = SafeTree.usage(of: scratch.tree, maxEntries: 5)
        #expect(stopped.entries == 5)
        #expect(!stopped.complete)
        let all = SafeTree.usage(of: scratch.tree, maxEntries: 11)
        #expect(all.entries == 11)
        #expect(all.complete)
    }
}

/// A fresh directory under the temporary directory holding `tree`, the directory worked on, and
/// `outside`, a sibling that links in `tree` point to.
private struct Scratch {
    let path: String
    var tree: String { path + "/tree" }
    var outside: String { path + "/outside" }

    init() throws {
        var template = Array((FileManager.default.temporaryDirectory.path + "/safetree-XXXXXX").utf8CString)
        let made = try #require(mkdtemp(&template))
        path = String(cString: made)
        try #require(mkdir(tree, 0o755) == 0)
        try #require(mkdir(outside, 0o755) == 0)
    }

    func write(_ file: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
    }

    func remove() { try? SafeTree.remove(path) }
}

private func exists(_ path: String) -> Bool {
    var status = stat()
    return lstat(path, &status) == 0
}

private func owner(of path: String) throws -> (uid_t, gid_t) {
    var status = stat()
    try #require(lstat(path, &status) == 0)
    return (status.st_uid, status.st_gid)
}
