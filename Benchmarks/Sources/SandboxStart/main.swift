// The in-process cost of starting and reaping a sandboxed `true` through the `Sandbox` API,
// against a bare `bwrap ... true` with the same namespaces spawned by the same code path
// (the plain backend), interleaved in one run so that machine noise hits both alike.
//
//     swift run -c release --package-path Benchmarks sandbox-start [ROUNDS]
import Foundation
import Sandbox

let rounds = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 300
let workdir = FileManager.default.temporaryDirectory.path + "/crucible-bench-\(getpid())"
try FileManager.default.createDirectory(atPath: workdir, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: workdir) }

let sandbox = try BubblewrapSandbox()
try await sandbox.check()
let plain = PlainProcessSandbox()
var bareArguments = [sandbox.bwrapPath, "--unshare-all", "--unshare-user", "--die-with-parent", "--new-session",
                     "--ro-bind", "/usr", "/usr"]
for top in ["/bin", "/lib", "/lib64", "/sbin"] {
    if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: top) { bareArguments += ["--symlink", target, top] }
}
bareArguments += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--bind", workdir, "/work", "--chdir", "/work", "/bin/true"]
let bare = ProcessSpec(arguments: bareArguments, workdir: workdir, environment: ["PATH": "/usr/bin:/bin"], timeout: 30)
let sandboxed = ProcessSpec(arguments: ["/bin/true"], workdir: workdir, timeout: 30)

func time(_ body: () async throws -> ProcessOutcome) async throws -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    let outcome = try await body()
    guard outcome.exitStatus == 0 else { throw SandboxError("true failed: \(outcome.stderr)") }
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
}

var bareTimes: [Double] = [], sandboxTimes: [Double] = []
for _ in 0..<10 {  // warm-up
    _ = try await time { try await plain.run(bare) }
    _ = try await time { try await sandbox.run(sandboxed) }
}
for _ in 0..<rounds {
    bareTimes.append(try await time { try await plain.run(bare) })
    sandboxTimes.append(try await time { try await sandbox.run(sandboxed) })
}
func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
let (b, s) = (median(bareTimes), median(sandboxTimes))
print(String(format: "bare bwrap true:        median %.2f ms over %d runs", b, rounds))
print(String(format: "Sandbox API true:       median %.2f ms (%@)", s, sandbox.cgroupStatus))
print(String(format: "ratio sandbox / bare:   %.2fx (target <= 1.5x)", s / b))
