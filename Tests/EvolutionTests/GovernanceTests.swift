import Constitution
import CrucibleCore
import Evolution
import Foundation
import Ledger
import Synchronization
import Testing

/// The approval queue and the emergency stop against forged answers and unanswered requests.
struct GovernanceTests {
    /// Seconds since 1970, moved by the test.
    final class Clock: Sendable {
        let seconds = Atomic<Int>(Int(Date().timeIntervalSince1970))
        var date: Date { Date(timeIntervalSince1970: Double(seconds.load(ordering: .relaxed))) }
        func advance(_ by: Int) { seconds.add(by, ordering: .relaxed) }
    }

    /// A workspace folder with its key pair, a ledger, and a clock the test moves.
    private func governance(now: Clock = Clock()) throws -> (Governance, Ledger) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-governance-\(UUID().uuidString)").path
        let files = ConstitutionFiles(directory: directory)
        try files.generateKeys()
        let ledger = try Ledger.inMemory()
        let governance = Governance(ledger: ledger, files: files, clock: { now.date })
        return (governance, ledger)
    }

    private func request(_ ledger: Ledger, timeout: Int = 3600) throws -> (Int64, String) {
        let action = Action(type: "service", action: "restart", service: "nginx")
        let digest = try action.digest()
        let decision = Constitution.standard.decide(action)
        #expect(decision.decision == .requireApproval)
        let event = try ledger.append(ApprovalRequested(iteration: nil, action: action, actionDigest: digest, decision: decision,
                                                        timeout: timeout))
        return (event.seq, digest)
    }

    @Test("a grant signed by any key but the trusted one is ignored, and audited as a violation")
    func forgedGrantIsIgnored() throws {
        let (governance, ledger) = try governance()
        let (id, digest) = try request(ledger)
        let stranger = Signing.generateKeyPair()
        let forged = try Signing.sign(Data(ApprovalGranted.message(for: digest).utf8), privateKey: stranger.privateKey)
        try ledger.append(ApprovalGranted(request: id, actionDigest: digest, approverKey: stranger.publicKey, signature: forged, reason: nil))
        // Claiming the trusted key with a stranger's signature does not help either.
        let trusted = try String(contentsOfFile: governance.files.publicKeyPath, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        try ledger.append(ApprovalGranted(request: id, actionDigest: digest, approverKey: trusted, signature: forged, reason: nil))
        #expect(try governance.approvals(fallback: "abort").first?.state == .pending)
        #expect(try governance.grant(for: digest) == nil)
        let violations = try governance.audit(violationsOnly: true)
        #expect(violations.count == 2)
        #expect(violations.allSatisfy { $0.outcome == "granted" && $0.summary.contains("does not verify") })

        // The holder of the key can approve it.
        try governance.approve(id, reason: "fine", fallback: "abort")
        #expect(try governance.grant(for: digest)?.id == id)
    }

    @Test("a request nobody answers in time is settled by fallback_on_timeout, recorded, and can no longer be approved")
    func timeoutAppliesTheFallback() throws {
        let now = Clock()
        let (governance, ledger) = try governance(now: now)
        let (id, _) = try request(ledger, timeout: 60)
        #expect(try governance.approvals(fallback: "abort").first?.state == .pending)
        now.advance(61)
        let settled = try governance.approvals(fallback: "abort")
        #expect(settled.first?.state == .timedOut)
        let denial = try #require(try ledger.events(of: [.approvalDenied]).first).payload(as: ApprovalDenied.self)
        #expect(denial.fallback == "abort")
        #expect(denial.request == id)
        #expect(throws: EvolutionError.self) { try governance.approve(id, reason: nil, fallback: "abort") }
        // Settled once: listing again records nothing more.
        _ = try governance.approvals(fallback: "abort")
        #expect(try ledger.events(of: [.approvalDenied]).count == 1)
    }

    @Test("a stop is lifted only by a resume the approver key signed for that very stop")
    func forgedResumeDoesNotLift() throws {
        let (governance, ledger) = try governance()
        let first = try governance.stop(reason: "first")
        #expect(governance.stopRequested)
        let trusted = try String(contentsOfFile: governance.files.publicKeyPath, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        try ledger.append(Resumed(stop: first, approverKey: trusted, signature: "AAAA"))
        #expect(try governance.stopInForce()?.seq == first)
        #expect(try governance.audit(violationsOnly: true).contains { $0.outcome == "resumed" })

        try governance.resume()
        #expect(try governance.stopInForce() == nil)
        #expect(!governance.stopRequested)
        // A resume signed for the first stop does not lift a second.
        let resumed = try #require(try ledger.events(of: [.resumed]).last).payload(as: Resumed.self)
        let second = try governance.stop(reason: "second")
        try ledger.append(Resumed(stop: second, approverKey: resumed.approverKey, signature: resumed.signature))
        #expect(try governance.stopInForce()?.seq == second)
    }
}
