import CrucibleCore
import Foundation
import GRDB

/// The outcome of checking the whole chain.
public struct ChainVerification: Sendable, Codable, Hashable {
    /// How many events were checked and found good before the first bad one (or in all).
    public var verified: Int
    /// The head hash, when every event verified.
    public var head: String?
    /// The first bad event, if any.
    public var failure: ChainFailure?

    public var ok: Bool { failure == nil }
}

/// The first event that breaks the chain, and why.
public struct ChainFailure: Sendable, Codable, Hashable, CustomStringConvertible {
    public var seq: Int64
    public var kind: String
    public var reason: String

    public var description: String { "event \(seq) (\(kind)): \(reason)" }
}

extension Ledger {
    /// Checks every event in order: sequence numbers without gaps, each `prev_hash` equal to the
    /// hash before it, each `hash` equal to SHA-256(prev_hash ‖ body), and the body agreeing with
    /// its columns. Stops at the first bad event and names it.
    public func verify() throws -> ChainVerification {
        try read { db in
            let rows = try Row.fetchCursor(db, sql: "SELECT seq, kind, body, prev_hash, hash FROM events ORDER BY seq")
            var expectedSeq: Int64 = 1
            var prev = Event.genesis
            var verified = 0
            while let row = try rows.next() {
                let seq: Int64 = row[0]
                let kind: String = row[1]
                let body: String = row[2]
                let prevHash: String = row[3]
                let hash: String = row[4]
                func fail(_ reason: String) -> ChainVerification {
                    ChainVerification(verified: verified, head: nil, failure: ChainFailure(seq: seq, kind: kind, reason: reason))
                }
                if seq != expectedSeq {
                    return fail("sequence number \(seq) where \(expectedSeq) was expected (an event is missing)")
                }
                if !Digest.constantTimeEqual(prevHash, prev) {
                    return fail("prev_hash does not match the hash of event \(seq - 1)")
                }
                if !Digest.constantTimeEqual(Event.hash(prev: prevHash, body: body), hash) {
                    return fail("hash does not match SHA-256(prev_hash ‖ body): the event was altered")
                }
                guard let event = try? CanonicalJSON.decode(Event.self, from: body) else {
                    return fail("body is not a valid event")
                }
                if event.seq != seq || event.prev != prevHash || event.kind.rawValue != kind {
                    return fail("body disagrees with its columns (seq, kind or prev_hash)")
                }
                prev = hash
                expectedSeq += 1
                verified += 1
            }
            return ChainVerification(verified: verified, head: prev, failure: nil)
        }
    }
}
