import CrucibleCore
import Evolution
import LLM
import Foundation
import Sandbox
import Testing

struct WorkspaceConfigTests {
    static let valid = """
        target:
          root: .
          editable: ["router.py", "prompts/*.md"]
          protected: ["bench/**", "tests/**"]
        benchmarks:
          - name: accuracy
            run: python3 bench/accuracy.py
            weight: 1.0
            timeout: 20
            format: json
        evolution:
          iterations: 150
          proposer: search
          seed: 5
          jobs: 1
          selection: dgm
          improvement_threshold: 0.0
        llm:
          endpoint: http://127.0.0.1:5000/v1
          model: Qwen2.5-Coder-32B-Instruct
          api_key_env: CRUCIBLE_LLM_KEY
        sandbox:
          isolation: bubblewrap
          memory: 512M
          network: none
        """

    @Test("the design's example crucible.yaml parses exactly as written")
    func designExample() throws {
        let config = try WorkspaceConfig.parse(Self.valid, file: "crucible.yaml")
        #expect(config.target.editable == ["router.py", "prompts/*.md"])
        #expect(config.benchmarks.first?.timeout == 20)
        #expect(config.benchmarks.first?.format == .json)
        #expect(config.evolution.iterations == 150)
        #expect(config.evolution.seed == 5)
        #expect(config.evolution.selection == .dgm)
        #expect(config.llm.model == "Qwen2.5-Coder-32B-Instruct")
        #expect(config.sandbox.isolation == .bubblewrap)
    }

    private func error(_ yaml: String) -> ConfigError? {
        do {
            _ = try WorkspaceConfig.parse(yaml, file: "ws/crucible.yaml")
            return nil
        } catch {
            return error
        }
    }

    @Test("an unknown key names the file, the line and the key")
    func unknownKey() throws {
        let yaml = Self.valid.replacingOccurrences(of: "  seed: 5", with: "  sead: 5")
        let error = try #require(self.error(yaml))
        #expect(error.line == 14)
        #expect(error.key == "evolution.sead")
        #expect(error.description.hasPrefix("ws/crucible.yaml:14:3: evolution.sead: unknown key"))
    }

    @Test("bad values name their key", arguments: [
        ("timeout: 20", "timeout: soon", "benchmarks[0].timeout"),
        ("format: json", "format: xml", "benchmarks[0].format"),
        ("jobs: 1", "jobs: 0", "evolution.jobs"),
        ("memory: 512M", "memory: lots", "sandbox.memory"),
        ("selection: dgm", "selection: random", "evolution.selection"),
        ("weight: 1.0", "weight: -1", "benchmarks[0].weight"),
    ])
    func badValues(original: String, replacement: String, key: String) throws {
        let error = try #require(self.error(Self.valid.replacingOccurrences(of: original, with: replacement)))
        #expect(error.key == key)
        #expect(error.line != nil)
    }

    @Test("malformed YAML names the line")
    func malformed() throws {
        let error = try #require(self.error("target:\n  editable: [a.py\nbenchmarks: []\n"))
        #expect(error.line != nil)
        #expect(error.description.contains("malformed YAML"))
    }

    @Test("missing sections are named")
    func missing() throws {
        #expect(self.error("benchmarks:\n  - {name: a, run: x}\n")?.key == "target")
        #expect(self.error("target: {editable: [a.py]}\n")?.key == "benchmarks")
        #expect(self.error("target: {editable: [a.py]}\nbenchmarks:\n  - {run: x}\n")?.key == "benchmarks[0].name")
    }

    @Test("durations accept seconds, s, m and h")
    func durations() {
        #expect(DurationText.parse("20") == 20)
        #expect(DurationText.parse("20s") == 20)
        #expect(DurationText.parse("2m") == 120)
        #expect(DurationText.parse("1.5h") == 5400)
        #expect(DurationText.parse("-1") == nil)
        #expect(DurationText.parse("2x") == nil)
    }
}

struct GlobTests {
    @Test("globs match as .gitignore writers expect", arguments: [
        ("router.py", "router.py", true),
        ("prompts/*.md", "prompts/a.md", true),
        ("prompts/*.md", "prompts/sub/a.md", false),
        ("*.md", "prompts/sub/a.md", true),
        ("bench/**", "bench/a/b/c.py", true),
        ("bench/**", "benchmark.py", false),
        ("**/test_*.py", "test_a.py", true),
        ("**/test_*.py", "x/y/test_a.py", true),
        ("src/[a-c]?.py", "src/b1.py", true),
        ("src/[!a-c]?.py", "src/b1.py", false),
    ])
    func matching(pattern: String, path: String, expected: Bool) {
        #expect(Glob.matches(pattern, path) == expected)
    }

    @Test("globs that leave the root or are malformed are refused")
    func problems() {
        #expect(Glob.problem(in: "/etc/passwd") != nil)
        #expect(Glob.problem(in: "../x") != nil)
        #expect(Glob.problem(in: "a[b") != nil)
        #expect(Glob.problem(in: "src/**/*.py") == nil)
    }
}

struct ParentSelectorTests {
    let candidates = [
        ParentSelector.Candidate(id: 0, score: 0.2, children: 5),
        ParentSelector.Candidate(id: 1, score: 0.5, children: 0),
        ParentSelector.Candidate(id: 2, score: 0.9, children: 0),
        ParentSelector.Candidate(id: 3, score: 0.9, children: 9),
    ]

    @Test("the DGM rule favours high scores and few children, at any scale of score")
    func dgmWeights() {
        let selector = ParentSelector(selection: .dgm)
        let weights = selector.dgmWeights(candidates)
        #expect(weights[2] > weights[1] && weights[1] > weights[0])
        #expect(weights[2] > weights[3] * 5)
        let scaled = selector.dgmWeights(candidates.map { .init(id: $0.id, score: $0.score * 1000 - 7, children: $0.children) })
        for (a, b) in zip(weights, scaled) { #expect(abs(a - b) < 1e-9) }
    }

    @Test("selection is deterministic under a seed and follows the weights")
    func seeded() {
        let selector = ParentSelector(selection: .dgm)
        func draws(_ seed: UInt64) -> [Int] {
            var rng = SeededGenerator(seed: seed)
            return (0..<500).map { _ in selector.select(from: candidates, using: &rng)! }
        }
        #expect(draws(7) == draws(7))
        let counts = Dictionary(grouping: draws(7), by: { $0 }).mapValues(\.count)
        #expect(counts[2, default: 0] > counts[0, default: 0])
    }

    @Test("best picks the top score; tournament never picks the worst of three")
    func bestAndTournament() {
        var rng = SeededGenerator(seed: 1)
        let best = ParentSelector(selection: .best)
        for _ in 0..<50 { #expect([2, 3].contains(best.select(from: candidates, using: &rng)!)) }
        let tournament = ParentSelector(selection: .tournament, tournamentSize: 4)
        let picks = (0..<200).map { _ in tournament.select(from: candidates, using: &rng)! }
        #expect(picks.filter { $0 == 0 }.count < picks.filter { $0 == 2 }.count)
        #expect(best.select(from: [], using: &rng) == nil)
    }
}

struct LLMConfigTests {
    private let base = """
        target: {editable: [a.py]}
        benchmarks:
          - {name: a, run: "true"}
        evolution: {proposer: llm}

        """

    @Test("the llm section's keys parse, and several models inherit the section's settings")
    func fullSection() throws {
        let config = try WorkspaceConfig.parse(base + """
            llm:
              endpoint: http://127.0.0.1:8000/v1
              model: unused
              api_key_env: MY_KEY
              temperature: 0.2
              max_tokens: 2048
              max_tokens_field: max_completion_tokens
              timeout: 2m
              max_concurrency: 4
              retries: 2
              backoff: 0.5
              max_backoff: 10
              format: whole-file
              edit_retries: 3
              analysis: true
              context_chars: 20000
              prompts: prompts
              cache: false
              max_tokens_per_run: 100000
              price: {input: 0.5, output: 1.5}
              max_cost_per_run: 2
              model_selection: bandit
              models:
                - {model: big, weight: 3}
                - {model: small, endpoint: "http://127.0.0.1:9000/v1", format: search-replace, price: {input: 0, output: 0}}
            """, file: "crucible.yaml")
        let llm = config.llm
        #expect(config.evolution.proposer == .llm)
        #expect(llm.timeout == 120 && llm.maxConcurrency == 4 && llm.retries == 2 && llm.analysis && !llm.cache)
        #expect(llm.maxTokensPerRun == 100000 && llm.maxCostPerRun == 2 && llm.modelSelection == .bandit)
        let models = llm.resolvedModels
        #expect(models.map(\.client.model) == ["big", "small"])
        #expect(models[0].client.endpoint == "http://127.0.0.1:8000/v1" && models[0].format == .wholeFile && models[0].weight == 3)
        #expect(models[0].client.apiKeyEnv == "MY_KEY" && models[0].client.tokenLimitField == .maxCompletionTokens)
        #expect(models[0].price == ModelPrice(inputPerMillion: 0.5, outputPerMillion: 1.5))
        #expect(models[1].client.endpoint == "http://127.0.0.1:9000/v1" && models[1].format == .searchReplace)
        #expect(models[1].price == ModelPrice(inputPerMillion: 0, outputPerMillion: 0))
        #expect(models[1].client.temperature == 0.2 && models[1].client.maxTokens == 2048)
    }

    @Test("bad llm values name the file, the line and the key", arguments: [
        ("llm: {model: m, temperature: 3}", "llm.temperature", 5),
        ("llm: {model: m, format: diff}", "llm.format", 5),
        ("llm: {model: m, price: {input: 1}}", "llm.price", 5),
        ("llm: {model: m, max_tokens_per_run: 0}", "llm.max_tokens_per_run", 5),
        ("llm: {model: m, modle: x}", "llm.modle", 5),
        ("llm:\n  models:\n    - {weight: 2}", "llm.models[0].model", 7),
    ])
    func badValues(section: String, key: String, line: Int) throws {
        do {
            _ = try WorkspaceConfig.parse(base + section, file: "ws/crucible.yaml")
            Issue.record("\(section) parsed")
        } catch {
            #expect(error.key == key)
            #expect(error.line == line)
            #expect(error.description.hasPrefix("ws/crucible.yaml:\(line):"))
        }
    }

    @Test("the llm proposer without a model is a config error naming llm.model")
    func missingModel() throws {
        let directory = try TestWorkspace.make(files: ["a.py": "x = 1\n"], yaml: base)
        #expect(throws: ConfigError.self) { _ = try LLMProposer.make(workspace: try Workspace.load(directory)) }
        do {
            _ = try LLMProposer.make(workspace: try Workspace.load(directory))
        } catch let error as ConfigError {
            #expect(error.key == "llm.model")
            #expect(error.description.contains("crucible.yaml"))
        }
    }
}
