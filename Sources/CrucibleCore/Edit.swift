/// One change to one file of a variant: replace `old`, found at `offset` in the parent's
/// version of `path`, with `new`.
///
/// Edits are data, never code. An edit is exact: it applies only when the parent's file holds
/// `old` at `offset` (a UTF-8 byte offset), so applying a patch to the wrong parent fails loudly
/// instead of silently changing something else. A file that does not exist in the parent is
/// created by an edit with `offset == 0` and `old == ""`.
public struct Edit: Codable, Hashable, Sendable {
    /// The file, relative to the target root, with `/` separators.
    public var path: String
    /// Where `old` starts in the parent's file, in UTF-8 bytes.
    public var offset: Int
    /// The text the parent holds at `offset`.
    public var old: String
    /// The text that replaces it.
    public var new: String

    public init(path: String, offset: Int, old: String, new: String) {
        self.path = path
        self.offset = offset
        self.old = old
        self.new = new
    }
}
