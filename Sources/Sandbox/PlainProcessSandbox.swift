/// Runs commands as ordinary child processes: a session of their own, limits on time and
/// output, no isolation and no resource limits. Every outcome says "unisolated".
public struct PlainProcessSandbox: Sandbox {
    public init() {}

    public var isolation: String { "unisolated" }

    public func run(_ spec: ProcessSpec) async throws -> ProcessOutcome {
        try await ProcessRunner.onThread {
            try ProcessRunner.run(ProcessRunner.plainPlan(spec), timeout: spec.timeout, outputLimit: spec.outputLimit,
                                  outputKillBytes: spec.limits.outputBytes, stop: spec.stop, isolation: "unisolated")
        }
    }
}
