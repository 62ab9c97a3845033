import CrucibleCore
import Foundation
import Sandbox

/// The outcome of evaluating one candidate, with a record of every sandboxed run it took.
public struct Evaluation: Sendable {
    public enum Verdict: Sendable {
        /// The benchmarks ran; `score.value` is nil for an evaluation error.
        case scored(Score)
        /// The candidate was refused before its benchmarks ran (its syntax check failed).
        case rejected(stage: String, reason: String)
    }

    public var verdict: Verdict
    /// The runs in order; `variant` is left nil for the loop to fill in.
    public var runs: [SandboxRun]
}

/// Runs a workspace's benchmarks on candidates, each benchmark in a fresh copy of the candidate,
/// through a `Sandbox`.
public struct Evaluator: Sendable {
    public let workspace: Workspace
    public let sandbox: any Sandbox
    /// Engaged by an emergency stop: every run of this evaluator is killed.
    public let stop = StopSignal()
    let materializer: CandidateMaterializer
    /// Where candidate copies are made and removed.
    let scratch: String

    public init(workspace: Workspace, sandbox: any Sandbox, scratch: String? = nil) throws {
        self.workspace = workspace
        self.sandbox = sandbox
        self.materializer = try CandidateMaterializer(workspace: workspace)
        self.scratch = scratch ?? workspace.stateDirectory + "/candidates"
        try FileManager.default.createDirectory(atPath: self.scratch, withIntermediateDirectories: true)
    }

    /// Evaluates the candidate whose editable files are `tree`. `changed` names the files that
    /// differ from its parent, for the syntax check; `label` names its folders.
    public func evaluate(_ tree: FileTree, changed: [String], label: String) async throws -> Evaluation {
        var runs: [SandboxRun] = []
        if let command = checkCommand(for: changed) {
            let folder = scratch + "/\(label)-check"
            try? SafeTree.remove(folder)
            try materializer.write(tree, to: folder)
            defer { try? SafeTree.remove(folder) }
            let spec = ProcessSpec(arguments: command, workdir: folder, timeout: 30, outputLimit: 64 << 10,
                                   limits: workspace.config.sandbox.limits)
            let outcome = try await run(spec)
            runs.append(Self.record(spec, outcome, purpose: "check"))
            if !outcome.succeeded {
                let message = outcome.stderr.split(whereSeparator: \.isNewline).suffix(3).joined(separator: " | ")
                return Evaluation(verdict: .rejected(stage: "syntax", reason: message.isEmpty ? "syntax check failed" : String(message.prefix(400))),
                                  runs: runs)
            }
        }
        var results: [BenchmarkResult] = []
        for benchmark in workspace.config.benchmarks {
            let folder = scratch + "/\(label)-\(Self.folderName(benchmark.name))"
            try? SafeTree.remove(folder)
            try materializer.write(tree, to: folder)
            defer { try? SafeTree.remove(folder) }
            let spec = ProcessSpec.shell(benchmark.run, workdir: folder, timeout: benchmark.timeout,
                                         outputLimit: workspace.config.sandbox.outputLimit, limits: workspace.config.sandbox.limits)
            let outcome = try await run(spec)
            runs.append(Self.record(spec, outcome, purpose: "benchmark:" + benchmark.name))
            results.append(result(of: benchmark, outcome, in: folder))
        }
        return Evaluation(verdict: .scored(Score(benchmarks: results)), runs: runs)
    }

    /// Runs `spec` in the sandbox, killed by an emergency stop.
    func run(_ spec: ProcessSpec) async throws -> ProcessOutcome {
        var spec = spec
        spec.stop = stop
        return try await sandbox.run(spec)
    }

    /// A benchmark's name as a folder name: letters and digits kept, the rest `_`.
    static func folderName(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }

    /// The ledger's record of one run.
    static func record(_ spec: ProcessSpec, _ outcome: ProcessOutcome, purpose: String) -> SandboxRun {
        var limits: [String: String] = ["timeout": "\(spec.timeout)s", "network": spec.limits.network.rawValue]
        limits["memory"] = spec.limits.memoryBytes.map(ByteSize.format)
        limits["cpu"] = spec.limits.cpuSeconds.map { "\($0)s" }
        limits["pids"] = spec.limits.pids.map(String.init)
        limits["disk"] = spec.limits.diskBytes.map(ByteSize.format)
        limits["file-size"] = spec.limits.fileSizeBytes.map(ByteSize.format)
        limits["output"] = spec.limits.outputBytes.map(ByteSize.format)
        return SandboxRun(variant: nil, purpose: purpose, commandDigest: Digest.sha256(spec.arguments.joined(separator: "\0")),
                          isolation: outcome.isolation, limits: limits, limitsInForce: outcome.limitsInForce,
                          exitStatus: outcome.exitStatus, signal: outcome.signal, killedBy: outcome.killedBy?.rawValue,
                          wallSeconds: (outcome.wallSeconds * 1000).rounded() / 1000, cpuSeconds: (outcome.cpuSeconds * 1000).rounded() / 1000,
                          peakMemoryBytes: outcome.peakMemoryBytes, stdoutTruncated: outcome.stdoutTruncated,
                          stderrTruncated: outcome.stderrTruncated)
    }

    private func result(of benchmark: WorkspaceConfig.Benchmark, _ outcome: ProcessOutcome, in folder: String) -> BenchmarkResult {
        var result = BenchmarkResult(name: benchmark.name, weight: benchmark.weight, score: nil,
                                     stderrTail: tail(outcome.stderr), exitStatus: outcome.exitStatus,
                                     wallSeconds: outcome.wallSeconds, timedOut: outcome.killedBy == .timeout)
        if let kill = outcome.killedBy {
            switch kill {
            case .timeout: result.error = "timed out after \(format(benchmark.timeout))"
            case .stopped: result.error = "killed by an emergency stop"
            default: result.error = "killed by the \(kill.rawValue) limit"
            }
            return result
        }
        if let signal = outcome.signal {
            result.error = "crashed with signal \(signal)"
            return result
        }
        let reading = ScoreReader.read(format: benchmark.format, outcome: outcome,
                                       report: benchmark.format == .junit ? benchmark.report : nil, in: folder)
        result.score = reading.score
        result.tasks = reading.tasks
        if let error = reading.error {
            result.error = outcome.exitStatus == 0 ? error : "\(error) (exit status \(outcome.exitStatus ?? -1))"
        }
        return result
    }

    /// The syntax-check command for the changed files, or nil when there is nothing to check.
    func checkCommand(for changed: [String]) -> [String]? {
        let check = workspace.config.target.check
        switch check {
        case "none", "":
            return nil
        case "auto":
            let python = changed.filter { $0.hasSuffix(".py") }
            guard !python.isEmpty else { return nil }
            let program = "import ast, sys\nfor f in sys.argv[1:]:\n    ast.parse(open(f, 'rb').read(), f)"
            return ["python3", "-c", program] + python
        default:
            return ["/bin/sh", "-c", check + " " + changed.map(shellQuote).joined(separator: " ")]
        }
    }

    private func shellQuote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    private func tail(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : ScoreReader.tail(trimmed, 2000)
    }

    private func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds))s" : String(format: "%.1fs", seconds)
    }
}
