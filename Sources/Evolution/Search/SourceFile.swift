import Foundation

/// One editable file of the target program, as the search proposer sees it.
public struct SourceFile: Sendable, Hashable, Codable {
    /// The file, relative to the target root, with `/` separators (the same spelling an `Edit` uses).
    public var path: String
    /// The file's full text.
    public var text: String

    /// A file at `path` (relative to the target root) holding `text`.
    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }
}
