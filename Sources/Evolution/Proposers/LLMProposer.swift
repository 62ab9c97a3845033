import Constitution
import CrucibleCore
import Foundation
import LLM

/// Asks a model behind an OpenAI-compatible server for a child of the parent: shows it the
/// parent's files, benchmark results and earlier attempts, optionally asks first for the parent's
/// primary weakness, and applies the SEARCH/REPLACE (or whole-file) edits it answers with. Edits
/// that do not apply are reported back to the model, up to `editRetries` times; what still fails
/// is a `ProposalError` carrying the tokens spent.
///
/// Deterministic under a seed: the model, the request's seed and every message follow from the
/// iteration's generator, so with the response cache a rerun sends nothing and proposes the same.
public struct LLMProposer: Proposer {
    /// One model to ask.
    public struct Model: Sendable {
        public var client: LLMClient
        public var format: EditFormat
        public var weight: Double
        public var name: String { client.configuration.model }

        public init(client: LLMClient, format: EditFormat = .searchReplace, weight: Double = 1) {
            self.client = client
            self.format = format
            self.weight = weight
        }
    }

    public struct Settings: Sendable {
        /// First ask for the primary weakness, then for the patch.
        public var analysis: Bool
        /// Times the model is asked again after edits that did not apply.
        public var editRetries: Int
        /// Characters of the parent's files shown.
        public var contextChars: Int
        /// Whether answers come from the response cache when it has them.
        public var useCache: Bool
        public var selection: WorkspaceConfig.LLM.ModelSelection
        /// What the model may change, in plain words.
        public var rules: String

        public init(analysis: Bool = false, editRetries: Int = 2, contextChars: Int = 60_000, useCache: Bool = true,
                    selection: WorkspaceConfig.LLM.ModelSelection = .weighted, rules: String = "") {
            self.analysis = analysis
            self.editRetries = editRetries
            self.contextChars = contextChars
            self.useCache = useCache
            self.selection = selection
            self.rules = rules
        }
    }

    public var name: String { "llm" }
    public let models: [Model]
    public let settings: Settings
    public let templates: PromptTemplates
    /// The run's usage and budget.
    public let meter: UsageMeter
    var rules: String { settings.rules }

    public init(models: [Model], settings: Settings = Settings(), templates: PromptTemplates = .builtIn,
                meter: UsageMeter = UsageMeter()) {
        precondition(!models.isEmpty, "an llm proposer needs at least one model")
        self.models = models
        self.settings = settings
        self.templates = templates
        self.meter = meter
    }

    /// The proposer a workspace's `llm` section describes, its answers cached in `.crucible/llm-cache`.
    /// - Parameters:
    ///   - useCache: overrides `llm.cache` (`evolve --no-cache` passes false).
    ///   - spent: usage the run already recorded (a resumed run), counted against its budget.
    /// - Throws: `ConfigError` when no model is named; `EvolutionError` when a prompt template is unreadable.
    public static func make(workspace: Workspace, useCache: Bool? = nil, spent: [ModelUsage] = [],
                            constitution: Constitution = .standard) throws -> LLMProposer {
        let llm = workspace.config.llm
        let resolved = llm.resolvedModels
        guard resolved.allSatisfy({ !$0.client.model.isEmpty }) else {
            throw ConfigError(file: workspace.configPath, key: "llm.model",
                              message: "missing; name the model the server serves (docs/llm.md)")
        }
        let cache = ResponseCache(directory: workspace.stateDirectory + "/llm-cache")
        let models = resolved.map { Model(client: LLMClient(configuration: $0.client, cache: cache), format: $0.format, weight: $0.weight) }
        var prices: [String: ModelPrice] = [:]
        for model in resolved { prices[model.client.model] = model.price }
        let promptDirectory = llm.prompts.hasPrefix("/") ? llm.prompts : workspace.directory + "/" + llm.prompts
        let config = workspace.config.target
        let rules = """
            - Change only files matching: \(config.editable.joined(separator: ", ")).
            - Never change: \((config.protected + Workspace.alwaysProtected).joined(separator: ", ")). Edits to them are refused.
            - The benchmarks run the program as it is; they are not yours to change.
            - Never game the score: no hard-coded expected outputs or special-cased test inputs, no removed
              assertions, no early exits or faked output. Such patches are detected and refused.
            The constitution every change is checked against:
            \(constitution.rules.filter { $0.effect != .allow }.map { "- \($0.sentence)" }.joined(separator: "\n"))
            """
        return LLMProposer(
            models: models,
            settings: Settings(analysis: llm.analysis, editRetries: llm.editRetries, contextChars: llm.contextChars,
                               useCache: useCache ?? llm.cache, selection: llm.modelSelection, rules: rules),
            templates: try PromptTemplates.load(directory: promptDirectory),
            meter: UsageMeter(budget: LLMBudget(maxTokens: llm.maxTokensPerRun, maxCost: llm.maxCostPerRun), prices: prices,
                              spent: spent))
    }

    public func stopReason() async -> String? {
        await meter.exhausted
    }

    public func propose(_ context: ProposalContext, isNew: @Sendable (FileTree) -> Bool,
                        using rng: inout SeededGenerator) async throws -> Proposal? {
        let model = choose(context.operatorStats, using: &rng)
        let seed = rng.next() >> 11
        let proposer = "llm/\(model.name)"
        var usage = TokenUsage()
        let meter = self.meter
        func ask(_ messages: [ChatMessage]) async throws -> ChatCompletion {
            let result = try await model.client.complete(ChatRequest(messages: messages, seed: seed), useCache: settings.useCache)
            usage += result.usage
            await meter.record(result.usage, model: model.name)
            return result.completion
        }
        func failure(_ reason: String) -> ProposalError {
            ProposalError("\(proposer): \(reason)", usage: [meter.priced(usage, model: model.name)])
        }

        let system = ChatMessage.system(PromptTemplates.render(templates.system, [
            "format": model.format == .searchReplace ? templates.searchReplace : templates.wholeFile,
        ]))
        do {
            var analysis: String?
            if settings.analysis {
                let answer = try await ask([system, .user(PromptTemplates.render(templates.analyse, promptValues(context, analysis: nil)))])
                let text = answer.content.trimmingCharacters(in: .whitespacesAndNewlines)
                analysis = text.isEmpty ? nil : text
            }
            var messages = [system, .user(PromptTemplates.render(templates.propose, promptValues(context, analysis: analysis)))]
            var tree = context.tree
            var explanation = ""
            var failures: [String] = []
            for round in 0...settings.editRetries {
                let answer = try await ask(messages)
                messages.append(.assistant(answer.content))
                failures = []
                if answer.isTruncated {
                    failures = ["the answer was cut off at the token limit (finish_reason: length) and was not applied; send only the edits, fewer and shorter"]
                } else {
                    let parsed = SearchReplaceEdits.parse(answer.content, format: model.format)
                    if parsed.blocks.isEmpty && parsed.failures.isEmpty {
                        failures = ["the answer holds no edits in the format asked for (\(model.format.rawValue))"]
                    } else {
                        let outcome = SearchReplaceEdits.apply(parsed.blocks, to: tree)
                        tree = outcome.tree
                        failures = (parsed.failures + outcome.failures).map(\.description)
                        if explanation.isEmpty { explanation = Self.prose(answer.content) }
                    }
                }
                if failures.isEmpty {
                    if tree == context.tree {
                        failures = ["the edits change nothing"]
                    } else if !isNew(tree) {
                        failures = ["these edits reproduce a variant already tried; the files are back as they were, propose a different change"]
                        tree = context.tree
                    } else {
                        let summary = Self.summary(explanation, tree: tree, parent: context.tree)
                        let reasoning = [analysis.map { "Weakness: \($0)" }, explanation.isEmpty ? nil : explanation]
                            .compactMap { $0 }.joined(separator: "\n")
                        return Proposal(tree: tree, proposer: proposer, summary: summary,
                                        reasoning: String((reasoning.isEmpty ? summary : reasoning).prefix(2000)),
                                        usage: [meter.priced(usage, model: model.name)])
                    }
                }
                if round < settings.editRetries {
                    let list = failures.map { "- \($0)" }.joined(separator: "\n")
                    messages.append(.user(PromptTemplates.render(templates.retry, ["failures": list])))
                }
            }
            let answers = settings.editRetries + 1
            throw failure("no edits that apply after \(answers) answer\(answers == 1 ? "" : "s"): \(failures.joined(separator: "; "))")
        } catch let error as LLMError {
            throw failure("\(error)")
        }
    }

    /// The model for this proposal: by weight, or for `bandit` by weight times the model's
    /// smoothed rate of proposals that beat their parent relative to all models' (between a
    /// tenth and ten times its weight, so no model is ruled out for good).
    func choose(_ stats: [String: OperatorStats], using rng: inout SeededGenerator) -> Model {
        guard models.count > 1 else { return models[0] }
        var weights = models.map(\.weight)
        if settings.selection == .bandit {
            let all = models.compactMap { stats["llm/\($0.name)"] }
            let trials = all.reduce(0) { $0 + $1.trials }
            if trials > 0 {
                let overall = Double(all.reduce(0) { $0 + $1.improvements } + 1) / Double(trials + 2)
                for (i, model) in models.enumerated() {
                    let s = stats["llm/\(model.name)"] ?? OperatorStats()
                    let rate = Double(s.improvements + 1) / Double(s.trials + 2)
                    weights[i] *= max(0.1, min(10, rate / overall))
                }
            }
        }
        let total = weights.reduce(0, +)
        guard total > 0 else { return models[0] }
        var roll = Double.random(in: 0..<total, using: &rng)
        for (i, weight) in weights.enumerated() {
            if roll < weight { return models[i] }
            roll -= weight
        }
        return models[models.count - 1]
    }

    /// The explanation before the first edit: the answer's lines up to the first fence or
    /// SEARCH marker, without the path line that introduces it.
    static func prose(_ answer: String) -> String {
        var lines: [Substring] = []
        for line in answer.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("<<<<<<<") { break }
            lines.append(line)
        }
        while let last = lines.last, last.trimmingCharacters(in: .whitespaces).isEmpty || SearchReplaceEdits.cleanPath(String(last)) != nil {
            lines.removeLast()
        }
        return String(lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines).prefix(1000))
    }

    /// One line: the explanation's first sentence, or the files changed.
    static func summary(_ explanation: String, tree: FileTree, parent: FileTree) -> String {
        let first = explanation.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        if !first.isEmpty { return String(first.prefix(120)) }
        let changed = tree.files.keys.filter { parent.files[$0] != tree.files[$0] }.sorted()
        return "edits \(changed.joined(separator: ", "))"
    }
}
