import ArgumentParser
import Evolution
import Foundation

extension Crucible {
    struct Promote: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "promote", abstract: "Write a variant into the target files and record it.")

        @Argument(help: "The variant (v12 or 12).") var id: String
        @OptionGroup var workspace: WorkspaceOption
        @Flag(help: "Do not ask for confirmation.") var yes = false

        func run() throws {
            let inspector = try Inspector.open(workspace.dir)
            let constitution = try Governance.open(workspace.dir).constitution
            let variant = try parseVariant(id)
            if !yes, isatty(STDIN_FILENO) == 1 {
                let detail = try inspector.detail(variant)
                print(detail.diff.isEmpty ? "(no change from the baseline)" : detail.diff)
                print("Write v\(variant) into \(inspector.workspace.root)? [y/N] ", terminator: "")
                guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else {
                    print("nothing written")
                    throw ExitCode(1)
                }
            }
            let event = try inspector.promote(variant, constitution: constitution)
            print("promoted v\(event.variant) (previously \(VariantID.format(event.previous))); `crucible rollback` undoes it")
        }
    }

    struct Rollback: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rollback", abstract: "Return the target files to the previously promoted version.")

        @OptionGroup var workspace: WorkspaceArgument

        func run() throws {
            _ = try Governance.open(workspace.dir)  // nothing acts under a constitution that does not verify
            let event = try Inspector.open(workspace.dir).rollback()
            print("rolled back from v\(event.from) to v\(event.to)")
        }
    }
}
