import Constitution
import CrucibleCore
import Foundation
import Ledger
import Sandbox

/// The open-ended loop: select a parent, propose a child, evaluate it in the sandbox, record
/// everything in the ledger, keep the best. Resumable: every decision is recorded before it is
/// acted on, and a rerun after a crash continues the unfinished run.
public struct EvolutionLoop: Sendable {
    public struct Options: Sendable {
        /// Iterations for a new run (nil: the workspace's `evolution.iterations`).
        public var iterations: Int?
        public var seed: UInt64?
        public var jobs: Int?
        public init(iterations: Int? = nil, seed: UInt64? = nil, jobs: Int? = nil) {
            self.iterations = iterations
            self.seed = seed
            self.jobs = jobs
        }
    }

    public let workspace: Workspace
    public let ledger: Ledger
    public let evaluator: Evaluator
    public let proposer: any Proposer
    /// What every proposed patch is put to before it is evaluated.
    public let constitution: Constitution
    /// Who judges the constitution's `judge: model` rules (nil: they stand as matched).
    public let judge: (any Judge)?
    public let clock: @Sendable () -> Double

    public init(workspace: Workspace, ledger: Ledger, evaluator: Evaluator, proposer: any Proposer,
                constitution: Constitution = .standard, judge: (any Judge)? = nil,
                clock: @escaping @Sendable () -> Double = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }) {
        self.workspace = workspace
        self.ledger = ledger
        self.evaluator = evaluator
        self.proposer = proposer
        self.constitution = constitution
        self.judge = judge
        self.clock = clock
    }

    private typealias Pending = (iteration: Int, variant: Int, task: Task<Evaluation, any Error>)

    /// Runs (or resumes) a run to its last iteration, reporting progress to `observe`.
    public func run(_ options: Options = Options(), observe: @escaping @Sendable (EvolutionProgress) -> Void = { _ in }) async throws -> RunSummary {
        let config = workspace.config.evolution
        let started = clock()
        try checkNotStopped()
        let watcher = watchForStop()
        defer { watcher.cancel() }
        let snapshot = try ledger.archive()
        var model = try ArchiveModel(snapshot: snapshot, ledger: ledger)
        let isolation = evaluator.sandbox.isolation

        // The run: the unfinished one, or a new one.
        let runID: Int, until: Int, seed: UInt64, resumed: Bool
        let jobs = max(1, options.jobs ?? config.jobs)
        if let last = snapshot.runs.last, last.finishedReason == nil {
            (runID, until, seed, resumed) = (last.id, last.untilIteration, last.seed, true)
        } else {
            runID = (snapshot.runs.last?.id ?? 0) + 1
            until = snapshot.nextIteration + max(0, options.iterations ?? config.iterations)
            seed = options.seed ?? config.seed
            resumed = false
        }
        let from = snapshot.nextIteration
        try ledger.append(RunStarted(
            run: runID, seed: seed, untilIteration: until, jobs: jobs, proposer: proposer.name,
            selection: config.selection.rawValue, configDigest: (try? Digest.sha256(Data(contentsOf: URL(fileURLWithPath: workspace.configPath)))) ?? "",
            isolation: isolation, resumed: resumed))
        observe(.runStarted(RunStartedInfo(run: runID, fromIteration: from, untilIteration: until, resumed: resumed,
                                           isolation: isolation, jobs: jobs, seed: seed)))

        // The baseline: the editable files on disk, recorded when they are new.
        let disk = try workspace.readEditableTree()
        let promotedDigest = snapshot.promoted.flatMap { model.variants[$0]?.treeDigest }
        var baselineID = snapshot.baseline
        if baselineID == nil || promotedDigest != disk.digest {
            let id = model.nextID
            try ledger.append(BaselineRecorded(variant: id, treeDigest: disk.digest, files: disk.files))
            model.addBaseline(VariantRecord(id: id, status: .baseline, improved: false, treeDigest: disk.digest,
                                            proposer: "baseline"), files: disk)
            baselineID = id
        }
        if let id = baselineID, let record = model.variants[id], record.score == nil, record.status != .rejected {
            let evaluation = try await evaluator.evaluate(try model.tree(of: id), changed: [], label: "v\(id)")
            try haltIfStopped()
            try recordRuns(evaluation.runs, variant: id)
            guard case .scored(let score) = evaluation.verdict else { throw EvolutionError("the baseline was rejected") }
            try recordScore(score, for: id, in: &model, isolation: isolation)
            observe(.baseline(id: id, score: score.value, error: score.error))
        }

        // Variants proposed before a crash but never evaluated.
        var done = 0
        var evaluatedCount = 0, errorCount = 0, rejectedCount = 0, awaitingCount = 0
        let total = max(0, until - from)
        for record in model.variants.values.sorted(by: { $0.id < $1.id }) where record.status == .pending {
            let tree = try model.tree(of: record.id)
            let changed = record.patch?.paths ?? []
            let evaluation = try await evaluator.evaluate(tree, changed: changed, label: "v\(record.id)")
            try haltIfStopped()
            try settle(evaluation, variant: record.id, iteration: record.iteration ?? 0, in: &model, isolation: isolation)
        }

        // Rates count from here: the baseline and any recovered variants are not iterations.
        let iterationsStarted = clock()
        let selector = ParentSelector(selection: config.selection, lambda: config.lambda, tournamentSize: config.tournamentSize)
        var inflight: [Pending] = []
        var iteration = from
        var hintCache: [Int: FaultHints] = [:]
        var localizer = SpectrumLocalizer(enabled: config.faultLocalization == .auto)
        var runUsage: [ModelUsage] = []
        var stopReason: String?
        var last = until
        let hacking = try ObjectiveHackingCheck(workspace: workspace)
        // Read from the ledger only once a grant is seen: most runs never have one.
        var consumed: Set<Int64>?
        // Children waiting in the approval queue are not proposed again.
        var queued: Set<String> = []
        for item in try governance.currentApprovals() where item.state == .pending {
            if let patch = item.request.patch, let parent = item.request.parent, model.variants[parent] != nil,
               let child = try? model.tree(of: parent).applying(patch.edits) {
                queued.insert(child.digest)
            }
        }
        var grantsSeen: Int64 = 0

        /// Records `patch` as variant proposal and starts its evaluation.
        func submit(_ patch: Patch, parent: Int, parentTree: FileTree, iteration: Int, summary: String, usage: [ModelUsage]?,
                    approval: Int64?) throws {
            let child = try parentTree.applying(patch.edits)
            let id = model.nextID
            try ledger.append(PatchProposed(variant: id, parent: parent, iteration: iteration, patch: patch,
                                            patchDigest: try patch.digest(), treeDigest: child.digest, summary: summary,
                                            usage: usage, approval: approval))
            try model.add(VariantRecord(id: id, parent: parent, run: runID, iteration: iteration, status: .pending,
                                        improved: false, treeDigest: child.digest, patch: patch, proposer: patch.proposer,
                                        summary: summary), ledger: ledger)
            let evaluator = self.evaluator
            let changed = patch.paths
            inflight.append((iteration, id, Task { try await evaluator.evaluate(child, changed: changed, label: "v\(id)") }))
        }

        func report(_ iteration: Int, variant: Int?, parent: Int?, status: String, score: Double?, reason: String?,
                    summary: String?, improved: Bool, model: ArchiveModel) {
            done += 1
            let elapsed = max(clock() - iterationsStarted, 1e-6)
            observe(.iteration(IterationResult(
                iteration: iteration, variant: variant, parent: parent, status: status, score: score, reason: reason,
                summary: summary, improved: improved, bestID: model.best, bestScore: model.bestScore,
                done: done, total: total, candidatesPerMinute: Double(done) / elapsed * 60)))
        }

        while iteration < last || !inflight.isEmpty {
            // An emergency stop: the runs in flight are being killed; none of them is recorded, so
            // their variants stay pending and are evaluated again after `crucible resume`.
            if evaluator.stop.isEngaged {
                for pending in inflight { _ = try? await pending.task.value }
                try haltIfStopped()
            }
            // A spent budget ends the run here: no new proposal, the ones in flight settle.
            if iteration < last, stopReason == nil, let reason = await proposer.stopReason() {
                stopReason = reason
                last = iteration
                continue
            }
            if inflight.count >= jobs || iteration >= last {
                let pending = inflight.removeFirst()
                let evaluation = try await pending.task.value
                if evaluator.stop.isEngaged {
                    inflight.insert(pending, at: 0)
                    continue
                }
                let status = try settle(evaluation, variant: pending.variant, iteration: pending.iteration, in: &model, isolation: isolation)
                let record = model.variants[pending.variant]
                switch status {
                case .evaluated: evaluatedCount += 1
                case .error: errorCount += 1
                default: rejectedCount += 1
                }
                report(pending.iteration, variant: pending.variant, parent: record?.parent, status: status.rawValue,
                       score: record?.score, reason: record?.reason, summary: record?.summary,
                       improved: record?.improved ?? false, model: model)
                continue
            }

            // A patch a human has approved since it was queued is evaluated before new work.
            let newest = try ledger.events(of: [.approvalGranted], from: grantsSeen + 1).last?.seq
            if newest != nil, consumed == nil { consumed = try consumedApprovals() }
            if newest != nil, let approved = try approvedPatches(consumed: consumed ?? []).first {
                consumed?.insert(approved.id)
                let request = approved.request
                let parent = request.parent!, patch = request.patch!
                let parentTree = try model.tree(of: parent)
                let action = action(evaluating: patch)
                let decision = await constitution.decide(action, judge: judge)
                try ledger.append(DecisionMade(iteration: iteration, actionType: action.type, actionDigest: try action.digest(),
                                               decision: decision))
                if patch.baseDigest != parentTree.digest || decision.decision == .deny || (try? parentTree.applying(patch.edits)) == nil {
                    let reason = decision.decision == .deny ? "constitution: \(decision.reasons.first ?? "denied")"
                        : "the approved patch no longer applies to v\(parent)"
                    try ledger.append(PatchRejected(variant: nil, iteration: iteration, stage: decision.decision == .deny ? "constitution" : "apply",
                                                    reason: "approval a\(approved.id): \(reason)", patch: patch))
                    rejectedCount += 1
                    report(iteration, variant: nil, parent: parent, status: "rejected", score: nil, reason: reason,
                           summary: nil, improved: false, model: model)
                } else {
                    try submit(patch, parent: parent, parentTree: parentTree, iteration: iteration,
                               summary: "approved a\(approved.id): \(request.action.description ?? patch.target)", usage: nil,
                               approval: approved.id)
                }
                iteration += 1
                continue
            } else if let newest {
                grantsSeen = newest
            }

            var rng = SeededGenerator(seed: seed, stream: UInt64(iteration))
            // Until something scores (a baseline whose tests loop forever times out), mutate the baseline.
            guard let parent = selector.select(from: model.selectable, using: &rng) ?? baselineID else {
                throw EvolutionError("there is no baseline to improve")
            }
            let parentTree = try model.tree(of: parent)
            // What the proposer may see of the parent's results: not the held-out tasks.
            let parentScore = heldOut.visible(model.variants[parent]?.result)
            let ancestors = Array(sequence(first: parent) { model.variants[$0]?.parent }.dropFirst())
            if hintCache[parent] == nil {
                var hints = FaultLocalizer.hints(for: parentScore, tree: parentTree)
                // Held-out tests are traced too (the benchmarks run them), but what they executed is not shown.
                if let traced = try await localizer.trace(parent, tree: parentTree, score: parentScore, ancestors: ancestors,
                                                          evaluator: evaluator, shows: heldOut.showsTest(in: model.variants[parent]?.result)) {
                    try recordRuns(traced.runs, variant: parent)
                    hints.suspiciousness = traced.suspiciousness
                }
                hintCache[parent] = hints
            }
            let donors = try model.selectable.filter { $0.id != parent }.sorted { ($0.score, $0.id) > ($1.score, $1.id) }
                .prefix(4).map { ProposalContext.Donor(id: $0.id, score: $0.score, tree: try model.tree(of: $0.id)) }
            let context = ProposalContext(parent: parent, tree: parentTree, score: parentScore,
                                          hints: hintCache[parent]!, donors: donors, operatorStats: model.operatorStats,
                                          origin: try ancestors.last.map { try model.tree(of: $0) },
                                          tried: model.attempts(from: parent))
            let known = model.treeDigests.union(queued)
            let proposal: Proposal?
            do {
                proposal = try await proposer.propose(context, isNew: { !known.contains($0.digest) }, using: &rng)
            } catch {
                let usage = (error as? ProposalError)?.usage ?? []
                runUsage = ModelUsage.merge([runUsage, usage])
                try ledger.append(PatchRejected(variant: nil, iteration: iteration, stage: "proposal", reason: "\(error)",
                                                usage: usage.isEmpty ? nil : usage))
                rejectedCount += 1
                report(iteration, variant: nil, parent: parent, status: "rejected", score: nil, reason: "proposal: \(error)",
                       summary: nil, improved: false, model: model)
                iteration += 1
                continue
            }
            guard let proposal else {
                try ledger.append(PatchRejected(variant: nil, iteration: iteration, stage: "proposal",
                                                reason: "the proposer found no new child of v\(parent)"))
                rejectedCount += 1
                report(iteration, variant: nil, parent: parent, status: "rejected", score: nil,
                       reason: "proposal: no new child", summary: nil, improved: false, model: model)
                iteration += 1
                continue
            }

            runUsage = ModelUsage.merge([runUsage, proposal.usage])
            let usage = proposal.usage.isEmpty ? nil : proposal.usage
            let edits = parentTree.edits(to: proposal.tree)
            let patch = Patch(kind: PatchKind.guess(forPath: edits.first?.path ?? ""), target: edits.first?.path ?? "",
                              baseDigest: parentTree.digest, edits: edits, reasoning: proposal.reasoning,
                              proposer: proposal.proposer)
            if let forbidden = patch.paths.first(where: { !workspace.isEditable($0) }) {
                try ledger.append(PatchRejected(variant: nil, iteration: iteration, stage: "protected",
                                                reason: "the patch touches \(forbidden), which is not editable", patch: patch,
                                                usage: usage))
                rejectedCount += 1
                report(iteration, variant: nil, parent: parent, status: "rejected", score: nil,
                       reason: "protected: \(forbidden)", summary: proposal.summary, improved: false, model: model)
                iteration += 1
                continue
            }
            let findings = hacking.findings(parent: parentTree, child: proposal.tree)
            if !findings.isEmpty {
                try ledger.append(PatchRejected(variant: nil, iteration: iteration, stage: "hacking",
                                                reason: "objective hacking: " + findings.joined(separator: "; "), patch: patch, usage: usage))
                rejectedCount += 1
                report(iteration, variant: nil, parent: parent, status: "rejected", score: nil,
                       reason: "hacking: \(findings[0])", summary: proposal.summary, improved: false, model: model)
                iteration += 1
                continue
            }
            if let refusal = try await decide(patch, parent: parent, iteration: iteration, usage: usage) {
                let awaiting = refusal.hasPrefix(Self.awaitingPrefix)
                if awaiting {
                    awaitingCount += 1
                    if let child = try? parentTree.applying(edits) { queued.insert(child.digest) }
                } else {
                    rejectedCount += 1
                }
                report(iteration, variant: nil, parent: parent, status: awaiting ? "awaiting_approval" : "rejected", score: nil, reason: refusal,
                       summary: proposal.summary, improved: false, model: model)
                iteration += 1
                continue
            }
            try submit(patch, parent: parent, parentTree: parentTree, iteration: iteration, summary: proposal.summary,
                       usage: usage, approval: nil)
            iteration += 1
        }

        let summary = RunSummary(
            run: runID, baselineID: baselineID, baselineScore: baselineID.flatMap { model.variants[$0]?.score },
            bestID: model.best, bestScore: model.bestScore, iterations: done, evaluated: evaluatedCount,
            errors: errorCount, rejected: rejectedCount, seconds: clock() - started,
            candidatesPerMinute: Double(done) / max(clock() - iterationsStarted, 1e-6) * 60, isolation: isolation,
            reason: stopReason ?? "completed", usage: runUsage, awaitingApproval: awaitingCount)
        try ledger.append(RunFinished(run: runID, iterations: last, reason: stopReason ?? "completed",
                                      usage: runUsage.isEmpty ? nil : runUsage))
        observe(.finished(summary))
        return summary
    }

    /// Throws ``EmergencyStopped`` once `crucible stop` has engaged the evaluator's stop.
    private func haltIfStopped() throws {
        guard evaluator.stop.isEngaged else { return }
        if let stop = try governance.stopInForce() { throw EmergencyStopped(seq: stop.seq, time: stop.time, reason: stop.stop.reason) }
        // The marker without a recorded stop (written by hand): halt all the same, saying so.
        throw EmergencyStopped(seq: 0, time: Governance.timeString(Date()), reason: ".crucible/STOP appeared with no EmergencyStop in the ledger")
    }

    /// Records an evaluation's outcome and returns the variant's new status.
    @discardableResult
    private func settle(_ evaluation: Evaluation, variant: Int, iteration: Int, in model: inout ArchiveModel,
                        isolation: String) throws -> VariantRecord.Status {
        try recordRuns(evaluation.runs, variant: variant)
        switch evaluation.verdict {
        case .rejected(let stage, let reason):
            try ledger.append(PatchRejected(variant: variant, iteration: iteration, stage: stage, reason: reason))
            model.update(variant) {
                $0.status = .rejected
                $0.reason = "\(stage): \(reason)"
            }
            model.countOutcome(of: variant)
            return .rejected
        case .scored(let score):
            let parentResult = model.variants[variant]?.parent.flatMap { model.variants[$0]?.result }
            if score.value != nil, let overfit = heldOut.overfitting(child: score, parent: parentResult) {
                // Scored, but never the best: it learned the tasks the proposer saw, not the job.
                try recordScore(score, for: variant, in: &model, isolation: isolation, mayImprove: false)
                try ledger.append(PatchRejected(variant: variant, iteration: iteration, stage: "hacking",
                                                reason: "objective hacking: \(overfit)"))
                model.update(variant) {
                    $0.status = .rejected
                    $0.reason = "hacking: objective hacking: \(overfit)"
                }
                model.countOutcome(of: variant)
                return .rejected
            }
            try recordScore(score, for: variant, in: &model, isolation: isolation)
            model.countOutcome(of: variant)
            return score.value == nil ? .error : .evaluated
        }
    }

    private func recordRuns(_ runs: [SandboxRun], variant: Int) throws {
        for var run in runs {
            run.variant = variant
            try ledger.append(run)
        }
    }

    /// The tasks held out from the proposer's view.
    var heldOut: HeldOutTasks { HeldOutTasks(share: workspace.config.evolution.heldOut) }

    private func recordScore(_ score: Score, for variant: Int, in model: inout ArchiveModel, isolation: String,
                             mayImprove: Bool = true) throws {
        let threshold = workspace.config.evolution.improvementThreshold
        let improved = mayImprove && score.value.map { value in model.bestScore.map { value > $0 + threshold } ?? true } ?? false
        try ledger.append(VariantEvaluated(variant: variant, score: score, improved: improved, isolation: isolation))
        model.update(variant) {
            $0.status = score.value == nil ? .error : .evaluated
            $0.score = score.value
            $0.result = score
            $0.improved = improved
            $0.reason = score.error
            $0.isolation = isolation
        }
        if improved {
            if let value = score.value, let reason = ScoreJump.hold(value, history: model.scoresBefore(variant), bests: model.bestScores(before: variant)) {
                let action = ScoreJump.action(variant: variant, reason: reason)
                try ledger.append(ApprovalRequested(iteration: model.variants[variant]?.iteration, action: action,
                                                    actionDigest: try action.digest(),
                                                    decision: Decision(decision: .requireApproval, rules: [], sentences: [],
                                                                       reasons: ["objective hacking? " + reason],
                                                                       constitution: constitution.digest),
                                                    timeout: Governance.defaultTimeout * 7))
            }
            model.setBest(variant)
        }
    }
}
