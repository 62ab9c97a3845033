import CrucibleCore
import Foundation

/// A loaded constitution: its rules in the source documents' three tiers, its escalation policy
/// and audit trail settings, and the matchers compiled once for fast decisions.
///
/// Load one with ``parse(_:file:)`` (or ``standard``, the default compiled into the binary) and
/// ask it ``decide(_:)``.
public struct Constitution: Sendable {
    public let version: String
    public let rules: [Rule]
    public let escalation: EscalationPolicy
    public let auditTrail: AuditTrail
    /// The SHA-256 of the YAML text it was read from; every decision carries it.
    public let digest: String

    // Compiled once.
    let patterns: [ContentPattern]
    /// Finds the patterns' literals and, after them (from ``checkWordsOffset`` on), the static checks' words, so that one
    /// pass over a text serves both.
    let scanner: LiteralScanner
    let checkWordsOffset: Int
    /// Per pattern: its requirement groups, as indices into the scanner's literals, flattened so that the hot loop reads
    /// plain integers and counts no references: pattern p's groups are `requirementCode[requirementRanges[p]]`, each
    /// written as its length and then its literals (see ``requirementsMet(_:_:)``).
    let requirementRanges: [Range<Int>]
    let requirementCode: [Int32]
    /// Per pattern: the literals its matches start with (see ``StartLiterals``), as indices into the scanner's literals.
    let startLiterals: [[Int]?]
    /// Clauses as (rule, clause) pairs: those naming each action type, and those naming none.
    let clausesByType: NameTable<[ClauseRef]>
    let clausesForAnyType: [ClauseRef]
    /// Command patterns by literal program name, and those whose program is a glob.
    let commandIndex: NameTable<[PatternRef]>
    let globCommands: [PatternRef]
    /// Their programs, together: most simple commands run none of them, and are passed over with one test.
    let globPrograms: GlobSet
    let clauseCount: Int
    /// Every rule's clauses, flattened by slot, and every rule's effect: read in the hot loop
    /// without copying a `Rule`.
    let clauses: [ClauseBox]
    let effects: [Decision.Verdict]
    /// Per slot: what a clause needs to have any chance of matching (see ``Need``), so the
    /// decision loop skips the others at once.
    let needs: [UInt8]
    /// Per slot: where its content patterns are in ``contentPatterns`` (plain values, read in the hot loop with no
    /// reference counted).
    let contentRanges: [Range<Int>]
    let contentPatterns: [Int]
    /// For command actions: the clauses decided once for the whole line, and those decided
    /// once per simple command.
    let commandClauses: (whole: [ClauseRef], parts: [ClauseRef])
    /// The per-part clauses (``commandClauses``'s `parts`) as bits, for trying a simple command only against those it can
    /// meet; nil when there are more than 64 of them.
    let partMasks: PartMasks?
    /// Per rule: what a decision quotes of it, read without copying the `Rule`.
    let ruleTexts: [(id: String, sentence: String, approvalMethod: String?, timeout: Int?)]
    /// Per rule: its id and its sentence, each alone in an array, for a decision that names that one rule (most that
    /// name any): shared, where two arrays would be made at every such decision.
    let ruleNamedAlone: [(ids: [String], sentences: [String])]
    /// Per rule: its `requires` entries, each as the evidence that satisfies it (`a|b`: either).
    let evidenceOptions: [[[Substring]]]

    enum Need {
        static let commandPattern: UInt8 = 1
        static let writes: UInt8 = 2
        static let runsCode: UInt8 = 4
        static let unit: UInt8 = 8
        static let text: UInt8 = 16
        static let paths: UInt8 = 32
        /// Content patterns: the clause cannot match unless one of them has its literals in the text.
        static let content: UInt8 = 64

        static func of(_ c: Clause) -> UInt8 {
            var need: UInt8 = 0
            if c.commands != nil { need |= commandPattern }
            if c.paths != nil, c.commands == nil, c.commandText == nil, c.executesCode == nil { need |= writes }
            if c.executesCode == true { need |= runsCode }
            if c.isAboutCommands { need |= unit }
            if c.content != nil || c.checks != nil { need |= text }
            if c.paths != nil || c.targets != nil { need |= paths }
            if c.content != nil { need |= content }
            return need
        }

        /// Whether a clause looks at a simple command (its program, what it writes) rather than the whole line.
        static func isPerPart(_ c: Clause) -> Bool {
            c.isAboutCommands || c.paths != nil || c.inWorkspace != nil
        }
    }
    let usesSecretsCheck: Bool
    let usesObfuscationCheck: Bool
    /// This constitution without its judged rules (see ``withoutJudgedRules``); nil when it has none.
    let unjudged: Unjudged?

    /// A constitution held by reference, so that one can hold another.
    final class Unjudged: Sendable {
        let constitution: Constitution
        init(_ constitution: Constitution) { self.constitution = constitution }
    }

    /// Bit k stands for clause k of ``commandClauses``'s `parts`.
    struct PartMasks: Sendable {
        /// Every part clause.
        let all: UInt64
        /// Those that need one of their command patterns to match (``Need/commandPattern``), files written
        /// (``Need/writes``), or code run (``Need/runsCode``).
        let pattern: UInt64
        let writes: UInt64
        let runsCode: UInt64
        /// Per slot: its bit, or 0 for a clause that is not a part clause.
        let bitOfSlot: [UInt64]

        init?(_ parts: [ClauseRef], needs: [UInt8], slots: Int) {
            guard parts.count <= 64 else { return nil }
            var all: UInt64 = 0, pattern: UInt64 = 0, writes: UInt64 = 0, runsCode: UInt64 = 0
            var bitOfSlot = [UInt64](repeating: 0, count: slots)
            for (k, ref) in parts.enumerated() {
                let bit: UInt64 = 1 << UInt64(k)
                let need = needs[ref.slot]
                all |= bit
                if need & Need.commandPattern != 0 { pattern |= bit }
                if need & Need.writes != 0 { writes |= bit }
                if need & Need.runsCode != 0 { runsCode |= bit }
                bitOfSlot[ref.slot] = bit
            }
            (self.all, self.pattern, self.writes, self.runsCode, self.bitOfSlot) = (all, pattern, writes, runsCode, bitOfSlot)
        }

        /// The clauses a simple command can meet: `marked`, the bits of those whose command patterns it matched.
        func candidates(marked: UInt64, writes hasWrites: Bool, runsCode: Bool) -> UInt64 {
            all & ~((pattern & ~marked) | (hasWrites ? 0 : writes) | (runsCode ? 0 : self.runsCode))
        }
    }

    struct ClauseRef: Sendable {
        let rule: Int
        let clause: Int
        /// Position in a decision's per-clause scratch space.
        let slot: Int
    }

    struct PatternRef: Sendable {
        let ref: ClauseRef
        let pattern: CommandPattern
    }

    /// How a decision that needs a human goes on.
    public struct EscalationPolicy: Sendable, Hashable {
        /// What nothing matched means: `request_approval` (the default) or `deny`.
        public var defaultAction: String = "request_approval"
        /// What a request nobody answered in time becomes: `abort` (the default) or `deny`.
        public var fallbackOnTimeout: String = "abort"
        public var emergencyContact: String?
        public init() {}
    }

    /// Where the audit trail lives and what it alerts on. Crucible's trail is its ledger.
    public struct AuditTrail: Sendable, Hashable {
        public var enabled = true
        public var storage = "ledger"
        public var retentionDays: Int?
        public var logLevel: String?
        public var alertOn: [String] = []
        public init() {}
    }

    init(version: String, rules: [Rule], escalation: EscalationPolicy, auditTrail: AuditTrail, digest: String,
         patterns: [ContentPattern]) {
        self.version = version
        self.rules = rules
        self.escalation = escalation
        self.auditTrail = auditTrail
        self.digest = digest
        self.patterns = patterns

        var literals: [String] = []
        var literalIndex: [String: Int] = [:]
        func index(_ literal: String) -> Int {
            if let index = literalIndex[literal] { return index }
            literals.append(literal)
            literalIndex[literal] = literals.count - 1
            return literals.count - 1
        }
        var requirementRanges: [Range<Int>] = [], requirementCode: [Int32] = []
        for pattern in patterns {
            let start = requirementCode.count
            for group in pattern.required {
                requirementCode.append(Int32(group.count))
                requirementCode += group.map { Int32(index($0)) }
            }
            requirementRanges.append(start..<requirementCode.count)
        }
        self.requirementRanges = requirementRanges
        self.requirementCode = requirementCode
        self.startLiterals = patterns.map { pattern in pattern.starts?.map(index) }

        var byType: [String: [ClauseRef]] = [:]
        var anyType: [ClauseRef] = []
        var index: [String: [PatternRef]] = [:]
        var globs: [PatternRef] = []
        var slot = 0
        var secrets = false, obfuscation = false
        var flat: [ClauseBox] = []
        for (r, rule) in rules.enumerated() {
            for (c, clause) in rule.clauses.enumerated() {
                let ref = ClauseRef(rule: r, clause: c, slot: slot)
                slot += 1
                flat.append(ClauseBox(clause))
                if let actions = clause.actions {
                    for type in actions { byType[type, default: []].append(ref) }
                } else {
                    anyType.append(ref)
                }
                for pattern in clause.commands ?? [] {
                    if let program = pattern.literalProgram {
                        index[program, default: []].append(PatternRef(ref: ref, pattern: pattern))
                    } else {
                        globs.append(PatternRef(ref: ref, pattern: pattern))
                    }
                }
                secrets = secrets || clause.checks?.contains(.hardcodedSecrets) == true
                obfuscation = obfuscation || clause.checks?.contains(.obfuscatedExecution) == true
            }
        }
        // Keep every type's list in rule order, the type-free clauses merged in.
        for (type, refs) in byType {
            byType[type] = (refs + anyType).sorted { ($0.rule, $0.clause) < ($1.rule, $1.clause) }
        }
        self.clausesByType = NameTable(byType)
        self.clausesForAnyType = anyType
        self.commandIndex = NameTable(index)
        self.globCommands = globs
        self.globPrograms = GlobSet(globs.map { $0.pattern.words[0] })
        self.clauseCount = slot
        self.clauses = flat
        self.effects = rules.map(\.effect)
        self.needs = flat.map { Need.of($0.clause) }
        var contentPatterns: [Int] = []
        self.contentRanges = flat.map { box in
            let start = contentPatterns.count
            contentPatterns += box.clause.content ?? []
            return start..<contentPatterns.count
        }
        self.contentPatterns = contentPatterns
        let commandRefs = byType["command"] ?? anyType
        self.commandClauses = (commandRefs.filter { !Need.isPerPart(flat[$0.slot].clause) }, commandRefs.filter { Need.isPerPart(flat[$0.slot].clause) })
        self.partMasks = PartMasks(commandClauses.parts, needs: needs, slots: slot)
        self.ruleTexts = rules.map { ($0.id, $0.sentence, $0.approvalMethod, $0.timeout) }
        self.ruleNamedAlone = rules.map { ([$0.id], [$0.sentence]) }
        self.evidenceOptions = rules.map { rule in rule.requires.map { $0.split(separator: "|") } }
        self.usesSecretsCheck = secrets
        self.usesObfuscationCheck = obfuscation
        self.checkWordsOffset = literals.count
        self.scanner = LiteralScanner(literals + (secrets || obfuscation ? StaticScanner.words : []))
        // Compiled once here, not at every decision a judge clears: compiling costs as much as thousands of decisions.
        let unjudged = rules.filter { !$0.judged }
        self.unjudged = unjudged.count == rules.count ? nil
            : Unjudged(Constitution(version: version, rules: unjudged, escalation: escalation, auditTrail: auditTrail, digest: digest,
                                    patterns: patterns))
    }

    /// The rule with `id`.
    public func rule(_ id: String) -> Rule? {
        rules.first { $0.id == id }
    }

    /// The default constitution, compiled into the binary: the source documents' own.
    public static let standard: Constitution = {
        do {
            return try parse(defaultText, file: "(built-in CONSTITUTION.yaml)")
        } catch {
            fatalError("the built-in constitution does not load: \(error)")
        }
    }()
}

/// A read-only table from names to values for the decision loop's hot lookups (a program's traits, the command
/// patterns naming it, an action type's clauses): the same answers as a `Dictionary`, without hashing every name
/// with SipHash.
///
/// An ASCII name is hashed with FNV-1a over its bytes and found by linear probing in a table at most half full; for
/// ASCII, equal bytes and equal strings are the same thing. A name with any other byte goes to the `Dictionary`, since
/// a non-ASCII string can equal an ASCII one (U+212A KELVIN SIGN is canonically `K`); so does every name when a key is
/// not ASCII. The keys are fixed at load, so
/// a name chosen to collide costs at most the probes of one cluster of a half-empty table.
struct NameTable<Value: Sendable>: Sendable {
    private let keys: [String?]
    private let values: [Value?]
    private let mask: Int
    private let dictionary: [String: Value]
    private let keysAreASCII: Bool

    init(_ dictionary: [String: Value]) {
        var capacity = 16
        while capacity < dictionary.count * 2 { capacity *= 2 }
        var keys = [String?](repeating: nil, count: capacity)
        var values = [Value?](repeating: nil, count: capacity)
        var keysAreASCII = true
        for (key, value) in dictionary {
            var key = key
            guard let hash = key.withUTF8(Self.asciiHash) else {
                keysAreASCII = false
                continue
            }
            var slot = hash & (capacity - 1)
            while keys[slot] != nil { slot = (slot + 1) & (capacity - 1) }
            keys[slot] = key
            values[slot] = value
        }
        self.keys = keys
        self.values = values
        self.mask = capacity - 1
        self.dictionary = dictionary
        self.keysAreASCII = keysAreASCII
    }

    subscript(name: String) -> Value? {
        var name = name
        guard keysAreASCII, let hash = name.withUTF8(Self.asciiHash) else { return dictionary[name] }
        var slot = hash & mask
        while let key = keys[slot] {
            if key == name { return values[slot] }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// FNV-1a of `bytes`, or nil when one of them is not ASCII.
    private static func asciiHash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var all: UInt8 = 0
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            all |= byte
        }
        guard all < 0x80 else { return nil }
        return Int(truncatingIfNeeded: hash ^ (hash >> 32))
    }
}
