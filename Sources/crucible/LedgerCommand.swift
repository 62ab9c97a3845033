import ArgumentParser
import Evolution
import Ledger

extension Crucible {
    struct LedgerCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ledger", abstract: "Check the event ledger.", subcommands: [Verify.self])

        struct Verify: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "verify", abstract: "Check the whole hash chain; name the first bad event.")

            @OptionGroup var workspace: WorkspaceArgument
            @Flag(help: "Print JSON.") var json = false

            func run() throws {
                let result = try Inspector.open(workspace.dir).ledger.verify()
                if json {
                    try printJSON(result)
                } else if let failure = result.failure {
                    print("ledger: FAILED at \(failure)")
                } else {
                    print("ledger: ok, \(result.verified) events, head \(result.head ?? "")")
                }
                if !result.ok { throw ExitCode(1) }
            }
        }
    }

    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "replay", abstract: "Rebuild the archive by replaying the ledger; with --verify, check it matches what was there.")

        @OptionGroup var workspace: WorkspaceArgument
        @Flag(help: "Check that the replay reproduces the current archive exactly.") var verify = false

        func run() throws {
            let ledger = try Inspector.open(workspace.dir).ledger
            let chain = try ledger.verify()
            if let failure = chain.failure { Crucible.fail("ledger: \(failure)", code: 1) }
            let before = try ledger.projectionDigest()
            try ledger.rebuildProjections()
            let after = try ledger.projectionDigest()
            if verify, before != after {
                Crucible.fail("replay: the rebuilt archive differs from the one recorded (\(before.prefix(12)) → \(after.prefix(12)))", code: 1)
            }
            print("replayed \(chain.verified) events; archive \(after.prefix(16))\(verify ? " matches" : "")")
        }
    }
}
