import Constitution
import CrucibleCore
import Foundation
import Ledger

/// The human side of the constitution for one workspace: the approval queue, the emergency stop
/// and the audit trail. All of it lives in the ledger (the queue is a projection of its approval
/// events), so it survives crashes, is shared by every process of the workspace, and is audited
/// like everything else.
///
/// Granting an approval and lifting a stop need the approver key: the private half of the trusted
/// public key the constitution is verified against. An agent that can write the ledger but does
/// not hold the key can ask, and can stop, but cannot approve or resume.
public struct Governance: Sendable {
    public let ledger: Ledger
    public let files: ConstitutionFiles
    public let clock: @Sendable () -> Date

    public init(ledger: Ledger, files: ConstitutionFiles, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.ledger = ledger
        self.files = files
        self.clock = clock
    }

    /// The governance of the workspace in `directory`, and its constitution, verified: nothing
    /// that acts runs under a constitution that does not verify.
    public static func open(_ directory: String) throws -> (governance: Governance, constitution: Constitution) {
        let workspace = try Workspace.load(directory)
        let files = ConstitutionFiles(directory: workspace.directory)
        let constitution = try files.load()
        return (Governance(ledger: try workspace.openLedger(), files: files), constitution)
    }

    /// The governance of the workspace in `directory` without reading its crucible.yaml or its
    /// constitution: what `crucible stop` uses, so that the brake works whatever else is broken.
    public static func unchecked(_ directory: String) throws -> Governance {
        let files = ConstitutionFiles(directory: directory)
        guard FileManager.default.fileExists(atPath: files.directory + "/" + Workspace.fileName) else {
            throw EvolutionError("\(files.directory) holds no \(Workspace.fileName)")
        }
        try FileManager.default.createDirectory(atPath: files.directory + "/.crucible", withIntermediateDirectories: true)
        return Governance(ledger: try Ledger(path: files.directory + "/.crucible/crucible.db"), files: files)
    }

    /// Where `crucible stop` leaves word for running loops, which look for it every quarter second.
    public var stopMarkerPath: String { files.directory + "/.crucible/STOP" }

    /// How long a request waits when its rule gives no timeout: a day.
    public static let defaultTimeout = 86_400

    // MARK: The approval queue

    /// One request and what became of it.
    public struct Approval: Sendable, Hashable, Codable {
        public enum State: String, Sendable, Hashable, Codable {
            case pending, granted, denied
            case timedOut = "timed_out"
        }

        public var id: Int64
        public var time: String
        public var state: State
        public var request: ApprovalRequested
        /// Why it was granted or denied, when it was.
        public var answer: String?
        /// When a pending request times out.
        public var expires: String
    }

    /// Every request, oldest first. Pending requests past their timeout are settled first by the
    /// escalation policy's `fallback_on_timeout`, recorded as an ``ApprovalDenied``.
    public func approvals(fallback: String) throws -> [Approval] {
        var items = try currentApprovals()
        let now = clock()
        for index in items.indices where items[index].state == .pending {
            guard let expires = Self.date(items[index].expires), expires < now else { continue }
            let item = items[index]
            try ledger.append(ApprovalDenied(
                request: item.id, actionDigest: item.request.actionDigest,
                reason: "nobody answered within \(item.request.timeout) s; fallback_on_timeout: \(fallback)", fallback: fallback))
            items[index].state = .timedOut
            items[index].answer = "timed out; \(fallback)"
        }
        return items
    }

    /// The requests as the ledger has them, without settling timeouts.
    public func currentApprovals() throws -> [Approval] {
        var items: [Int64: Approval] = [:]
        var order: [Int64] = []
        for event in try ledger.events(of: [.approvalRequested, .approvalGranted, .approvalDenied]) {
            switch event.kind {
            case .approvalRequested:
                let request = try event.payload(as: ApprovalRequested.self)
                let expires = (Self.date(event.time) ?? clock()).addingTimeInterval(Double(request.timeout))
                items[event.seq] = Approval(id: event.seq, time: event.time, state: .pending, request: request,
                                            expires: Self.timeString(expires))
                order.append(event.seq)
            case .approvalGranted:
                let grant = try event.payload(as: ApprovalGranted.self)
                guard var item = items[grant.request], item.state == .pending, verify(grant) else { continue }
                item.state = .granted
                item.answer = grant.reason ?? "approved"
                items[grant.request] = item
            default:
                let denial = try event.payload(as: ApprovalDenied.self)
                guard var item = items[denial.request], item.state == .pending else { continue }
                item.state = denial.fallback == nil ? .denied : .timedOut
                item.answer = denial.reason
                items[denial.request] = item
            }
        }
        return order.compactMap { items[$0] }
    }

    /// Approves pending request `id`, signing its action's digest with the private key at
    /// `keyPath` (default: the workspace's own), which must be the trusted key's other half.
    @discardableResult
    public func approve(_ id: Int64, keyPath: String? = nil, reason: String?, fallback: String) throws -> ApprovalGranted {
        let item = try pending(id, fallback: fallback)
        let (publicKey, signature) = try signAsApprover(ApprovalGranted.message(for: item.request.actionDigest), keyPath: keyPath)
        let grant = ApprovalGranted(request: id, actionDigest: item.request.actionDigest, approverKey: publicKey,
                                    signature: signature, reason: reason)
        try ledger.append(grant)
        return grant
    }

    /// Denies pending request `id`. Anyone may deny: refusing is always safe.
    @discardableResult
    public func deny(_ id: Int64, reason: String?, fallback: String) throws -> ApprovalDenied {
        let item = try pending(id, fallback: fallback)
        let denial = ApprovalDenied(request: id, actionDigest: item.request.actionDigest, reason: reason ?? "denied")
        try ledger.append(denial)
        return denial
    }

    /// Whether `grant` is signed by the trusted key over the digest it names.
    public func verify(_ grant: ApprovalGranted) -> Bool {
        guard let trusted = try? trustedKey(), trusted == grant.approverKey else { return false }
        return Signing.verify(signature: grant.signature, of: Data(ApprovalGranted.message(for: grant.actionDigest).utf8),
                              publicKey: trusted)
    }

    /// A granted request for exactly the action with `digest`, if one exists.
    public func grant(for digest: String) throws -> Approval? {
        try currentApprovals().last { $0.state == .granted && $0.request.actionDigest == digest }
    }

    /// A pending request for exactly the action with `digest`, if one exists.
    public func pendingRequest(for digest: String) throws -> Approval? {
        try currentApprovals().last { $0.state == .pending && $0.request.actionDigest == digest }
    }

    private func pending(_ id: Int64, fallback: String) throws -> Approval {
        guard let item = try approvals(fallback: fallback).first(where: { $0.id == id }) else {
            throw EvolutionError("no approval request a\(id); `crucible approvals list` shows them")
        }
        guard item.state == .pending else {
            throw EvolutionError("request a\(id) is already \(item.state.rawValue.replacingOccurrences(of: "_", with: " "))")
        }
        return item
    }

    // MARK: The emergency stop

    /// The stop in force, if any: the last ``EmergencyStop`` not lifted by a validly signed ``Resumed``.
    public func stopInForce() throws -> (seq: Int64, time: String, stop: EmergencyStop)? {
        var current: Event?
        for event in try ledger.events(of: [.emergencyStop, .resumed]) {
            if event.kind == .emergencyStop {
                current = event
            } else if let stop = current, let resumed = try? event.payload(as: Resumed.self), resumed.stop == stop.seq,
                      isValid(resumed, of: stop) {
                current = nil
            }
        }
        guard let current else { return nil }
        return (current.seq, current.time, try current.payload(as: EmergencyStop.self))
    }

    /// `crucible stop`: records the stop, then leaves word for running loops. Idempotent.
    @discardableResult
    public func stop(reason: String) throws -> Int64 {
        let seq = try stopInForce()?.seq ?? ledger.append(EmergencyStop(reason: reason)).seq
        try FileManager.default.createDirectory(atPath: files.directory + "/.crucible", withIntermediateDirectories: true)
        try Data("\(seq)\n".utf8).write(to: URL(fileURLWithPath: stopMarkerPath), options: .atomic)
        return seq
    }

    /// `crucible resume`: lifts the stop in force, signed with the approver key.
    /// - Throws: when nothing is stopped, or the key is not the trusted key's other half.
    @discardableResult
    public func resume(keyPath: String? = nil) throws -> Resumed {
        guard let stop = try ledger.events(of: [.emergencyStop]).last, try stopInForce()?.seq == stop.seq else {
            try? FileManager.default.removeItem(atPath: stopMarkerPath)
            throw EvolutionError("nothing is stopped in \(files.directory)")
        }
        let (publicKey, signature) = try signAsApprover(Resumed.message(stop: stop.seq, prev: stop.prev), keyPath: keyPath)
        let resumed = Resumed(stop: stop.seq, approverKey: publicKey, signature: signature)
        try ledger.append(resumed)
        try? FileManager.default.removeItem(atPath: stopMarkerPath)
        return resumed
    }

    /// Whether a stop has been asked for since the loop last looked: the marker file, cheap to test.
    public var stopRequested: Bool { access(stopMarkerPath, F_OK) == 0 }

    /// Whether `resumed` is signed by the trusted key for exactly `stop`.
    func isValid(_ resumed: Resumed, of stop: Event) -> Bool {
        guard let trusted = try? trustedKey(), trusted == resumed.approverKey else { return false }
        return Signing.verify(signature: resumed.signature, of: Data(Resumed.message(stop: stop.seq, prev: stop.prev).utf8),
                              publicKey: trusted)
    }

    // MARK: The approver key

    func trustedKey() throws -> String {
        guard let data = FileManager.default.contents(atPath: files.trustedKeyPath) else {
            throw ConfigError(file: files.trustedKeyPath, message: "no approver key: the workspace has no trusted public key; `crucible keys generate \(files.directory)` makes the pair (its private half is the approver key)")
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Signs `message` with the private key at `keyPath`, after checking that it is the trusted
    /// key's other half. Returns the public key and the signature, base64.
    private func signAsApprover(_ message: String, keyPath: String?) throws -> (String, String) {
        let trusted = try trustedKey()
        let path = keyPath ?? files.privateKeyPath
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, message: "cannot read the approver key; only its holder may approve or resume (--key names another)")
        }
        let privateKey = String(decoding: data, as: UTF8.self)
        do {
            let publicKey = try Signing.publicKey(ofPrivateKey: privateKey)
            guard publicKey == trusted else {
                throw ConfigError(file: path, message: "is not the approver key: its public half is not the trusted key \(files.trustedKeyPath)")
            }
            return (publicKey, try Signing.sign(Data(message.utf8), privateKey: privateKey))
        } catch let error as SigningError {
            throw ConfigError(file: path, message: "\(error)")
        }
    }

    // MARK: Time

    static func date(_ text: String) -> Date? {
        try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)
    }

    static func timeString(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
