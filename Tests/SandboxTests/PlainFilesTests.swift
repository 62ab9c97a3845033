import Foundation
@testable import Sandbox
import Testing

struct PlainFilesTests {
    @Test("a kernel file is read whole, past the first chunk, as Foundation reads it")
    func kernelFiles() throws {
        let mountinfo = try #require(readSmallFile("/proc/self/mountinfo"))
        #expect(mountinfo == (try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)))
        let folder = FileManager.default.temporaryDirectory.path + "/crucible-plain-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let long = String(repeating: "0123456789abcdef", count: 5000)  // 80 KB: several reads
        try long.write(toFile: folder + "/long", atomically: false, encoding: .utf8)
        #expect(readSmallFile(folder + "/long") == long)
        #expect(readSmallFile(folder + "/missing") == nil)
    }

    @Test("folder names are listed by prefix, without . and ..")
    func names() throws {
        let folder = FileManager.default.temporaryDirectory.path + "/crucible-names-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder + "/crucible-1", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder + "/crucible-2", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder + "/other", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(Set(entryNames(in: folder, prefix: "crucible-")) == ["crucible-1", "crucible-2"])
        #expect(Set(entryNames(in: folder, prefix: "")) == ["crucible-1", "crucible-2", "other"])
        #expect(entryNames(in: folder + "/missing", prefix: "").isEmpty)
    }

    @Test("names are read where readdir leaves them: thousands of entries, short and long names up to 255 bytes")
    func manyNames() throws {
        // Copying a record's whole 256-byte `d_name` read past the end of readdir's buffer (valgrind showed it; a crowded
        // /tmp crashed `crucible evolve`): names are read in place, as far as their NUL.
        let folder = FileManager.default.temporaryDirectory.path + "/crucible-many-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var made: Set<String> = []
        for i in 0..<2000 {
            let name = String(i) + String(repeating: "n", count: (i * 37) % (255 - String(i).utf8.count))
            made.insert(name)
            close(creat(folder + "/" + name, 0o644))
        }
        #expect(Set(entryNames(in: folder, prefix: "")) == made)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: folder)) == made)
    }

    @Test("sizes and durations take surrounding white space, and nothing else")
    func trimmed() {
        #expect(ByteSize.parse(" 64M ") == 64 << 20)
        #expect(ByteSize.parse("\t2G\n") == 2 << 30)
        #expect(ByteSize.parse("   ") == nil)
        #expect(ByteSize.parse("6 4M") == nil)
        #expect(DurationText.parse(" 30s ") == 30)
        #expect(DurationText.parse("") == nil)
        #expect("  a b  ".trimmingBlanks == "a b")
    }

    @Test("sizes take k, m, g and t in either case, with an optional i and B; durations ms, s, m and h")
    func units() {
        for (text, bytes) in [("65536", 65536), ("1k", 1 << 10), ("2K", 2 << 10), ("3m", 3 << 20), ("512M", 512 << 20), ("4MiB", 4 << 20),
                              ("5g", 5 << 30), ("6Gi", 6 << 30), ("7tb", 7 << 40), ("8T", 8 << 40), ("9B", 9)] {
            #expect(ByteSize.parse(text) == bytes, "\(text)")
        }
        for text in ["", "M", "1x", "-1M", "1.5G", "99999999999T"] { #expect(ByteSize.parse(text) == nil, "\(text)") }
        for (text, seconds) in [("20", 20.0), ("20s", 20), ("2m", 120), ("1h", 3600), ("1.5s", 1.5), ("250ms", 0.25)] {
            #expect(DurationText.parse(text) == seconds, "\(text)")
        }
        for text in ["s", "0", "-1s", "soon", "1d", "ms"] { #expect(DurationText.parse(text) == nil, "\(text)") }
        #expect("".trimmingBlanks == "")
    }

    @Test("a process has exited when it is a zombie or gone, not while it runs, whatever its name")
    func exited() throws {
        // A program whose name (the `comm` in /proc/PID/stat) holds `) Z` and a mark that joins the `)` before it into
        // one character: the state is read two bytes after the last `)` byte.
        let folder = FileManager.default.temporaryDirectory.path + "/crucible-exited-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let program = folder + "/x) Z\u{0600}"
        try FileManager.default.copyItem(atPath: "/bin/sleep", toPath: program)
        var pid: pid_t = 0
        let arguments: [UnsafeMutablePointer<CChar>?] = ([program, "30"] as [String]).map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        #expect(posix_spawn(&pid, program, nil, nil, arguments, environ) == 0)
        #expect(readSmallFile("/proc/\(pid)/stat")?.contains("x) Z") == true)
        #expect(!hasExited(pid))
        kill(pid, SIGKILL)
        var info = siginfo_t()
        #expect(waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) == 0)  // exited, not reaped: a zombie
        #expect(hasExited(pid))
        var status: Int32 = 0
        #expect(waitpid(pid, &status, 0) == pid)
        #expect(hasExited(pid))
        #expect(!hasExited(getpid()))
    }
}

struct StaleFolderTests {
    /// A pid no process has: beyond the kernel's largest.
    static let deadPid = 4_194_305

    @Test("folders that dead engines left behind are swept; live ones, others' and files are kept")
    func sweep() throws {
        let tmp = try #require(StagingArea.userFolder())
        let dead = ["stage-\(Self.deadPid)-a1", "etc-new-\(Self.deadPid)-b2"]
        let kept = ["stage-\(getpid())-c3", "etc-new-\(getpid())-d4", "stagex-\(Self.deadPid)-e5"]
        for name in dead + kept { try FileManager.default.createDirectory(atPath: tmp + "/" + name + "/etc", withIntermediateDirectories: true) }
        let file = tmp + "/stage-\(Self.deadPid)-file"
        #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
        defer { for name in dead + kept { try? FileManager.default.removeItem(atPath: tmp + "/" + name) }; try? FileManager.default.removeItem(atPath: file) }

        StagingArea.removeStale(in: tmp, besides: tmp + "/stage-none")
        for name in dead { #expect(!FileManager.default.fileExists(atPath: tmp + "/" + name), "\(name) was left") }
        for name in kept { #expect(FileManager.default.fileExists(atPath: tmp + "/" + name), "\(name) was removed") }
        #expect(FileManager.default.fileExists(atPath: file))
    }

    @Test("the user's folder is made mode 0755, and not used when its name holds a link or a folder with another mode")
    func userFolder() throws {
        let temporary = FileManager.default.temporaryDirectory.path + "/crucible-userfolder-\(getpid())"
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        let path = try #require(StagingArea.userFolder(in: temporary))
        #expect(path == temporary + "/crucible-\(geteuid())")
        var info = stat()
        #expect(lstat(path, &info) == 0 && info.st_mode & 0o7777 == 0o755)
        #expect(StagingArea.userFolder(in: temporary) == path)  // found again as it is

        chmod(path, 0o777)
        #expect(StagingArea.userFolder(in: temporary) == nil)
        rmdir(path)
        try FileManager.default.createDirectory(atPath: temporary + "/elsewhere", withIntermediateDirectories: false)
        symlink(temporary + "/elsewhere", path)
        #expect(StagingArea.userFolder(in: temporary) == nil)
    }
}
