import Foundation
import Synchronization

/// What to run, where, and within which limits.
public struct ProcessSpec: Sendable, Hashable {
    /// The program and its arguments; `arguments[0]` is looked up on `PATH` when it has no `/`.
    public var arguments: [String]
    /// The working directory (the candidate's root).
    public var workdir: String
    /// The complete environment the program sees; nothing else is inherited.
    public var environment: [String: String]
    /// Wall-clock limit in seconds; the whole process tree is killed when it is reached.
    public var timeout: Double
    /// Bytes kept of each of stdout and stderr; the tail is kept and the rest discarded.
    public var outputLimit: Int
    /// The resources the run may use, where the backend can hold them.
    public var limits: SandboxLimits
    /// When engaged, the run is killed at once (within a fifth of a second) as `stopped`.
    public var stop: StopSignal?

    public init(arguments: [String], workdir: String, environment: [String: String] = ProcessSpec.defaultEnvironment(),
                timeout: Double = 60, outputLimit: Int = 1 << 20, limits: SandboxLimits = SandboxLimits()) {
        self.arguments = arguments
        self.workdir = workdir
        self.environment = environment
        self.timeout = timeout
        self.outputLimit = outputLimit
        self.limits = limits
    }

    /// A shell command line, run by `/bin/sh -c`.
    public static func shell(_ command: String, workdir: String, environment: [String: String] = defaultEnvironment(),
                             timeout: Double = 60, outputLimit: Int = 1 << 20, limits: SandboxLimits = SandboxLimits()) -> ProcessSpec {
        ProcessSpec(arguments: ["/bin/sh", "-c", command], workdir: workdir, environment: environment,
                    timeout: timeout, outputLimit: outputLimit, limits: limits)
    }

    /// A small, reproducible environment: the engine's `PATH`, `HOME` and locale, with Python's
    /// hash seed fixed and byte-code writing off so runs are deterministic and leave no litter.
    public static func defaultEnvironment() -> [String: String] {
        let host = ProcessInfo.processInfo.environment
        var env: [String: String] = [
            "PATH": host["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "PYTHONHASHSEED": "0",
            "PYTHONDONTWRITEBYTECODE": "1",
            "TERM": "dumb",
        ]
        if let home = host["HOME"] { env["HOME"] = home }
        for key in ["PYENV_ROOT", "PYENV_VERSION", "VIRTUAL_ENV"] { if let value = host[key] { env[key] = value } }
        return env
    }
}

/// What happened to one run.
public struct ProcessOutcome: Sendable, Codable, Hashable {
    /// What ended a run early.
    public enum Kill: String, Sendable, Codable, Hashable {
        case timeout, memory, pids, cpu, output, disk
        case fileSize = "file-size"
        /// The run's ``StopSignal`` was engaged: an emergency stop.
        case stopped
    }

    /// The exit status, when the program exited by itself.
    public var exitStatus: Int32?
    /// The signal that ended it, if any.
    public var signal: Int32?
    /// The limit that ended it, if any.
    public var killedBy: Kill?
    public var wallSeconds: Double
    public var cpuSeconds: Double
    /// Peak memory in bytes: of the whole sandbox where a cgroup measured it, else of the
    /// largest process.
    public var peakMemoryBytes: Int?
    public var stdout: String
    public var stderr: String
    public var stdoutTruncated: Bool
    public var stderrTruncated: Bool
    /// "unisolated", or the isolation backend that ran it.
    public var isolation: String
    /// Each limit of the spec and what held it ("cgroup v1", "cgroup v2", "rlimit", "engine");
    /// a limit missing here was not enforced.
    public var limitsInForce: [String: String] = [:]

    /// Whether the program exited by itself with status 0.
    public var succeeded: Bool { exitStatus == 0 && killedBy == nil }
}

/// A run that could not be started at all.
public struct SandboxError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Runs commands, isolated as well as the backend can.
public protocol Sandbox: Sendable {
    /// How runs are isolated: "unisolated" for the plain process backend.
    var isolation: String { get }

    /// Runs `spec` to completion or to its limits.
    /// - Returns: the outcome; a program that fails or is killed is an outcome, not an error.
    /// - Throws: `SandboxError` when the program could not be started.
    func run(_ spec: ProcessSpec) async throws -> ProcessOutcome
}

/// A switch shared by runs that must all end at once (an emergency stop): engaging it kills every
/// run that carries it, and every later one at its start. Compared by identity.
public final class StopSignal: Sendable, Hashable {
    private let engaged = Atomic<Bool>(false)

    public init() {}

    public func engage() { engaged.store(true, ordering: .releasing) }
    public var isEngaged: Bool { engaged.load(ordering: .acquiring) }

    public static func == (a: StopSignal, b: StopSignal) -> Bool { a === b }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}
