import Foundation

/// What a patch changes, in the vocabulary of the source documents.
public enum PatchKind: String, Codable, Hashable, Sendable, CaseIterable {
    case prompt, policy, routing, config, tools, code

    /// The kind a change to `path` most likely is, from its extension and folder.
    public static func guess(forPath path: String) -> PatchKind {
        let lower = path.lowercased()
        if lower.hasSuffix(".md") || lower.hasSuffix(".txt") || lower.contains("prompt") { return .prompt }
        if lower.contains("rout") { return .routing }
        if lower.contains("polic") { return .policy }
        if lower.contains("tool") { return .tools }
        for ext in [".yaml", ".yml", ".json", ".toml", ".ini", ".cfg"] where lower.hasSuffix(ext) { return .config }
        return .code
    }
}

/// A proposed change to a variant: data, never executable code.
///
/// A patch names its parent variant and the digest of the parent's files, so it applies to exactly
/// one version. Its identity is the SHA-256 of its canonical JSON.
public struct Patch: Codable, Hashable, Sendable {
    public var kind: PatchKind
    /// The main file the patch changes.
    public var target: String
    /// The digest of the parent's editable files (see `FileTree.digest`).
    public var baseDigest: String
    public var edits: [Edit]
    /// Why the proposer made this change, in one or a few sentences.
    public var reasoning: String
    /// What must hold before the change may be promoted (for example `tests_pass`).
    public var testRequirements: [String]
    /// Who proposed it: `search/<operator>`, `llm/<model>`, `human`.
    public var proposer: String

    public init(
        kind: PatchKind, target: String, baseDigest: String, edits: [Edit],
        reasoning: String, testRequirements: [String] = ["tests_pass"], proposer: String
    ) {
        self.kind = kind
        self.target = target
        self.baseDigest = baseDigest
        self.edits = edits
        self.reasoning = reasoning
        self.testRequirements = testRequirements
        self.proposer = proposer
    }

    /// The SHA-256 of the canonical JSON of the patch.
    public func digest() throws -> String { try Digest.canonical(self) }

    /// The digest of the change alone (paths, places and texts), so two proposers writing the
    /// same change produce the same value.
    public func changeDigest() throws -> String { try Digest.canonical(edits) }

    /// The files the patch touches, in order of first appearance.
    public var paths: [String] {
        var seen = Set<String>()
        return edits.map(\.path).filter { seen.insert($0).inserted }
    }
}
