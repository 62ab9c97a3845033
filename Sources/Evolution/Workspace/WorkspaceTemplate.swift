import Foundation

/// `crucible init`: a commented crucible.yaml with every key and its default, guessing the
/// editable files and the benchmark from what the folder holds.
public enum WorkspaceTemplate {
    /// Writes `directory/crucible.yaml` (creating the folder) and returns its path.
    /// - Throws: `EvolutionError` when the file already exists (it is never overwritten).
    public static func write(to directory: String) throws -> String {
        let manager = FileManager.default
        try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = URL(fileURLWithPath: directory).appendingPathComponent(Workspace.fileName).standardizedFileURL.path
        if manager.fileExists(atPath: path) { throw EvolutionError("\(path) already exists; it is left as it is") }
        try Data(text(for: directory).utf8).write(to: URL(fileURLWithPath: path), options: .withoutOverwriting)
        return path
    }

    static func text(for directory: String) -> String {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        let sources = names.filter { $0.hasSuffix(".py") && !$0.hasPrefix("test_") && $0 != "setup.py" && $0 != "conftest.py" }
        let editable = sources.isEmpty ? "\"agent.py\", \"prompts/*.md\"" : sources.map { "\"\($0)\"" }.joined(separator: ", ")
        let hasTests = names.contains("tests") || names.contains("test")
        let benchmark = hasTests
            ? """
                  - name: tests
                    run: python3 -m pytest -q -p no:cacheprovider --junitxml=report.xml
                    weight: 1.0
                    timeout: 60                  # seconds, or "20s", "2m"; the whole process tree is killed
                    format: junit                # json | junit | exit-code
                    report: report.xml           # junit only: the report file, relative to the candidate
              """
            : """
                  - name: accuracy
                    run: python3 bench/accuracy.py   # run in a fresh copy of the candidate, cwd = its root
                    weight: 1.0
                    timeout: 20                  # seconds, or "20s", "2m"; the whole process tree is killed
                    format: json                 # json: {"score": 0.73, "tasks": [...]} on the last stdout line
              """
        return """
            # crucible.yaml: what Crucible may change, how it scores a change, how the search runs.
            # Reference: docs/workspace.md. Every key below `benchmarks` is optional; shown with its default.

            target:
              root: .                          # the agent's files, relative to this file
              editable: [\(editable)]   # globs a patch may change
              protected: ["bench/**", "tests/**"]          # globs no patch may touch (checked before anything runs)
              # check: auto                    # syntax check before benchmarks: auto (Python's ast for .py) | none | a command

            benchmarks:
            \(benchmark)

            evolution:
              iterations: 100                  # per run of `crucible evolve`; a rerun after a crash resumes the run
              proposer: search                 # search | llm
              seed: 0
              jobs: 1                          # candidates evaluated at once
              selection: dgm                   # dgm | best | tournament
              improvement_threshold: 0.0       # how much a variant must beat the best by
              # lambda: 10                     # dgm: sharpness of the preference for high scores
              # tournament_size: 3
              # fault_localization: auto       # auto: also trace Python tests to find suspicious lines | output
              # held_out: 0.2                  # share of benchmark tasks the proposer never sees (objective-hacking check)
              # markers: ["[unverified]"]      # strings a patch must not remove (what a detector relies on)
              # approvals: queue               # a patch the constitution wants approved: queue (wait for `crucible approvals approve`) | skip

            # llm:                             # used by proposer: llm; reference: docs/llm.md
            #   endpoint: http://127.0.0.1:5000/v1
            #   model: Qwen2.5-Coder-32B-Instruct
            #   api_key_env: CRUCIBLE_LLM_KEY  # the key's environment variable, never the key
            #   temperature: 0.7
            #   max_tokens: 4096               # the longest answer
            #   max_tokens_field: max_tokens   # max_tokens | max_completion_tokens
            #   timeout: 5m                    # one request, connection to last byte
            #   max_concurrency: 2             # requests in flight at once
            #   retries: 4                     # after 429, 5xx, lost connections; backoff 1s doubling, max_backoff 60s
            #   format: search-replace         # search-replace | whole-file
            #   edit_retries: 2                # times the model is told which edits failed and asked again
            #   analysis: false                # first ask for the primary weakness, then for the patch
            #   context_chars: 60000           # characters of the parent's files shown to the model
            #   prompts: .crucible/prompts     # prompt templates overriding the built-in ones
            #   cache: true                    # reuse answers from .crucible/llm-cache (evolve --no-cache: don't)
            #   max_tokens_per_run: 2000000    # a run stops cleanly once it has spent this many tokens
            #   price: {input: 0.0, output: 0.0}   # per million tokens, for cost accounting
            #   max_cost_per_run: 5.0          # a run stops cleanly once it has cost this much
            #   models:                        # several models instead of one `model`
            #     - {model: Qwen2.5-Coder-32B-Instruct, weight: 2}
            #     - {model: Llama-3.3-70B-Instruct, weight: 1, format: whole-file}
            #   model_selection: weighted      # weighted | bandit (shifts toward the model that improves most)

            sandbox:
              isolation: bubblewrap            # bubblewrap | none (then every report says "unisolated")
              memory: 512M                     # the whole sandbox, its private /tmp included
              network: none                    # none | loopback (a loopback of its own, never the host's)
              # cpu: 5m                        # CPU time of a benchmark's whole process tree
              # pids: 256                      # processes and threads at once
              # disk: 1G                       # bytes a run may add to its working directory
              # file_size: 1G                  # the largest file a process may write
              # paths: [/srv/datasets]         # host paths a benchmark may read, bound read-only
              # output_limit: 1M               # bytes kept of each benchmark's stdout and stderr

            """
    }
}
