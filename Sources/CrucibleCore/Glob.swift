/// Path globs as `.gitignore` writers expect them: `*` and `?` within one path segment, `**` across
/// segments, `[abc]`/`[a-z]`/`[!a]` classes, matched against the whole path. A pattern with no `/`
/// at all also matches a file name in any folder (`*.md` matches `prompts/a.md`).
///
/// A `Glob` value is a pattern compiled once, for matching many paths without allocating.
public struct Glob: Hashable, Sendable, CustomStringConvertible {
    public let pattern: String
    fileprivate let bytes: [UInt8]
    fileprivate let anyFolder: Bool
    /// How many bytes the pattern starts with before its first `*`, `?` or `[`, and how many it ends
    /// with after its last `*` or `?` (and after the `/` of a last `**/`, which may match nothing; 0 when
    /// it has a `[` at all). A match consumes those bytes one for one, so a path (or, for a pattern with
    /// no `/`, its file name) that does not start and end with them cannot match: ``matches(_:)``
    /// rejects it without running the matcher.
    fileprivate let prefixCount: Int
    fileprivate let suffixCount: Int

    /// Compiles `pattern`; see ``syntaxProblem(in:)`` for what makes one malformed.
    public init(_ pattern: String) {
        self.pattern = pattern
        let bytes = Array(pattern.utf8)
        self.bytes = bytes
        self.anyFolder = !pattern.contains("/")
        let wild: (UInt8) -> Bool = { $0 == Self.star || $0 == Self.question || $0 == Self.open }
        self.prefixCount = bytes.firstIndex(where: wild) ?? bytes.count
        if bytes.contains(Self.open) {
            self.suffixCount = 0
        } else if let last = bytes.lastIndex(where: wild) {
            var start = last + 1
            if last > 0, bytes[last] == Self.star, bytes[last - 1] == Self.star, start < bytes.count, bytes[start] == Self.slash { start += 1 }
            self.suffixCount = bytes.count - start
        } else {
            self.suffixCount = bytes.count
        }
    }

    public var description: String { pattern }

    /// Whether `path` (`/`-separated) matches the pattern.
    public func matches(_ path: String) -> Bool {
        var path = path
        return path.withUTF8 { matches(utf8: $0) }
    }

    /// Whether the path whose UTF-8 bytes are `s` matches the pattern: for trying many patterns on one path.
    public func matches(utf8 s: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.withUnsafeBufferPointer { Self.matches($0, prefixCount, suffixCount, anyFolder, s) }
    }

    /// Whether pattern `p` (with its literal prefix and suffix counts, and whether it has no `/`) matches path `s`.
    fileprivate static func matches(_ p: UnsafeBufferPointer<UInt8>, _ prefixCount: Int, _ suffixCount: Int, _ anyFolder: Bool,
                                    _ s: UnsafeBufferPointer<UInt8>) -> Bool {
        guard hasAffixes(p, prefixCount, suffixCount, s, from: 0) else {
            // The file name is a tail of the path: it cannot end differently, only start so.
            guard anyFolder, hasAffixes(p, 0, suffixCount, s, from: 0), let slash = s.lastIndex(of: Self.slash) else { return false }
            return hasAffixes(p, prefixCount, 0, s, from: slash + 1) && match(p, 0, s, slash + 1)
        }
        if match(p, 0, s, 0) { return true }
        if anyFolder, let slash = s.lastIndex(of: Self.slash) {
            return hasAffixes(p, prefixCount, 0, s, from: slash + 1) && match(p, 0, s, slash + 1)
        }
        return false
    }

    /// Whether `s[from...]` starts with the pattern's first `prefix` bytes and ends with its last `suffix` bytes.
    @inline(__always)
    private static func hasAffixes(_ p: UnsafeBufferPointer<UInt8>, _ prefix: Int, _ suffix: Int, _ s: UnsafeBufferPointer<UInt8>,
                                   from start: Int) -> Bool {
        let length = s.count - start
        guard length >= prefix, length >= suffix else { return false }
        var k = 0
        while k < prefix {
            if p[k] != s[start + k] { return false }
            k += 1
        }
        k = 1
        while k <= suffix {
            if p[p.count - k] != s[s.count - k] { return false }
            k += 1
        }
        return true
    }

    /// Whether `path` (relative, `/`-separated) matches `pattern`.
    public static func matches(_ pattern: String, _ path: String) -> Bool {
        Glob(pattern).matches(path)
    }

    /// Whether `path` matches any of `patterns`.
    public static func matchesAny(_ patterns: [String], _ path: String) -> Bool {
        patterns.contains { matches($0, path) }
    }

    /// What is wrong with `pattern` as a glob relative to a target root, or nil when it is valid.
    public static func problem(in pattern: String) -> String? {
        if let problem = syntaxProblem(in: pattern) { return problem }
        if pattern.hasPrefix("/") { return "must be relative to the target root" }
        if pattern.split(separator: "/").contains("..") { return "must not leave the target root with `..`" }
        return nil
    }

    /// What is wrong with `pattern`'s syntax, or nil when it is a valid glob (absolute or not).
    public static func syntaxProblem(in pattern: String) -> String? {
        if pattern.isEmpty { return "is empty" }
        var open = false
        for c in pattern {
            if c == "[" { open = true } else if c == "]" { open = false }
        }
        if open { return "has an unclosed `[`" }
        return nil
    }

    private static let star = UInt8(ascii: "*"), question = UInt8(ascii: "?"), slash = UInt8(ascii: "/")
    private static let open = UInt8(ascii: "["), close = UInt8(ascii: "]"), bang = UInt8(ascii: "!"), dash = UInt8(ascii: "-")

    private static func match(_ p: UnsafeBufferPointer<UInt8>, _ pi: Int, _ s: UnsafeBufferPointer<UInt8>, _ si: Int) -> Bool {
        var pi = pi, si = si
        while pi < p.count {
            let c = p[pi]
            if c == star {
                if pi + 1 < p.count, p[pi + 1] == star {
                    // `**`: any number of segments, including none. `**/` may also match nothing.
                    var rest = pi + 2
                    if rest < p.count, p[rest] == slash { rest += 1 }
                    if rest == p.count { return true }
                    var t = si
                    while true {
                        if match(p, rest, s, t) { return true }
                        guard let next = s[t...].firstIndex(of: slash) else { return false }
                        t = next + 1
                    }
                }
                let rest = pi + 1
                var t = si
                while true {
                    if match(p, rest, s, t) { return true }
                    guard t < s.count, s[t] != slash else { return false }
                    t += 1
                }
            }
            guard si < s.count else { return false }
            let d = s[si]
            if c == question {
                if d == slash { return false }
                pi += 1
            } else if c == open, let end = p[(pi + 1)...].firstIndex(of: close) {
                var i = pi + 1
                let negate = p[i] == bang
                if negate { i += 1 }
                var found = false
                while i < end {
                    if i + 2 < end, p[i + 1] == dash {
                        if p[i] <= d && d <= p[i + 2] { found = true }
                        i += 3
                    } else {
                        if p[i] == d { found = true }
                        i += 1
                    }
                }
                if found == negate || d == slash { return false }
                pi = end + 1
            } else {
                if c != d { return false }
                pi += 1
            }
            si += 1
        }
        return si == s.count
    }
}

/// Globs compiled together into one buffer, so that trying them all on a path touches no reference count: what
/// ``Glob/matches(_:)`` says of each, ``matchesAny(_:)`` says of the set.
public struct GlobSet: Sendable {
    private struct Entry: Sendable {
        let start: Int
        let count: Int
        let prefixCount: Int
        let suffixCount: Int
        let anyFolder: Bool
        /// The fewest bytes a matching path has: its literal prefix and suffix, which a match consumes one for one
        /// (all of it, for a pattern with no wildcard); and, for such a pattern that has a `/`, the exact length.
        let minimumLength: Int
        let exactLength: Int?

        /// Whether `length` rules a path out before its bytes are read.
        func excludes(_ length: Int) -> Bool {
            length < minimumLength || (exactLength != nil && length != exactLength)
        }
    }

    private let bytes: [UInt8]
    private let entries: [Entry]

    public init(_ globs: [Glob]) {
        var bytes: [UInt8] = []
        var entries: [Entry] = []
        for glob in globs {
            let literal = glob.prefixCount == glob.bytes.count
            entries.append(Entry(start: bytes.count, count: glob.bytes.count, prefixCount: glob.prefixCount, suffixCount: glob.suffixCount,
                                 anyFolder: glob.anyFolder, minimumLength: literal ? glob.bytes.count : glob.prefixCount + glob.suffixCount,
                                 exactLength: literal && !glob.anyFolder ? glob.bytes.count : nil))
            bytes += glob.bytes
        }
        self.bytes = bytes
        self.entries = entries
    }

    /// Whether glob number `index` (in the order given) matches `path`.
    public func matches(_ index: Int, _ path: String) -> Bool {
        let entry = entries[index]
        if entry.excludes(path.utf8.count) { return false }
        var path = path
        return path.withUTF8 { s in
            bytes.withUnsafeBufferPointer { all in
                return Glob.matches(UnsafeBufferPointer(rebasing: all[entry.start..<(entry.start + entry.count)]), entry.prefixCount,
                                    entry.suffixCount, entry.anyFolder, s)
            }
        }
    }

    /// Whether one of the globs matches `path`.
    public func matchesAny(_ path: String) -> Bool {
        var path = path
        return path.withUTF8 { s in
            bytes.withUnsafeBufferPointer { all in
                entries.withUnsafeBufferPointer { entries in
                    for entry in entries where !entry.excludes(s.count) {
                        let p = UnsafeBufferPointer(rebasing: all[entry.start..<(entry.start + entry.count)])
                        if Glob.matches(p, entry.prefixCount, entry.suffixCount, entry.anyFolder, s) { return true }
                    }
                    return false
                }
            }
        }
    }
}
