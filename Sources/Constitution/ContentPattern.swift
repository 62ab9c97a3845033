import Foundation

/// A regular expression of a rule (ICU syntax, as NSRegularExpression reads it), compiled once at
/// load, with the literals any match must contain so that the expression runs only on texts that
/// hold them.
struct ContentPattern: Sendable {
    let source: String
    let regex: NSRegularExpression
    /// Every group must have one of its literals (lowercased) in the text, or nothing can match.
    /// Empty: no literal is certain, the expression always runs.
    let required: [[String]]

    init(_ source: String) throws {
        self.source = source
        self.regex = try NSRegularExpression(pattern: source, options: [])
        self.required = RequiredLiterals.of(source) ?? []
    }

    func matches(_ text: String) -> Bool {
        regex.firstMatch(in: text, options: [], range: NSRange(location: 0, length: text.utf16.count)) != nil
    }
}

/// The literals a regular expression's every match contains, read from its text conservatively:
/// literal runs outside groups and groups that are plain alternations of literals. Anything it does
/// not understand contributes nothing, so the answer is never wrong, only sometimes weaker.
enum RequiredLiterals {
    /// Requirement groups (all must hold, each by one of its literals), or nil when none is certain.
    static func of(_ pattern: String) -> [[String]]? {
        var text = Substring(pattern)
        // Leading inline flags; `x` changes what spaces mean, so give up on it.
        while text.hasPrefix("(?"), let close = text.firstIndex(of: ")") {
            let flags = text[text.index(text.startIndex, offsetBy: 2)..<close]
            guard !flags.isEmpty, flags.allSatisfy({ "imsuw-".contains($0) }) else { break }
            text = text[text.index(after: close)...]
        }
        if pattern.contains("(?x") { return nil }
        let branches = splitTopLevel(Array(text))
        if branches.count > 1 {
            // One literal from every branch: their union is one group.
            var union: [String] = []
            for branch in branches {
                guard let best = groups(branch).max(by: { ($0.map(\.count).min() ?? 0) < ($1.map(\.count).min() ?? 0) }) else { return nil }
                union += best
            }
            return [union]
        }
        let found = groups(branches.first ?? [])
        if found.isEmpty { return nil }
        return Array(found.sorted { ($0.map(\.count).min() ?? 0) > ($1.map(\.count).min() ?? 0) }.prefix(3))
    }

    /// Splits on `|` outside groups and classes.
    static func splitTopLevel(_ chars: [Character]) -> [[Character]] {
        var parts: [[Character]] = [[]]
        var depth = 0, inClass = false, i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\\", i + 1 < chars.count {
                parts[parts.count - 1] += [c, chars[i + 1]]
                i += 2
                continue
            }
            if inClass { if c == "]" { inClass = false } }
            else if c == "[" { inClass = true }
            else if c == "(" { depth += 1 }
            else if c == ")" { depth -= 1 }
            else if c == "|", depth == 0 { parts.append([]); i += 1; continue }
            parts[parts.count - 1].append(c)
            i += 1
        }
        return parts
    }

    /// Literal groups of one branch with no top-level `|`; only groups whose shortest literal has three bytes or more.
    static func groups(_ chars: [Character]) -> [[String]] {
        var result: [[String]] = []
        var run = ""
        func flush() {
            if run.utf8.count >= 3, run.utf8.allSatisfy({ $0 < 128 }) { result.append([run.lowercased()]) }
            run = ""
        }
        var i = 0
        while i < chars.count {
            let c = chars[i]
            let next = i + 1 < chars.count ? chars[i + 1] : nil
            let optional = next == "?" || next == "*" || (next == "{" && i + 2 < chars.count && chars[i + 2] == "0")
            let repeated = next == "+" || next == "{"
            switch c {
            case "\\":
                guard let escaped = next else { i += 1; continue }
                if escaped.isLetter || escaped.isNumber {
                    flush()
                } else {
                    let after = i + 2 < chars.count ? chars[i + 2] : nil
                    if after == "?" || after == "*" { flush() } else { run.append(escaped); if after == "+" || after == "{" { flush() } }
                }
                i += 2
                continue
            case "[":
                flush()
                var j = i + 1
                if j < chars.count, chars[j] == "^" { j += 1 }
                if j < chars.count, chars[j] == "]" { j += 1 }
                while j < chars.count, chars[j] != "]" { j += chars[j] == "\\" ? 2 : 1 }
                i = j + 1
                continue
            case "(":
                flush()
                var depth = 1, j = i + 1
                while j < chars.count, depth > 0 {
                    if chars[j] == "\\" { j += 2; continue }
                    if chars[j] == "(" { depth += 1 } else if chars[j] == ")" { depth -= 1 }
                    j += 1
                }
                var inner = Array(chars[(i + 1)..<max(i + 1, j - 1)])
                let after = j < chars.count ? chars[j] : nil
                let groupOptional = after == "?" || after == "*" || (after == "{" && j + 1 < chars.count && chars[j + 1] == "0")
                if inner.starts(with: ["?", ":"]) { inner.removeFirst(2) }
                if !groupOptional, inner.first != "?" {
                    // Every alternative must hold one of its own literals: their union is required.
                    var union: [String] = []
                    for alternative in splitTopLevel(inner) {
                        guard let best = groups(alternative).max(by: { ($0.map(\.utf8.count).min() ?? 0) < ($1.map(\.utf8.count).min() ?? 0) }) else {
                            union = []
                            break
                        }
                        union += best
                    }
                    if !union.isEmpty { result.append(union) }
                }
                i = j
                continue
            case ".", "^", "$", ")", "|":
                flush()
            case "?", "*", "+", "{":
                flush()
                if c == "{" { while i < chars.count, chars[i] != "}" { i += 1 } }
            default:
                if optional { flush() } else { run.append(c); if repeated { flush() } }
            }
            i += 1
        }
        flush()
        return result
    }
}

/// Finds which of a fixed set of literals occur in a text, case-insensitively for ASCII, in one
/// pass: a table of the folded first two bytes of each literal sends the scan to the few
/// literals that can start at a position.
struct LiteralScanner: Sendable {
    /// Every literal's folded bytes, one after the other; literal k is `bytes[starts[k]..<starts[k + 1]]`.
    private let bytes: [UInt8]
    private let starts: [Int]
    /// For each folded first byte pair, 1 + its bucket, or 0; bucket b lists `items[bucketStarts[b]..<bucketStarts[b + 1]]`.
    private let pairs: [UInt16]
    /// One bit per folded byte pair that starts some literal: 8 KB, so the hot test stays in L1.
    private let pairBits: [UInt64]
    private let bucketStarts: [Int]
    private let items: [Int]
    let count: Int

    init(_ words: [String]) {
        let literals = words.map { Array($0.lowercased().utf8) }.map { $0.count >= 2 ? $0 : [] }
        count = literals.count
        bytes = literals.flatMap { $0 }
        var starts = [0]
        for literal in literals { starts.append(starts.last! + literal.count) }
        self.starts = starts
        var pairs = [UInt16](repeating: 0, count: 65536)
        var buckets: [[Int]] = []
        for (index, literal) in literals.enumerated() where literal.count >= 2 {
            let key = Int(literal[0] | 0x20) << 8 | Int(literal[1] | 0x20)
            if pairs[key] == 0 {
                buckets.append([])
                pairs[key] = UInt16(buckets.count)
            }
            buckets[Int(pairs[key]) - 1].append(index)
        }
        self.pairs = pairs
        var bits = [UInt64](repeating: 0, count: 1024)
        for key in pairs.indices where pairs[key] != 0 { bits[key >> 6] |= 1 << UInt64(key & 63) }
        self.pairBits = bits
        var bucketStarts = [0]
        for bucket in buckets { bucketStarts.append(bucketStarts.last! + bucket.count) }
        self.bucketStarts = bucketStarts
        self.items = buckets.flatMap { $0 }
    }

    var isEmpty: Bool { count == 0 }

    /// One flag per literal: whether it occurs in `text`.
    func scan(_ text: String) -> [Bool] {
        var found = [Bool](repeating: false, count: count)
        guard count > 0 else { return found }
        var text = text
        text.withUTF8 { b in
            guard b.count >= 2 else { return }
            pairs.withUnsafeBufferPointer { pairs in
            pairBits.withUnsafeBufferPointer { bits in
            bytes.withUnsafeBufferPointer { bytes in
            starts.withUnsafeBufferPointer { starts in
            bucketStarts.withUnsafeBufferPointer { bucketStarts in
            items.withUnsafeBufferPointer { items in
            found.withUnsafeMutableBufferPointer { found in
                let last = b.count - 1
                var i = 0
                while i < last {
                    let key = Int(b[i] | 0x20) << 8 | Int(b[i + 1] | 0x20)
                    if bits[key >> 6] & (1 << UInt64(key & 63)) == 0 { i += 1; continue }
                    let slot = Int(pairs[key])
                    if slot != 0 {
                        for item in bucketStarts[slot - 1]..<bucketStarts[slot] {
                            let index = items[item]
                            if found[index] { continue }
                            let start = starts[index], length = starts[index + 1] - start
                            guard i + length <= b.count else { continue }
                            var k = 0
                            while k < length {
                                let c = b[i + k]
                                if (c >= 65 && c <= 90 ? c | 0x20 : c) != bytes[start + k] { break }
                                k += 1
                            }
                            if k == length { found[index] = true }
                        }
                    }
                    i += 1
                }
            }
            }
            }
            }
            }
            }
            }
        }
        return found
    }
}
