import Yams

/// Reads typed values from a Yams node tree, with errors that name the line and the key.
public struct YAMLReader: Sendable {
    public let file: String

    public init(file: String) { self.file = file }

    /// Parses `text`, the contents of `file`, into a node tree; nil for an empty document.
    /// - Throws: `ConfigError` naming the line and column of malformed YAML.
    public static func compose(_ text: String, file: String) throws(ConfigError) -> Node? {
        do {
            return try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw translate(error, file: file)
        } catch {
            throw ConfigError(file: file, message: "\(error)")
        }
    }

    public func error(_ node: Node, _ key: String, _ message: String) -> ConfigError {
        ConfigError(file: file, line: node.mark?.line, column: node.mark?.column, key: key, message: message)
    }

    public func mapping(_ node: Node, key: String?, allowed: Set<String>) throws(ConfigError) -> [String: Node] {
        guard case .mapping(let mapping) = node else {
            throw error(node, key ?? "(top level)", "expected a mapping of keys to values")
        }
        var result: [String: Node] = [:]
        for (keyNode, value) in mapping {
            let name = keyNode.string ?? ""
            let path = key.map { "\($0).\(name)" } ?? name
            guard allowed.contains(name) else {
                throw error(keyNode, path, "unknown key; expected one of \(allowed.sorted().joined(separator: ", "))")
            }
            guard result[name] == nil else { throw error(keyNode, path, "appears twice") }
            result[name] = value
        }
        return result
    }

    public func string(_ node: Node, key: String) throws(ConfigError) -> String {
        guard case .scalar(let scalar) = node else { throw error(node, key, "expected a single value") }
        return scalar.string
    }

    public func strings(_ node: Node, key: String) throws(ConfigError) -> [String] {
        switch node {
        case .scalar(let scalar): return [scalar.string]
        case .sequence(let sequence):
            var values: [String] = []
            for (index, item) in sequence.enumerated() { values.append(try string(item, key: "\(key)[\(index)]")) }
            return values
        default: throw error(node, key, "expected a list of strings")
        }
    }

    public func bool(_ node: Node, key: String) throws(ConfigError) -> Bool {
        guard case .scalar = node, let value = node.bool else { throw error(node, key, "expected true or false") }
        return value
    }

    public func double(_ node: Node, key: String) throws(ConfigError) -> Double {
        guard case .scalar = node, let value = node.float ?? node.int.map(Double.init), value.isFinite else {
            throw error(node, key, "expected a number")
        }
        return value
    }

    public func int(_ node: Node, key: String, min: Int) throws(ConfigError) -> Int {
        guard case .scalar = node, let value = node.int else { throw error(node, key, "expected a whole number") }
        guard value >= min else { throw error(node, key, "must be at least \(min)") }
        return value
    }

    public func choice<T: RawRepresentable & CaseIterable>(_ node: Node, key: String) throws(ConfigError) -> T where T.RawValue == String {
        let text = try string(node, key: key)
        guard let value = T(rawValue: text) else {
            throw error(node, key, "\"\(text)\" is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    public static func translate(_ error: YamlError, file: String) -> ConfigError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let detail = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            return ConfigError(file: file, line: mark.line, column: mark.column, message: "malformed YAML: \(detail)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ConfigError(file: file, line: context.mark.line, column: context.mark.column,
                               key: duplicates.joined(separator: ", "), message: "appears twice")
        default:
            return ConfigError(file: file, message: "malformed YAML: \(error)")
        }
    }
}
