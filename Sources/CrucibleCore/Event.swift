import Foundation

/// The name of an event's kind, as stored in the ledger's `kind` column.
public struct EventKind: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let runStarted = EventKind(rawValue: "RunStarted")
    public static let runFinished = EventKind(rawValue: "RunFinished")
    public static let baselineRecorded = EventKind(rawValue: "BaselineRecorded")
    public static let patchProposed = EventKind(rawValue: "PatchProposed")
    public static let patchRejected = EventKind(rawValue: "PatchRejected")
    public static let variantEvaluated = EventKind(rawValue: "VariantEvaluated")
    public static let promoted = EventKind(rawValue: "Promoted")
    public static let rolledBack = EventKind(rawValue: "RolledBack")
    public static let sandboxRun = EventKind(rawValue: "SandboxRun")
    public static let decisionMade = EventKind(rawValue: "DecisionMade")
    public static let approvalRequested = EventKind(rawValue: "ApprovalRequested")
    public static let approvalGranted = EventKind(rawValue: "ApprovalGranted")
    public static let approvalDenied = EventKind(rawValue: "ApprovalDenied")
    public static let emergencyStop = EventKind(rawValue: "EmergencyStop")
    public static let resumed = EventKind(rawValue: "Resumed")
}

/// One entry of the ledger. Its `body` is the canonical JSON of this struct; its hash is
/// SHA-256(prev ‖ body), so each event commits to the whole history before it.
public struct Event: Codable, Hashable, Sendable {
    public var seq: Int64
    /// ISO 8601 time with milliseconds, UTC.
    public var time: String
    public var kind: EventKind
    public var payload: JSONValue
    /// The previous event's hash (`Event.genesis` for the first event).
    public var prev: String

    public init(seq: Int64, time: String, kind: EventKind, payload: JSONValue, prev: String) {
        self.seq = seq
        self.time = time
        self.kind = kind
        self.payload = payload
        self.prev = prev
    }

    /// The `prev` of the first event.
    public static let genesis = String(repeating: "0", count: 64)

    /// The payload decoded as `P`.
    public func payload<P: EventPayload>(as type: P.Type) throws -> P {
        try payload.decode(as: type)
    }

    /// The hash of an event whose canonical body is `body` and whose predecessor's hash is `prev`.
    public static func hash(prev: String, body: String) -> String {
        Digest.sha256(concatenating: prev, body)
    }
}

/// A typed event payload; its `kind` names it in the ledger.
public protocol EventPayload: Codable, Sendable {
    /// The kind stored with events of this payload.
    static var kind: EventKind { get }
}
