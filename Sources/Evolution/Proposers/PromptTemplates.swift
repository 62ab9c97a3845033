import Foundation

/// The texts the llm proposer sends, with `{{name}}` placeholders. Built in, and overridden file by
/// file by the workspace's prompt folder (`llm.prompts`, default `.crucible/prompts/`): a file named
/// like a template (`system.md`, `propose.md`, `analyse.md`, `retry.md`, `search-replace.md`,
/// `whole-file.md`) replaces it. See docs/llm.md for each template's placeholders.
public struct PromptTemplates: Sendable, Hashable {
    public var system: String
    public var propose: String
    public var analyse: String
    public var retry: String
    public var searchReplace: String
    public var wholeFile: String

    /// Each template's file name, as a user writes it in the prompt folder.
    static var files: [(name: String, template: WritableKeyPath<PromptTemplates, String>)] { [
        ("system.md", \.system), ("propose.md", \.propose), ("analyse.md", \.analyse), ("retry.md", \.retry),
        ("search-replace.md", \.searchReplace), ("whole-file.md", \.wholeFile),
    ] }

    /// The file names, as a user writes them in the prompt folder.
    public static var fileNames: [String] { files.map(\.name) }

    /// The built-in templates.
    public static let builtIn = PromptTemplates(
        system: """
            You improve a program so that it scores higher on its benchmarks. You see its files, the \
            benchmark results with the failing tasks and their output, and what was already tried. \
            You answer with a short explanation of the change (one or two sentences), then the edits.

            {{format}}
            """,
        propose: """
            # The program (variant {{parent}})

            {{files}}

            # Benchmark results

            {{results}}

            # Already tried from this variant

            {{tried}}
            {{analysis}}
            # Rules

            {{rules}}

            Find the most likely cause of the failures and fix it with the smallest change that \
            makes the failing tasks pass without breaking the passing ones. Do not special-case \
            the benchmark's inputs or expected outputs.
            """,
        analyse: """
            # The program (variant {{parent}})

            {{files}}

            # Benchmark results

            {{results}}

            # Already tried from this variant

            {{tried}}

            What is the primary weakness of this program that makes tasks fail? Answer in at most \
            five sentences, naming the file and the function. Do not write any edits yet.
            """,
        retry: """
            Some of your edits did not apply:

            {{failures}}

            The edits not listed above applied. Send corrected edits for the failed ones only, \
            against the files as they are now, in the same format.
            """,
        searchReplace: """
            Write each change as a SEARCH/REPLACE block: the file's path alone on a line, then

            <<<<<<< SEARCH
            the exact lines to replace, copied from the file, enough of them to be unique
            =======
            the new lines
            >>>>>>> REPLACE

            Use one block per place you change. To create a file, leave the SEARCH part empty. \
            Never use any other way of showing changes.
            """,
        wholeFile: """
            Write each file you change in full: the file's path alone on a line, then the complete \
            new content of the file in one fenced code block. Send only the files you change.
            """)

    /// The built-in templates, with those found in `directory` in their place.
    public static func load(directory: String) throws -> PromptTemplates {
        var templates = builtIn
        func read(_ name: String) throws -> String? {
            let path = directory + "/" + name
            guard FileManager.default.fileExists(atPath: path) else { return nil }
            do {
                return try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw EvolutionError("\(path): cannot read the prompt template: \(error.localizedDescription)")
            }
        }
        for (name, template) in files {
            if let text = try read(name) { templates[keyPath: template] = text }
        }
        return templates
    }

    /// `template` with each `{{key}}` replaced by its value; unknown placeholders stay as written.
    public static func render(_ template: String, _ values: [String: String]) -> String {
        var out = ""
        var rest = template[...]
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                rest = rest[open.lowerBound...]
                break
            }
            let key = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            if let value = values[key] {
                out += value
            } else {
                out += rest[open.lowerBound..<close.upperBound]
            }
            rest = rest[close.upperBound...]
        }
        return out + rest
    }
}
