import CrucibleCore
import Foundation
import Sandbox

extension Evaluator {
    /// Runs every benchmark on the candidate `tree` once more with the Python line tracer, in
    /// the sandbox like any evaluation, and returns what its tests executed. Scores of this run
    /// are not read: it only localizes. Returns no tests when the benchmarks run no Python
    /// tests (or the tree has no Python file). `shows(benchmark, test)`: whether a traced test is kept (see
    /// ``HeldOutTasks/showsTest(in:)``); the others are dropped before anything is computed from them.
    public func traceTests(_ tree: FileTree, label: String, shows: (_ benchmark: String, _ test: String) -> Bool = { _, _ in true })
        async throws -> (spectra: TestSpectra, runs: [SandboxRun]) {
        let python = tree.files.keys.filter { $0.hasSuffix(".py") }.sorted()
        guard !python.isEmpty else { return (TestSpectra(tests: []), []) }
        var tests: [TestSpectra.Test] = []
        var runs: [SandboxRun] = []
        for benchmark in workspace.config.benchmarks {
            let folder = scratch + "/\(label)-trace-\(Self.folderName(benchmark.name))"
            try? SafeTree.remove(folder)
            try materializer.write(tree, to: folder)
            defer { try? SafeTree.remove(folder) }
            try PythonLineTracer.install(in: folder, files: python)
            let spec = ProcessSpec.shell(benchmark.run, workdir: folder,
                                         environment: PythonLineTracer.environment(ProcessSpec.defaultEnvironment()),
                                         timeout: benchmark.timeout, outputLimit: 64 << 10, limits: workspace.config.sandbox.limits)
            let outcome = try await run(spec)
            runs.append(Self.record(spec, outcome, purpose: "trace:" + benchmark.name))
            tests += PythonLineTracer.collect(from: folder).filter { shows(benchmark.name, $0.test) }
        }
        return (TestSpectra(tests: tests), runs)
    }
}
