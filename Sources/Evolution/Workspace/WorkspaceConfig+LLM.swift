import CrucibleCore
import LLM
import Yams

extension YAMLReader {
    /// The `llm` section.
    func llm(_ node: Node) throws(ConfigError) -> WorkspaceConfig.LLM {
        var llm = WorkspaceConfig.LLM()
        let map = try mapping(node, key: "llm", allowed: [
            "endpoint", "model", "api_key_env", "temperature", "max_tokens", "max_tokens_field", "timeout", "max_concurrency",
            "retries", "backoff", "max_backoff", "format", "edit_retries", "analysis", "context_chars", "prompts", "cache",
            "max_tokens_per_run", "price", "max_cost_per_run", "models", "model_selection",
        ])
        if let n = map["endpoint"] { llm.endpoint = try string(n, key: "llm.endpoint") }
        if let n = map["model"] { llm.model = try string(n, key: "llm.model") }
        if let n = map["api_key_env"] { llm.apiKeyEnv = try string(n, key: "llm.api_key_env") }
        if let n = map["temperature"] { llm.temperature = try temperature(n, key: "llm.temperature") }
        if let n = map["max_tokens"] { llm.maxTokens = try int(n, key: "llm.max_tokens", min: 1) }
        if let n = map["max_tokens_field"] { llm.maxTokensField = try choice(n, key: "llm.max_tokens_field") }
        if let n = map["timeout"] { llm.timeout = try duration(n, key: "llm.timeout") }
        if let n = map["max_concurrency"] { llm.maxConcurrency = try int(n, key: "llm.max_concurrency", min: 1) }
        if let n = map["retries"] { llm.retries = try int(n, key: "llm.retries", min: 0) }
        if let n = map["backoff"] { llm.backoff = try nonNegative(n, key: "llm.backoff") }
        if let n = map["max_backoff"] { llm.maxBackoff = try nonNegative(n, key: "llm.max_backoff") }
        if let n = map["format"] { llm.format = try choice(n, key: "llm.format") }
        if let n = map["edit_retries"] { llm.editRetries = try int(n, key: "llm.edit_retries", min: 0) }
        if let n = map["analysis"] { llm.analysis = try bool(n, key: "llm.analysis") }
        if let n = map["context_chars"] { llm.contextChars = try int(n, key: "llm.context_chars", min: 1000) }
        if let n = map["prompts"] { llm.prompts = try string(n, key: "llm.prompts") }
        if let n = map["cache"] { llm.cache = try bool(n, key: "llm.cache") }
        if let n = map["max_tokens_per_run"] { llm.maxTokensPerRun = try int(n, key: "llm.max_tokens_per_run", min: 1) }
        if let n = map["price"] { llm.price = try price(n, key: "llm.price") }
        if let n = map["max_cost_per_run"] { llm.maxCostPerRun = try nonNegative(n, key: "llm.max_cost_per_run") }
        if let n = map["model_selection"] { llm.modelSelection = try choice(n, key: "llm.model_selection") }
        if let n = map["models"] {
            guard case .sequence(let sequence) = n, !sequence.isEmpty else {
                throw error(n, "llm.models", "expected a non-empty list of models")
            }
            for (index, item) in sequence.enumerated() {
                let key = "llm.models[\(index)]"
                let entry = try mapping(item, key: key, allowed: [
                    "model", "weight", "endpoint", "api_key_env", "format", "temperature", "max_tokens", "price",
                ])
                guard let name = entry["model"] else { throw error(item, "\(key).model", "missing") }
                var model = WorkspaceConfig.LLM.Model(model: try string(name, key: "\(key).model"))
                if let n = entry["weight"] {
                    model.weight = try nonNegative(n, key: "\(key).weight")
                }
                if let n = entry["endpoint"] { model.endpoint = try string(n, key: "\(key).endpoint") }
                if let n = entry["api_key_env"] { model.apiKeyEnv = try string(n, key: "\(key).api_key_env") }
                if let n = entry["format"] { model.format = try choice(n, key: "\(key).format") as EditFormat }
                if let n = entry["temperature"] { model.temperature = try temperature(n, key: "\(key).temperature") }
                if let n = entry["max_tokens"] { model.maxTokens = try int(n, key: "\(key).max_tokens", min: 1) }
                if let n = entry["price"] { model.price = try price(n, key: "\(key).price") }
                llm.models.append(model)
            }
            if llm.models.allSatisfy({ $0.weight == 0 }) { throw error(n, "llm.models", "every weight is 0") }
        }
        return llm
    }

    private func nonNegative(_ node: Node, key: String) throws(ConfigError) -> Double {
        let value = try double(node, key: key)
        guard value >= 0 else { throw error(node, key, "must not be negative") }
        return value
    }

    private func temperature(_ node: Node, key: String) throws(ConfigError) -> Double {
        let value = try double(node, key: key)
        guard (0...2).contains(value) else { throw error(node, key, "must be between 0 and 2") }
        return value
    }

    /// `{input: 3.0, output: 15.0}`: per million tokens.
    private func price(_ node: Node, key: String) throws(ConfigError) -> ModelPrice {
        let map = try mapping(node, key: key, allowed: ["input", "output"])
        guard let input = map["input"], let output = map["output"] else {
            throw error(node, key, "expected {input: PRICE, output: PRICE}, each per million tokens")
        }
        return ModelPrice(inputPerMillion: try nonNegative(input, key: "\(key).input"),
                          outputPerMillion: try nonNegative(output, key: "\(key).output"))
    }
}

extension WorkspaceConfig.LLM {
    /// One model with every setting resolved.
    public struct ResolvedModel: Sendable, Hashable {
        public var client: LLMConfiguration
        public var format: EditFormat
        public var weight: Double
        public var price: ModelPrice?
    }

    /// The models to ask: the `models` list with the section's settings filled in, or the one `model`.
    public var resolvedModels: [ResolvedModel] {
        let entries = models.isEmpty ? [Model(model: model)] : models
        return entries.map { entry in
            ResolvedModel(
                client: LLMConfiguration(
                    endpoint: entry.endpoint ?? endpoint, model: entry.model, apiKeyEnv: entry.apiKeyEnv ?? apiKeyEnv,
                    temperature: entry.temperature ?? temperature, maxTokens: entry.maxTokens ?? maxTokens,
                    tokenLimitField: maxTokensField, timeout: timeout, maxConcurrency: maxConcurrency,
                    maxRetries: retries, backoff: backoff, maxBackoff: maxBackoff),
                format: entry.format ?? format, weight: entry.weight, price: entry.price ?? price)
        }
    }
}
