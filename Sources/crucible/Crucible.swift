import ArgumentParser
import CrucibleCore
import Evolution
import Foundation
#if canImport(Glibc)
import Glibc
#endif

@main
struct Crucible: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crucible",
        abstract: "Evolves an agent's files against its benchmarks, recording every step in a hash-chained ledger.",
        subcommands: [
            Init.self, Evolve.self, Status.self, Archive.self, Show.self, Export.self, Report.self,
            Promote.self, Rollback.self, LedgerCommand.self, Replay.self, SandboxCommand.self,
            KeysCommand.self, ConstitutionCommand.self, Approvals.self, Stop.self, Resume.self, Audit.self,
        ]
    )

    /// Runs the command, mapping failures to the exit codes of the design: 2 for bad usage or
    /// bad input, 1 for a failed check or operation, each with one line on stderr.
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let fastPath = arguments.starts(with: SandboxCommand.Run.words)
        do {
            // `crucible sandbox run` is a start-up path (a script may start thousands): it parses only its own options.
            // The whole tree's parse reflects every level and checks for a completion-script request first, and each
            // new type the parser reflects scans all of the binary's ten thousand protocol conformances: 1 ms.
            if fastPath, let request = SandboxRunRequest(fast: arguments.dropFirst(2)), (try? request.validate()) != nil {
                // The plain spellings, valid: read without ArgumentParser (see `SandboxRunRequest.init(fast:)`).
                try request.run()
                return
            }
            var command = fastPath ? try SandboxCommand.Run.parseAsRoot(Array(arguments.dropFirst(2))) : try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as ConfigError {
            fail("\(error)", code: 2)
        } catch let error as ExitCode {
            Foundation.exit(error.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                var message = fullMessage(for: error)
                // Parsed as its own root, `run` is named in full everywhere but in this hint.
                if fastPath { message = message.replacingOccurrences(of: "See 'run ", with: "See 'crucible sandbox run ") }
                write(message + "\n", to: STDERR_FILENO)
                Foundation.exit(2)
            }
            if code == .success || error is CleanExit { exit(withError: error) }
            fail(describe(error), code: 1)
        }
    }

    static func fail(_ message: String, code: Int32) -> Never {
        write("crucible: \(message)\n", to: STDERR_FILENO)
        Foundation.exit(code)
    }

    static func describe(_ error: any Error) -> String {
        "\(error)"
    }
}

/// The workspace folder, as a positional argument defaulting to the current directory.
struct WorkspaceArgument: ParsableArguments {
    @Argument(help: "The workspace: the folder holding crucible.yaml.")
    var dir: String = "."
}

/// The workspace folder, for commands whose positional argument is something else.
struct WorkspaceOption: ParsableArguments {
    @Option(name: .long, help: "The workspace: the folder holding crucible.yaml.")
    var dir: String = "."
}

/// Prints `value` as one line of JSON.
func printJSON(_ value: some Encodable, pretty: Bool = true) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
    write(String(decoding: try encoder.encode(value), as: UTF8.self) + "\n")
}

/// Writes `text` whole to standard output (or `fd`) unbuffered, so progress lines and JSON lines appear as they happen.
/// Plain write(2) from where the string keeps its bytes: a `Data` would cost a one-shot command such as
/// `crucible sandbox run` runtime type look-ups at its first use, and `FileHandle.write` traps where a write fails.
func write(_ text: String, to fd: Int32 = STDOUT_FILENO) {
    var text = text
    text.withUTF8 { bytes in
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return  // a closed pipe or a full disk: nothing more can be said there
            }
            offset += written
        }
    }
}

func parseVariant(_ text: String) throws -> Int {
    guard let id = VariantID.parse(text) else { throw ValidationError("'\(text)' is not a variant id (v12 or 12)") }
    return id
}
