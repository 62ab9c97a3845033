import ArgumentParser
import Constitution
import CrucibleCore
import Foundation

extension Crucible {
    struct KeysCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "keys", abstract: "Manage the key pair that signs the constitution.", subcommands: [Generate.self])

        struct Generate: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "generate", abstract: "Write a new Ed25519 key pair under .crucible/keys/ (the private key mode 0600); never overwrites one.")

            @OptionGroup var workspace: WorkspaceArgument

            func run() throws {
                let (privateKey, publicKey) = try ConstitutionFiles(directory: workspace.dir).generateKeys()
                print("wrote \(privateKey) (mode 0600) and \(publicKey)")
                print("next: `crucible constitution sign \(workspace.dir)`")
            }
        }
    }

    struct ConstitutionCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "constitution", abstract: "Sign, verify, explain the constitution, or check an action against it.",
            subcommands: [Sign.self, Verify.self, Explain.self, Check.self])

        struct Sign: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "sign", abstract: "Sign CONSTITUTION.yaml with the workspace's private key, writing CONSTITUTION.yaml.sig.")

            @OptionGroup var workspace: WorkspaceArgument

            func run() throws {
                print("wrote \(try ConstitutionFiles(directory: workspace.dir).sign())")
            }
        }

        struct Verify: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "verify", abstract: "Check CONSTITUTION.yaml against its signature and the trusted public key; exit 2 if it does not verify.")

            @OptionGroup var workspace: WorkspaceArgument

            func run() throws {
                let files = ConstitutionFiles(directory: workspace.dir)
                guard files.exists else {
                    print("constitution: none in \(files.directory); the built-in default applies (sha256 \(Constitution.standard.digest))")
                    return
                }
                try files.verify()
                print("constitution: ok, signed by \(files.trustedKeyPath), sha256 \(try files.load().digest)")
            }
        }

        struct Explain: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "explain", abstract: "Print the constitution's rules in plain words.")

            @OptionGroup var workspace: WorkspaceArgument

            func run() throws {
                write(try ConstitutionFiles(directory: workspace.dir).load().explanation())
            }
        }

        struct Check: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "check", abstract: "Decide one action (a JSON file, or - for stdin): allow, deny or require_approval.",
                discussion: """
                Exit status: 0 allow, 1 deny or require_approval, 2 bad input.
                Example: echo '{"type": "command", "command": "sudo iptables -F"}' | crucible constitution check -
                """)

            @Argument(help: "The action, as JSON (docs/constitution.md has one example per type).") var action: String
            @OptionGroup var workspace: WorkspaceOption
            @Flag(help: "Print the decision as JSON.") var json = false

            func run() throws {
                let data: Data
                if action == "-" {
                    data = FileHandle.standardInput.readDataToEndOfFile()
                } else {
                    guard let contents = FileManager.default.contents(atPath: action) else {
                        throw ConfigError(file: action, message: "no such file")
                    }
                    data = contents
                }
                let parsed = try Action.parse(json: data, file: action == "-" ? "(stdin)" : action)
                let decision = try ConstitutionFiles(directory: workspace.dir).load().decide(parsed)
                if json {
                    try printJSON(decision, pretty: false)
                } else {
                    write("\(decision.decision.rawValue)\(decision.rules.isEmpty ? "" : " by " + decision.rules.joined(separator: ", "))\n")
                    for sentence in decision.sentences { write("  rule: \(sentence)\n") }
                    for reason in decision.reasons { write("  why: \(reason)\n") }
                }
                if decision.decision != .allow { throw ExitCode(1) }
            }
        }
    }
}
