import ArgumentParser
import Evolution

extension Crucible {
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the baseline, the best variant and the counts.")

        @OptionGroup var workspace: WorkspaceArgument
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let status = try Inspector.open(workspace.dir).status()
            if json { try printJSON(status) } else { print(status.text) }
        }
    }

    struct Archive: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "archive", abstract: "Show the tree of variants with their scores.")

        @OptionGroup var workspace: WorkspaceArgument
        @Flag(help: "List rejected and failed variants too.") var all = false
        @Flag(help: "Print JSON: every variant record.") var json = false

        func run() throws {
            let inspector = try Inspector.open(workspace.dir)
            if json { try printJSON(try inspector.ledger.archive().variants) } else { print(try inspector.archiveText(all: all)) }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one variant: its scores and its diff against the baseline.")

        @Argument(help: "The variant (v12 or 12).") var id: String
        @OptionGroup var workspace: WorkspaceOption
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let inspector = try Inspector.open(workspace.dir)
            let detail = try inspector.detail(try parseVariant(id))
            if json { try printJSON(detail) } else { print(inspector.detailText(detail)) }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "export", abstract: "Write a variant out as a complete copy of the target.")

        @Argument(help: "The variant (v12 or 12).") var id: String
        @Argument(help: "A new or empty folder.") var out: String
        @OptionGroup var workspace: WorkspaceOption

        func run() throws {
            try Inspector.open(workspace.dir).export(try parseVariant(id), to: out)
            print("wrote v\(try parseVariant(id)) to \(out)")
        }
    }

    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "report", abstract: "Summarise the runs: baseline to best, improvements, rejections.")

        enum Output: String, ExpressibleByArgument, CaseIterable { case md, json, html }

        @OptionGroup var workspace: WorkspaceArgument
        @Option(help: "md, json or html.") var format: Output = .md

        func run() throws {
            let report = try Inspector.open(workspace.dir).report()
            switch format {
            case .md: print(report.markdown, terminator: "")
            case .json: try printJSON(report)
            case .html: print(report.html)
            }
        }
    }
}
