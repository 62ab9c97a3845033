import CrucibleCore
import Foundation
import GRDB

/// One variant as the archive projection holds it.
public struct VariantRecord: Sendable, Codable, Hashable {
    public enum Status: String, Sendable, Codable, Hashable {
        case baseline, pending, evaluated, error, rejected
    }

    public var id: Int
    public var parent: Int?
    public var run: Int?
    public var iteration: Int?
    public var status: Status
    public var score: Double?
    public var improved: Bool
    public var treeDigest: String
    public var patch: Patch?
    public var patchDigest: String?
    public var changeDigest: String?
    public var proposer: String?
    public var summary: String?
    public var result: Score?
    public var reason: String?
    public var isolation: String?

    public init(
        id: Int, parent: Int? = nil, run: Int? = nil, iteration: Int? = nil, status: Status, score: Double? = nil,
        improved: Bool = false, treeDigest: String, patch: Patch? = nil, patchDigest: String? = nil,
        changeDigest: String? = nil, proposer: String? = nil, summary: String? = nil, result: Score? = nil,
        reason: String? = nil, isolation: String? = nil
    ) {
        self.id = id
        self.parent = parent
        self.run = run
        self.iteration = iteration
        self.status = status
        self.score = score
        self.improved = improved
        self.treeDigest = treeDigest
        self.patch = patch
        self.patchDigest = patchDigest
        self.changeDigest = changeDigest
        self.proposer = proposer
        self.summary = summary
        self.result = result
        self.reason = reason
        self.isolation = isolation
    }

    /// Whether the variant has a score (it evaluated without error).
    public var isScored: Bool { score != nil }
}

/// A run as the archive projection holds it.
public struct RunRecord: Sendable, Codable, Hashable {
    public var id: Int
    public var seed: UInt64
    public var untilIteration: Int
    public var jobs: Int
    public var proposer: String
    public var selection: String
    public var isolation: String
    public var finishedReason: String?
}

/// A promotion or rollback, in order.
public struct PromotionRecord: Sendable, Codable, Hashable {
    public var seq: Int64
    public var action: String
    public var variant: Int
    public var previous: Int?
}

/// One rejection, in order.
public struct RejectionRecord: Sendable, Codable, Hashable {
    public var seq: Int64
    public var variant: Int?
    public var run: Int?
    public var iteration: Int
    public var stage: String
    public var reason: String
    public var changeDigest: String?
}

/// The whole archive at one moment, read in one snapshot.
public struct ArchiveSnapshot: Sendable {
    public var variants: [VariantRecord]
    public var rejections: [RejectionRecord]
    public var runs: [RunRecord]
    public var promotions: [PromotionRecord]
    public var baseline: Int?
    public var best: Int?
    public var promoted: Int?
    /// The highest iteration whose proposal went to the approval queue.
    public var lastQueuedIteration: Int?

    public func variant(_ id: Int) -> VariantRecord? {
        variants.first { $0.id == id }
    }

    /// The number of the next iteration: one past the highest recorded.
    public var nextIteration: Int {
        let proposed = variants.compactMap(\.iteration).max() ?? -1
        let rejected = rejections.map(\.iteration).max() ?? -1
        return max(proposed, rejected, lastQueuedIteration ?? -1) + 1
    }

    /// The number of iterations recorded over all runs.
    public var iterations: Int {
        Set(variants.compactMap(\.iteration) + rejections.map(\.iteration)).count
    }
}

extension Ledger {
    /// Reads the whole archive projection in one consistent snapshot.
    public func archive() throws -> ArchiveSnapshot {
        try read { db in
            let variants = try Row.fetchAll(db, sql: "SELECT * FROM variants ORDER BY id").map { row in
                VariantRecord(
                    id: row["id"], parent: row["parent"], run: row["run"], iteration: row["iteration"],
                    status: VariantRecord.Status(rawValue: row["status"]) ?? .pending,
                    score: row["score"], improved: row["improved"], treeDigest: row["tree_digest"],
                    patch: try (row["patch"] as String?).map { try CanonicalJSON.decode(Patch.self, from: $0) },
                    patchDigest: row["patch_digest"], changeDigest: row["change_digest"],
                    proposer: row["proposer"], summary: row["summary"],
                    result: try (row["result"] as String?).map { try CanonicalJSON.decode(Score.self, from: $0) },
                    reason: row["reason"], isolation: row["isolation"])
            }
            let rejections = try Row.fetchAll(db, sql: "SELECT * FROM rejections ORDER BY seq").map { row in
                RejectionRecord(seq: row["seq"], variant: row["variant"], run: row["run"], iteration: row["iteration"],
                                stage: row["stage"], reason: row["reason"], changeDigest: row["change_digest"])
            }
            let runs = try Row.fetchAll(db, sql: "SELECT * FROM runs ORDER BY id").map { row in
                RunRecord(id: row["id"], seed: UInt64(bitPattern: row["seed"]), untilIteration: row["until_iteration"],
                          jobs: row["jobs"], proposer: row["proposer"], selection: row["selection"],
                          isolation: row["isolation"], finishedReason: row["finished_reason"])
            }
            let promotions = try Row.fetchAll(db, sql: "SELECT * FROM promotions ORDER BY seq").map { row in
                PromotionRecord(seq: row["seq"], action: row["action"], variant: row["variant"], previous: row["previous"])
            }
            return ArchiveSnapshot(
                variants: variants, rejections: rejections, runs: runs, promotions: promotions,
                baseline: try Projection.get("baseline", db).flatMap(Int.init),
                best: try Projection.get("best", db).flatMap(Int.init),
                promoted: try Projection.get("promoted", db).flatMap(Int.init),
                lastQueuedIteration: try Projection.get("last_queued_iteration", db).flatMap(Int.init))
        }
    }

    /// The baseline files recorded by the `BaselineRecorded` event of `variant`.
    public func baselineFiles(variant: Int) throws -> FileTree? {
        try read { db in
            let bodies = try String.fetchAll(db, sql: "SELECT body FROM events WHERE kind = ?", arguments: [EventKind.baselineRecorded.rawValue])
            for body in bodies {
                let payload = try CanonicalJSON.decode(Event.self, from: body).payload(as: BaselineRecorded.self)
                if payload.variant == variant { return FileTree(payload.files) }
            }
            return nil
        }
    }
}
