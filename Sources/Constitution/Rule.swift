import CrucibleCore

/// One rule of a constitution: its id, the sentence a human reads, the tier it sits in, and
/// the matcher that decides, by machine, which actions it is about.
public struct Rule: Sendable {
    /// The source documents' three tiers.
    public enum Tier: String, Sendable, CaseIterable {
        /// `immutable_constraints`: a match denies (or, with `effect: require_approval`, needs a human).
        case immutable = "immutable_constraints"
        /// `supervised_operations`: a match needs a human's approval.
        case supervised = "supervised_operations"
        /// `autonomous_operations`: a match allows, once every `requires` prerequisite is in the evidence.
        case autonomous = "autonomous_operations"
    }

    public var id: String
    public var sentence: String
    public var tier: Tier
    /// What a match decides: deny or require_approval for the first two tiers, allow for the third.
    public var effect: Decision.Verdict
    /// autonomous: the evidence each entry asks for; `a|b` is satisfied by either.
    public var requires: [String]
    /// supervised: how to ask, how long to wait (seconds), how many must approve.
    public var approvalMethod: String?
    public var timeout: Int?
    public var requiredApprovers: Int?
    /// `judge: model`: whether a match is put to the configured model ("does this action violate the
    /// principle? YES or NO"); without a model, or when it cannot be reached, the match stands.
    public var judged = false
    /// What the model is asked about (default: the rule's sentence).
    public var principle: String?
    /// Descriptive keys kept from the source (scope, rollback, validation, ...), shown by `explain`.
    public var notes: [(key: String, value: String)]
    /// The rule matches when any clause does.
    var clauses: [Clause]

    /// The number of ways the rule matches.
    public var clauseCount: Int { clauses.count }

    /// The evidence entries of `requires` that `evidence` does not satisfy.
    func missing(from evidence: [String]) -> [String] {
        requires.filter { entry in
            !entry.split(separator: "|").contains { option in evidence.contains { $0 == option } }
        }
    }
}

/// A clause, shared by reference so that the decision loop reads it without copying its fields, with its globs
/// compiled into sets.
final class ClauseBox: Sendable {
    let clause: Clause
    let paths: GlobSet?
    let exceptPaths: GlobSet?
    let targets: GlobSet?
    let operations: GlobSet?
    let services: GlobSet?
    let branches: GlobSet?

    init(_ clause: Clause) {
        self.clause = clause
        self.paths = clause.paths.map(GlobSet.init)
        self.exceptPaths = clause.exceptPaths.map(GlobSet.init)
        self.targets = clause.targets.map(GlobSet.init)
        self.operations = clause.operations.map(GlobSet.init)
        self.services = clause.services.map(GlobSet.init)
        self.branches = clause.branches.map(GlobSet.init)
    }
}

/// One way a rule matches: every field given must hold (a list holds when any of its entries does).
struct Clause: Sendable {
    var actions: Set<String>?
    var commands: [CommandPattern]?
    var commandText: [Int]?   // indices into the constitution's patterns
    var content: [Int]?
    var checks: [StaticCheck]?
    var paths: [Glob]?
    var exceptPaths: [Glob]?
    var targets: [Glob]?
    var kinds: Set<String>?
    var operations: [Glob]?
    var services: [Glob]?
    var branches: [Glob]?
    var purposes: Set<String>?
    var tools: Set<String>?
    var sandboxed: Bool?
    var inWorkspace: Bool?
    var executesCode: Bool?

    /// Whether the clause can apply to a command's simple commands (and so is tried once per each).
    var isAboutCommands: Bool { commands != nil || commandText != nil || executesCode != nil }
}

/// `iptables`, `ip route`, `git push`, `systemctl * firewalld`, `python* manage.py migrate`: a
/// program (by its file name) and words that must follow it. Each word is a glob.
/// A class, so that the decision loop hands one around with a single reference count.
final class CommandPattern: Sendable, CustomStringConvertible {
    let words: [Glob]
    let text: String
    /// ``words`` compiled together, and which of them are options (start with `-`): read in the hot loop.
    private let compiled: GlobSet
    private let isOption: [Bool]

    init(_ text: String) {
        self.text = text
        self.words = text.split(separator: " ").map { Glob(String($0)) }
        self.compiled = GlobSet(words)
        self.isOption = words.map { $0.pattern.hasPrefix("-") }
    }

    var description: String { text }

    /// The program word when it is a plain name (for the index), nil for a glob such as `python3*`.
    var literalProgram: String? {
        let first = words[0].pattern
        return first.contains(where: { "*?[".contains($0) }) ? nil : first
    }

    /// Whether `command` runs this pattern. `strict` (allow rules): the words follow the program
    /// at once, after its options. Otherwise (deny and approval rules): anywhere after it, in order,
    /// so `git -C repo push` is a push and `ip -6 route add` a route change.
    /// Whether the pattern's program word matches `command`'s program.
    func matchesProgram(_ command: SimpleCommand) -> Bool {
        compiled.matches(0, command.program)
    }

    /// `programMatches`: whether the program word matches `command`'s program, when already known.
    func matches(_ command: SimpleCommand, strict: Bool, programMatches: Bool? = nil) -> Bool {
        guard programMatches ?? matchesProgram(command) else { return false }
        var next = 1
        let arguments = command.arguments
        if strict {
            var index = arguments.startIndex
            while next < words.count {
                while index < arguments.endIndex, arguments[index].hasPrefix("-"), !isOption[next] { index += 1 }
                guard index < arguments.endIndex, compiled.matches(next, arguments[index]) else { return false }
                next += 1
                index += 1
            }
            return true
        }
        for argument in arguments where next < words.count {
            if compiled.matches(next, argument) { next += 1 }
        }
        return next == words.count
    }
}
