/// The payloads of the evolution events. Each is recorded once and never edited; the archive is
/// rebuilt from them.

/// An evolution run began (or, when `resumed`, an interrupted one continued).
public struct RunStarted: EventPayload, Hashable {
    public static let kind = EventKind.runStarted
    public var run: Int
    public var seed: UInt64
    /// The iteration this run stops at (exclusive), counted over the workspace's whole history.
    public var untilIteration: Int
    public var jobs: Int
    public var proposer: String
    public var selection: String
    public var configDigest: String
    /// "bubblewrap", or "unisolated".
    public var isolation: String
    public var resumed: Bool

    public init(
        run: Int, seed: UInt64, untilIteration: Int, jobs: Int, proposer: String, selection: String,
        configDigest: String, isolation: String, resumed: Bool
    ) {
        self.run = run
        self.seed = seed
        self.untilIteration = untilIteration
        self.jobs = jobs
        self.proposer = proposer
        self.selection = selection
        self.configDigest = configDigest
        self.isolation = isolation
        self.resumed = resumed
    }
}

/// A run ended: finished its iterations, or stopped early for the reason given.
public struct RunFinished: EventPayload, Hashable {
    public static let kind = EventKind.runFinished
    public var run: Int
    public var iterations: Int
    public var reason: String
    /// What the run's model calls cost, per model; nil for runs that called none.
    public var usage: [ModelUsage]?

    public init(run: Int, iterations: Int, reason: String, usage: [ModelUsage]? = nil) {
        self.run = run
        self.iterations = iterations
        self.reason = reason
        self.usage = usage
    }
}

/// The editable files as found on disk became a variant with no parent.
public struct BaselineRecorded: EventPayload, Hashable {
    public static let kind = EventKind.baselineRecorded
    public var variant: Int
    public var treeDigest: String
    /// path → content of every editable file.
    public var files: [String: String]

    public init(variant: Int, treeDigest: String, files: [String: String]) {
        self.variant = variant
        self.treeDigest = treeDigest
        self.files = files
    }
}

/// A proposer wrote a patch against a parent; it became a variant awaiting evaluation.
public struct PatchProposed: EventPayload, Hashable {
    public static let kind = EventKind.patchProposed
    public var variant: Int
    public var parent: Int
    public var iteration: Int
    public var patch: Patch
    public var patchDigest: String
    /// The digest of the variant's editable files once the patch is applied.
    public var treeDigest: String
    /// One line a human reads.
    public var summary: String
    /// What the model calls that wrote the patch cost, per model; nil for proposers that call none.
    public var usage: [ModelUsage]?
    /// The approval request (its sequence number) this patch waited on, when it needed one.
    public var approval: Int64?

    public init(variant: Int, parent: Int, iteration: Int, patch: Patch, patchDigest: String, treeDigest: String, summary: String,
                usage: [ModelUsage]? = nil, approval: Int64? = nil) {
        self.approval = approval
        self.variant = variant
        self.parent = parent
        self.iteration = iteration
        self.patch = patch
        self.patchDigest = patchDigest
        self.treeDigest = treeDigest
        self.summary = summary
        self.usage = usage
    }
}

/// A proposal was refused before or instead of evaluation.
public struct PatchRejected: EventPayload, Hashable {
    public static let kind = EventKind.patchRejected
    /// The variant, when the proposal got as far as one.
    public var variant: Int?
    public var iteration: Int
    /// Where it was refused: `proposal`, `protected`, `apply`, `syntax`, `constitution`, `hacking`.
    public var stage: String
    /// The reason in one line.
    public var reason: String
    /// The offending patch, when there was one and it is not already recorded.
    public var patch: Patch?
    /// What the model calls behind the refused proposal cost, per model; nil when none were made.
    public var usage: [ModelUsage]?

    public init(variant: Int?, iteration: Int, stage: String, reason: String, patch: Patch? = nil, usage: [ModelUsage]? = nil) {
        self.variant = variant
        self.iteration = iteration
        self.stage = stage
        self.reason = reason
        self.patch = patch
        self.usage = usage
    }
}

/// A variant's benchmarks ran; `score.value` is nil for an evaluation error.
public struct VariantEvaluated: EventPayload, Hashable {
    public static let kind = EventKind.variantEvaluated
    public var variant: Int
    public var score: Score
    /// Whether the variant became the new best.
    public var improved: Bool
    /// "bubblewrap", or "unisolated".
    public var isolation: String

    public init(variant: Int, score: Score, improved: Bool, isolation: String) {
        self.variant = variant
        self.score = score
        self.improved = improved
        self.isolation = isolation
    }
}

/// A variant was written into the target files.
public struct Promoted: EventPayload, Hashable {
    public static let kind = EventKind.promoted
    public var variant: Int
    public var previous: Int?
    public var treeDigest: String

    public init(variant: Int, previous: Int?, treeDigest: String) {
        self.variant = variant
        self.previous = previous
        self.treeDigest = treeDigest
    }
}

/// The target files went back to the previously promoted version.
public struct RolledBack: EventPayload, Hashable {
    public static let kind = EventKind.rolledBack
    public var from: Int
    public var to: Int
    public var treeDigest: String

    public init(from: Int, to: Int, treeDigest: String) {
        self.from = from
        self.to = to
        self.treeDigest = treeDigest
    }
}

/// One command run in the sandbox for a variant: what ran, within which limits, and how it ended.
public struct SandboxRun: EventPayload, Hashable {
    public static let kind = EventKind.sandboxRun
    public var variant: Int?
    /// What the run was for: "check" (the syntax check) or "benchmark:NAME".
    public var purpose: String
    /// SHA-256 of the command's arguments, NUL-separated.
    public var commandDigest: String
    /// "bubblewrap", or "unisolated".
    public var isolation: String
    /// The limits asked for ("memory": "512M", "timeout": "20s", ...).
    public var limits: [String: String]
    /// What held each limit ("memory": "cgroup v1", "file-size": "rlimit", ...).
    public var limitsInForce: [String: String]
    public var exitStatus: Int32?
    public var signal: Int32?
    /// The limit that ended the run: timeout, memory, pids, cpu, output, disk, file-size.
    public var killedBy: String?
    public var wallSeconds: Double
    public var cpuSeconds: Double
    public var peakMemoryBytes: Int?
    public var stdoutTruncated: Bool
    public var stderrTruncated: Bool

    public init(variant: Int?, purpose: String, commandDigest: String, isolation: String, limits: [String: String],
                limitsInForce: [String: String], exitStatus: Int32?, signal: Int32?, killedBy: String?, wallSeconds: Double,
                cpuSeconds: Double, peakMemoryBytes: Int?, stdoutTruncated: Bool, stderrTruncated: Bool) {
        self.variant = variant
        self.purpose = purpose
        self.commandDigest = commandDigest
        self.isolation = isolation
        self.limits = limits
        self.limitsInForce = limitsInForce
        self.exitStatus = exitStatus
        self.signal = signal
        self.killedBy = killedBy
        self.wallSeconds = wallSeconds
        self.cpuSeconds = cpuSeconds
        self.peakMemoryBytes = peakMemoryBytes
        self.stdoutTruncated = stdoutTruncated
        self.stderrTruncated = stderrTruncated
    }
}
