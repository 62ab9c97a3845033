import CScan
import Foundation

/// The built-in static checks a rule names under `checks:`, run over patch content, code and
/// command lines in one pass over the bytes:
///
/// - `hardcoded_secrets`: a literal assigned to a name that says password, secret, token or key;
///   private key blocks; the fixed shapes of cloud and forge tokens (AWS, GitHub, GitLab, OpenAI,
///   Stripe, Slack, Google, Hugging Face, npm, JWTs); passwords inside URLs.
/// - `obfuscated_execution`: exec/eval of decoded data (base64, hex, zlib, marshal, rot13,
///   `chr()` chains, `atob`); `__import__`/`import_module` of os, subprocess and the like, or of a
///   computed name; exec reached through `__builtins__`; decoded data piped into a shell.
///
/// A finding says what and where (line), never the secret itself.
public enum StaticCheck: String, CaseIterable, Sendable, Hashable {
    case hardcodedSecrets = "hardcoded_secrets"
    case obfuscatedExecution = "obfuscated_execution"
}

/// What the static checks found in one text.
struct StaticFindings {
    var secret: String?
    var obfuscated: String?

    func finding(for check: StaticCheck) -> String? {
        switch check {
        case .hardcodedSecrets: secret
        case .obfuscatedExecution: obfuscated
        }
    }
}

enum StaticScanner {
    private enum Trigger {
        case secretName, privateKeyBlock, fixedToken, urlPassword, execCall, dynamicImport, builtins, shellDecode
    }

    private struct Literal {
        let bytes: [UInt8]  // lowercased
        let trigger: Trigger
    }

    private static let literals: [Literal] = {
        var list: [Literal] = []
        func add(_ words: [String], _ trigger: Trigger) { for w in words { list.append(Literal(bytes: Array(w.utf8), trigger: trigger)) } }
        add(["pass", "pwd", "secret", "token", "api_key", "apikey", "api-key", "access_key", "private_key", "credential",
             "auth_key", "bearer"], .secretName)
        add(["-----begin"], .privateKeyBlock)
        add(["akia", "asia", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "sk-", "sk_live_", "sk_test_", "rk_live_",
             "xoxa-", "xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxr-", "aiza", "eyj", "glpat-", "hf_", "npm_"], .fixedToken)
        add(["://"], .urlPassword)
        add(["exec", "eval"], .execCall)
        add(["__import__", "import_module"], .dynamicImport)
        add(["__builtins__"], .builtins)
        add(["base64"], .shellDecode)
        return list
    }()

    /// The words the checks look for, in the order of ``literals``: a ``LiteralScanner`` reports them by index in this list.
    /// Each has three bytes or more, so that a scanner reports those found at one position in this order.
    static let words: [String] = literals.map { String(decoding: $0.bytes, as: UTF8.self) }

    /// The checks over one text, fed every occurrence of ``words`` in it by position (and at one position in word order),
    /// as a ``LiteralScanner`` reports them: each check keeps its first finding.
    struct Scan {
        let secrets: Bool
        let obfuscation: Bool
        private var findings = StaticFindings()
        /// Where exec/eval is called on something not decoded on the spot.
        private var execCalls: [Int] = []

        init(secrets: Bool, obfuscation: Bool) {
            self.secrets = secrets
            self.obfuscation = obfuscation
        }

        /// At word `index` of ``words``, found at byte `i` of `b`.
        mutating func visit(_ index: Int, at i: Int, in b: UnsafeBufferPointer<UInt8>) {
            guard b.count >= 2 else { return }
            switch StaticScanner.literals[index].trigger {
            case .secretName where secrets && findings.secret == nil:
                findings.secret = secretAssignment(b, i, StaticScanner.literals[index].bytes.count)
            case .privateKeyBlock where secrets && findings.secret == nil:
                if contains(b, from: i, within: 60, "PRIVATE KEY-----") {
                    findings.secret = "a private key block at line \(line(b, i))"
                }
            case .fixedToken where secrets && findings.secret == nil:
                findings.secret = fixedToken(b, i).map { "\($0) at line \(line(b, i))" }
            case .urlPassword where secrets && findings.secret == nil:
                if urlPassword(b, i) { findings.secret = "a password inside a URL at line \(line(b, i))" }
            case .execCall where obfuscation && findings.obfuscated == nil:
                if let argument = callArgument(b, i, StaticScanner.literals[index].bytes.count), !argument.isEmpty {
                    if decodes(b, argument) {
                        findings.obfuscated = "\(String(decoding: b[i..<(i + 4)], as: UTF8.self)) of decoded data at line \(line(b, i))"
                    } else {
                        execCalls.append(i)
                    }
                }
            case .dynamicImport where obfuscation && findings.obfuscated == nil:
                if let argument = callArgument(b, i, StaticScanner.literals[index].bytes.count), dangerousImport(b, argument) {
                    findings.obfuscated = "a dynamic import of a system module at line \(line(b, i))"
                }
            case .builtins where obfuscation && findings.obfuscated == nil:
                let after = i + StaticScanner.literals[index].bytes.count
                var before = i
                while before > 0, b[before - 1] == 32 { before -= 1 }
                let viaGetattr = before >= 8 && String(decoding: b[(before - 8)..<before], as: UTF8.self) == "getattr("
                if viaGetattr || (after < b.count && (b[after] == UInt8(ascii: "[") || b[after] == UInt8(ascii: "."))) {
                    findings.obfuscated = "code reached through __builtins__ at line \(line(b, i))"
                }
            case .shellDecode where obfuscation && findings.obfuscated == nil:
                if shellDecodePipe(b, i) { findings.obfuscated = "base64-decoded data piped into a shell at line \(line(b, i))" }
            default:
                break
            }
        }

        /// The findings, once every word has been visited.
        mutating func finish(_ b: UnsafeBufferPointer<UInt8>) -> StaticFindings {
            guard b.count >= 2 else { return StaticFindings() }
            // exec/eval of a variable, with a decoder in the same text: the two-step form.
            if obfuscation, findings.obfuscated == nil, let first = execCalls.first, decodes(b, 0..<b.count) {
                findings.obfuscated = "exec/eval of data decoded in the same text at line \(line(b, first))"
            }
            return findings
        }
    }

    // MARK: Helpers

    @inline(__always) private static func lower(_ c: UInt8) -> UInt8 {
        c >= 65 && c <= 90 ? c | 0x20 : c
    }

    @inline(__always) private static func isIdentifier(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || (c | 0x20 >= 97 && c | 0x20 <= 122) || c == 95 || c == 45
    }

    @inline(__always) private static func isAlphanumeric(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || (c | 0x20 >= 97 && c | 0x20 <= 122)
    }

    private static func line(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        // A finding deep in a long text counts thousands of bytes: sixteen at a time (the compiler's own vector loop
        // took four instructions a byte).
        guard let bytes = b.baseAddress, i > 0 else { return 1 }
        return 1 + cscan_count_byte(bytes, min(i, b.count), 10)
    }

    private static func contains(_ b: UnsafeBufferPointer<UInt8>, from: Int, within: Int, _ needle: String) -> Bool {
        let n = Array(needle.utf8)
        let end = min(b.count - n.count, from + within)
        guard end >= from else { return false }
        outer: for s in from...end {
            for k in 0..<n.count where b[s + k] != n[k] { continue outer }
            return true
        }
        return false
    }

    static let secretSuffixes: [[UInt8]] = ["password", "passwd", "pwd", "pass", "passphrase", "secret", "secret_key", "secretkey",
                                            "token", "api_key", "apikey", "api-key", "access_key", "accesskey", "private_key",
                                            "privatekey", "credential", "credentials", "auth_key", "client_secret", "bearer"]
        .map { Array($0.utf8) }
    static let weakNames: [[UInt8]] = ["token"].map { Array($0.utf8) }
    /// Per byte: the indices of the ``secretSuffixes`` that end in it, so that a name is compared only with those.
    static let suffixesEndingIn: [[Int]] = {
        var table = [[Int]](repeating: [], count: 256)
        for (index, suffix) in secretSuffixes.enumerated() { table[Int(suffix.last!)].append(index) }
        return table
    }()

    /// At a secret-sounding word: is it the end of a name assigned a literal that looks like a secret?
    private static func secretAssignment(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ length: Int) -> String? {
        var start = i
        while start > 0, isIdentifier(b[start - 1]) { start -= 1 }
        var end = i + length
        while end < b.count, isIdentifier(b[end]) { end += 1 }
        // The assignment: optional closing quote of a key, spaces, `=`, `:`, `:=`, `=>`, `+=`, spaces.
        var k = end
        if k < b.count, b[k] == 34 || b[k] == 39 || b[k] == 93 { k += 1 }
        while k < b.count, b[k] == 32 || b[k] == 9 { k += 1 }
        guard k < b.count else { return nil }
        if b[k] == 58, k + 1 < b.count, b[k + 1] == 61 { k += 2 }
        else if b[k] == 61, k + 1 < b.count, b[k + 1] == 62 { k += 2 }
        else if b[k] == 61 || b[k] == 58 {
            if k + 1 < b.count, b[k + 1] == 61 { return nil }  // `==`: a comparison
            k += 1
        } else { return nil }
        while k < b.count, b[k] == 32 || b[k] == 9 { k += 1 }
        guard k < b.count else { return nil }
        // Only now (rarely) the name: does it end in a secret-sounding word?
        func endsWith(_ suffix: [UInt8]) -> Bool {
            guard end - start >= suffix.count else { return false }
            for j in 0..<suffix.count where lower(b[end - suffix.count + j]) != suffix[j] { return false }
            return true
        }
        // Most names (`tokens`, `password_hint`) end in no suffix at all: the last byte rules out nearly every suffix at once.
        guard let index = suffixesEndingIn[Int(lower(b[end - 1]))].first(where: { endsWith(secretSuffixes[$0]) }) else { return nil }
        let weak = secretSuffixes[index] == weakNames[0]
        if b[k] | 0x20 == 98 || b[k] | 0x20 == 114 || b[k] | 0x20 == 117, k + 1 < b.count, b[k + 1] == 34 || b[k + 1] == 39 { k += 1 }
        let value: ArraySlice<UInt8>
        let quoted: Bool
        if b[k] == 34 || b[k] == 39 || b[k] == 96 {
            let quote = b[k]
            var e = k + 1
            while e < b.count, b[e] != quote, b[e] != 10, e - k < 300 { e += 1 }
            guard e < b.count, b[e] == quote else { return nil }
            value = Array(b[(k + 1)..<e])[...]
            quoted = true
        } else {
            var e = k
            while e < b.count, b[e] != 10, b[e] != 32, b[e] != 9, b[e] != 35, b[e] != 44, b[e] != 59, b[e] != 13 { e += 1 }
            value = Array(b[k..<e])[...]
            quoted = false
        }
        guard looksSecret(value, quoted: quoted, weak: weak) else { return nil }
        return "a hard-coded secret in `\(String(decoding: b[start..<end], as: UTF8.self))` at line \(line(b, i))"
    }

    static let placeholders: [[UInt8]] = ["your", "example", "placeholder", "dummy", "redacted", "changeme", "change_me", "xxxx",
                                          "****", "...", "<", "{{", "${", "$(", "%(", "env:", "none", "null", "todo", "fixme",
                                          "secret", "password", "token", "test"].map { Array($0.utf8) }

    private static func looksSecret(_ value: ArraySlice<UInt8>, quoted: Bool, weak: Bool) -> Bool {
        guard value.count >= (quoted ? 4 : 8), value.count <= 300 else { return false }
        let lowered = value.map(lower)
        // A placeholder at the start, or (four bytes or more) anywhere: compared in place, without a copy per position.
        func holds(_ placeholder: [UInt8], at s: Int) -> Bool {
            for k in 0..<placeholder.count where lowered[s + k] != placeholder[k] { return false }
            return true
        }
        for placeholder in placeholders where lowered.count >= placeholder.count {
            if holds(placeholder, at: 0) { return false }
            if placeholder.count >= 4 {
                for s in 0...(lowered.count - placeholder.count) where holds(placeholder, at: s) { return false }
            }
        }
        if value.first == 36 { return false }  // $VAR
        if value.contains(32) { return false }
        let digits = value.contains { $0 >= 48 && $0 <= 57 }
        let upper = value.contains { $0 >= 65 && $0 <= 90 }
        let lowerCase = value.contains { $0 >= 97 && $0 <= 122 }
        if !quoted {
            // An expression, not a value: a call, an attribute, an index, a variable without digits.
            if value.contains(where: { $0 == 40 || $0 == 46 || $0 == 91 || $0 == 123 || $0 == 36 }) { return false }
            return digits && (upper || lowerCase)
        }
        if weak { return value.count >= 12 && (digits || (upper && lowerCase)) && !value.contains(47) }
        return true
    }

    /// A fixed token shape at `i`, named; nil when the bytes do not have the shape.
    private static func fixedToken(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> String? {
        if i > 0, isAlphanumeric(b[i - 1]) { return nil }
        func run(from: Int, _ allowed: (UInt8) -> Bool) -> Int {
            var e = from
            while e < b.count, allowed(b[e]) { e += 1 }
            return e - from
        }
        let alnum: (UInt8) -> Bool = isAlphanumeric
        let urlSafe: (UInt8) -> Bool = { isAlphanumeric($0) || $0 == 95 || $0 == 45 }
        let upperDigit: (UInt8) -> Bool = { ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) }
        func starts(_ prefix: String, caseSensitive: Bool = true) -> Bool {
            let p = Array(prefix.utf8)
            guard i + p.count <= b.count else { return false }
            for k in 0..<p.count where (caseSensitive ? b[i + k] : lower(b[i + k])) != p[k] { return false }
            return true
        }
        if (starts("AKIA") || starts("ASIA")), run(from: i + 4, upperDigit) >= 16 { return "an AWS access key id" }
        for p in ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"] where starts(p) && run(from: i + 4, alnum) >= 30 { return "a GitHub token" }
        if starts("github_pat_"), run(from: i + 11, urlSafe) >= 20 { return "a GitHub token" }
        if starts("glpat-"), run(from: i + 6, urlSafe) >= 20 { return "a GitLab token" }
        for p in ["sk_live_", "sk_test_", "rk_live_"] where starts(p) && run(from: i + 8, alnum) >= 16 { return "a Stripe key" }
        if starts("sk-") {
            let n = run(from: i + 3, urlSafe)
            if n >= 20, b[(i + 3)..<(i + 3 + n)].contains(where: { $0 >= 48 && $0 <= 57 }) { return "an API key (sk-…)" }
        }
        if starts("xox"), i + 4 < b.count, b[i + 4] == 45, run(from: i + 5, urlSafe) >= 10 { return "a Slack token" }
        if starts("AIza"), run(from: i + 4, urlSafe) >= 35 { return "a Google API key" }
        if starts("hf_"), run(from: i + 3, alnum) >= 30 { return "a Hugging Face token" }
        if starts("npm_"), run(from: i + 4, alnum) >= 36 { return "an npm token" }
        if starts("eyJ") {
            let a = run(from: i + 3, urlSafe)
            let dot1 = i + 3 + a
            if a >= 10, dot1 < b.count, b[dot1] == 46 {
                let c = run(from: dot1 + 1, urlSafe)
                let dot2 = dot1 + 1 + c
                if c >= 10, dot2 < b.count, b[dot2] == 46, run(from: dot2 + 1, urlSafe) >= 10 { return "a JSON web token" }
            }
        }
        return nil
    }

    /// At `://`: `user:password@host`, the password not a variable.
    private static func urlPassword(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
        var k = i + 3
        var colon = -1
        while k < b.count, k - i < 200 {
            let c = b[k]
            if c == 47 || c == 32 || c == 10 || c == 34 || c == 39 || c == 9 { return false }
            if c == 58, colon < 0 { colon = k }
            if c == 64 {
                guard colon > i + 3, k > colon + 1 else { return false }
                let first = b[colon + 1]
                if first == 36 || first == 123 || first == 60 || first == 42 { return false }  // $VAR, {var}, <password>, ***
                return true
            }
            k += 1
        }
        return false
    }

    /// The range of a call's argument text after a word of `length` at `i` (`exec (x)`), or nil
    /// when the word is not called or is part of a longer name.
    private static func callArgument(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ length: Int) -> Range<Int>? {
        if i > 0, isIdentifier(b[i - 1]) && b[i - 1] != 45 { return nil }
        var k = i + length
        while k < b.count, b[k] == 32 || b[k] == 9 { k += 1 }
        guard k < b.count, b[k] == 40 else { return nil }
        let start = k + 1
        var level = 1
        k = start
        while k < b.count, k - start < 4000 {
            if b[k] == 40 { level += 1 } else if b[k] == 41 { level -= 1; if level == 0 { break } }
            k += 1
        }
        var s = start, e = k
        while s < e, b[s] == 32 || b[s] == 10 || b[s] == 9 { s += 1 }
        while e > s, b[e - 1] == 32 || b[e - 1] == 10 || b[e - 1] == 9 { e -= 1 }
        return s..<e
    }

    static let decoders: [[UInt8]] = ["b64decode", "b32decode", "b85decode", "a85decode", "decodebytes", "decodestring",
                                      "base64", "fromhex", "unhexlify", "decompress", "zlib", "marshal", "rot13", "rot_13",
                                      "codecs", "chr(", "atob(", "buffer.from", "fromcharcode", "unescape(", "gzinflate",
                                      "str_rot13", "convert.frombase64string", "pickle.loads", "bytes.fromhex", "[::-1]",
                                      ".decode("].map { Array($0.utf8) }

    private static func decodes(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        guard !range.isEmpty else { return false }
        for decoder in decoders where decoder.count <= range.count {
            var s = range.lowerBound
            let first = decoder[0]
            while s <= range.upperBound - decoder.count {
                if lower(b[s]) == first {
                    var k = 1
                    while k < decoder.count, lower(b[s + k]) == decoder[k] { k += 1 }
                    if k == decoder.count { return true }
                }
                s += 1
            }
        }
        return false
    }

    static let systemModules: Set<String> = ["os", "subprocess", "pty", "socket", "ctypes", "shutil", "builtins", "__builtin__",
                                             "importlib", "commands", "posix", "nt", "sys", "child_process", "multiprocessing"]

    private static func dangerousImport(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        guard !range.isEmpty else { return false }
        let text = String(decoding: b[range], as: UTF8.self)
        let first = text.utf8.first!
        if first == 34 || first == 39 {
            let quote = Character(Unicode.Scalar(first))
            let parts = text.dropFirst().split(separator: quote, maxSplits: 1, omittingEmptySubsequences: false)
            let name = parts.first.map(String.init) ?? ""
            let restOfCall = parts.count > 1 ? parts[1] : ""
            if systemModules.contains(name) || systemModules.contains(String(name.split(separator: ".").first ?? "")) { return true }
            // A literal glued to more text: a computed name.
            return restOfCall.drop(while: { $0 == " " || $0 == "\t" }).hasPrefix("+") || decodes(b, range)
        }
        // A computed name: decoded, joined, or built from characters.
        return decodes(b, range) || has(text, "+") || has(text, "join(")
    }

    /// At `base64`: on the same line a decode flag and a pipe into a shell or interpreter.
    private static func shellDecodePipe(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
        var end = i
        while end < b.count, b[end] != 10 { end += 1 }
        let rest = String(decoding: b[i..<end], as: UTF8.self)
        // `has`, a plain byte search: Foundation's `contains` costs thousands of instructions a call.
        guard has(rest, " -d") || has(rest, "--decode") || has(rest, " -D") else { return false }
        for shell in ["| sh", "|sh", "| bash", "|bash", "| zsh", "| python", "|python", "| perl", "| node", "| ruby", "| source"]
        where has(rest, shell) { return true }
        return false
    }
}
