import CrucibleCore
import Foundation

/// Completions already paid for, keyed by the SHA-256 of the canonical request, so a rerun with
/// the same seed asks the server nothing and gets the same answers.
///
/// One file per answer, `DIR/ab/abcdef….json`, written atomically (a temporary file renamed into
/// place): a reader sees a whole entry or none, concurrent writers of one key write the same bytes,
/// an entry is readable with any JSON tool, and a user clears the cache by deleting the folder.
/// Errors are never cached.
public struct ResponseCache: Sendable {
    /// The folder holding the entries (a workspace uses `.crucible/llm-cache`).
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// One cached exchange: the request as sent (for people reading the cache) and the answer.
    struct Entry: Codable {
        var request: JSONValue
        var completion: ChatCompletion
    }

    /// The cached completion for `key`, or nil. An unreadable entry counts as absent.
    public func completion(for key: String) -> ChatCompletion? {
        guard let data = FileManager.default.contents(atPath: path(for: key)) else { return nil }
        return (try? CanonicalJSON.decode(Entry.self, from: data))?.completion
    }

    /// Stores `completion` under `key`.
    public func store(_ completion: ChatCompletion, request: JSONValue, for key: String) throws {
        let url = URL(fileURLWithPath: path(for: key))
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try CanonicalJSON.data(Entry(request: request, completion: completion)).write(to: url, options: .atomic)
    }

    private func path(for key: String) -> String {
        "\(directory)/\(key.prefix(2))/\(key).json"
    }
}
