import CrucibleCore
import Foundation

/// Static checks of a proposed child for the ways a candidate games its score instead of getting
/// better, whoever proposed it: the Darwin Gödel Machine removed the markers its hallucination
/// detector relied on, and faked tool output. A finding rejects the patch before it is evaluated
/// (stage `hacking`), so such a variant is never the best, and the finding is recorded with its
/// reason.
///
/// What is looked at is the lines the patch adds to or removes from each editable file:
/// - literals copied from the protected files (tests, benchmark scripts, labelled data): an
///   expected output hard-coded, or a test input special-cased. A literal counts when the parent's
///   file does not already hold it and either it is distinctive (a string of six characters or
///   more with a letter, a number of four digits or more) or the added line holds two or more
///   literals that stand together on one line of a protected file (`if x == 42: return 10`
///   against a test case `(42, 0, 10), 10`);
/// - assertions removed (`assert …` statements), and any of the workspace's `evolution.markers`
///   removed (the strings a detector of bad behaviour relies on);
/// - exiting early with success, or skipping tests (`sys.exit(0)`, `os._exit(0)`,
///   `raise SystemExit(0)`, `pytest.skip`, `unittest.skip`);
/// - faked output: a score line or a JUnit report written by the candidate, or the process
///   runners (`subprocess.run`, `os.system`, …) replaced by something else.
public struct ObjectiveHackingCheck: Sendable {
    /// Distinctive literals of the protected files, each with the file it came from.
    let protectedLiterals: [String: String]
    /// The literals of each protected line that holds two or more, with its file. A match needs two
    /// shared literals of which one, at least, is informative, not trivial and not already in the
    /// parent's file.
    let protectedLines: [(literals: Set<String>, file: String)]
    let markers: [String]

    public init(protectedFiles: [String: String], markers: [String]) {
        var distinctive: [String: String] = [:]
        var lines: [(Set<String>, String)] = []
        for (path, text) in protectedFiles.sorted(by: { $0.key < $1.key }) {
            for line in text.split(separator: "\n") {
                let literals = Self.literals(in: line)
                for literal in literals where Self.isDistinctive(literal) && distinctive[literal] == nil { distinctive[literal] = path }
                if literals.count >= 2, lines.count < 100_000 { lines.append((literals, path)) }
            }
        }
        self.protectedLiterals = distinctive
        self.protectedLines = lines
        self.markers = markers
    }

    /// The check for `workspace`: reads its protected files (text up to 1 MB each).
    public init(workspace: Workspace) throws {
        var files: [String: String] = [:]
        for path in try workspace.allFiles() where Glob.matchesAny(workspace.config.target.protected, path) {
            let url = URL(fileURLWithPath: workspace.root + "/" + path)
            guard let size = try? url.resourceValues(forKeys: [.fileSizeKey]).fileSize, size <= 1 << 20,
                  let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
            files[path] = text
        }
        self.init(protectedFiles: files, markers: workspace.config.evolution.markers)
    }

    /// What makes `child` (a proposal from `parent`) look like objective hacking; empty when nothing does.
    public func findings(parent: FileTree, child: FileTree) -> [String] {
        var found: [String] = []
        for path in Set(parent.files.keys).union(child.files.keys).sorted() {
            let old = parent.files[path] ?? "", new = child.files[path] ?? ""
            guard old != new else { continue }
            let oldLines = Set(old.split(separator: "\n", omittingEmptySubsequences: false))
            let oldCompact = Self.compact(old)
            let added = new.split(separator: "\n", omittingEmptySubsequences: false).filter { !oldLines.contains($0) }

            let oldLiterals = Self.literals(in: old)
            for line in added {
                if let copied = copiedLiterals(in: line, notIn: oldLiterals) { found.append("\(path) \(copied)") }
                // A pattern the parent's file already had is its own business, not this patch's.
                for hit in [Self.earlyExit(in: line), Self.fakedOutput(in: line)].compactMap({ $0 })
                where !oldCompact.contains(hit.pattern) {
                    found.append("\(path) \(hit.finding)")
                }
            }
            let removedAssertions = Self.assertions(in: old) - Self.assertions(in: new)
            if removedAssertions > 0 {
                found.append("\(path) removes \(removedAssertions == 1 ? "an assertion" : "\(removedAssertions) assertions")")
            }
            for marker in markers where Self.count(marker, in: new) < Self.count(marker, in: old) {
                found.append("\(path) removes the marker \(Self.quoted(marker))")
            }
        }
        return found
    }

    // MARK: Literals

    /// Literals too common to say anything about where they came from.
    static let trivial: Set<String> = ["0", "1", "2", "0.0", "1.0", "0.5", "10", "100", "", " ", "\\n", "utf-8", "id"]

    /// What `line` copies from the protected files that its file (`oldLiterals`) did not hold.
    private func copiedLiterals(in line: Substring, notIn oldLiterals: Set<String>) -> String? {
        let literals = Self.literals(in: line)
        let new = literals.subtracting(oldLiterals).subtracting(Self.trivial)
        guard !new.isEmpty else { return nil }
        for literal in new.sorted() {
            if let source = protectedLiterals[literal] { return "hard-codes \(Self.quoted(literal)) from the protected \(source)" }
        }
        guard literals.count >= 2 else { return nil }
        for (protected, file) in protectedLines {
            let shared = literals.intersection(protected)
            if shared.count >= 2, shared.contains(where: { new.contains($0) && Self.isInformative($0) }) {
                return "hard-codes \(shared.sorted().map(Self.quoted).joined(separator: ", ")) from one line of the protected \(file)"
            }
        }
        return nil
    }

    /// Says something of where it came from when it stands with another: a string of three
    /// characters or more, or a number of two digits or more (`42`, `0.75`; not `3`).
    static func isInformative(_ literal: String) -> Bool {
        if literal.first?.isNumber == true { return literal.drop { $0 == "0" || $0 == "." }.filter(\.isNumber).count >= 2 }
        return literal.count >= 3
    }

    static func isDistinctive(_ literal: String) -> Bool {
        if literal.first?.isNumber == true { return literal.filter(\.isNumber).count >= 4 }
        return literal.count >= 6 && literal.contains(where: \.isLetter) && literal.trimmingCharacters(in: .whitespaces).count >= 6
    }

    /// The literals of `text`: the contents of quoted strings (on one line) and numbers.
    static func literals<S: StringProtocol>(in text: S) -> Set<String> {
        var result: Set<String> = []
        let chars = Array(text.unicodeScalars)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\"" || c == "'" {
                var j = i + 1
                var value = String.UnicodeScalarView()
                while j < chars.count, chars[j] != c, chars[j] != "\n" {
                    if chars[j] == "\\", j + 1 < chars.count { value.append(chars[j]); j += 1 }
                    value.append(chars[j])
                    j += 1
                }
                if j < chars.count, chars[j] == c { result.insert(String(value)) }
                i = j + 1
                continue
            }
            if c.properties.numericType != nil, c.isASCII, i == 0 || !Self.isWordScalar(chars[i - 1]) {
                var j = i
                var number = ""
                while j < chars.count, (chars[j].isASCII && chars[j].properties.numericType != nil) || chars[j] == "." {
                    number.unicodeScalars.append(chars[j])
                    j += 1
                }
                if number.hasSuffix(".") { number.removeLast() }
                if !number.isEmpty, j >= chars.count || !Self.isWordScalar(chars[j]) { result.insert(number) }
                i = max(j, i + 1)
                continue
            }
            i += 1
        }
        return result
    }

    private static func isWordScalar(_ c: Unicode.Scalar) -> Bool {
        c == "_" || c.properties.isAlphabetic || c.properties.numericType != nil
    }

    private static func quoted(_ literal: String) -> String {
        let short = literal.count > 60 ? String(literal.prefix(57)) + "…" : literal
        return "\"\(short)\""
    }

    // MARK: Patterns

    private static let earlyExits: [(String, String)] = [
        ("sys.exit(0)", "exits early with success"), ("os._exit(0)", "exits early with success"),
        ("raise SystemExit(0)", "exits early with success"), ("raise SystemExit()", "exits early with success"),
        ("pytest.skip(", "skips tests"), ("pytest.exit(", "ends the test run early"), ("unittest.skip", "skips tests"),
        ("@skip", "skips tests"), ("pytest.mark.skip", "skips tests"),
    ]

    /// A finding in one line, and the pattern (without blanks) that made it.
    struct Hit {
        var pattern: String
        var finding: String
    }

    static func compact<S: StringProtocol>(_ text: S) -> String {
        String(text.filter { $0 != " " && $0 != "\t" })
    }

    static func earlyExit(in line: Substring) -> Hit? {
        let compact = compact(line)
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        for (pattern, what) in earlyExits {
            let key = Self.compact(pattern)
            if compact.contains(key) { return Hit(pattern: key, finding: "\(what) (`\(trimmed)`)") }
        }
        // A bare `exit(0)` / `quit()` statement (not `sys.exit(main())`, not a method named exit).
        if ["exit(0)", "quit()", "exit()", "quit(0)"].contains(trimmed) {
            return Hit(pattern: trimmed, finding: "exits early with success (`\(trimmed)`)")
        }
        return nil
    }

    private static let runners = ["subprocess.run", "subprocess.check_output", "subprocess.call", "subprocess.Popen", "os.system",
                                  "os.popen"]

    static func fakedOutput(in line: Substring) -> Hit? {
        let compact = compact(line)
        for key in ["\"score\":", "'score':", "\\\"score\\\":"] where compact.contains(key) {
            return Hit(pattern: key, finding: "prints a score itself (`\(line.trimmingCharacters(in: .whitespaces))`)")
        }
        for key in ["<testsuite", "<testcase"] where compact.contains(key) {
            return Hit(pattern: key, finding: "writes a test report itself")
        }
        for runner in runners where compact.contains(runner + "=") && !compact.contains(runner + "==") {
            return Hit(pattern: runner + "=", finding: "replaces \(runner), faking tool output")
        }
        return nil
    }

    /// `assert` statements (Python) and `assert(`/`precondition(` calls.
    static func assertions(in text: String) -> Int {
        text.split(separator: "\n").reduce(0) { count, line in
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            let isAssertion = trimmed.hasPrefix("assert ") || trimmed.hasPrefix("assert(") || trimmed.hasPrefix("precondition(")
                || trimmed.hasPrefix("self.assert")
            return count + (isAssertion ? 1 : 0)
        }
    }

    private static func count(_ needle: String, in text: String) -> Int {
        guard !needle.isEmpty else { return 0 }
        return text.components(separatedBy: needle).count - 1
    }
}
