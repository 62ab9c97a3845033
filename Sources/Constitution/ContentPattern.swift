import CScan
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
    /// The literals (lowercased) one of which every match starts with, when the expression looks no further left of a
    /// match than the character before it: then it need only be tried where they occur (``matches(ascii:at:)``).
    /// Nil when that is not certain.
    let starts: [String]?

    init(_ source: String) throws {
        self.source = source
        self.regex = try NSRegularExpression(pattern: source, options: [])
        self.required = RequiredLiterals.of(source) ?? []
        self.starts = StartLiterals.of(source)
    }

    func matches(_ text: String) -> Bool {
        regex.firstMatch(in: text, options: [], range: NSRange(location: 0, length: text.utf16.count)) != nil
    }

    /// How far right of a start an anchored try first looks; it looks further only when the expression reached that far.
    static let window = 256

    /// Whether a match of the expression starts at byte `position` of `text`, an ASCII text (so its UTF-8 and UTF-16
    /// offsets agree), for an expression with ``starts``.
    ///
    /// Exact, and cheap on a long text: the expression runs anchored at `position` (ICU's `lookingAt`) on a copy of a window
    /// of the text, from the character before `position` (with transparent bounds, all that `\b`, `\B` and a leading `^` see
    /// on the left, as ``StartLiterals`` makes sure) to ``window`` bytes on. Whenever ICU reports that the try reached the
    /// window's end (`hitEnd`: more text could change the answer), it runs again on the whole rest of the text.
    func matches(ascii text: UnsafeBufferPointer<UInt8>, at position: Int) -> Bool {
        let left = max(0, position - 1)
        var right = min(text.count, position + Self.window)
        while true {
            let window = String(decoding: UnsafeBufferPointer(rebasing: text[left..<right]), as: UTF8.self)
            var found = false, hitEnd = false
            regex.enumerateMatches(in: window, options: [.anchored, .withTransparentBounds, .withoutAnchoringBounds, .reportCompletion],
                                   range: NSRange(location: position - left, length: right - position)) { result, flags, stop in
                if result != nil {
                    found = true
                    hitEnd = flags.contains(.hitEnd)
                    stop.pointee = true
                } else if flags.contains(.completed) {
                    hitEnd = flags.contains(.hitEnd)
                }
            }
            if !hitEnd || right == text.count { return found }
            right = text.count
        }
    }
}

/// The literals one of which every match of a regular expression starts with, read from its text conservatively, for
/// expressions that look no further left of a match than the character before it: nil for anything it does not understand.
///
/// Every branch (of the top level, and of a group that starts a branch) must start, after `^`, `\A`, `\b` or `\B`, with
/// a run of at least three ASCII literal characters, or with a group (not optional) whose every branch does. Lookbehind,
/// `\G`, `^` anywhere but at the very start, and the `x` and `w` flags (spaces ignored; Unicode word boundaries, which
/// look further) make it give up.
enum StartLiterals {
    static func of(_ pattern: String) -> [String]? {
        if pattern.contains("(?<=") || pattern.contains("(?<!") || pattern.contains("\\G") { return nil }
        // Quoting, comments and nested sets would hide parentheses and bars from the simple reading below.
        if pattern.contains("\\Q") || pattern.contains("(?#") { return nil }
        var chars = Array(pattern)
        guard hasSimpleClasses(chars) else { return nil }
        // Flags anywhere: `x` and `w` change what the text or `\b` mean.
        for i in chars.indices where chars[i] == "(" && i + 1 < chars.count && chars[i + 1] == "?" {
            var j = i + 2
            while j < chars.count, chars[j].isLetter || chars[j] == "-" {
                if chars[j] == "x" || chars[j] == "w" { return nil }
                j += 1
            }
        }
        // Leading inline flags (`(?i)`) apply to all and look at nothing.
        while chars.starts(with: ["(", "?"]), let close = chars.firstIndex(of: ")"),
              close > 2, chars[2..<close].allSatisfy({ "imsu-".contains($0) }) {
            chars.removeSubrange(0...close)
        }
        // `^` tests the character before it; at a window's end ICU may fail it without saying it reached the end.
        if unescapedOutsideClasses(chars, "^").contains(where: { $0 != 0 }) { return nil }
        return alternation(chars[...])
    }

    /// The start literals of every top-level branch of `chars`, or nil.
    private static func alternation(_ chars: ArraySlice<Character>) -> [String]? {
        var union: [String] = []
        for branch in RequiredLiterals.splitTopLevel(Array(chars)) {
            guard let starts = start(branch[...]) else { return nil }
            union += starts
        }
        return union.isEmpty ? nil : union
    }

    private static func start(_ chars: ArraySlice<Character>) -> [String]? {
        var i = chars.startIndex
        // Zero-width tests that look at most one character to the left.
        while i < chars.endIndex {
            if chars[i] == "^" { i += 1; continue }
            if chars[i] == "\\", i + 1 < chars.endIndex, "bBA".contains(chars[i + 1]) { i += 2; continue }
            break
        }
        guard i < chars.endIndex else { return nil }
        if chars[i] == "(" {
            guard let close = closing(chars, from: i) else { return nil }
            if let quantifier = chars[safe: close + 1], isOptional(quantifier, chars[safe: close + 2]) { return nil }
            var inner = chars[(i + 1)..<close]
            if inner.first == "?" {
                // Only non-capturing groups, with or without flags: `(?:…)`, `(?i:…)`.
                guard let colon = inner.firstIndex(of: ":"), inner[(inner.startIndex + 1)..<colon].allSatisfy({ "imsu-".contains($0) }) else {
                    return nil
                }
                inner = inner[(colon + 1)...]
            }
            return alternation(inner)
        }
        var run = ""
        while i < chars.endIndex {
            var c = chars[i], width = 1
            if c == "\\" {
                guard let escaped = chars[safe: i + 1], escaped.isASCII, !escaped.isLetter, !escaped.isNumber else { break }
                c = escaped
                width = 2
            } else if "[](){}.^$|?*+".contains(c) {
                break
            }
            guard c.isASCII else { break }
            let next = chars[safe: i + width]
            if let next, isOptional(next, chars[safe: i + width + 1]) { break }
            run.append(c)
            i += width
            if next == "+" || next == "{" { break }
        }
        // Three bytes or more, like the required literals: shorter ones occur too often to be worth the scanner's time.
        return run.utf8.count >= 3 ? [run.lowercased()] : nil
    }

    /// Whether a quantifier `q` (followed by `after`) lets what it follows be absent.
    private static func isOptional(_ q: Character, _ after: Character?) -> Bool {
        q == "?" || q == "*" || (q == "{" && (after == "0" || after == ","))
    }

    /// Calls `body` with each character of `chars` from `start` on that is neither escaped nor
    /// inside a character class, until it returns false.
    private static func forEachOutsideClasses(_ chars: ArraySlice<Character>, from start: Int, _ body: (Int, Character) -> Bool) {
        var inClass = false, i = start
        while i < chars.endIndex {
            let c = chars[i]
            if c == "\\" { i += 2; continue }
            if inClass {
                if c == "]" { inClass = false }
            } else if c == "[" {
                inClass = true
            } else if !body(i, c) {
                return
            }
            i += 1
        }
    }

    /// The index of the `)` that closes the group opening at `open`.
    private static func closing(_ chars: ArraySlice<Character>, from open: Int) -> Int? {
        var depth = 0
        var close: Int?
        forEachOutsideClasses(chars, from: open) { i, c in
            if c == "(" { depth += 1 }
            if c == ")" {
                depth -= 1
                if depth == 0 { close = i }
            }
            return close == nil
        }
        return close
    }

    /// Whether every character class is closed, starts with neither `]` nor `^]`, and holds no nested `[`.
    private static func hasSimpleClasses(_ chars: [Character]) -> Bool {
        var inClass = false, i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\\" { i += 2; continue }
            if inClass {
                if c == "[" { return false }
                if c == "]" { inClass = false }
            } else if c == "[" {
                inClass = true
                if chars[safe: i + 1] == "]" || (chars[safe: i + 1] == "^" && chars[safe: i + 2] == "]") { return false }
            }
            i += 1
        }
        return !inClass
    }

    /// The positions of `target` in `chars` that are neither escaped nor inside a character class.
    private static func unescapedOutsideClasses(_ chars: [Character], _ target: Character) -> [Int] {
        var result: [Int] = []
        forEachOutsideClasses(chars[...], from: 0) { i, c in
            if c == target { result.append(i) }
            return true
        }
        return result
    }
}

extension ArraySlice {
    fileprivate subscript(safe index: Int) -> Element? {
        index >= startIndex && index < endIndex ? self[index] : nil
    }
}

extension Array {
    fileprivate subscript(safe index: Int) -> Element? {
        index >= startIndex && index < endIndex ? self[index] : nil
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

/// Finds a fixed set of literals in a text, case-insensitively for ASCII, in one pass (and a second for two-byte literals).
///
/// At each position one bit says whether any literal starts with the (hashed, folded) three bytes found there, or, for
/// two-byte literals, the two: most positions are passed after that test, and the others are sent to the few literals that
/// can start there, compared byte by byte. The bytes are read eight at a time, six positions per read.
struct LiteralScanner: Sendable {
    /// Every literal's folded bytes, one after the other; literal k is `bytes[starts[k]..<starts[k + 1]]`.
    private let bytes: [UInt8]
    private let starts: [Int]
    /// Literals of three bytes or more, by the hash of their first three: a bit per hash (8 KB, so the hot test stays
    /// in L1), and 1 + its bucket, or 0.
    private let tripleBits: [UInt64]
    private let tripleSlots: [UInt16]
    /// Two-byte literals by their two bytes, the same way; empty when there are none.
    private let pairBits: [UInt64]
    private let pairSlots: [UInt16]
    /// The SIMD prefilter's twelve tables (see `cscan_candidates`), which pass over most positions sixteen at a time;
    /// empty when the processor has no SSSE3 or no literal three bytes. `prefilterLevel`: the instructions it uses.
    private let prefilter: [UInt8]
    private let prefilterLevel: Int32
    /// Bucket b lists `items[bucketStarts[b]..<bucketStarts[b + 1]]`, in literal order.
    private let bucketStarts: [Int]
    private let items: [Int]
    let count: Int

    /// `prefilter`: the highest level of the SIMD prefilter to use, where the processor has it (2 for AVX2, 1 for SSSE3,
    /// 0 for none: tests compare them); the best by default.
    init(_ words: [String], prefilter: Int32 = 2) {
        let literals = words.map { Array($0.lowercased().utf8) }.map { $0.count >= 2 ? $0 : [] }
        count = literals.count
        bytes = literals.flatMap { $0 }
        var starts = [0]
        for literal in literals { starts.append(starts.last! + literal.count) }
        self.starts = starts
        var buckets: [[Int]] = []
        var tripleSlots = [UInt16](repeating: 0, count: 65536), pairSlots = [UInt16](repeating: 0, count: 65536)
        var hasPairs = false
        for (index, literal) in literals.enumerated() where literal.count >= 2 {
            let key: Int
            if literal.count >= 3 {
                key = Self.tripleKey(literal[0], literal[1], literal[2])
            } else {
                key = Self.pairKey(literal[0], literal[1])
                hasPairs = true
            }
            let isPair = literal.count == 2
            let slot = isPair ? pairSlots[key] : tripleSlots[key]
            if slot == 0 {
                buckets.append([index])
                if isPair { pairSlots[key] = UInt16(buckets.count) } else { tripleSlots[key] = UInt16(buckets.count) }
            } else {
                buckets[Int(slot) - 1].append(index)
            }
        }
        func bits(_ slots: [UInt16]) -> [UInt64] {
            var bits = [UInt64](repeating: 0, count: 1024)
            for key in slots.indices where slots[key] != 0 { bits[key >> 6] |= 1 << UInt64(key & 63) }
            return bits
        }
        self.tripleBits = bits(tripleSlots)
        self.tripleSlots = tripleSlots
        self.pairBits = hasPairs ? bits(pairSlots) : []
        self.pairSlots = hasPairs ? pairSlots : []
        self.prefilterLevel = min(prefilter, cscan_level())
        self.prefilter = prefilterLevel > 0 ? Self.prefilterTables(literals.filter { $0.count >= 3 }) : []
        var bucketStarts = [0]
        for bucket in buckets { bucketStarts.append(bucketStarts.last! + bucket.count) }
        self.bucketStarts = bucketStarts
        self.items = buckets.flatMap { $0 }
    }

    /// The prefilter's twelve tables (see `cscan_candidates`) for `literals` (three bytes or more, lowercased), in sixteen
    /// buckets.
    ///
    /// A bucket passes every position whose three bytes have, each, a low nibble and a high nibble that some of its
    /// literals have there: the product of those sets, many more starts than its literals have. So the buckets are chosen
    /// to keep those products rare in ordinary text. The literals' distinct starts, sorted by their bytes, go one by one
    /// to the bucket whose expected share of passed positions grows least, in a simple model of text (printable ASCII,
    /// letters three times as likely as the rest); of the six orders of sorting by the three bytes, the best is kept.
    /// On the default constitution and ordinary code that passes 4–8% of positions, where sixteen buckets of neighbours
    /// pass 11% and eight pass 16%; a literal starts at 1.5%.
    static func prefilterTables(_ literals: [[UInt8]]) -> [UInt8] {
        // Each start packed, byte j in bits 8j...
        let starts = Array(Set(literals.map { UInt32($0[0] | 0x20) | UInt32($0[1] | 0x20) << 8 | UInt32($0[2] | 0x20) << 16 }))
        guard !starts.isEmpty else { return [] }
        var weight = [Int](repeating: 0, count: 256)
        for byte in UInt8(0x20)...0x7E {
            let folded = Int(byte | 0x20)
            weight[folded] += (0x61...0x7A).contains(folded) ? 3 : 1
        }
        /// Nibble sets of one bucket: per byte j, the low nibbles (bit x: nibble x) in bits 16j of `low`, the high in `high`.
        struct Bucket {
            var low: UInt64 = 0
            var high: UInt64 = 0

            func adding(_ start: UInt32) -> Bucket {
                var next = self
                for j in 0..<3 {
                    let byte = UInt64(start >> (8 * UInt32(j)) & 0xFF)
                    next.low |= 1 << (16 * UInt64(j) + byte & 15)
                    next.high |= 1 << (16 * UInt64(j) + byte >> 4)
                }
                return next
            }
        }
        /// The model's chance (unscaled) that a bucket passes a position: per byte, the weight of the bytes it allows.
        func share(_ bucket: Bucket) -> Int {
            var product = 1
            for j in 0..<3 {
                var sum = 0, highs = UInt16(truncatingIfNeeded: bucket.high >> (16 * UInt64(j)))
                let low = UInt16(truncatingIfNeeded: bucket.low >> (16 * UInt64(j)))
                while highs != 0 {
                    let h = highs.trailingZeroBitCount
                    highs &= highs - 1
                    var lows = low
                    while lows != 0 {
                        sum += weight[h << 4 | lows.trailingZeroBitCount]
                        lows &= lows - 1
                    }
                }
                product *= sum
            }
            return product
        }
        var best: (cost: Int, assignment: [(UInt32, Int)]) = (.max, [])
        for order in [(0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0)] {
            func key(_ start: UInt32) -> UInt32 {
                (start >> (8 * UInt32(order.0)) & 0xFF) << 16 | (start >> (8 * UInt32(order.1)) & 0xFF) << 8 | (start >> (8 * UInt32(order.2)) & 0xFF)
            }
            var buckets = [Bucket](repeating: Bucket(), count: 16)
            var shares = [Int](repeating: 0, count: 16), used = 0
            var assignment: [(UInt32, Int)] = []
            for start in starts.sorted(by: { key($0) < key($1) }) {
                // Buckets past the used ones are all empty: trying the first of them is trying them all.
                var chosen = 0, growth = Int.max
                for k in 0..<min(used + 1, buckets.count) {
                    let grown = share(buckets[k].adding(start)) - shares[k]
                    if grown < growth { (chosen, growth) = (k, grown) }
                }
                buckets[chosen] = buckets[chosen].adding(start)
                shares[chosen] = share(buckets[chosen])
                used = max(used, chosen + 1)
                assignment.append((start, chosen))
            }
            let cost = shares.reduce(0, +)
            if cost < best.cost { best = (cost, assignment) }
        }
        var tables = [UInt8](repeating: 0, count: 192)
        for (start, k) in best.assignment {
            let bit = UInt8(1) << UInt8(k % 8), base = (k / 8) * 96
            for j in 0..<3 {
                let byte = Int(start >> (8 * UInt32(j)) & 0xFF)
                tables[base + 32 * j + byte & 0x0F] |= bit
                tables[base + 32 * j + 16 + byte >> 4] |= bit
            }
        }
        return tables
    }

    /// Folding with `| 0x20` makes both cases of a letter one key (and, harmlessly, a few other bytes too: the key only
    /// chooses which literals to compare).
    @inline(__always) private static func pairKey(_ a: UInt8, _ b: UInt8) -> Int {
        Int(a | 0x20) << 8 | Int(b | 0x20)
    }

    @inline(__always) private static func tripleKey(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> Int {
        tripleKey(UInt32(a | 0x20) | UInt32(b | 0x20) << 8 | UInt32(c | 0x20) << 16)
    }

    /// The hash of three folded bytes, the first in the lowest byte of `folded`.
    @inline(__always) private static func tripleKey(_ folded: UInt32) -> Int {
        Int((folded &* 0x9E37_79B1) >> 16)
    }

    /// The hot loop of ``forEachOccurrence(in:_:)``: from `i` on, while eight bytes remain, the positions whose bit (for
    /// their three bytes) is set, into `candidates` (64 places) until it is nearly full. A function of its own, so that its few values stay
    /// in registers.
    @inline(never)
    private static func gather(_ text: UnsafeBufferPointer<UInt8>, from i: inout Int, bits: UnsafeBufferPointer<UInt64>,
                               into candidates: UnsafeMutableBufferPointer<Int>) -> Int {
        let raw = UnsafeRawPointer(text.baseAddress!)
        let bits = bits.baseAddress!, out = candidates.baseAddress!
        var position = i, n = 0
        let end = text.count - 8
        while position <= end, n <= 58 {
            // Eight bytes hold the three-byte windows of six positions.
            let word = raw.loadUnaligned(fromByteOffset: position, as: UInt64.self).littleEndian | 0x2020_2020_2020_2020
            @inline(__always) func test(_ shift: UInt64, _ at: Int) {
                let key = tripleKey(UInt32(truncatingIfNeeded: word >> shift) & 0xFF_FFFF)
                if bits[key >> 6] & (1 << UInt64(key & 63)) != 0 {
                    out[n] = at
                    n &+= 1
                }
            }
            test(0, position)
            test(8, position &+ 1)
            test(16, position &+ 2)
            test(24, position &+ 3)
            test(32, position &+ 4)
            test(40, position &+ 5)
            position &+= 6
        }
        i = position
        return n
    }

    /// Calls `visit(literal, position)` for every occurrence of every literal in `text`: those of literals of three bytes
    /// or more by position, and at one position by literal index; then those of two-byte literals, the same way.
    func forEachOccurrence(in text: UnsafeBufferPointer<UInt8>, _ visit: (_ literal: Int, _ position: Int) -> Void) {
        guard count > 0, text.count >= 2 else { return }
        bytes.withUnsafeBufferPointer { bytes in
        starts.withUnsafeBufferPointer { starts in
        tripleBits.withUnsafeBufferPointer { tripleBits in
        tripleSlots.withUnsafeBufferPointer { tripleSlots in
        pairBits.withUnsafeBufferPointer { pairBits in
        pairSlots.withUnsafeBufferPointer { pairSlots in
        bucketStarts.withUnsafeBufferPointer { bucketStarts in
        items.withUnsafeBufferPointer { items in
            /// Compares the literals of bucket `slot` at `i`.
            func check(_ slot: Int, at i: Int) {
                for item in bucketStarts[slot - 1]..<bucketStarts[slot] {
                    let index = items[item]
                    let start = starts[index], length = starts[index + 1] - start
                    guard i + length <= text.count else { continue }
                    var k = 0
                    while k < length {
                        let c = text[i + k]
                        if (c >= 65 && c <= 90 ? c | 0x20 : c) != bytes[start + k] { break }
                        k += 1
                    }
                    if k == length { visit(index, i) }
                }
            }
            var i = 0
            // Positions come back as 32 bits: a text of 4 GiB or more is scanned without the prefilter.
            if !prefilter.isEmpty, text.count < Int(UInt32.max) {
                prefilter.withUnsafeBufferPointer { tables in
                    withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 256) { found in
                        while i + 18 <= text.count {
                            var from = i
                            let n = cscan_candidates(prefilterLevel, text.baseAddress, text.count, &from, tables.baseAddress,
                                                     found.baseAddress, 256)
                            if from == i { break }  // it moved no position: the scalar scan below takes the rest
                            i = from
                            for c in 0..<n {
                                let position = Int(found[c])
                                let slot = tripleSlots[Self.tripleKey(text[position], text[position + 1], text[position + 2])]
                                if slot != 0 { check(Int(slot), at: position) }
                            }
                        }
                    }
                }
            }
            // What the prefilter leaves (or all, without it): the positions whose bit is set are gathered first and compared after, a few dozen at a time, so that the
            // hot loop holds no call and keeps its values in registers.
            withUnsafeTemporaryAllocation(of: Int.self, capacity: 64) { candidates in
                while i + 8 <= text.count {
                    let n = Self.gather(text, from: &i, bits: tripleBits, into: candidates)
                    for c in 0..<n {
                        let position = candidates[c]
                        check(Int(tripleSlots[Self.tripleKey(text[position], text[position + 1], text[position + 2])]), at: position)
                    }
                }
            }
            while i + 3 <= text.count {
                let key = Self.tripleKey(text[i], text[i + 1], text[i + 2])
                if tripleBits[key >> 6] & (1 << UInt64(key & 63)) != 0 { check(Int(tripleSlots[key]), at: i) }
                i += 1
            }
            guard !pairBits.isEmpty else { return }
            for i in 0..<(text.count - 1) {
                let pair = Self.pairKey(text[i], text[i + 1])
                if pairBits[pair >> 6] & (1 << UInt64(pair & 63)) != 0 { check(Int(pairSlots[pair]), at: i) }
            }
        }
        }
        }
        }
        }
        }
        }
        }
    }

    /// One flag per literal: whether it occurs in `text`.
    func scan(_ text: String) -> [Bool] {
        firstPositions(text).map { $0 >= 0 }
    }

    /// Per literal: the byte offset of its first occurrence in `text`, or -1.
    func firstPositions(_ text: String) -> [Int32] {
        // `Array(repeatElement(…))` rather than `Array(repeating:count:)`: for this element type the latter allocates
        // through a generic runtime path that looks the array's type up in the runtime's metadata cache on every call.
        var found: [Int32] = Array(repeatElement(-1, count: count))
        var text = text
        text.withUTF8 { b in
            found.withUnsafeMutableBufferPointer { found in
                forEachOccurrence(in: b) { index, i in
                    if found[index] < 0 { found[index] = Int32(i) }
                }
            }
        }
        return found
    }

    /// The byte offset of the next occurrence of literal `index` in `text` after `position`, or -1.
    func next(_ index: Int, in text: UnsafeBufferPointer<UInt8>, after position: Int) -> Int {
        let start = starts[index], length = starts[index + 1] - start
        guard length > 0, text.count >= length else { return -1 }
        return bytes.withUnsafeBufferPointer { bytes in
            let first = bytes[start]
            var i = position + 1
            while i <= text.count - length {
                let c = text[i]
                if (c >= 65 && c <= 90 ? c | 0x20 : c) == first {
                    var k = 1
                    while k < length {
                        let d = text[i + k]
                        if (d >= 65 && d <= 90 ? d | 0x20 : d) != bytes[start + k] { break }
                        k += 1
                    }
                    if k == length { return i }
                }
                i += 1
            }
            return -1
        }
    }
}
