import ArgumentParser
import CrucibleCore
import Evolution
import Foundation

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
        do {
            var command = try parseAsRoot()
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
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            if code == .success || error is CleanExit { exit(withError: error) }
            fail(describe(error), code: 1)
        }
    }

    static func fail(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data("crucible: \(message)\n".utf8))
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

/// Writes to standard output unbuffered, so progress lines and JSON lines appear as they happen.
func write(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}

func parseVariant(_ text: String) throws -> Int {
    guard let id = VariantID.parse(text) else { throw ValidationError("'\(text)' is not a variant id (v12 or 12)") }
    return id
}
