import CrucibleCore
import Foundation
import Ledger

/// A workspace: the folder holding `crucible.yaml`, its target files and its `.crucible/` state.
public struct Workspace: Sendable {
    /// The workspace file's name.
    public static let fileName = "crucible.yaml"
    /// Paths no patch may touch whatever the configuration says.
    public static let alwaysProtected = [
        "crucible.yaml", "CONSTITUTION.yaml", "CONSTITUTION.yaml.sig", ".crucible/**", ".git/**",
    ]
    /// Folders never copied into candidates nor offered to proposers.
    static let skippedFolders: Set<String> = [".crucible", ".git", "__pycache__", ".pytest_cache", ".mypy_cache"]

    /// The absolute folder holding crucible.yaml.
    public let directory: String
    public let config: WorkspaceConfig
    /// The absolute target root.
    public let root: String

    public var configPath: String { directory + "/" + Self.fileName }
    public var stateDirectory: String { directory + "/.crucible" }
    public var ledgerPath: String { stateDirectory + "/crucible.db" }

    /// Loads and checks the workspace in `directory`: the YAML, the globs against the files, and
    /// that each benchmark's program exists.
    public static func load(_ directory: String) throws(ConfigError) -> Workspace {
        let absolute = URL(fileURLWithPath: directory).standardizedFileURL.path
        let path = absolute + "/" + fileName
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: absolute)
            throw ConfigError(file: path, message: exists
                ? "no such file; run `crucible init \(directory)` to write one"
                : "no such folder \(absolute)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, message: "is not UTF-8 text")
        }
        let config = try WorkspaceConfig.parse(text, file: path)
        let workspace = Workspace(directory: absolute, config: config)
        try workspace.check()
        return workspace
    }

    /// A workspace from an already parsed configuration (not checked against the disk).
    public init(directory: String, config: WorkspaceConfig) {
        self.directory = directory
        self.config = config
        let root = config.target.root.hasPrefix("/") ? config.target.root : directory + "/" + config.target.root
        self.root = URL(fileURLWithPath: root).standardizedFileURL.path
    }

    /// Whether a patch may change `path` (relative to the root).
    public func isEditable(_ path: String) -> Bool {
        Glob.matchesAny(config.target.editable, path) && !isProtected(path)
    }

    /// Whether `path` is protected, by the configuration or always.
    public func isProtected(_ path: String) -> Bool {
        Glob.matchesAny(config.target.protected, path) || Glob.matchesAny(Self.alwaysProtected, path)
            || !isInsideRoot(path)
    }

    private func isInsideRoot(_ path: String) -> Bool {
        !path.hasPrefix("/") && !path.split(separator: "/").contains("..") && !path.isEmpty
    }

    /// Every regular file under the root, relative, sorted, skipping state and cache folders.
    public func allFiles() throws -> [String] {
        var result: [String] = []
        func walk(_ relative: String) throws {
            let absolute = relative.isEmpty ? root : root + "/" + relative
            for name in try FileManager.default.contentsOfDirectory(atPath: absolute).sorted() {
                let child = relative.isEmpty ? name : relative + "/" + name
                var info = stat()
                guard lstat(absolute + "/" + name, &info) == 0 else { continue }
                if (info.st_mode & S_IFMT) == S_IFDIR {
                    if !Self.skippedFolders.contains(name) { try walk(child) }
                } else if (info.st_mode & S_IFMT) == S_IFREG {
                    result.append(child)
                }
            }
        }
        try walk("")
        return result
    }

    /// The editable files on disk now, as a tree.
    public func readEditableTree() throws -> FileTree {
        var files: [String: String] = [:]
        for path in try allFiles() where isEditable(path) {
            let data = try Data(contentsOf: URL(fileURLWithPath: root + "/" + path))
            guard let text = String(data: data, encoding: .utf8) else { continue }  // binary: not editable as text
            files[path] = text
        }
        return FileTree(files)
    }

    /// Opens the workspace's ledger, creating `.crucible/` when needed.
    public func openLedger() throws -> Ledger {
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        return try Ledger(path: ledgerPath)
    }

    /// Opens the ledger only when it exists.
    public func existingLedger() throws -> Ledger? {
        FileManager.default.fileExists(atPath: ledgerPath) ? try Ledger(path: ledgerPath) : nil
    }

    private func check() throws(ConfigError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ConfigError(file: configPath, key: "target.root", message: "folder \(root) does not exist")
        }
        let files: [String]
        do { files = try allFiles() } catch { throw ConfigError(file: configPath, key: "target.root", message: "cannot list \(root): \(error)") }
        for glob in config.target.editable where !files.contains(where: { Glob.matches(glob, $0) && isEditable($0) }) {
            throw ConfigError(file: configPath, line: lineOf(glob), key: "target.editable",
                              message: "glob \"\(glob)\" matches no editable file under \(root)")
        }
        for (index, benchmark) in config.benchmarks.enumerated() {
            if let missing = missingProgram(benchmark.run) {
                throw ConfigError(file: configPath, line: lineOf(benchmark.run), key: "benchmarks[\(index)].run",
                                  message: "command not found: \(missing)")
            }
        }
    }

    /// The first word of `command` when it is a program that cannot be found, else nil. Commands
    /// that start with shell syntax are left to the shell.
    func missingProgram(_ command: String) -> String? {
        guard let first = command.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init),
              !first.contains("="), !first.contains("$"), first.rangeOfCharacter(from: CharacterSet(charactersIn: "();&|<>`'\"{}")) == nil
        else { return nil }
        if first.contains("/") {
            let path = first.hasPrefix("/") ? first : root + "/" + first
            return FileManager.default.isExecutableFile(atPath: path) || FileManager.default.fileExists(atPath: path) ? nil : first
        }
        let builtins: Set<String> = ["cd", "exec", "test", "[", "true", "false", "echo", "exit", "set", "export", ".", "if", "for", "while"]
        if builtins.contains(first) { return nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(directory)/\(first)") {
            return nil
        }
        return first
    }

    /// The line of crucible.yaml where `text` first appears, for error messages.
    private func lineOf(_ text: String) -> Int? {
        guard let content = try? String(contentsOfFile: configPath, encoding: .utf8) else { return nil }
        for (index, line) in content.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where line.contains(text) {
            return index + 1
        }
        return nil
    }
}
