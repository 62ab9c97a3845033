/// Path globs as `.gitignore` writers expect them: `*` and `?` within one path segment, `**` across
/// segments, `[abc]`/`[a-z]`/`[!a]` classes, matched against the whole relative path. A pattern with
/// no `/` at all also matches a file name in any folder (`*.md` matches `prompts/a.md`).
public enum Glob {
    /// Whether `path` (relative, `/`-separated) matches `pattern`.
    public static func matches(_ pattern: String, _ path: String) -> Bool {
        let p = Array(pattern.utf8), s = Array(path.utf8)
        if match(p[...], s[...]) { return true }
        if !pattern.contains("/"), let slash = s.lastIndex(of: UInt8(ascii: "/")) {
            return match(p[...], s[(slash + 1)...])
        }
        return false
    }

    /// Whether `path` matches any of `patterns`.
    public static func matchesAny(_ patterns: [String], _ path: String) -> Bool {
        patterns.contains { matches($0, path) }
    }

    /// What is wrong with `pattern`, or nil when it is a valid relative glob.
    public static func problem(in pattern: String) -> String? {
        if pattern.isEmpty { return "is empty" }
        if pattern.hasPrefix("/") { return "must be relative to the target root" }
        if pattern.split(separator: "/").contains("..") { return "must not leave the target root with `..`" }
        var open = false
        for c in pattern {
            if c == "[" { open = true } else if c == "]" { open = false }
        }
        if open { return "has an unclosed `[`" }
        return nil
    }

    private static let star = UInt8(ascii: "*"), question = UInt8(ascii: "?"), slash = UInt8(ascii: "/")
    private static let open = UInt8(ascii: "["), close = UInt8(ascii: "]"), bang = UInt8(ascii: "!"), dash = UInt8(ascii: "-")

    private static func match(_ p: ArraySlice<UInt8>, _ s: ArraySlice<UInt8>) -> Bool {
        var p = p, s = s
        while let c = p.first {
            if c == star {
                if p.dropFirst().first == star {
                    // `**`: any number of segments, including none. `**/` may also match nothing.
                    var rest = p.dropFirst(2)
                    if rest.first == slash { rest = rest.dropFirst() }
                    if rest.isEmpty { return true }
                    var t = s
                    while true {
                        if match(rest, t) { return true }
                        guard let next = t.firstIndex(of: slash) else { return false }
                        t = t[(next + 1)...]
                    }
                }
                let rest = p.dropFirst()
                var t = s
                while true {
                    if match(rest, t) { return true }
                    guard let first = t.first, first != slash else { return false }
                    t = t.dropFirst()
                }
            }
            guard let d = s.first else { return false }
            if c == question {
                if d == slash { return false }
                p = p.dropFirst()
            } else if c == open, let end = p.dropFirst().firstIndex(of: close) {
                var set = p[(p.startIndex + 1)..<end]
                let negate = set.first == bang
                if negate { set = set.dropFirst() }
                var found = false
                var i = set.startIndex
                while i < set.endIndex {
                    if i + 2 < set.endIndex, set[i + 1] == dash {
                        if set[i] <= d && d <= set[i + 2] { found = true }
                        i += 3
                    } else {
                        if set[i] == d { found = true }
                        i += 1
                    }
                }
                if found == negate || d == slash { return false }
                p = p[(end + 1)...]
            } else {
                if c != d { return false }
                p = p.dropFirst()
            }
            s = s.dropFirst()
        }
        return s.isEmpty
    }
}
