import Foundation

/// Something the engine or an agent is about to do, as the constitution sees it: data, decided
/// before it happens. Its JSON form (snake_case keys, one `type`) is what
/// `crucible constitution check` reads; see docs/constitution.md for one example per type.
public struct Action: Codable, Hashable, Sendable {
    /// `command`, `patch`, `file_delete`, `database`, `service`, `code_execution`, `git_push`,
    /// `config_update`, `research`, or any other word (an unknown type is decided like any other).
    public var type: String
    /// command: the command line, decided as a shell would run it.
    public var command: String?
    /// command, code_execution, patch: whether it runs (or is evaluated) inside the sandbox.
    public var sandboxed: Bool?
    /// patch: its kind (prompt, policy, routing, config, tools, code).
    public var kind: String?
    /// patch: the main file it changes.
    public var target: String?
    /// patch: every file it touches, when more than the target.
    public var paths: [String]?
    /// patch, config_update: the text it adds; database: the statement; code_execution: the code.
    public var content: String?
    /// file_delete, config_update: the file.
    public var path: String?
    /// file_delete, patch: whether every path is inside the agent's workspace (inferred from the
    /// paths when absent: absolute, `~` and `..` paths are outside).
    public var inWorkspace: Bool?
    /// database: DROP, DELETE_ALL, SELECT, MIGRATE, ...
    public var operation: String?
    public var database: String?
    /// service: stop, restart, remove, ...
    public var action: String?
    public var service: String?
    /// git_push: the branch pushed to.
    public var branch: String?
    public var remote: String?
    /// Why: bug_fix, feature, research, ... (matched by `purposes`).
    public var purpose: String?
    /// research: the tool used (web_search, file_read, database_query).
    public var tool: String?
    /// What has been established for the prerequisites (`requires`) of autonomous operations:
    /// tests_pass, no_regression, recorded, git_commit, ...
    public var evidence: [String]
    /// Free text for the human reading the decision or the approval request.
    public var description: String?

    public init(type: String, command: String? = nil, kind: String? = nil, target: String? = nil,
                paths: [String]? = nil, content: String? = nil, path: String? = nil, inWorkspace: Bool? = nil, sandboxed: Bool? = nil,
                operation: String? = nil, database: String? = nil, action: String? = nil, service: String? = nil,
                branch: String? = nil, remote: String? = nil, purpose: String? = nil, tool: String? = nil,
                evidence: [String] = [], description: String? = nil) {
        self.type = type
        self.command = command
        self.sandboxed = sandboxed
        self.kind = kind
        self.target = target
        self.paths = paths
        self.content = content
        self.path = path
        self.inWorkspace = inWorkspace
        self.operation = operation
        self.database = database
        self.action = action
        self.service = service
        self.branch = branch
        self.remote = remote
        self.purpose = purpose
        self.tool = tool
        self.evidence = evidence
        self.description = description
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case type, command, sandboxed, kind, target, paths, content, path
        case inWorkspace = "in_workspace"
        case operation, database, action, service, branch, remote, purpose, tool, evidence, description
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decode(String.self, forKey: .type)
        command = try c.decodeIfPresent(String.self, forKey: .command)
        sandboxed = try c.decodeIfPresent(Bool.self, forKey: .sandboxed)
        kind = try c.decodeIfPresent(String.self, forKey: .kind)
        target = try c.decodeIfPresent(String.self, forKey: .target)
        paths = try c.decodeIfPresent([String].self, forKey: .paths)
        content = try c.decodeIfPresent(String.self, forKey: .content)
        path = try c.decodeIfPresent(String.self, forKey: .path)
        inWorkspace = try c.decodeIfPresent(Bool.self, forKey: .inWorkspace)
        operation = try c.decodeIfPresent(String.self, forKey: .operation)
        database = try c.decodeIfPresent(String.self, forKey: .database)
        action = try c.decodeIfPresent(String.self, forKey: .action)
        service = try c.decodeIfPresent(String.self, forKey: .service)
        branch = try c.decodeIfPresent(String.self, forKey: .branch)
        remote = try c.decodeIfPresent(String.self, forKey: .remote)
        purpose = try c.decodeIfPresent(String.self, forKey: .purpose)
        tool = try c.decodeIfPresent(String.self, forKey: .tool)
        evidence = try c.decodeIfPresent([String].self, forKey: .evidence) ?? []
        description = try c.decodeIfPresent(String.self, forKey: .description)
    }

    /// The SHA-256 of the action's canonical JSON: what an approval is bound to.
    public func digest() throws -> String { try Digest.canonical(self) }

    /// Every file the action names: a patch's target and paths, a file's path.
    public var allPaths: [String] {
        var result: [String] = []
        if let target { result.append(target) }
        if let paths { result += paths.filter { $0 != target } }
        if let path { result.append(path) }
        return result
    }

    /// Whether `path` lies outside the workspace as far as its text tells: absolute, `~`, or `..`.
    public static func isOutsideWorkspace(_ path: String) -> Bool {
        guard let first = path.utf8.first else { return false }
        if first == UInt8(ascii: "/") || first == UInt8(ascii: "~") { return true }
        // A `..` segment anywhere.
        var segmentStart = true, dots = 0
        for byte in path.utf8 {
            if byte == UInt8(ascii: "/") {
                if segmentStart, dots == 2 { return true }
                segmentStart = true
                dots = 0
            } else if byte == UInt8(ascii: "."), segmentStart || dots > 0 {
                dots += 1
                segmentStart = false
            } else {
                segmentStart = false
                dots = 3
            }
        }
        return dots == 2
    }

    /// Reads an action from JSON, refusing unknown keys so that a misspelt field is not silently ignored.
    /// - Throws: `ConfigError` naming `file` and what is wrong.
    public static func parse(json data: Data, file: String) throws(ConfigError) -> Action {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            throw ConfigError(file: file, message: "not JSON: \(detail)")
        }
        guard let fields = object as? [String: Any] else {
            throw ConfigError(file: file, message: "expected a JSON object with a \"type\"")
        }
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        if let unknown = fields.keys.sorted().first(where: { !known.contains($0) }) {
            throw ConfigError(file: file, key: unknown, message: "unknown key; expected one of \(known.sorted().joined(separator: ", "))")
        }
        guard fields["type"] is String else { throw ConfigError(file: file, key: "type", message: "missing; say what the action is") }
        do {
            return try JSONDecoder().decode(Action.self, from: data)
        } catch let DecodingError.typeMismatch(type, context), let DecodingError.valueNotFound(type, context) {
            let key = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw ConfigError(file: file, key: key, message: "expected \(type == [String].self ? "a list of strings" : "\(type)")")
        } catch {
            throw ConfigError(file: file, message: "\(error)")
        }
    }
}
