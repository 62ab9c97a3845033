/// Line-level differences between two texts (Myers' O((N+M)·D) algorithm), as hunks and as a
/// unified diff.
public enum LineDiff {
    /// One changed region: lines `oldRange` of the old text became `newLines`.
    public struct Hunk: Hashable, Sendable {
        public var oldRange: Range<Int>
        public var newRange: Range<Int>
    }

    /// Splits text into lines, each keeping its `\n` so joining them restores the text exactly.
    public static func lines(_ text: String) -> [Substring] {
        var result: [Substring] = []
        var start = text.startIndex
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(after: index)
            if text[index] == "\n" {
                result.append(text[start..<next])
                start = next
            }
            index = next
        }
        if start < text.endIndex { result.append(text[start...]) }
        return result
    }

    /// The changed regions turning `old` into `new`, in order.
    public static func hunks(_ old: [Substring], _ new: [Substring]) -> [Hunk] {
        // Trim the common prefix and suffix first: most edits are small.
        var prefix = 0
        while prefix < old.count, prefix < new.count, old[prefix] == new[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < old.count - prefix, suffix < new.count - prefix, old[old.count - 1 - suffix] == new[new.count - 1 - suffix] {
            suffix += 1
        }
        let a = Array(old[prefix..<(old.count - suffix)]), b = Array(new[prefix..<(new.count - suffix)])
        let matches = myers(a, b)
        var hunks: [Hunk] = []
        var i = 0, j = 0
        for (x, y) in matches + [(a.count, b.count)] {
            if x > i || y > j {
                hunks.append(Hunk(oldRange: (prefix + i)..<(prefix + x), newRange: (prefix + j)..<(prefix + y)))
            }
            i = x + 1
            j = y + 1
        }
        return hunks
    }

    /// The matched line pairs of a shortest edit script.
    private static func myers(_ a: [Substring], _ b: [Substring]) -> [(Int, Int)] {
        let n = a.count, m = b.count
        if n == 0 || m == 0 { return [] }
        let max = n + m
        var v = [Int](repeating: 0, count: 2 * max + 2)
        var trace: [[Int]] = []
        outer: for d in 0...max {
            trace.append(v)
            for k in stride(from: -d, through: d, by: 2) {
                var x = (k == -d || (k != d && v[max + k - 1] < v[max + k + 1])) ? v[max + k + 1] : v[max + k - 1] + 1
                var y = x - k
                while x < n, y < m, a[x] == b[y] {
                    x += 1
                    y += 1
                }
                v[max + k] = x
                if x >= n, y >= m { break outer }
            }
        }
        // Walk back through the trace collecting the diagonal moves.
        var pairs: [(Int, Int)] = []
        var x = n, y = m
        for d in stride(from: trace.count - 1, through: 0, by: -1) {
            let v = trace[d]
            let k = x - y
            let previousK = (k == -d || (k != d && v[max + k - 1] < v[max + k + 1])) ? k + 1 : k - 1
            let previousX = d == 0 ? 0 : v[max + previousK]
            let previousY = previousX - previousK
            while x > previousX, y > previousY, x > 0, y > 0 {
                x -= 1
                y -= 1
                pairs.append((x, y))
            }
            if d == 0 { break }
            x = previousX
            y = previousY
        }
        return pairs.reversed()
    }

    /// A unified diff of one file, with `context` lines around each change; empty when equal.
    public static func unified(old: String, new: String, path: String, context: Int = 3) -> String {
        let a = lines(old), b = lines(new)
        let changes = hunks(a, b)
        guard !changes.isEmpty else { return "" }
        var output = "--- a/\(path)\n+++ b/\(path)\n"
        var index = 0
        while index < changes.count {
            // Merge hunks whose context would overlap.
            var last = index
            while last + 1 < changes.count, changes[last + 1].oldRange.lowerBound - changes[last].oldRange.upperBound <= 2 * context {
                last += 1
            }
            let oldStart = max(0, changes[index].oldRange.lowerBound - context)
            let oldEnd = min(a.count, changes[last].oldRange.upperBound + context)
            let newStart = changes[index].newRange.lowerBound - (changes[index].oldRange.lowerBound - oldStart)
            let newEnd = changes[last].newRange.upperBound + (oldEnd - changes[last].oldRange.upperBound)
            output += "@@ -\(oldStart + 1),\(oldEnd - oldStart) +\(newStart + 1),\(newEnd - newStart) @@\n"
            var cursor = oldStart
            for hunk in changes[index...last] {
                for line in a[cursor..<hunk.oldRange.lowerBound] { output += " " + terminated(line) }
                for line in a[hunk.oldRange] { output += "-" + terminated(line) }
                for line in b[hunk.newRange] { output += "+" + terminated(line) }
                cursor = hunk.oldRange.upperBound
            }
            for line in a[cursor..<oldEnd] { output += " " + terminated(line) }
            index = last + 1
        }
        return output
    }

    private static func terminated(_ line: Substring) -> String {
        line.hasSuffix("\n") ? String(line) : line + "\n\\ No newline at end of file\n"
    }

    /// The single edit turning `old` into `new` in file `path`: the differing middle between their
    /// common prefix and suffix, or nil when they are equal.
    public static func edit(path: String, old: String, new: String) -> Edit? {
        let a = Array(old.utf8), b = Array(new.utf8)
        guard a != b else { return nil }
        var prefix = 0
        while prefix < a.count, prefix < b.count, a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix, suffix < b.count - prefix, a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        // Keep the cut on character boundaries: back off over UTF-8 continuation bytes.
        while prefix > 0, prefix < a.count, a[prefix] & 0xC0 == 0x80 { prefix -= 1 }
        while suffix > 0, a.count - suffix < a.count, a[a.count - suffix] & 0xC0 == 0x80 { suffix -= 1 }
        return Edit(path: path, offset: prefix,
                    old: String(decoding: a[prefix..<(a.count - suffix)], as: UTF8.self),
                    new: String(decoding: b[prefix..<(b.count - suffix)], as: UTF8.self))
    }
}

extension FileTree {
    /// The edits turning this tree into `other`, one per changed file (files are never removed).
    public func edits(to other: FileTree) -> [Edit] {
        other.files.keys.sorted().compactMap { path in
            LineDiff.edit(path: path, old: files[path] ?? "", new: other.files[path]!)
        }
    }

    /// A unified diff of every file that differs from `other`.
    public func unifiedDiff(to other: FileTree) -> String {
        Set(files.keys).union(other.files.keys).sorted().map { path in
            LineDiff.unified(old: files[path] ?? "", new: other.files[path] ?? "", path: path)
        }.joined()
    }
}
