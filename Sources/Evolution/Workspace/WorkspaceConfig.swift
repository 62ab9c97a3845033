import Foundation
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
    }

    public struct LLM: Sendable, Hashable {
        public var endpoint: String = "http://127.0.0.1:5000/v1"
        public var model: String = ""
        public var apiKeyEnv: String = "CRUCIBLE_LLM_KEY"
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
