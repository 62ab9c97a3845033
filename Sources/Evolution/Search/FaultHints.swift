import Foundation

/// Where failing tasks point: file:line and function names parsed from benchmark output.
///
/// The mutator prefers sites on hinted lines (and their neighbours) and inside hinted functions.
public struct FaultHints: Sendable, Hashable, Codable {
    /// Path (as spelled in `knownPaths`) → 1-based line numbers named in failures.
    public var lines: [String: Set<Int>]
    /// Function names named in failures (traceback frames, stack frames, pytest node ids).
    public var functions: Set<String>
    /// Path → 1-based line → how suspicious the line is, in (0, 1], from test spectra (see
    /// `TestSpectra.ochiai`). Lines no failing test executed are absent. When any is given, it
    /// replaces `functions` as the mutator's guide.
    public var suspiciousness: [String: [Int: Double]]

    /// Hints pointing at `lines` (path → 1-based lines), `functions` and suspicious lines.
    public init(lines: [String: Set<Int>] = [:], functions: Set<String> = [], suspiciousness: [String: [Int: Double]] = [:]) {
        self.lines = lines
        self.functions = functions
        self.suspiciousness = suspiciousness
    }

    /// Whether the hints point nowhere.
    public var isEmpty: Bool {
        lines.values.allSatisfy(\.isEmpty) && functions.isEmpty && suspiciousness.values.allSatisfy(\.isEmpty)
    }

    /// These hints together with `other`'s; a line suspicious in both keeps the higher value.
    public func merging(_ other: FaultHints) -> FaultHints {
        FaultHints(lines: lines.merging(other.lines) { $0.union($1) }, functions: functions.union(other.functions),
                   suspiciousness: suspiciousness.merging(other.suspiciousness) { $0.merging($1, uniquingKeysWith: max) })
    }

    /// Parses failure output for locations in the program's own files.
    ///
    /// Recognises Python tracebacks (`File "x/y.py", line 12, in foo`), compiler and pytest
    /// locations (`src/a.py:12: AssertionError`, `src/a.py:12: in foo`, `a.c:3:5: error`), pytest
    /// node ids (`FAILED tests/test_a.py::test_foo - …`), JavaScript-style stack frames
    /// (`at foo (path:12:3)`) and GCC's `a.c: In function 'foo':`. A location counts only when its
    /// path matches one of `knownPaths` as a suffix, after normalising `./`, backslashes and
    /// absolute prefixes (`/tmp/run/src/a.py` matches `src/a.py`); the result is keyed by the
    /// known path's own spelling. Function names are kept only from frames in known files.
    public static func parse(_ text: String, knownPaths: [String]) -> FaultHints {
        let known = knownPaths.map { (original: $0, normalized: normalize($0)) }.filter { !$0.normalized.isEmpty }
        var hints = FaultHints()
        guard !known.isEmpty, !text.isEmpty else { return hints }

        func record(path: String, line: String?, function: String?) {
            let paths = matchingPaths(path, in: known)
            guard !paths.isEmpty else { return }
            if let line, let number = Int(line), number > 0 {
                for p in paths { hints.lines[p, default: []].insert(number) }
            }
            if let function, let name = functionName(function) { hints.functions.insert(name) }
        }

        for match in matches(of: pythonFrame, in: text) {
            record(path: match[1] ?? "", line: match[2], function: match[3])
        }
        for match in matches(of: stackFrame, in: text) {
            record(path: match[2] ?? "", line: match[3], function: match[1])
        }
        for match in matches(of: pathAndLine, in: text) {
            record(path: match[1] ?? "", line: match[2], function: match[3])
        }
        for match in matches(of: pytestNode, in: text) {
            let function = match[2]?.split(separator: ":").last.map(String.init)
            record(path: match[1] ?? "", line: nil, function: function)
        }
        for match in matches(of: gccFunction, in: text) {
            record(path: match[1] ?? "", line: nil, function: match[2])
        }
        return hints
    }

    // MARK: Paths

    /// `path` with `\` as `/`, leading `./` and inner `/./` removed.
    static func normalize(_ path: String) -> String {
        var p = path.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "\\", with: "/")
        while p.hasPrefix("./") { p.removeFirst(2) }
        while p.contains("/./") { p = p.replacingOccurrences(of: "/./", with: "/") }
        return p
    }

    /// Whether two paths name the same file: equal after normalising, or one is the other
    /// under some directory prefix.
    static func pathsMatch(_ a: String, _ b: String) -> Bool {
        let x = normalize(a)
        let y = normalize(b)
        return x == y || x.hasSuffix("/" + y) || y.hasSuffix("/" + x)
    }

    /// The known paths that `raw` names: exact matches, else those it ends with (longest only),
    /// else the single known path that ends with it.
    private static func matchingPaths(_ raw: String, in known: [(original: String, normalized: String)]) -> [String] {
        let p = normalize(raw)
        guard !p.isEmpty else { return [] }
        let exact = known.filter { $0.normalized == p }
        if !exact.isEmpty { return exact.map(\.original) }
        let suffixes = known.filter { p.hasSuffix("/" + $0.normalized) }
        if let longest = suffixes.map(\.normalized.count).max() {
            return suffixes.filter { $0.normalized.count == longest }.map(\.original)
        }
        let extensions = known.filter { $0.normalized.hasSuffix("/" + p) }
        return extensions.count == 1 ? [extensions[0].original] : []
    }

    /// The bare function name of a frame label (`Router.route` → `route`, `int foo(int)` → `foo`),
    /// or nil for anonymous frames (`<module>`, `<lambda>`, `<anonymous>`).
    private static func functionName(_ label: String) -> String? {
        var name = label
        if let paren = name.firstIndex(of: "(") { name = String(name[..<paren]) }
        if let bracket = name.firstIndex(of: "[") { name = String(name[..<bracket]) }
        name = name.split(separator: " ").last.map(String.init) ?? name
        name = name.components(separatedBy: "::").last ?? name
        name = name.split(separator: ".").last.map(String.init) ?? name
        guard let first = name.unicodeScalars.first, first == "_" || CharacterSet.letters.contains(first),
              name.unicodeScalars.allSatisfy({ $0 == "_" || $0 == "$" || CharacterSet.alphanumerics.contains($0) })
        else { return nil }
        return name
    }

    // MARK: Patterns

    private static let pathCharacters = #"[\w.~/\\@+-]"#

    /// `File "src/a.py", line 12, in foo`
    private static let pythonFrame = regex(#"File "([^"\n]+)", line (\d+)(?:, in ([^\s]+))?"#)
    /// `at foo (path:12:3)`, `at async Router.route (path:12)`
    private static let stackFrame = regex(#"\bat\s+(?:async\s+)?(?:new\s+)?([^\s()]+)\s+\(([^()\n]+?):(\d+)(?::\d+)?\)"#)
    /// `src/a.py:12`, `src/a.py:12:5: error`, `src/a.py:12: in foo`
    private static let pathAndLine = regex(
        #"(?<!\#(pathCharacters))((?:[A-Za-z]:)?\#(pathCharacters)*[\w-]\.[A-Za-z][A-Za-z0-9]*):(\d+)(?::\d+)?(?::\s+in\s+([A-Za-z_][\w.]*))?"#)
    /// `tests/test_a.py::TestX::test_foo[param]`
    private static let pytestNode = regex(#"(?<!\#(pathCharacters))((?:[A-Za-z]:)?\#(pathCharacters)*\.py)::([\w:\[\]./-]+)"#)
    /// `src/a.c: In function 'foo':`
    private static let gccFunction = regex(
        #"((?:[A-Za-z]:)?[^\s:'"]+\.[A-Za-z]\w*): In (?:member |static )?function [‘'`"]([^’'"`]+)[’'"`]"#)

    private static func regex(_ pattern: String) -> NSRegularExpression {
        do {
            return try NSRegularExpression(pattern: pattern)
        } catch {
            preconditionFailure("invalid fault-hint pattern \(pattern): \(error)")
        }
    }

    /// Capture groups of every match (`[0]` is the whole match; nil for groups that did not take part).
    private static func matches(of regex: NSRegularExpression, in text: String) -> [[String?]] {
        let whole = NSRange(text.startIndex..<text.endIndex, in: text)
        return regex.matches(in: text, range: whole).map { match in
            (0..<match.numberOfRanges).map { i in
                Range(match.range(at: i), in: text).map { String(text[$0]) }
            }
        }
    }
}
