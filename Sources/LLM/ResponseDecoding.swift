import CrucibleCore
import Foundation

/// Reads what OpenAI-compatible servers send, in each of the shapes they send it.
enum ResponseDecoding {
    /// A chat completion body: the first choice's message, its reasoning wherever the server put
    /// it, the finish reason and the usage (nil when absent).
    static func completion(_ body: Data, url: String) throws(LLMError) -> ChatCompletion {
        guard let json = try? JSONDecoder().decode(JSONValue.self, from: body) else {
            throw LLMError(code: .malformed, url: url, message: "the answer is not JSON: \(preview(body))")
        }
        guard let choice = json["choices"]?.arrayValue?.first, let message = choice["message"] else {
            if let error = self.error(json) {
                throw LLMError(code: .http, url: url, serverCode: error.code, message: error.message)
            }
            throw LLMError(code: .malformed, url: url, message: "the answer has no choices[0].message: \(preview(body))")
        }
        let raw = text(message["content"]) ?? ""
        let split = splitReasoning(raw)
        let separate = [text(message["reasoning_content"]), text(message["reasoning"])]
            .compactMap { $0 }.filter { !$0.isEmpty }
        let reasoning = (separate + [split.reasoning].compactMap { $0 }).joined(separator: "\n")
        let usage = json["usage"]
        return ChatCompletion(
            content: split.answer, reasoning: reasoning.isEmpty ? nil : reasoning,
            finishReason: choice["finish_reason"]?.stringValue,
            promptTokens: usage?["prompt_tokens"]?.doubleValue.map { Int($0) },
            completionTokens: usage?["completion_tokens"]?.doubleValue.map { Int($0) },
            model: json["model"]?.stringValue)
    }

    /// Splits inline reasoning from an answer. Handles `<think>…</think>` before the answer, and
    /// the common form whose opening tag the server's template already consumed (`…</think>answer`).
    /// An opening tag with no closing one means the answer never came: all of it is reasoning.
    static func splitReasoning(_ content: String) -> (answer: String, reasoning: String?) {
        if let close = content.range(of: "</think>") {
            var thought = content[..<close.lowerBound]
            if let open = thought.range(of: "<think>") { thought = thought[open.upperBound...] }
            let answer = content[close.upperBound...]
            return (String(answer.drop { $0.isWhitespace }), trimmed(thought))
        }
        let start = content.drop { $0.isWhitespace }
        if start.hasPrefix("<think>") {
            return ("", trimmed(start.dropFirst("<think>".count)))
        }
        return (content, nil)
    }

    /// The message and code of an error body: `{"error": {"message", "code", "type"}}` (code a
    /// string or a number), `{"error": "text"}`, `{"object": "error", "message", "code"}`, or
    /// `{"detail": "text" | [{"msg": …}] | {…}}`. Nil when the body is none of these.
    static func error(_ json: JSONValue) -> (message: String, code: String?)? {
        if let error = json["error"] {
            if let message = error.stringValue { return (message, nil) }
            let code = scalar(error["code"]) ?? scalar(error["type"])
            let message = text(error["message"]) ?? scalar(error["type"]) ?? describe(error)
            return (message, code)
        }
        if json["object"]?.stringValue == "error" {
            return (text(json["message"]) ?? describe(json), scalar(json["code"]) ?? scalar(json["type"]))
        }
        if let detail = json["detail"] {
            if let message = detail.stringValue { return (message, nil) }
            if let items = detail.arrayValue {
                let messages = items.map { text($0["msg"]) ?? describe($0) }
                return (messages.joined(separator: "; "), nil)
            }
            return (text(detail["message"]) ?? describe(detail), scalar(detail["code"]))
        }
        return nil
    }

    /// The message and code of an error answer's body, or the body's start when it has no known shape.
    static func errorBody(_ body: Data) -> (message: String, code: String?, type: String?) {
        guard let json = try? JSONDecoder().decode(JSONValue.self, from: body) else {
            let text = preview(body)
            return (text.isEmpty ? "no error body" : text, nil, nil)
        }
        let type = json["error"]?["type"]?.stringValue ?? json["type"]?.stringValue
        guard let error = error(json) else { return (preview(body), nil, type) }
        return (error.message, error.code, type)
    }

    /// The model ids of a `GET /models` body (`{"data": [{"id"}]}`, or Ollama's `{"models": [{"name"}]}`).
    static func models(_ body: Data, url: String) throws(LLMError) -> [String] {
        guard let json = try? JSONDecoder().decode(JSONValue.self, from: body) else {
            throw LLMError(code: .malformed, url: url, message: "the model list is not JSON: \(preview(body))")
        }
        if let data = json["data"]?.arrayValue { return data.compactMap { $0["id"]?.stringValue } }
        if let models = json["models"]?.arrayValue { return models.compactMap { $0["name"]?.stringValue ?? $0["model"]?.stringValue } }
        throw LLMError(code: .malformed, url: url, message: "the model list has no data[]: \(preview(body))")
    }

    /// A message content: a string, or the text parts of a list of parts.
    private static func text(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text): return text
        case .array(let parts):
            let texts = parts.compactMap { $0["text"]?.stringValue ?? $0.stringValue }
            return texts.isEmpty ? nil : texts.joined()
        default: return nil
        }
    }

    private static func scalar(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text): return text
        case .number(let number): return number == number.rounded() ? String(Int(number)) : String(number)
        default: return nil
        }
    }

    private static func describe(_ value: JSONValue) -> String {
        (try? String(decoding: CanonicalJSON.data(value), as: UTF8.self)) ?? "unreadable error"
    }

    private static func trimmed(_ text: Substring) -> String? {
        let result = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return result.isEmpty ? nil : result
    }

    /// The first 200 characters of a body, on one line.
    static func preview(_ body: Data) -> String {
        let text = String(decoding: body.prefix(400), as: UTF8.self)
        return String(text.replacingOccurrences(of: "\n", with: " ").prefix(200))
    }
}
