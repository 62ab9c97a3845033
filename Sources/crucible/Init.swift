import ArgumentParser
import Constitution
import Evolution

extension Crucible {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init", abstract: "Write a commented crucible.yaml (creating DIR if needed).")

        @OptionGroup var workspace: WorkspaceArgument

        func run() throws {
            let path = try WorkspaceTemplate.write(to: workspace.dir)
            print("wrote \(path)")
            for written in try ConstitutionFiles(directory: workspace.dir).setUp() { print("wrote \(written)") }
            print("next: edit target.editable and benchmarks, then `crucible evolve \(workspace.dir)`")
        }
    }
}
