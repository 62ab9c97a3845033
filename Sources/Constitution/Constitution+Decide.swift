import CrucibleCore

extension Constitution {
    /// Decides `action`: `deny` when an immutable constraint matches, `require_approval` when a
    /// supervised operation (or an immutable constraint with that effect) matches or when no
    /// autonomous operation allows it with its prerequisites met, `allow` otherwise. A command is
    /// split into its simple commands and each is decided; the strictest decision wins.
    ///
    /// Pure and fast: no I/O, matchers compiled at load, one pass over a text for every literal
    /// and static check, regular expressions run only on texts holding their literals (and,
    /// when their matches start with known literals, only where those occur), reasons put into
    /// words only for the rules the decision shows. The decision carries this constitution's digest.
    public func decide(_ action: Action) -> Decision {
        // A decision's working memory is on the stack, not allocated at every decision: where each literal occurs,
        // which patterns matched, which clauses' command patterns a simple command meets.
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: scanner.count) { literals in
            withUnsafeTemporaryAllocation(of: Int8.self, capacity: patterns.count) { results in
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: action.type == "command" ? clauseCount : 0) { flags in
                    var scratch = Scratch.of(action, literals: literals, results: results)
                    return decide(action, with: &scratch, flags: flags)
                }
            }
        }
    }

    /// `flags`: memory for a command's per-slot flags (see ``mark(_:_:_:programMatches:)``), uninitialized.
    private func decide(_ action: Action, with scratch: inout Scratch, flags: UnsafeMutableBufferPointer<UInt8>) -> Decision {
        let refs = clausesByType[action.type] ?? clausesForAnyType
        var hits: [Entry] = []
        var unallowed: [Unallowed] = []
        var allowedBy: [Entry] = []

        /// Tries `refs` on one part: records denials and approvals in `hits`; says whether an
        /// allow rule (with its evidence) matched, and what allow rules still want.
        /// `only`: for a simple command, the bits (see ``PartMasks``) of the clauses of `refs` it can meet; nil to look at each.
        func evaluate(_ refs: [ClauseRef], _ unit: Part?, only: UInt64? = nil) -> (hit: Bool, allowed: Bool, wanting: [Unallowed]) {
            let firstHit = hits.count  // this part's hits are hits[firstHit...]
            var allowed = false
            var wanting: [Unallowed] = []
            let hasText = scratch.text != nil, hasPaths = !scratch.paths.isEmpty
            var remaining = only ?? 0, position = -1
            while true {
                // The next clause: the next bit of `only`, or simply the next one.
                if only != nil {
                    if remaining == 0 { break }
                    position = remaining.trailingZeroBitCount
                    remaining &= remaining &- 1
                } else {
                    position += 1
                    if position == refs.count { break }
                }
                let ref = refs[position]
                let need = needs[ref.slot]
                if let unit {
                    if need & Need.commandPattern != 0, flags[ref.slot] == 0 { continue }
                    if need & Need.writes != 0, unit.command.writes.isEmpty { continue }
                    if need & Need.runsCode != 0, !unit.command.executesCode { continue }
                } else {
                    if need & Need.unit != 0 { continue }
                    if need & Need.text != 0, !hasText { continue }
                    if need & Need.paths != 0, !hasPaths { continue }
                }
                let effect = effects[ref.rule]
                if effect == .allow, allowed { continue }
                if effect != .allow, hits.count > firstHit, (firstHit..<hits.count).contains(where: { hits[$0].rule == ref.rule }) { continue }
                if need & Need.content != 0, !scratch.mayMatch(contentRanges[ref.slot], self) { continue }
                guard let why = match(clauses[ref.slot], strict: effect == .allow, action: action, unit: unit,
                                      flag: unit == nil ? 0 : flags[ref.slot], scratch: &scratch) else { continue }
                if effect == .allow {
                    if hasEvidence(ref.rule, action.evidence) {
                        allowed = true
                        if !allowedBy.contains(where: { $0.rule == ref.rule }) { allowedBy.append(Entry(rule: ref.rule, why: why)) }
                    } else {
                        wanting.append(.wanting(rule: ref.rule, why))
                    }
                } else {
                    hits.append(Entry(rule: ref.rule, why: why))
                }
            }
            return (hits.count > firstHit, allowed, wanting)
        }

        if action.type == "command" {
            let commands = ShellSplitter.split(action.command ?? "")
            scratch.decoded = commands.first { $0.runsDecodedData }?.text
            // What looks at the whole action (its line, the sandbox, the checks) is decided once;
            // what looks at a simple command (its program, the files it writes), once per part.
            let split = commandClauses
            let whole = evaluate(split.whole, nil)
            if commands.isEmpty { unallowed.append(.emptyCommand) }
            var wantingOnce = whole.wanting
            for command in commands {
                let part = Part(command)
                flags.initialize(repeating: 0)
                var marked: UInt64 = 0
                if let entries = commandIndex[part.command.program] {
                    // The patterns listed under a program all start with that one word: it is matched once.
                    if entries[0].pattern.matchesProgram(part.command) {
                        for index in entries.indices { marked |= mark(entries[index], part.command, flags, programMatches: true) }
                    }
                }
                if globPrograms.matchesAny(part.command.program) {
                    for index in globCommands.indices { marked |= mark(globCommands[index], part.command, flags) }
                }
                let only = partMasks?.candidates(marked: marked, writes: !part.command.writes.isEmpty, runsCode: part.command.executesCode)
                let result = evaluate(split.parts, part, only: only)
                if !result.hit, !result.allowed, !whole.allowed, !whole.hit {
                    // Appended one by one: no array is made for the one reason of the common case.
                    if wantingOnce.isEmpty, result.wanting.isEmpty {
                        unallowed.append(.noRuleAllowsCommand(part.command.text))
                    } else {
                        unallowed += wantingOnce
                        unallowed += result.wanting
                        wantingOnce = []
                    }
                }
            }
        } else {
            let result = evaluate(refs, nil)
            if !result.hit, !result.allowed {
                if result.wanting.isEmpty { unallowed.append(.noRuleAllowsType(action.type)) } else { unallowed += result.wanting }
            }
        }
        return decision(hits: hits, unallowed: unallowed, allowedBy: allowedBy, action: action)
    }

    /// Returns the clause's bit in ``PartMasks`` when its pattern matched, else 0.
    private func mark(_ entry: PatternRef, _ command: SimpleCommand, _ flags: UnsafeMutableBufferPointer<UInt8>,
                      programMatches: Bool? = nil) -> UInt64 {
        // A strict match is also a loose one, so the strict test runs only after a loose match.
        guard entry.pattern.matches(command, strict: false, programMatches: programMatches) else { return 0 }
        flags[entry.ref.slot] |= 1
        if entry.pattern.matches(command, strict: true, programMatches: true) { flags[entry.ref.slot] |= 2 }
        return partMasks?.bitOfSlot[entry.ref.slot] ?? 0
    }

    /// The decision of what matched; only here are the reasons it shows put into words.
    private func decision(hits: [Entry], unallowed: [Unallowed], allowedBy: [Entry], action: Action) -> Decision {
        let denying = hits.filter { effects[$0.rule] == .deny }
        if !denying.isEmpty { return make(.deny, denying, extra: [], action: action) }
        if !hits.isEmpty || !unallowed.isEmpty {
            let unallowed = unallowed.map { $0.text(self, action) }
            if hits.isEmpty, escalation.defaultAction == "deny" {
                return Decision(decision: .deny, rules: [], sentences: [], reasons: unallowed + ["escalation_policy.default_action is deny"],
                                constitution: digest)
            }
            // How to ask: as the first rule that asks says.
            return make(.requireApproval, hits, extra: unallowed, action: action, asking: hits.first?.rule)
        }
        return make(.allow, allowedBy, extra: [], action: action)
    }

    private func make(_ verdict: Decision.Verdict, _ entries: [Entry], extra: [String], action: Action, asking: Int? = nil) -> Decision {
        var ids: [String] = [], sentences: [String] = [], reasons: [String] = []
        let alone = entries.first.map { first in entries.allSatisfy { $0.rule == first.rule } } ?? false
        if alone {
            (ids, sentences) = ruleNamedAlone[entries[0].rule]
        } else {
            ids.reserveCapacity(entries.count)
            sentences.reserveCapacity(entries.count)
        }
        reasons.reserveCapacity(entries.count + extra.count)
        // One buffer for every reason: each is written into it and made a string of its own.
        var reason = TextBuilder(capacity: entries.isEmpty ? 0 : 160)
        for (index, entry) in entries.enumerated() {
            let id = ruleTexts[entry.rule].id
            // A rule is named once, at its first entry.
            if !alone, !entries[..<index].contains(where: { $0.rule == entry.rule }) {
                ids.append(id)
                sentences.append(ruleTexts[entry.rule].sentence)
            }
            reason.clear()
            reason.add(id)
            reason.add(": ")
            entry.why.append(to: &reason, self, action)
            reasons.append(reason.text)
        }
        reasons += extra
        let method = asking.flatMap { ruleTexts[$0].approvalMethod }, timeout = asking.flatMap { ruleTexts[$0].timeout }
        // `consume`: the arrays are handed over, where the optimizer otherwise retained each once more for the call.
        return Decision(decision: verdict, rules: consume ids, sentences: consume sentences, reasons: consume reasons,
                        constitution: digest, approvalMethod: consume method, timeout: timeout)
    }

    /// What a clause matched in `unit` (or the action), or nil when it does not match.
    /// `flag`: for a simple command, whether the clause's command patterns matched it (see ``mark(_:_:_:programMatches:)``).
    private func match(_ box: ClauseBox, strict: Bool, action: Action, unit: Part?, flag: UInt8,
                       scratch: inout Scratch) -> Why? {
        var why: Why?
        if box.clause.isAboutCommands {
            guard let unit else { return nil }
            if box.clause.commands != nil {
                guard flag & (strict ? 2 : 1) != 0 else { return nil }
                why = .command(unit.command.text)
            }
            if let wanted = box.clause.executesCode {
                guard unit.command.executesCode == wanted else { return nil }
                if wanted { why = .runsCode(unit.command.text) }
            }
            if let texts = box.clause.commandText {
                guard texts.contains(where: { scratch.matches(pattern: $0, in: unit.command.text, unit: true, self) }) else { return nil }
                why = why ?? .command(unit.command.text)
            }
        }
        if let wanted = box.clause.sandboxed {
            guard (action.sandboxed ?? false) == wanted else { return nil }
        }
        if let wanted = box.clause.inWorkspace {
            let paths = unit?.command.writes ?? scratch.paths
            let inside: Bool?
            if unit == nil, let declared = action.inWorkspace {
                inside = declared && !paths.contains(where: Action.isOutsideWorkspace)
            } else if unit != nil || !paths.isEmpty {
                inside = !paths.contains(where: Action.isOutsideWorkspace)
            } else {
                inside = nil
            }
            guard let inside else {
                if strict { return nil }
                return why ?? .placeNotGiven
            }
            guard inside == wanted else { return nil }
            if !wanted { why = why ?? .outside(paths) }
        }
        if let globs = box.paths {
            let path: String?
            if let unit {
                path = matchPaths(unit.command.writes, normalized: unit.normalizedWrites, globs, except: box.exceptPaths, strict: strict)
            } else {
                path = matchPaths(scratch.paths, normalized: scratch.normalizedPaths, globs, except: box.exceptPaths, strict: strict)
            }
            guard let path else { return nil }
            why = why ?? (unit == nil ? .plain(path) : .writes(unit!.command.text, path))
        }
        if let globs = box.targets {
            let targets = (action.target.map { [$0] } ?? []) + (action.paths ?? [])
            guard let path = matchPaths(targets, normalized: nil, globs, except: box.paths == nil ? box.exceptPaths : nil,
                                        strict: strict) else { return nil }
            why = why ?? .plain(path)
        }
        if let kinds = box.clause.kinds {
            if let kind = action.kind { guard kinds.contains(kind) else { return nil } } else if strict { return nil }
        }
        if let globs = box.operations {
            guard optional(action.operation ?? action.action, globs, strict: strict, lowercased: true) else { return nil }
            if action.operation ?? action.action != nil { why = why ?? .operation }
        }
        if let globs = box.services, !optional(action.service, globs, strict: strict) { return nil }
        if let globs = box.branches {
            guard optional(action.branch, globs, strict: strict) else { return nil }
            why = why ?? .push
        }
        if let purposes = box.clause.purposes {
            if let purpose = action.purpose { guard purposes.contains(purpose) else { return nil } } else if strict { return nil }
        }
        if let tools = box.clause.tools {
            if let tool = action.tool { guard tools.contains(tool) else { return nil } } else if strict { return nil }
        }
        if let contents = box.clause.content {
            guard scratch.text != nil, let index = contents.first(where: { scratch.matches(pattern: $0, self) }) else { return nil }
            why = .content(unit?.command.text, pattern: index)
        }
        if let checks = box.clause.checks {
            var found: String?
            for check in checks {
                if check == .obfuscatedExecution, let decoded = unit.flatMap({ $0.command.runsDecodedData ? $0.command.text : nil }) ?? scratch.decoded {
                    found = "`\(decoded)` runs decoded data"  // rare: only when the check matches
                    break
                }
                if let finding = scratch.findings(self).finding(for: check) {
                    found = finding
                    break
                }
            }
            guard let found else { return nil }
            why = .plain(found)
        }
        return why ?? (unit.map { .command($0.command.text) } ?? .action)
    }

    /// The first path that decides a match: for strict (allow) rules every path must match and none be
    /// excepted; otherwise one matching path that is not excepted is enough.
    /// `normalized`, when given, holds the paths already normalized.
    private func matchPaths(_ paths: [String], normalized: [String]?, _ globs: GlobSet, except: GlobSet?, strict: Bool) -> String? {
        guard !paths.isEmpty else { return nil }
        var first: String?
        for index in paths.indices {
            let raw = paths[index]
            let path = normalized?[index] ?? Self.normalized(raw)
            let hit = globs.matchesAny(path) && !(except?.matchesAny(path) ?? false)
            if hit {
                if !strict { return raw }
                first = first ?? raw
            } else if strict {
                return nil
            }
        }
        return first
    }

    private func optional(_ value: String?, _ globs: GlobSet, strict: Bool, lowercased: Bool = false) -> Bool {
        guard let value else { return !strict }
        return globs.matchesAny(lowercased ? value.lowercased() : value)
    }

    /// Whether `evidence` satisfies every entry of rule `index`'s `requires` (as ``Rule/missing(from:)`` is empty).
    private func hasEvidence(_ index: Int, _ evidence: [String]) -> Bool {
        evidenceOptions[index].allSatisfy { options in options.contains { option in evidence.contains { $0 == option } } }
    }

    /// Whether the literals `present` (per literal, its first position or -1) meet every requirement group of pattern
    /// `index`: one literal of each group occurs.
    func requirementsMet(_ index: Int, _ present: UnsafeBufferPointer<Int32>) -> Bool {
        let range = requirementRanges[index]
        var at = range.lowerBound
        while at < range.upperBound {
            let end = at + 1 + Int(requirementCode[at])
            var met = false
            for k in (at + 1)..<end where present[Int(requirementCode[k])] >= 0 {
                met = true
                break
            }
            if !met { return false }
            at = end
        }
        return true
    }

    /// How many anchored tries ``run(pattern:on:literals:)`` makes before it runs the expression on the whole text instead.
    static let maximumTries = 16

    /// Whether pattern `index` matches `text`, whose literals were found at `literals` (first occurrences).
    ///
    /// A pattern with start literals is tried only where they occur, when the text is long and ASCII (see
    /// ``ContentPattern/matches(ascii:at:)``); with none of them in the text it cannot match. Otherwise, or when they occur
    /// too often, it runs on the whole text. ASCII only: there a case-insensitive literal can only be spelled in ASCII (no
    /// `ſ` for `s`, no `K` for `k`), and offsets in bytes are offsets in UTF-16.
    func run(pattern index: Int, on text: String, literals: UnsafeBufferPointer<Int32>) -> Bool {
        let pattern = patterns[index]
        guard let starts = startLiterals[index], text.utf8.count > ContentPattern.window, text.utf8.count == text.utf16.count else {
            return pattern.matches(text)
        }
        var text = text
        let found: Bool? = text.withUTF8 { bytes in
            var tries = 0
            for literal in starts {
                var position = Int(literals[literal])
                while position >= 0 {
                    tries += 1
                    if tries > Self.maximumTries { return nil }
                    if pattern.matches(ascii: bytes, at: position) { return true }
                    position = scanner.next(literal, in: bytes, after: position)
                }
            }
            return false
        }
        return found ?? pattern.matches(text)
    }

    /// `./a/./b` → `a/b`, `a//b` → `a/b`.
    static func normalized(_ path: String) -> String {
        /// Whether `bytes` hold `./` or `//`, the only spellings normalizing changes.
        func needsWork(_ bytes: some Sequence<UInt8>) -> Bool {
            var previous: UInt8 = 0
            for byte in bytes {
                if byte == 47, previous == 46 || previous == 47 { return true }
                previous = byte
            }
            return false
        }
        // Over the bytes in place where the string has them so (a native one does): iterating the UTF-8 view is slower.
        let needed = path.utf8.withContiguousStorageIfAvailable(needsWork) ?? needsWork(path.utf8)
        guard needed else { return path }
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) where part != "." { parts.append(part) }
        return (path.hasPrefix("/") ? "/" : "") + parts.joined(separator: "/")
    }
}

/// Per-decision memory: the action's text and paths, which literals the text holds, which
/// patterns matched it, and the static checks' findings — each computed at most once, and only
/// when a rule asks.
struct Scratch {
    /// The command line of a command, else the content.
    let text: String?
    let paths: [String]
    /// ``paths``, each normalized (``Constitution/normalized(_:)``).
    let normalizedPaths: [String]
    /// A command: the first simple command that runs decoded data, if one does.
    var decoded: String?
    /// Per literal of the constitution's scanner: where it first occurs in the text, or -1; valid once scanned (`found`).
    private let literals: UnsafeMutableBufferPointer<Int32>
    /// Per pattern: whether it matched the text (1, 0), or -1 when not yet tried; valid once `tried`.
    private let results: UnsafeMutableBufferPointer<Int8>
    private var tried = false
    /// The last simple command's text whose literals were looked for, and where they are.
    private var unitText: String?
    private var unitLiterals: [Int32] = []
    /// The static checks' findings; set, with `literals`, by the one scan.
    private var found: StaticFindings?

    private init(text: String?, paths: [String], literals: UnsafeMutableBufferPointer<Int32>, results: UnsafeMutableBufferPointer<Int8>) {
        self.text = text
        self.paths = paths
        self.normalizedPaths = paths.map(Constitution.normalized)
        self.literals = literals
        self.results = results
    }

    /// A function rather than an initializer, so that the action is borrowed, not copied. `literals` (one per literal of
    /// the scanner) and `results` (one per pattern) are its memory, uninitialized, for as long as it is used.
    static func of(_ action: Action, literals: UnsafeMutableBufferPointer<Int32>, results: UnsafeMutableBufferPointer<Int8>) -> Scratch {
        Scratch(text: action.type == "command" ? action.command : action.content, paths: action.allPaths, literals: literals,
                results: results)
    }

    mutating func findings(_ constitution: Constitution) -> StaticFindings {
        if found == nil { scan(constitution) }
        return found!
    }

    /// Whether pattern `index` matches the action's text (memoized), or `other` when `unit`.
    mutating func matches(pattern index: Int, in other: String? = nil, unit: Bool = false, _ constitution: Constitution) -> Bool {
        if unit, let other {
            // A simple command's text is scanned once for all its patterns.
            if unitText != other {
                unitText = other
                unitLiterals = constitution.scanner.firstPositions(other)
            }
            return unitLiterals.withUnsafeBufferPointer { unitLiterals in
                constitution.requirementsMet(index, unitLiterals) && constitution.run(pattern: index, on: other, literals: unitLiterals)
            }
        }
        guard let text else { return false }
        if !tried {
            results.initialize(repeating: -1)
            tried = true
        }
        if results[index] >= 0 { return results[index] == 1 }
        if found == nil { scan(constitution) }
        let present = UnsafeBufferPointer(literals)
        let result = constitution.requirementsMet(index, present) && constitution.run(pattern: index, on: text, literals: present)
        results[index] = result ? 1 : 0
        return result
    }

    /// Whether one of `patterns` has its literals in the action's text: when none has, none can match, and the clause
    /// is passed over at once.
    mutating func mayMatch(_ patterns: Range<Int>, _ constitution: Constitution) -> Bool {
        guard text != nil else { return false }
        if found == nil { scan(constitution) }
        let present = UnsafeBufferPointer(literals)
        for index in patterns where constitution.requirementsMet(constitution.contentPatterns[index], present) { return true }
        return false
    }

    /// One pass over the text for both the patterns' literals and the static checks (the first to be asked runs it).
    private mutating func scan(_ constitution: Constitution) {
        let positions = literals
        positions.initialize(repeating: -1)
        var checks = StaticScanner.Scan(secrets: constitution.usesSecretsCheck, obfuscation: constitution.usesObfuscationCheck)
        let offset = constitution.checkWordsOffset
        var text = self.text ?? ""
        found = text.withUTF8 { b in
            constitution.scanner.forEachOccurrence(in: b) { index, i in
                if index >= offset {
                    checks.visit(index - offset, at: i, in: b)
                } else if positions[index] < 0 {
                    positions[index] = Int32(i)
                }
            }
            return checks.finish(b)
        }
    }

}

/// The simple command being decided, behind one reference: the decision loop hands it to every clause it tries, and a
/// `SimpleCommand` (four references) would be copied, each of them retained and released, at every hand-off.
final class Part {
    let command: SimpleCommand
    /// The files it writes, each normalized (``Constitution/normalized(_:)``) once for all the clauses that look.
    let normalizedWrites: [String]

    init(_ command: SimpleCommand) {
        self.command = command
        self.normalizedWrites = command.writes.map(Constitution.normalized)
    }
}

/// A rule that matched, and what it matched.
struct Entry {
    let rule: Int
    let why: Why
}

/// What a clause matched, kept in parts: most matches never show in a decision (a denial
/// hides the approvals, an allow the rules that wanted evidence), so they are put into words
/// (``text(_:_:)``) only for the reasons a decision carries.
enum Why {
    /// `` `TEXT` ``: a simple command.
    case command(String)
    /// `` `TEXT` runs code ``
    case runsCode(String)
    /// `a TYPE action whose place is not given`
    case placeNotGiven
    /// `P1, P2 outside the workspace`
    case outside([String])
    /// Words as they are: a path, a static check's finding.
    case plain(String)
    /// `` `TEXT` writes PATH ``
    case writes(String, String)
    /// `OPERATION DATABASE-OR-SERVICE`
    case operation
    /// `a push to BRANCH`
    case push
    /// `` `TEXT` matches /PATTERN/ ``, or `the content matches /PATTERN/`.
    case content(String?, pattern: Int)
    /// `a TYPE action`
    case action

    func text(_ constitution: Constitution, _ action: Action) -> String {
        var text = TextBuilder(capacity: estimatedCount)
        append(to: &text, constitution, action)
        return text.text
    }

    /// Bytes enough for the usual ``text(_:_:)``, so that a reason is written into one allocation.
    var estimatedCount: Int {
        switch self {
        case .command(let text), .runsCode(let text), .plain(let text): text.utf8.count + 16
        case .writes(let text, let path): text.utf8.count + path.utf8.count + 16
        case .content(let text, _): (text?.utf8.count ?? 0) + 96
        default: 64
        }
    }

    /// Appends ``text(_:_:)`` to `out` piece by piece: a decision writes each of its reasons into one buffer, where
    /// interpolation would build and copy one string per level.
    func append(to out: inout TextBuilder, _ constitution: Constitution, _ action: Action) {
        switch self {
        case .command(let text):
            out.add("`"); out.add(text); out.add("`")
        case .runsCode(let text):
            out.add("`"); out.add(text); out.add("` runs code")
        case .placeNotGiven:
            out.add("a "); out.add(action.type); out.add(" action whose place is not given")
        case .outside(let paths):
            out.add(paths.joined(separator: ", ")); out.add(" outside the workspace")
        case .plain(let text):
            out.add(text)
        case .writes(let text, let path):
            out.add("`"); out.add(text); out.add("` writes "); out.add(path)
        case .operation:
            // Piece by piece: interpolating and trimming made and copied two strings at every such decision.
            out.add(action.operation ?? action.action ?? "")
            if let target = action.database ?? action.service, !target.isEmpty {
                out.add(" ")
                out.add(target)
            }
        case .push:
            out.add("a push to "); out.add(action.branch ?? "a branch not given")
        case .content(let text, let index):
            if let text { out.add("`"); out.add(text); out.add("`") } else { out.add("the content") }
            out.add(" matches /"); out.add(constitution.patterns[index].source); out.add("/")
        case .action:
            out.add("a "); out.add(action.type); out.add(" action")
        }
    }
}

/// Why a part of an action needs a human when no rule denies or asks: put into words only when the decision shows it.
enum Unallowed {
    case emptyCommand
    case noRuleAllowsCommand(String)
    case noRuleAllowsType(String)
    /// An allow rule matched, but the evidence lacks some of what it requires.
    case wanting(rule: Int, Why)

    func text(_ constitution: Constitution, _ action: Action) -> String {
        switch self {
        case .emptyCommand: "the command is empty"
        case .noRuleAllowsCommand(let text): "no rule allows `\(text)`"
        case .noRuleAllowsType(let type): "no rule allows this \(type) action"
        case .wanting(let index, let why):
            "\(constitution.ruleTexts[index].id) would allow \(why.text(constitution, action)) once the evidence has "
                + constitution.rules[index].missing(from: action.evidence).joined(separator: ", ")
        }
    }
}

/// A text written piece by piece into one byte buffer and made a `String` once: a `String` grown by `+=` pays the
/// general append path at every piece.
struct TextBuilder {
    private var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    mutating func add(_ piece: String) { bytes.append(contentsOf: piece.utf8) }

    /// Empty again, its memory kept for the next text.
    mutating func clear() { bytes.removeAll(keepingCapacity: true) }

    var text: String { String(decoding: bytes, as: UTF8.self) }
}

