import CrucibleCore
import Foundation

/// One proposed change to a program: exact edits plus what produced them.
public struct Mutation: Sendable, Hashable, Codable {
    /// Non-overlapping edits; every `offset`/`old` refers to the file texts the mutator was given.
    public var edits: [Edit]
    /// The operator that produced the change, e.g. `"compare-swap"`, `"numeric-perturb"`, `"delete-line"`.
    public var operatorName: String
    /// One line a human reads, e.g. "router.py:14: `<` → `<=`".
    public var summary: String

    /// A mutation made of `edits`, produced by `operatorName`, described by `summary`.
    public init(edits: [Edit], operatorName: String, summary: String) {
        self.edits = edits
        self.operatorName = operatorName
        self.summary = summary
    }
}

extension Mutation {
    /// `text` with `edits` applied, or nil when an edit's `old` is not at its `offset` or edits
    /// overlap. A test helper: applying patches to real targets belongs to the evaluation loop.
    static func applying(_ edits: [Edit], to text: String) -> String? {
        var bytes = Array(text.utf8)
        var lastStart = Int.max
        for edit in edits.sorted(by: { $0.offset > $1.offset }) {
            let old = Array(edit.old.utf8)
            let end = edit.offset + old.count
            guard edit.offset >= 0, end <= bytes.count, end <= lastStart,
                  Array(bytes[edit.offset..<end]) == old
            else { return nil }
            bytes.replaceSubrange(edit.offset..<end, with: Array(edit.new.utf8))
            lastStart = edit.offset
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
