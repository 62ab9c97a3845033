import CrucibleCore
import Foundation
import GRDB

/// The archive as tables derived from the events. Every change here must come from an event, so
/// that a replay rebuilds exactly the same rows.
enum Projection {
    static let tables = ["variants", "rejections", "runs", "promotions", "state"]

    static func create(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE variants (
                id INTEGER PRIMARY KEY,
                parent INTEGER,
                run INTEGER,
                iteration INTEGER,
                status TEXT NOT NULL,          -- baseline | pending | evaluated | error | rejected
                score REAL,
                improved INTEGER NOT NULL DEFAULT 0,
                tree_digest TEXT NOT NULL,
                patch TEXT,                    -- the patch's canonical JSON; NULL for a baseline
                patch_digest TEXT,
                change_digest TEXT,
                proposer TEXT,
                summary TEXT,
                result TEXT,                   -- the Score's canonical JSON
                reason TEXT,                   -- why it was rejected or failed
                isolation TEXT,
                proposed_seq INTEGER NOT NULL,
                evaluated_seq INTEGER
            );
            CREATE INDEX variants_parent ON variants(parent);
            CREATE TABLE rejections (
                seq INTEGER PRIMARY KEY,
                variant INTEGER,
                run INTEGER,
                iteration INTEGER NOT NULL,
                stage TEXT NOT NULL,
                reason TEXT NOT NULL,
                change_digest TEXT
            );
            CREATE TABLE runs (
                id INTEGER PRIMARY KEY,
                seed INTEGER NOT NULL,
                until_iteration INTEGER NOT NULL,
                jobs INTEGER NOT NULL,
                proposer TEXT NOT NULL,
                selection TEXT NOT NULL,
                isolation TEXT NOT NULL,
                started_seq INTEGER NOT NULL,
                finished_reason TEXT
            );
            CREATE TABLE promotions (
                seq INTEGER PRIMARY KEY,
                action TEXT NOT NULL,          -- promote | rollback
                variant INTEGER NOT NULL,
                previous INTEGER
            );
            CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            """)
    }

    static func clear(_ db: Database) throws {
        for table in tables { try db.execute(sql: "DELETE FROM \(table)") }
    }

    static func apply(_ event: Event, _ db: Database) throws {
        let run = try String.fetchOne(db, sql: "SELECT value FROM state WHERE key = 'run'").flatMap(Int.init)
        switch event.kind {
        case .runStarted:
            let p = try event.payload(as: RunStarted.self)
            try db.execute(
                sql: """
                    INSERT INTO runs (id, seed, until_iteration, jobs, proposer, selection, isolation, started_seq)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET until_iteration = excluded.until_iteration, jobs = excluded.jobs,
                        isolation = excluded.isolation, finished_reason = NULL
                    """,
                arguments: [p.run, Int64(bitPattern: p.seed), p.untilIteration, p.jobs, p.proposer, p.selection, p.isolation, event.seq])
            try set("run", String(p.run), db)
        case .runFinished:
            let p = try event.payload(as: RunFinished.self)
            try db.execute(sql: "UPDATE runs SET finished_reason = ? WHERE id = ?", arguments: [p.reason, p.run])
        case .baselineRecorded:
            let p = try event.payload(as: BaselineRecorded.self)
            try db.execute(
                sql: "INSERT INTO variants (id, run, status, tree_digest, proposer, summary, proposed_seq) VALUES (?, ?, 'baseline', ?, 'baseline', ?, ?)",
                arguments: [p.variant, run, p.treeDigest, "baseline: \(p.files.count) editable file(s)", event.seq])
            try set("baseline", String(p.variant), db)
            // A baseline is recorded from the files on disk, so it is what the target holds now.
            try set("promoted", String(p.variant), db)
        case .patchProposed:
            let p = try event.payload(as: PatchProposed.self)
            try db.execute(
                sql: """
                    INSERT INTO variants (id, parent, run, iteration, status, tree_digest, patch, patch_digest, change_digest,
                        proposer, summary, proposed_seq)
                    VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [p.variant, p.parent, run, p.iteration, p.treeDigest, try CanonicalJSON.string(p.patch),
                            p.patchDigest, try p.patch.changeDigest(), p.patch.proposer, p.summary, event.seq])
        case .approvalRequested:
            // A proposal waiting for a human still used its iteration.
            if let iteration = try event.payload(as: ApprovalRequested.self).iteration {
                let last = try get("last_queued_iteration", db).flatMap(Int.init) ?? -1
                try set("last_queued_iteration", String(max(last, iteration)), db)
            }
        case .patchRejected:
            let p = try event.payload(as: PatchRejected.self)
            try db.execute(
                sql: "INSERT INTO rejections (seq, variant, run, iteration, stage, reason, change_digest) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [event.seq, p.variant, run, p.iteration, p.stage, p.reason, try p.patch?.changeDigest()])
            if let variant = p.variant {
                try db.execute(
                    sql: "UPDATE variants SET status = 'rejected', reason = ?, evaluated_seq = ? WHERE id = ?",
                    arguments: ["\(p.stage): \(p.reason)", event.seq, variant])
            }
        case .variantEvaluated:
            let p = try event.payload(as: VariantEvaluated.self)
            try db.execute(
                sql: """
                    UPDATE variants SET status = ?, score = ?, improved = ?, result = ?, reason = ?, isolation = ?, evaluated_seq = ?
                    WHERE id = ?
                    """,
                arguments: [p.score.value == nil ? "error" : "evaluated", p.score.value, p.improved,
                            try CanonicalJSON.string(p.score), p.score.error, p.isolation, event.seq, p.variant])
            let noBest = try get("best", db) == nil
            if p.improved || (noBest && p.score.value != nil) {
                try set("best", String(p.variant), db)
            }
        case .promoted:
            let p = try event.payload(as: Promoted.self)
            try db.execute(sql: "INSERT INTO promotions (seq, action, variant, previous) VALUES (?, 'promote', ?, ?)",
                           arguments: [event.seq, p.variant, p.previous])
            try set("promoted", String(p.variant), db)
        case .rolledBack:
            let p = try event.payload(as: RolledBack.self)
            try db.execute(sql: "INSERT INTO promotions (seq, action, variant, previous) VALUES (?, 'rollback', ?, ?)",
                           arguments: [event.seq, p.to, p.from])
            try set("promoted", String(p.to), db)
        default:
            break  // kinds this projection does not track
        }
    }

    static func get(_ key: String, _ db: Database) throws -> String? {
        try String.fetchOne(db, sql: "SELECT value FROM state WHERE key = ?", arguments: [key])
    }

    static func set(_ key: String, _ value: String, _ db: Database) throws {
        try db.execute(sql: "INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                       arguments: [key, value])
    }

    /// SHA-256 over every row of every projection table, in primary-key order.
    static func digest(_ db: Database) throws -> String {
        var text = ""
        for table in tables {
            text += "#\(table)\n"
            let rows = try Row.fetchCursor(db, sql: "SELECT * FROM \(table) ORDER BY 1")
            while let row = try rows.next() {
                text += row.description + "\n"
            }
        }
        return Digest.sha256(text)
    }
}
