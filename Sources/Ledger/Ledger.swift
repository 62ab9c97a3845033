import CrucibleCore
import Foundation
import GRDB

/// The append-only, hash-chained event log of one workspace, and the projections rebuilt from it.
///
/// The `events` table is the source of truth; the projection tables (`variants`, `rejections`,
/// `runs`, `promotions`, `state`) are derived from it in the same transaction as each append, and
/// can be dropped and rebuilt by replaying the log (``rebuildProjections()``).
/// One value is the single access point to the database; every write is one transaction.
public struct Ledger: Sendable {
    private let writer: any DatabaseWriter
    private let clock: @Sendable () -> Date

    /// Opens (creating if needed) the ledger at `path` in WAL mode with full synchronous commits.
    public init(path: String, clock: @escaping @Sendable () -> Date = { Date() }) throws {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        configuration.busyMode = .timeout(10)
        try self.init(writer: DatabasePool(path: path, configuration: configuration), clock: clock)
    }

    /// An in-memory ledger (real SQLite) for tests and dry runs.
    public static func inMemory(clock: @escaping @Sendable () -> Date = { Date() }) throws -> Ledger {
        try Ledger(writer: DatabaseQueue(), clock: clock)
    }

    private init(writer: any DatabaseWriter, clock: @escaping @Sendable () -> Date) throws {
        self.writer = writer
        self.clock = clock
        try Self.migrator.migrate(writer)
    }

    // MARK: Appending

    /// Appends one event: it is durable and its projections are updated when this returns.
    @discardableResult
    public func append<P: EventPayload>(_ payload: P) throws -> Event {
        let value = try JSONValue(encoding: payload)
        let time = Self.timeString(clock())
        return try writer.write { db in
            try Self.append(kind: P.kind, payload: value, time: time, db)
        }
    }

    static func append(kind: EventKind, payload: JSONValue, time: String, _ db: Database) throws -> Event {
        let head = try Row.fetchOne(db, sql: "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")
        let seq: Int64 = (head?[0] as Int64? ?? 0) + 1
        let prev: String = head?[1] ?? Event.genesis
        let event = Event(seq: seq, time: time, kind: kind, payload: payload, prev: prev)
        let body = try CanonicalJSON.string(event)
        try db.execute(
            sql: "INSERT INTO events (seq, kind, body, prev_hash, hash) VALUES (?, ?, ?, ?, ?)",
            arguments: [seq, kind.rawValue, body, prev, Event.hash(prev: prev, body: body)]
        )
        try Projection.apply(event, db)
        return event
    }

    // MARK: Reading

    /// The events with `seq >= from`, in order.
    public func events(from: Int64 = 1) throws -> [Event] {
        try writer.read { db in
            try String.fetchAll(db, sql: "SELECT body FROM events WHERE seq >= ? ORDER BY seq", arguments: [from])
                .map { try CanonicalJSON.decode(Event.self, from: $0) }
        }
    }

    /// The events of the given kinds with `seq >= from`, in order.
    public func events(of kinds: [EventKind], from: Int64 = 1) throws -> [Event] {
        guard !kinds.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: kinds.count).joined(separator: ", ")
        return try writer.read { db in
            try String.fetchAll(db, sql: "SELECT body FROM events WHERE seq >= ? AND kind IN (\(marks)) ORDER BY seq",
                                arguments: StatementArguments([from] as [any DatabaseValueConvertible] + kinds.map(\.rawValue)))
                .map { try CanonicalJSON.decode(Event.self, from: $0) }
        }
    }

    /// The number of events.
    public func count() throws -> Int {
        try writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events") ?? 0 }
    }

    /// Runs `body` against a consistent snapshot of the projections.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try writer.read(body)
    }

    // MARK: Replay

    /// Drops the projections and rebuilds them by replaying every event.
    public func rebuildProjections() throws {
        try writer.write { db in
            try Projection.clear(db)
            let cursor = try String.fetchCursor(db, sql: "SELECT body FROM events ORDER BY seq")
            while let body = try cursor.next() {
                try Projection.apply(try CanonicalJSON.decode(Event.self, from: body), db)
            }
        }
    }

    /// A digest of everything the projections hold, to compare a replay with the live state.
    public func projectionDigest() throws -> String {
        try writer.read { db in try Projection.digest(db) }
    }

    // MARK: Time

    static func timeString(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    // MARK: Schema

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: events and archive projections") { db in
            try db.execute(sql: """
                CREATE TABLE events (
                    seq INTEGER PRIMARY KEY,
                    kind TEXT NOT NULL,
                    body TEXT NOT NULL,
                    prev_hash TEXT NOT NULL,
                    hash TEXT NOT NULL
                );
                """)
            try Projection.create(db)
        }
        migrator.registerMigration("v2: events by kind") { db in
            // The approval queue, stops and the audit read events of a few kinds among many.
            try db.execute(sql: "CREATE INDEX events_by_kind ON events (kind, seq)")
        }
        return migrator
    }
}
