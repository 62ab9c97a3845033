@testable import Constitution
import CrucibleCore
import Foundation
import Testing

/// Reading CONSTITUTION.yaml: strict, with errors naming the file, the line, the column and the key.
struct ConstitutionLoadingTests {
    private func error(_ yaml: String) -> ConfigError? {
        do {
            _ = try Constitution.parse(yaml, file: "C.yaml")
            return nil
        } catch {
            return error
        }
    }

    private let minimal = """
        immutable_constraints:
          - id: no_firewall
            rule: "Never touch the firewall"
            match:
              commands: [iptables]
        """

    @Test("a minimal constitution loads; nothing else is allowed, everything else waits for a human")
    func minimalLoads() throws {
        let constitution = try Constitution.parse(minimal, file: "C.yaml")
        #expect(constitution.rules.map(\.id) == ["no_firewall"])
        #expect(constitution.decide(Action(type: "command", command: "iptables -L")).decision == .deny)
        #expect(constitution.decide(Action(type: "command", command: "ls")).decision == .requireApproval)
    }

    @Test("default_action deny turns the unmatched into denials")
    func defaultDeny() throws {
        let constitution = try Constitution.parse(minimal + "\nescalation_policy:\n  default_action: deny\n", file: "C.yaml")
        #expect(constitution.decide(Action(type: "command", command: "ls")).decision == .deny)
    }

    @Test("malformed YAML names the line and column")
    func malformedYAML() throws {
        let found = try #require(error("immutable_constraints:\n  - id: [unclosed\n"))
        #expect(found.file == "C.yaml")
        #expect(found.line != nil && found.column != nil)
        #expect(found.description.contains("malformed YAML"))
    }

    @Test("an unknown key is an error naming its path and line", arguments: [
        ("immutable_constraint:\n  - id: x\n", "immutable_constraint", 1),
        ("immutable_constraints:\n  - id: x\n    rule: r\n    match:\n      comands: [ls]\n", "immutable_constraints[0].match.comands", 5),
        ("supervised_operations:\n  x:\n    rule: r\n    approvel_method: y\n    match: {actions: [a]}\n", "supervised_operations.x.approvel_method", 4),
    ])
    func unknownKeys(yaml: String, key: String, line: Int) throws {
        let found = try #require(error(yaml))
        #expect(found.key == key)
        #expect(found.line == line)
        #expect(found.description.contains("unknown key"))
    }

    @Test("invalid regular expressions and globs are refused at load", arguments: [
        ("content: ['(unclosed']", "invalid regular expression"),
        ("command_text: ['a[']", "invalid regular expression"),
        ("paths: ['src/[a-']", "unclosed `[`"),
        ("commands: ['git [push']", "unclosed `[`"),
        ("checks: [secret_sauce]", "is not one of hardcoded_secrets, obfuscated_execution"),
        ("kinds: [binary]", "is not one of prompt"),
        ("sandboxed: maybe", "expected true or false"),
        ("except_paths: [x]", "needs `paths` or `targets`"),
    ])
    func invalidMatchers(match: String, message: String) throws {
        let found = try #require(error("immutable_constraints:\n  - id: x\n    rule: r\n    match: {\(match)}\n"))
        #expect(found.description.contains(message), "\(found)")
        #expect(found.line == 4)
    }

    @Test("rules need an id, a sentence and a non-empty match; ids are unique", arguments: [
        ("immutable_constraints:\n  - \"Never do it\"\n", "a bare sentence cannot be checked"),
        ("immutable_constraints:\n  - rule: r\n    match: {actions: [a]}\n", "id: missing"),
        ("immutable_constraints:\n  - id: x\n    match: {actions: [a]}\n", "rule: missing"),
        ("immutable_constraints:\n  - id: x\n    rule: r\n", "match: missing"),
        ("immutable_constraints:\n  - id: x\n    rule: r\n    match: {}\n", "would match every action"),
        ("immutable_constraints:\n  - {id: x, rule: r, match: {actions: [a]}}\n  - {id: x, rule: r, match: {actions: [b]}}\n", "used twice"),
        ("immutable_constraints:\n  - {id: x, rule: r, effect: allow, match: {actions: [a]}}\n", "not one of deny, require_approval"),
        ("signature: \"sha256:abc\"\nimmutable_constraints:\n  - {id: x, rule: r, match: {actions: [a]}}\n", "detached"),
        ("audit_trail:\n  enabled: false\nimmutable_constraints:\n  - {id: x, rule: r, match: {actions: [a]}}\n", "cannot be turned off"),
        ("", "empty"),
    ])
    func invalidRules(yaml: String, message: String) throws {
        let found = try #require(error(yaml))
        #expect(found.description.contains(message), "\(found)")
    }

    @Test("regular expressions run only on texts holding their literals")
    func literalPrefilter() {
        #expect(RequiredLiterals.of(#"(?i)\bDROP\s+(DATABASE|TABLE)\b"#) == [["database", "table"], ["drop"]])
        #expect(RequiredLiterals.of(#"\b(iptables|ip6tables)\b"#) == [["iptables", "ip6tables"]])
        #expect(RequiredLiterals.of(#"(drop\s+(database|table)|truncate\s+table)"#) == [["database", "table", "truncate"]])
        #expect(RequiredLiterals.of(#"colou?r"#) == [["colo"]])
        #expect(RequiredLiterals.of(#"a|b"#) == nil)
        #expect(RequiredLiterals.of(#"(?:secret)?key"#) == [["key"]])
        let scanner = LiteralScanner(["drop", "table", "iptables"])
        #expect(scanner.scan("x = 1; DROP Table users") == [true, true, false])
        #expect(scanner.scan("") == [false, false, false])
    }

    @Test("signatures are Ed25519: the RFC 8032 test vector, and a changed byte fails")
    func signatures() throws {
        // RFC 8032, section 7.1, test 1: the empty message.
        let secret = Data([0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
                           0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60])
        let privateKey = secret.base64EncodedString()
        let publicKey = try Signing.publicKey(ofPrivateKey: privateKey)
        #expect(Data(base64Encoded: publicKey)!.map { String(format: "%02x", $0) }.joined()
            == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
        let signature = try Signing.sign(Data(), privateKey: privateKey)
        #expect(Data(base64Encoded: signature)!.map { String(format: "%02x", $0) }.joined()
            == "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
        #expect(Signing.verify(signature: signature, of: Data(), publicKey: publicKey))
        #expect(!Signing.verify(signature: signature, of: Data([0]), publicKey: publicKey))
        #expect(!Signing.verify(signature: "not base64", of: Data(), publicKey: publicKey))
    }

    @Test("a workspace's files: set up, verified, a one-byte change refused, the default without a file")
    func files() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("constitution-\(UUID().uuidString)").path
        let files = ConstitutionFiles(directory: directory)
        #expect(try files.load().digest == Constitution.standard.digest)
        let written = try files.setUp()
        #expect(written.count == 4)
        try files.verify()
        #expect(try files.load().digest == Constitution.standard.digest)
        let mode = try FileManager.default.attributesOfItem(atPath: files.privateKeyPath)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        var data = try Data(contentsOf: URL(fileURLWithPath: files.constitutionPath))
        data[10] ^= 0x20
        try data.write(to: URL(fileURLWithPath: files.constitutionPath))
        #expect(throws: ConfigError.self) { try files.verify() }
        #expect(throws: ConfigError.self) { try files.load() }
        #expect(throws: ConfigError.self) { try files.generateKeys() }
    }

    @Test("action JSON: unknown keys and wrong types are refused with the key named")
    func actionJSON() throws {
        let action = try Action.parse(json: Data(#"{"type": "patch", "kind": "code", "evidence": ["tests_pass"]}"#.utf8), file: "a.json")
        #expect(action.evidence == ["tests_pass"])
        #expect(throws: ConfigError.self) { try Action.parse(json: Data(#"{"type": "patch", "sandboxd": true}"#.utf8), file: "a.json") }
        #expect(throws: ConfigError.self) { try Action.parse(json: Data(#"{"type": "patch", "sandboxed": "yes"}"#.utf8), file: "a.json") }
        #expect(throws: ConfigError.self) { try Action.parse(json: Data(#"{"command": "ls"}"#.utf8), file: "a.json") }
        #expect(throws: ConfigError.self) { try Action.parse(json: Data("[1]".utf8), file: "a.json") }
        #expect(try action.digest() == Digest.sha256(try CanonicalJSON.string(action)))
    }

    @Test("an expression with start literals is tried only where they occur, with the answer of a run on the whole text")
    func anchoredTries() throws {
        #expect(StartLiterals.of(#"(?i)\b(drop\s+(database|table)|truncate\s+table)\b"#) == ["drop", "truncate"])
        #expect(StartLiterals.of(#"(?m)^from\s+os"#) == ["from"])
        #expect(StartLiterals.of(#"\bip\s+route"#) == nil, "two bytes are too few")
        #expect(StartLiterals.of(#"(^|\s)/etc/shadow\b"#) == nil)
        #expect(StartLiterals.of(#"(?<=x)abc"#) == nil)
        #expect(StartLiterals.of(#"abc\s+^def"#) == nil, "a ^ past the start")
        #expect(StartLiterals.of(#"(?x) drop"#) == nil)
        let yaml = #"""
            immutable_constraints:
              - id: x
                rule: r
                match:
                  - content: ['(?i)\b(drop\s+(database|table)|truncate\s+table)\b', '(?m)^from\s+os\s+import\b', '^import\s+os$',
                              '(?i)token\s*=\s*\S+$', 'abc(?=\s*xyz)', 'end\b']
            """#
        let constitution = try Constitution.parse(yaml, file: "C.yaml")
        let filler = String(repeating: "x = compute(value) + 1\n", count: 20)
        var texts: [String] = []
        for phrase in ["DROP TABLE users", "drop" + String(repeating: " ", count: 300) + "table", "drop tablex", "from os import path",
                       "import os", "token = abc123", "token = ", "abc   xyz", "abc" + String(repeating: " ", count: 400) + "xyz", "the end",
                       "endless", "truncate\ttable t"] {
            for cut in [0, 1, 200, 250, 255, 256, 257, filler.utf8.count] {
                let head = String(filler.utf8.prefix(cut))!
                texts.append(head + phrase + String(filler.utf8.dropFirst(cut))!)
                texts.append(head + phrase)
                texts.append(filler + head + phrase)
            }
        }
        for text in texts {
            let literals = constitution.scanner.firstPositions(text)
            for index in constitution.patterns.indices where constitution.startLiterals[index] != nil {
                #expect(literals.withUnsafeBufferPointer { constitution.run(pattern: index, on: text, literals: $0) }
                            == constitution.patterns[index].matches(text),
                        "/\(constitution.patterns[index].source)/ on \(text.suffix(60).debugDescription)")
            }
        }
    }

    @Test("the literal scanner finds what a plain search finds, two-byte literals and the last bytes too")
    func literalScanner() {
        let words = ["ab", "abc", "xyz", "zz", "token", "TOKEN_x", "q"]
        let scanner = LiteralScanner(words)
        for text in ["", "a", "ab", "zz", "xAbCx", "..zZ", "tokens and Token_X", "abcabc xyz", String(repeating: "-", count: 40) + "zz",
                     String(repeating: "ab", count: 30) + "xy" + "z"] {
            let lowered = Array(text.lowercased().utf8)
            let expected = words.map { word -> Int32 in
                let w = Array(word.lowercased().utf8)
                guard w.count >= 2, lowered.count >= w.count else { return -1 }
                for i in 0...(lowered.count - w.count) where Array(lowered[i..<(i + w.count)]) == w { return Int32(i) }
                return -1
            }
            #expect(scanner.firstPositions(text) == expected, "\(text)")
        }
        // Random literals and texts over a small alphabet, so that they occur often, overlap, and sit at the ends.
        var seed: UInt64 = 42
        func random(_ n: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(n))
        }
        // With each level of the SIMD prefilter (AVX2, SSSE3, where the processor has them) and without, over sixteen
        // positions at a time and the tail.
        let alphabet = Array("abcAB-_ ".utf8)
        for round in 0..<600 {
            let literals = (0..<(1 + random(8))).map { _ in String(decoding: (0..<(2 + random(4))).map { _ in alphabet[random(alphabet.count)] }, as: UTF8.self) }
            let text = String(decoding: (0..<random(300)).map { _ in alphabet[random(alphabet.count)] }, as: UTF8.self)
            let lowered = Array(text.lowercased().utf8)
            let expected = literals.map { word -> Int32 in
                let w = Array(word.lowercased().utf8)
                guard lowered.count >= w.count else { return -1 }
                for i in 0...(lowered.count - w.count) where Array(lowered[i..<(i + w.count)]) == w { return Int32(i) }
                return -1
            }
            let level = Int32(round % 3)
            #expect(LiteralScanner(literals, prefilter: level).firstPositions(text) == expected,
                    "\(literals) in \(text.debugDescription), prefilter level \(level)")
        }
    }

    @Test("glob sets and name tables answer as globs and dictionaries do")
    func globSetsAndNameTables() {
        let globs = ["*.db", "/etc/**", "CONSTITUTION.yaml", "**/.crucible/keys/**", "src/[a-c]*.py", "a?c", "**"].map { Glob($0) }
        for path in ["x.db", "dir/x.db", "/etc/hosts", "CONSTITUTION.yaml", "a/CONSTITUTION.yaml", "w/.crucible/keys/k", "src/b1.py",
                     "src/d.py", "abc", "a/c", "", "é.db"] {
            #expect(GlobSet(globs).matchesAny(path) == globs.contains { $0.matches(path) }, "\(path)")
            for (index, glob) in globs.enumerated() { #expect(GlobSet(globs).matches(index, path) == glob.matches(path), "\(path)") }
        }
        // `**/` may match nothing: its `/` is no part of the literal suffix a path must end with.
        #expect(Glob("**/.crucible/keys").matches(".crucible/keys") && Glob("a/**/b").matches("a/b") && Glob("**/x").matches("x"))
        #expect(GlobSet([Glob("**/.crucible/keys")]).matchesAny(".crucible/keys") && GlobSet([Glob("a/**/b")]).matchesAny("a/b"))
        #expect(!Glob("a/**/b").matches("a/c") && !Glob("*.db").matches("db") && Glob("*.db").matches(".db"))
        let table = NameTable(["ls": 1, "git": 2, "K": 3])
        #expect(table["ls"] == 1 && table["git"] == 2 && table["gi"] == nil && table[""] == nil)
        #expect(table["\u{212A}"] == 3, "the Kelvin sign is canonically K, as for a Dictionary")
    }

    @Test("a constitution with more command clauses than one mask holds decides each simple command as a small one does")
    func manyCommandClauses() throws {
        func constitution(tools: Int) throws -> Constitution {
            var yaml = "immutable_constraints:\n"
            for n in 0..<tools {
                yaml += "  - id: no_tool\(n)\n    rule: \"Never run tool\(n)\"\n    match:\n      commands: [tool\(n)]\n"
            }
            yaml += """
                autonomous_operations:
                  reading:
                    rule: "Listing is fine"
                    match:
                      commands: [ls, cat]
                """
            return try Constitution.parse(yaml, file: "C.yaml")
        }
        let small = try constitution(tools: 3), large = try constitution(tools: 70)
        #expect(small.partMasks != nil)
        #expect(large.partMasks == nil)
        for (line, verdict) in [("ls -la", Decision.Verdict.allow), ("tool2 -x", .deny), ("ls && tool1 | cat", .deny),
                                ("grep x y", .requireApproval)] {
            #expect(small.decide(Action(type: "command", command: line)).decision == verdict, "\(line)")
            #expect(large.decide(Action(type: "command", command: line)).decision == verdict, "\(line)")
        }
        let last = large.decide(Action(type: "command", command: "cat x; tool69 --all"))
        #expect(last.decision == .deny)
        #expect(last.rules == ["no_tool69"])
    }
}
