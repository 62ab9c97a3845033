import Constitution
import CrucibleCore
import Foundation
import Ledger

/// Reads a workspace's archive for people: status, the variant tree, one variant in detail, the
/// report; and acts on it: export, promote, rollback. Every command but `evolve` goes through here.
public struct Inspector: Sendable {
    public let workspace: Workspace
    public let ledger: Ledger

    public init(workspace: Workspace, ledger: Ledger) {
        self.workspace = workspace
        self.ledger = ledger
    }

    /// Opens the workspace in `directory` and its ledger.
    public static func open(_ directory: String) throws -> Inspector {
        let workspace = try Workspace.load(directory)
        return Inspector(workspace: workspace, ledger: try workspace.openLedger())
    }

    public func status() throws -> StatusReport {
        var report = StatusReport(snapshot: try ledger.archive(), usage: try ledger.modelUsage())
        let governance = Governance(ledger: ledger, files: ConstitutionFiles(directory: workspace.directory))
        report.awaitingApproval = try governance.currentApprovals().filter { $0.state == .pending }.count
        report.emergencyStop = try governance.stopInForce().map { "emergency stop at \($0.time) (\($0.stop.reason))" }
        return report
    }

    /// `crucible report`: the runs from baseline to best, with model usage.
    public func report() throws -> RunReport {
        RunReport(snapshot: try ledger.archive(), usage: try ledger.modelUsage())
    }

    /// The files of variant `id`.
    public func tree(of id: Int) throws -> FileTree {
        let snapshot = try ledger.archive()
        guard snapshot.variant(id) != nil else { throw EvolutionError("no variant v\(id); `crucible archive` lists them") }
        var model = try ArchiveModel(snapshot: snapshot, ledger: ledger)
        return try model.tree(of: id)
    }

    // MARK: show

    /// One variant: its record, its lineage and its diff against its baseline.
    public struct Detail: Codable, Sendable {
        public var variant: VariantRecord
        public var lineage: [String]
        public var baseline: String?
        public var diff: String
    }

    public func detail(_ id: Int) throws -> Detail {
        let snapshot = try ledger.archive()
        guard let record = snapshot.variant(id) else { throw EvolutionError("no variant v\(id); `crucible archive` lists them") }
        var model = try ArchiveModel(snapshot: snapshot, ledger: ledger)
        var lineage: [Int] = [id]
        while let parent = snapshot.variant(lineage.last!)?.parent { lineage.append(parent) }
        let root = lineage.last!
        let diff = try model.tree(of: root).unifiedDiff(to: try model.tree(of: id))
        return Detail(variant: record, lineage: lineage.reversed().map { VariantID.format($0) },
                      baseline: VariantID.format(root), diff: diff)
    }

    public func detailText(_ detail: Detail) -> String {
        let v = detail.variant
        var lines = ["variant   \(VariantID.format(v.id)) (\(v.status.rawValue))"]
        lines.append("score     \(v.score.map { Format.score($0) } ?? "none")\(v.improved ? "  (was a new best)" : "")")
        lines.append("lineage   \(detail.lineage.joined(separator: " → "))")
        if let proposer = v.proposer { lines.append("proposer  \(proposer)") }
        if let summary = v.summary { lines.append("change    \(summary)") }
        if let reason = v.reason { lines.append("reason    \(reason)") }
        for benchmark in v.result?.benchmarks ?? [] {
            let passed = benchmark.tasks.filter { $0.passed == true }.count
            let tasks = benchmark.tasks.isEmpty ? "" : ", \(passed)/\(benchmark.tasks.count) tasks passed"
            lines.append("benchmark \(benchmark.name): \(benchmark.score.map { Format.score($0) } ?? "error: \(benchmark.error ?? "")") (weight \(Format.score(benchmark.weight)), \(String(format: "%.2f", benchmark.wallSeconds))s\(tasks))")
        }
        lines.append("")
        lines.append(detail.diff.isEmpty ? "(no change from \(detail.baseline ?? "the baseline"))" : detail.diff)
        return lines.joined(separator: "\n")
    }

    // MARK: archive

    /// The variant tree, one line a variant, children indented under parents. Rejected variants
    /// are counted, not listed, unless `all`.
    public func archiveText(all: Bool = false) throws -> String {
        let snapshot = try ledger.archive()
        let children = Dictionary(grouping: snapshot.variants.filter { $0.parent != nil }, by: { $0.parent! })
        var lines: [String] = []
        func walk(_ record: VariantRecord, depth: Int) {
            let shown = all || record.status == .evaluated || record.status == .baseline
                || (children[record.id]?.isEmpty == false)
            if shown {
                let marks = (record.id == snapshot.best ? " ★best" : "") + (record.id == snapshot.promoted ? " ●promoted" : "")
                let score = record.score.map { Format.score($0) } ?? record.status.rawValue
                lines.append(String(repeating: "  ", count: depth) + "\(VariantID.format(record.id)) \(score)\(marks)  \(record.summary ?? "")")
            }
            for child in children[record.id] ?? [] { walk(child, depth: shown ? depth + 1 : depth) }
        }
        for root in snapshot.variants where root.parent == nil { walk(root, depth: 0) }
        let hidden = snapshot.variants.filter { $0.status == .rejected || $0.status == .error }.count
        if !all, hidden > 0 { lines.append("(\(hidden) rejected or failed variants not shown; --all lists them)") }
        return lines.joined(separator: "\n")
    }

    // MARK: export, promote, rollback

    /// Writes variant `id` as a complete copy of the workspace's target into the new folder `destination`.
    public func export(_ id: Int, to destination: String) throws {
        if FileManager.default.fileExists(atPath: destination),
           !((try? FileManager.default.contentsOfDirectory(atPath: destination))?.isEmpty ?? false) {
            throw EvolutionError("\(destination) exists and is not empty")
        }
        try CandidateMaterializer(workspace: workspace).write(try tree(of: id), to: destination)
    }

    /// Writes variant `id`'s editable files into the target and records the promotion.
    @discardableResult
    public func promote(_ id: Int, constitution: Constitution) throws -> Promoted {
        let snapshot = try ledger.archive()
        guard let record = snapshot.variant(id) else { throw EvolutionError("no variant v\(id); `crucible archive` lists them") }
        guard record.status == .evaluated || record.status == .baseline else {
            throw EvolutionError("v\(id) is \(record.status.rawValue); only a variant that evaluated without error can be promoted")
        }
        let tree = try tree(of: id)
        try authorizePromotion(of: record, tree: tree, snapshot: snapshot, constitution: constitution)
        try writeTarget(tree)
        let event = Promoted(variant: id, previous: snapshot.promoted, treeDigest: tree.digest)
        try ledger.append(event)
        return event
    }

    /// Puts the promotion of `record` to the constitution: the change it writes into the target
    /// files, as a patch action carrying the evidence the evaluation established — `tests_pass`
    /// (its benchmarks ran and scored), `no_regression` (it scores at least the version in place),
    /// `recorded` (it is in the ledger). A promotion that needs approval files a request and
    /// proceeds only once that exact action is approved.
    /// - Throws: when the constitution denies it or it waits for approval, saying which rule.
    private func authorizePromotion(of record: VariantRecord, tree: FileTree, snapshot: ArchiveSnapshot,
                                    constitution: Constitution) throws {
        let governance = Governance(ledger: ledger, files: ConstitutionFiles(directory: workspace.directory))
        // A score far beyond the run's history waits for a human (see ScoreJump).
        if let hold = try governance.currentApprovals()
            .last(where: { $0.request.action.type == ScoreJump.actionType && $0.request.action.target == "v\(record.id)" }) {
            switch hold.state {
            case .granted: break
            case .pending:
                throw EvolutionError("v\(record.id) is held: \(hold.request.action.description ?? "its score jumped"); `crucible approvals approve a\(hold.id)` to promote it anyway")
            case .denied, .timedOut:
                throw EvolutionError("v\(record.id) is held and its approval request a\(hold.id) was \(hold.state == .denied ? "denied" : "not answered in time")")
            }
        }
        let currentID = snapshot.promoted ?? snapshot.baseline
        let current = try currentID.map { try self.tree(of: $0) } ?? FileTree()
        let edits = current.edits(to: tree)
        guard !edits.isEmpty else { return }
        var evidence = ["recorded"]
        if record.status == .evaluated || record.status == .baseline, record.score != nil { evidence.append("tests_pass") }
        let reference = currentID.flatMap { snapshot.variant($0)?.score }
        if let score = record.score, reference.map({ score >= $0 }) ?? true { evidence.append("no_regression") }
        let action = Action(type: "patch", kind: PatchKind.guess(forPath: edits[0].path).rawValue, target: edits[0].path,
                            paths: edits.map(\.path), content: edits.map(\.new).joined(separator: "\n"),
                            inWorkspace: edits.allSatisfy { workspace.isEditable($0.path) }, evidence: evidence,
                            description: "promote v\(record.id) into the target files")
        let decision = constitution.decide(action)
        let digest = try action.digest()
        try ledger.append(DecisionMade(iteration: nil, actionType: action.type, actionDigest: digest, decision: decision))
        let why = decision.reasons.first ?? "no rule allows it"
        switch decision.decision {
        case .allow:
            return
        case .deny:
            throw EvolutionError("the constitution refuses to promote v\(record.id): \(why)")
        case .requireApproval:
            if try governance.grant(for: digest) != nil { return }
            let request = try governance.pendingRequest(for: digest)?.id
                ?? ledger.append(ApprovalRequested(iteration: nil, action: action, actionDigest: digest, decision: decision,
                                                   timeout: decision.timeout ?? Governance.defaultTimeout)).seq
            throw EvolutionError("promoting v\(record.id) needs approval (\(why)); `crucible approvals approve a\(request)`, then promote again")
        }
    }

    /// Returns the target to the version promoted before the current one.
    @discardableResult
    public func rollback() throws -> RolledBack {
        let snapshot = try ledger.archive()
        var stack: [Int] = []
        for promotion in snapshot.promotions {
            if promotion.action == "promote" {
                if let previous = promotion.previous { stack.append(previous) }
            } else if !stack.isEmpty {
                stack.removeLast()
            }
        }
        guard let target = stack.last, let current = snapshot.promoted else {
            throw EvolutionError("nothing to roll back: no promotion is recorded")
        }
        let tree = try tree(of: target)
        try writeTarget(tree)
        let event = RolledBack(from: current, to: target, treeDigest: tree.digest)
        try ledger.append(event)
        return event
    }

    /// Writes each file of `tree` into the target root, atomically per file.
    private func writeTarget(_ tree: FileTree) throws {
        for (path, content) in tree.files.sorted(by: { $0.key < $1.key }) {
            guard workspace.isEditable(path) else { throw EvolutionError("refusing to write \(path): it is not editable") }
            let url = URL(fileURLWithPath: workspace.root + "/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(content.utf8).write(to: url, options: .atomic)
        }
    }
}
