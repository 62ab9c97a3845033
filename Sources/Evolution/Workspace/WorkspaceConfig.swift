import Foundation
import LLM
import Sandbox

/// The workspace file, `crucible.yaml`: what may change, how it is scored, how the search runs.
/// Every key but `target` and `benchmarks` has a default; see docs/workspace.md.
public struct WorkspaceConfig: Sendable, Hashable {
    public struct Target: Sendable, Hashable {
        /// The agent's files, relative to the folder holding crucible.yaml.
        public var root: String = "."
        /// Globs of the files a patch may change.
        public var editable: [String] = []
        /// Globs no patch may touch; they win over `editable`.
        public var protected: [String] = []
        /// A command that checks a candidate's syntax before its benchmarks run ("auto": Python's
        /// `py_compile` for changed `.py` files; "none": no check).
        public var check: String = "auto"
    }

    public enum ScoreFormat: String, Sendable, Hashable, CaseIterable {
        case json, junit
        case exitCode = "exit-code"
    }

    public struct Benchmark: Sendable, Hashable {
        public var name: String
        /// A shell command, run in a fresh copy of the candidate with its root as cwd.
        public var run: String
        public var weight: Double = 1
        /// Seconds.
        public var timeout: Double = 60
        public var format: ScoreFormat = .json
        /// For `junit`: the report file the command writes, relative to the candidate's root.
        public var report: String = "report.xml"
    }

    public enum ProposerKind: String, Sendable, Hashable, CaseIterable { case search, llm }
    public enum Selection: String, Sendable, Hashable, CaseIterable { case dgm, best, tournament }
    /// How the search finds where a parent's failures come from: `auto` traces the benchmarks'
    /// Python tests for spectra as well as reading failure output; `output` reads the output only.
    public enum FaultLocalization: String, Sendable, Hashable, CaseIterable { case auto, output }
    /// What the loop does with a patch the constitution wants a human to approve.
    public enum ApprovalMode: String, Sendable, Hashable, CaseIterable { case queue, skip }

    public struct Evolution: Sendable, Hashable {
        public var iterations: Int = 100
        public var proposer: ProposerKind = .search
        public var seed: UInt64 = 0
        public var jobs: Int = 1
        public var selection: Selection = .dgm
        /// How much a variant must beat the best by to become the new best.
        public var improvementThreshold: Double = 0
        /// The sharpness λ of the DGM rule's sigmoid.
        public var lambda: Double = 10
        /// Contestants per tournament.
        public var tournamentSize: Int = 3
        public var faultLocalization: FaultLocalization = .auto
        /// `queue`: the patch waits in the approval queue and is evaluated once approved; `skip`: it is dropped.
        public var approvals: ApprovalMode = .queue
        /// Strings a detector of bad behaviour relies on; a patch that removes one is objective hacking.
        public var markers: [String] = []
        /// The share of benchmark tasks held out from the proposer's view (0 ..< 1); a variant that
        /// improves the visible tasks while falling on these is objective hacking.
        public var heldOut: Double = 0
    }

    /// The model the llm proposer asks, and how; see docs/llm.md.
    public struct LLM: Sendable, Hashable {
        public var endpoint: String = "http://127.0.0.1:5000/v1"
        public var model: String = ""
        public var apiKeyEnv: String = "CRUCIBLE_LLM_KEY"
        public var temperature: Double = 0.7
        /// The longest answer, in tokens.
        public var maxTokens: Int = 4096
        public var maxTokensField: LLMConfiguration.TokenLimitField = .maxTokens
        /// Seconds one request may take.
        public var timeout: Double = 300
        public var maxConcurrency: Int = 2
        /// Retries of a request that failed for a reason worth retrying (429, 5xx, connection).
        public var retries: Int = 4
        /// Seconds before the first retry (doubled for each next one) and at most between two.
        public var backoff: Double = 1
        public var maxBackoff: Double = 60
        public var format: EditFormat = .searchReplace
        /// Times the model is told which edits failed and asked again, per proposal.
        public var editRetries: Int = 2
        /// First ask for the parent's primary weakness, then for a patch that addresses it.
        public var analysis: Bool = false
        /// Characters of the parent's files shown to the model.
        public var contextChars: Int = 60_000
        /// The folder of prompt templates overriding the built-in ones, relative to crucible.yaml.
        public var prompts: String = ".crucible/prompts"
        /// Whether answers are kept in `.crucible/llm-cache` and reused (`evolve --no-cache` overrides).
        public var cache: Bool = true
        /// Billable tokens a run may spend.
        public var maxTokensPerRun: Int?
        /// Price per million tokens, for cost accounting and `max_cost_per_run`.
        public var price: ModelPrice?
        public var maxCostPerRun: Double?
        /// Several models; empty means the one `model`.
        public var models: [Model] = []
        public var modelSelection: ModelSelection = .weighted

        /// One of several models: any setting left nil is the `llm` section's.
        public struct Model: Sendable, Hashable {
            public var model: String
            public var weight: Double = 1
            public var endpoint: String?
            public var apiKeyEnv: String?
            public var format: EditFormat?
            public var temperature: Double?
            public var maxTokens: Int?
            public var price: ModelPrice?
        }

        /// How a proposal picks its model: by weight, or by weight shifted toward the models whose
        /// proposals beat their parents most often.
        public enum ModelSelection: String, Sendable, Hashable, CaseIterable { case weighted, bandit }
    }

    public enum Isolation: String, Sendable, Hashable, CaseIterable { case bubblewrap, none }

    public struct SandboxSettings: Sendable, Hashable {
        public var isolation: Isolation = .bubblewrap
        /// Limits of each benchmark run; `sandbox.memory`, `cpu`, `pids`, `disk`, `file_size`, `network`.
        public var limits = SandboxLimits()
        /// Host paths bound read-only at the same place, for data a benchmark needs.
        public var paths: [String] = []
        /// Bytes kept of each benchmark's stdout and stderr.
        public var outputLimit: Int = 1 << 20
    }

    public var target = Target()
    public var benchmarks: [Benchmark] = []
    public var evolution = Evolution()
    public var llm = LLM()
    public var sandbox = SandboxSettings()

    public init() {}
}
