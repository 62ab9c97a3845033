import Foundation

/// The editable files of one variant: path → content.
///
/// A variant's tree is its parent's tree with the variant's patch applied; the baseline's tree is
/// recorded in the ledger. Contents are text (UTF-8).
public struct FileTree: Hashable, Sendable {
    public var files: [String: String]

    public init(_ files: [String: String] = [:]) {
        self.files = files
    }

    /// The digest of the whole tree: SHA-256 over the sorted `path NUL sha256(content) LF` lines.
    public var digest: String {
        var manifest = ""
        for path in files.keys.sorted() {
            manifest += path + "\u{0}" + Digest.sha256(files[path]!) + "\n"
        }
        return Digest.sha256(manifest)
    }

    /// The tree with `edits` applied. Every edit must find its `old` text exactly at its offset
    /// in this tree; edits of one file must not overlap.
    public func applying(_ edits: [Edit]) throws(EditError) -> FileTree {
        var result = self
        let byPath = Dictionary(grouping: edits, by: \.path)
        for (path, fileEdits) in byPath {
            let original = files[path]
            if original == nil, !(fileEdits.count == 1 && fileEdits[0].offset == 0 && fileEdits[0].old.isEmpty) {
                throw EditError(path: path, offset: fileEdits[0].offset, reason: "no such file in the parent")
            }
            var bytes = Array((original ?? "").utf8)
            // Apply from the end so earlier offsets stay valid.
            let sorted = fileEdits.sorted { $0.offset > $1.offset }
            var limit = bytes.count
            for edit in sorted {
                let old = Array(edit.old.utf8)
                guard edit.offset >= 0, edit.offset + old.count <= limit else {
                    throw EditError(path: path, offset: edit.offset, reason: "edit is out of range or overlaps another edit")
                }
                guard bytes[edit.offset..<(edit.offset + old.count)].elementsEqual(old) else {
                    throw EditError(path: path, offset: edit.offset, reason: "the parent does not hold the edit's old text there")
                }
                bytes.replaceSubrange(edit.offset..<(edit.offset + old.count), with: Array(edit.new.utf8))
                limit = edit.offset
            }
            result.files[path] = String(decoding: bytes, as: UTF8.self)
        }
        return result
    }
}

/// An edit that does not apply to the tree it was given.
public struct EditError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var offset: Int
    public var reason: String

    public var description: String { "\(path)@\(offset): \(reason)" }
}
