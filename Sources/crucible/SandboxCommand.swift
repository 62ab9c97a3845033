import ArgumentParser
import Foundation
import Sandbox

extension Crucible {
    struct SandboxCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sandbox", abstract: "Run a command in Crucible's sandbox, or test the sandbox's isolation.",
            subcommands: [Run.self, SelfTest.self])

        /// Synchronous: the run blocks the main thread, so a one-shot start pays for no thread hand-offs.
        struct Run: ParsableCommand {
            /// The words that name this command; `Crucible.main` parses it as a root of its own, named in full.
            static let words = ["sandbox", "run"]
            static let configuration = CommandConfiguration(
                commandName: "run", _superCommandName: "crucible sandbox", abstract: "Run one command in the bubblewrap sandbox, the working directory writable at /work.",
                discussion: """
                The command's output is printed when it ends. The exit status is the command's own (128 + N for \
                a signal N), or 125 when a limit ended it, with a line saying which.
                Example: crucible sandbox run --memory 256M --timeout 10s -- python3 -c 'print(1)'
                """)

            @Option(help: "Memory for the whole sandbox, tmpfs included (512M, 2G).") var memory = SandboxRunRequest.defaults.memory
            @Option(help: "Wall-clock limit (30, 30s, 2m).") var timeout = SandboxRunRequest.defaults.timeout
            @Option(help: "CPU time of the whole process tree (30s); none by default.") var cpu: String?
            @Option(help: "Processes and threads at once.") var pids = SandboxRunRequest.defaults.pids
            @Option(help: "Bytes the run may add to the working directory.") var disk = SandboxRunRequest.defaults.disk
            @Option(name: .customLong("file-size"), help: "The largest file a process may write.") var fileSize = SandboxRunRequest.defaults.fileSize
            @Option(help: "none, or loopback (a loopback of the sandbox's own).") var network = SandboxRunRequest.defaults.network
            @Option(help: "The writable working directory (default: the current one).") var workdir: String?
            @Option(name: .customLong("path"), help: "A host path to bind read-only at the same place (repeatable).") var paths: [String] = []
            @Flag(help: "Print the outcome record as JSON instead of the command's output.") var json = false
            @Argument(parsing: .postTerminator, help: "The command and its arguments, after --.") var command: [String] = []

            /// What was asked, as the fast parse (``SandboxRunRequest/init(fast:)``) also reads it.
            var request: SandboxRunRequest {
                SandboxRunRequest(memory: memory, timeout: timeout, cpu: cpu, pids: pids, disk: disk, fileSize: fileSize, network: network,
                                  workdir: workdir, paths: paths, json: json, command: command)
            }

            func validate() throws { try request.validate() }

            func run() throws { try request.run() }
        }

        struct SelfTest: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "selftest",
                abstract: "Try to break each promise of the sandbox from inside it; one row a promise, exit 1 if any fails.")

            @Flag(help: "Print JSON.") var json = false

            func run() async throws {
                let printRow: @Sendable (SandboxSelfTest.Row) -> Void = { row in
                    let mark = row.held ? "ok  " : "FAIL"
                    let failure = row.held ? "" : " — " + row.detail
                    write("\(mark) \(row.id.padding(toLength: 28, withPad: " ", startingAt: 0)) \(row.promise)\(failure)\n")
                }
                let report = try await SandboxSelfTest.run(progress: json ? nil : printRow)
                if json {
                    try printJSON(report)
                } else {
                    write("\(report.rows.filter { $0.held }.count)/\(report.rows.count) promises held (\(report.isolation); limits by \(report.limitsBy))\n")
                }
                if !report.passed { throw ExitCode(1) }
            }
        }
    }
}

/// What `crucible sandbox run` was asked to do, parsed by ArgumentParser (``Crucible/SandboxCommand/Run``) or, on the start-up
/// path, by ``init(fast:)``; and doing it.
struct SandboxRunRequest: Equatable {
    var memory = "512M"
    var timeout = "60s"
    var cpu: String?
    var pids = 256
    var disk = "1G"
    var fileSize = "1G"
    var network = "none"
    var workdir: String?
    var paths: [String] = []
    var json = false
    var command: [String] = []

    /// The defaults, which the ArgumentParser options show in their help.
    static let defaults = SandboxRunRequest()

    func validate() throws {
        if command.isEmpty { throw ValidationError("no command given; put it after --, e.g. crucible sandbox run -- python3 bench.py") }
        _ = try limits()
        if let workdir, !FileManager.default.fileExists(atPath: workdir) {
            throw ValidationError("working directory \(workdir) does not exist")
        }
        if geteuid() == 0, let problem = BubblewrapSandbox.sharedFolderProblem(workdir ?? FileManager.default.currentDirectoryPath) {
            throw ValidationError(problem)
        }
    }

    func limits() throws -> (SandboxLimits, Double) {
        func size(_ text: String, _ name: String) throws -> Int {
            guard let bytes = ByteSize.parse(text), bytes > 0 else {
                throw ValidationError("--\(name) \(text): expected a positive size like 256M, 2G or 65536")
            }
            return bytes
        }
        func duration(_ text: String, _ name: String) throws -> Double {
            guard let seconds = DurationText.parse(text) else {
                throw ValidationError("--\(name) \(text): expected a positive duration like 30, 30s or 2m")
            }
            return seconds
        }
        guard pids > 0 else { throw ValidationError("--pids \(pids): must be at least 1") }
        guard let network = SandboxNetwork(rawValue: network) else {
            throw ValidationError("--network \(network): expected none or loopback")
        }
        let limits = SandboxLimits(memoryBytes: try size(memory, "memory"), cpuSeconds: try cpu.map { try duration($0, "cpu") },
                                   pids: pids, fileSizeBytes: try size(fileSize, "file-size"), diskBytes: try size(disk, "disk"),
                                   network: network)
        return (limits, try duration(timeout, "timeout"))
    }

    /// Runs the command in the sandbox and prints what it printed (or the outcome record with `json`); throws the exit code the
    /// run calls for.
    func run() throws {
        let (limits, seconds) = try limits()
        let given = workdir ?? FileManager.default.currentDirectoryPath
        let directory = resolvedPath(given) ?? given
        let sandbox = try BubblewrapSandbox(readOnlyPaths: paths)
        let spec = ProcessSpec(arguments: command, workdir: directory, timeout: seconds, outputLimit: 8 << 20, limits: limits)
        let outcome = try sandbox.runBlocking(spec)
        if json {
            try printJSON(outcome)
        } else {
            write(outcome.stdout)
            write(outcome.stderr, to: STDERR_FILENO)
        }
        if let kill = outcome.killedBy {
            write("crucible: sandbox: killed by \(kill.rawValue)\n", to: STDERR_FILENO)
            throw ExitCode(125)
        }
        if let signal = outcome.signal { throw ExitCode(128 + signal) }
        if let status = outcome.exitStatus, status != 0 { throw ExitCode(status) }
    }
}

// In an extension, so that the memberwise initializer (which ``Crucible/SandboxCommand/Run/request`` uses) stays synthesized.
extension SandboxRunRequest {
    /// Reads the common, plain spellings of `crucible sandbox run`'s options without ArgumentParser, whose first parse costs a
    /// start 2–6 ms (it reflects over the command's properties, and each new type it meets scans all of the binary's ten
    /// thousand protocol conformances): `--name value` or `--name=value` for each option named once, `--path` repeated,
    /// `--json`, then `--` and the command. Nil for anything else — help, a short name, an unknown or repeated option, a
    /// missing value, a value that looks like an option, no `--` —, which ArgumentParser then parses, with its messages.
    init?(fast arguments: some Collection<String>) {
        var seen: Set<String> = []
        var index = arguments.startIndex
        while index != arguments.endIndex {
            let argument = arguments[index]
            arguments.formIndex(after: &index)
            if argument == "--" {
                command = Array(arguments[index...])
                return
            }
            guard argument.hasPrefix("--") else { return nil }
            var name = Substring(argument.dropFirst(2)), value: String?
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = name[..<equals]
            }
            if name == "json" {
                guard value == nil, seen.insert("json").inserted else { return nil }
                json = true
                continue
            }
            if value == nil {
                guard index != arguments.endIndex, !arguments[index].hasPrefix("-") else { return nil }
                value = arguments[index]
                arguments.formIndex(after: &index)
            }
            guard let value, name == "path" || seen.insert(String(name)).inserted else { return nil }
            switch name {
            case "memory": memory = value
            case "timeout": timeout = value
            case "cpu": cpu = value
            case "pids":
                guard let number = Int(value) else { return nil }
                pids = number
            case "disk": disk = value
            case "file-size": fileSize = value
            case "network": network = value
            case "workdir": workdir = value
            case "path": paths.append(value)
            default: return nil
            }
        }
        return nil  // no `--`: ArgumentParser says what is missing
    }
}
