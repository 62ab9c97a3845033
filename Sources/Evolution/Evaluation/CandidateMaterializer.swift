import CrucibleCore
import Foundation

/// Writes candidates out as directories: every file of the target root as it was when the
/// materializer was made (read once, kept in memory), with a variant's editable files on top.
public struct CandidateMaterializer: Sendable {
    struct Entry: Sendable {
        var path: String
        var content: Data
        var mode: mode_t
    }

    private let entries: [Entry]
    /// The paths of `entries`, to tell which of a variant's files are new.
    private let entryPaths: Set<String>
    private let symlinks: [(path: String, target: String)]

    /// Reads the workspace's files (not its state or caches).
    public init(workspace: Workspace) throws {
        var entries: [Entry] = []
        var symlinks: [(String, String)] = []
        func walk(_ relative: String) throws {
            let absolute = relative.isEmpty ? workspace.root : workspace.root + "/" + relative
            for name in try FileManager.default.contentsOfDirectory(atPath: absolute).sorted() {
                let child = relative.isEmpty ? name : relative + "/" + name
                var info = stat()
                guard lstat(absolute + "/" + name, &info) == 0 else { continue }
                switch info.st_mode & S_IFMT {
                case S_IFDIR where !Workspace.skippedFolders.contains(name):
                    try walk(child)
                case S_IFREG:
                    entries.append(Entry(path: child, content: try Data(contentsOf: URL(fileURLWithPath: absolute + "/" + name)),
                                         mode: info.st_mode & 0o7777))
                case S_IFLNK:
                    symlinks.append((child, try FileManager.default.destinationOfSymbolicLink(atPath: absolute + "/" + name)))
                default:
                    break
                }
            }
        }
        try walk("")
        self.entries = entries
        self.entryPaths = Set(entries.map(\.path))
        self.symlinks = symlinks
    }

    /// Writes the candidate whose editable files are `tree` into the new folder `destination`.
    public func write(_ tree: FileTree, to destination: String) throws {
        let manager = FileManager.default
        try manager.createDirectory(atPath: destination, withIntermediateDirectories: true)
        var made: Set<String> = [""]
        func ensureParent(_ path: String) throws {
            guard let slash = path.lastIndex(of: "/") else { return }
            let parent = String(path[..<slash])
            if made.insert(parent).inserted {
                try manager.createDirectory(atPath: destination + "/" + parent, withIntermediateDirectories: true)
            }
        }
        for entry in entries {
            try ensureParent(entry.path)
            let content = tree.files[entry.path].map { Data($0.utf8) } ?? entry.content
            try write(content, to: destination + "/" + entry.path, mode: entry.mode)
        }
        for (path, content) in tree.files where !entryPaths.contains(path) {
            try ensureParent(path)
            try write(Data(content.utf8), to: destination + "/" + path, mode: 0o644)
        }
        for link in symlinks {
            try ensureParent(link.path)
            try manager.createSymbolicLink(atPath: destination + "/" + link.path, withDestinationPath: link.target)
        }
    }

    private func write(_ data: Data, to path: String, mode: mode_t) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
        defer { close(fd) }
        try data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw CocoaError(.fileWriteOutOfSpace, userInfo: [NSFilePathErrorKey: path])
                }
                offset += written
            }
        }
    }
}
