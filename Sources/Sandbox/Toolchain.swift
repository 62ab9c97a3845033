import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Finds the folders a command's programs need that live outside the system directories — an
/// interpreter under a home directory (pyenv, a virtual environment, rustup, nvm) — so that the
/// sandbox binds exactly those, read-only, and keeps the rest of home invisible.
struct Toolchain: Sendable, Hashable {
    /// Folders to bind read-only at the same path.
    var binds: [String] = []
    /// Folders to put first on the sandbox's `PATH`, so commands find the real programs.
    var pathEntries: [String] = []

    /// Directories every sandbox gets read-only; programs under them need nothing else.
    static let systemPrefixes = ["/usr/", "/bin/", "/sbin/", "/lib/", "/lib64/", "/lib32/", "/libx32/", "/etc/"]
    /// The sandbox's `PATH` after the toolchain's own folders.
    static let systemPath = ["/usr/local/bin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/sbin", "/sbin"]

    /// The toolchain of `arguments`: a program and its arguments, or `/bin/sh -c LINE`, whose
    /// command words are resolved one by one on the host's `PATH`.
    static func resolve(arguments: [String], hostPath: String, workdir: String) -> Toolchain {
        var programs = arguments.first.map { [$0] } ?? []
        if arguments.count >= 3, ["/bin/sh", "sh", "/bin/bash", "bash"].contains(arguments[0]), arguments[1] == "-c" {
            programs = commandWords(arguments[2])
        }
        var toolchain = Toolchain()
        for program in programs {
            toolchain.add(program: program, hostPath: hostPath, workdir: workdir, depth: 0)
        }
        return toolchain
    }

    /// The first word of each simple command of a shell line, after variable assignments and
    /// the prefixes that run another program (`env`, `exec`, `nohup`, `time`, `timeout N`).
    static func commandWords(_ line: String) -> [String] {
        var words: [String] = []
        let separators = CharacterSet(charactersIn: ";&|()\n`{}")
        for segment in line.components(separatedBy: separators) {
            var tokens = segment.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            while let first = tokens.first {
                if first.contains("=") && !first.hasPrefix("=") || ["env", "exec", "nohup", "time", "command", "!"].contains(first) {
                    tokens.removeFirst()
                } else if first == "timeout", tokens.count > 1 {
                    tokens.removeFirst(2)
                } else {
                    break
                }
            }
            if let program = tokens.first?.trimmingCharacters(in: CharacterSet(charactersIn: "\"'")), !program.isEmpty,
               program.first.map({ $0.isLetter || $0 == "/" || $0 == "." || $0 == "_" }) == true {
                words.append(program)
            }
        }
        return words
    }

    private mutating func add(program: String, hostPath: String, workdir: String, depth: Int) {
        guard depth < 4, let found = Self.find(program, hostPath: hostPath, workdir: workdir) else { return }
        var located = found
        if let real = Self.pyenvTarget(of: found, workdir: workdir) { located = real }
        let real = resolvedPath(located) ?? located
        for path in [located, real] where !Self.isSystem(path) {
            let bin = (path as NSString).deletingLastPathComponent
            let prefix = (bin as NSString).lastPathComponent == "bin" ? (bin as NSString).deletingLastPathComponent : bin
            if !binds.contains(prefix), prefix != "/" { binds.append(prefix) }
        }
        let bin = (located as NSString).deletingLastPathComponent
        if !Self.isSystem(located), !pathEntries.contains(bin) { pathEntries.append(bin) }
        // A script names its interpreter on its first line; that one needs binding too.
        if let interpreter = Self.shebang(of: real) {
            add(program: interpreter, hostPath: hostPath, workdir: workdir, depth: depth + 1)
        }
    }

    private static func isSystem(_ path: String) -> Bool {
        systemPrefixes.contains { path.hasPrefix($0) }
    }

    /// `program` as the host would find it: a path as given (relative to the working directory),
    /// or the first executable of that name on `PATH`.
    private static func find(_ program: String, hostPath: String, workdir: String) -> String? {
        if program.contains("/") {
            // A program inside the working directory is the candidate's own and already bound.
            guard program.hasPrefix("/") else { return nil }
            return access(program, X_OK) == 0 ? program : nil
        }
        for directory in hostPath.split(separator: ":") where directory.hasPrefix("/") {
            let candidate = "\(directory)/\(program)"
            var info = stat()
            if access(candidate, X_OK) == 0, stat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG {
                return candidate
            }
        }
        return nil
    }

    /// For a pyenv shim (`.../shims/NAME` beside `.../versions`), the program of the version
    /// pyenv would choose: `.python-version` from the working directory up, else `PYENV_VERSION`,
    /// else the global `version` file. The shim itself needs bash and pyenv's whole tree.
    private static func pyenvTarget(of path: String, workdir: String) -> String? {
        let shims = (path as NSString).deletingLastPathComponent
        guard (shims as NSString).lastPathComponent == "shims" else { return nil }
        let root = (shims as NSString).deletingLastPathComponent
        guard FileManager.default.fileExists(atPath: root + "/versions") else { return nil }
        let name = (path as NSString).lastPathComponent
        var versions: [String] = []
        var folder = workdir
        while versions.isEmpty, !folder.isEmpty {
            if let text = try? String(contentsOfFile: folder + "/.python-version", encoding: .utf8) {
                versions = text.split(whereSeparator: \.isWhitespace).map(String.init)
            }
            if folder == "/" { break }
            folder = (folder as NSString).deletingLastPathComponent
        }
        if versions.isEmpty, let env = ProcessInfo.processInfo.environment["PYENV_VERSION"] {
            versions = env.split(separator: ":").map(String.init)
        }
        if versions.isEmpty, let text = try? String(contentsOfFile: root + "/version", encoding: .utf8) {
            versions = text.split(whereSeparator: \.isWhitespace).map(String.init)
        }
        for version in versions where version != "system" {
            let candidate = "\(root)/versions/\(version)/bin/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// The interpreter a script names on its `#!` line (`/usr/bin/env python3` gives `python3`).
    private static func shebang(of path: String) -> String? {
        // Without blocking on a FIFO that stands where a program was named; only a regular file is read.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        var head = [UInt8](repeating: 0, count: 256)
        let count = head.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 2 else { return nil }
        head.removeSubrange(count...)
        guard head.starts(with: [0x23, 0x21]), let line = String(decoding: head.dropFirst(2), as: UTF8.self)
            .split(separator: "\n").first else { return nil }
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let first = words.first else { return nil }
        if first.hasSuffix("/env") { return words.dropFirst().first { !$0.hasPrefix("-") } }
        return first
    }
}
