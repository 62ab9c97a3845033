import CrucibleCore
import Foundation

/// How a model writes its changes.
public enum EditFormat: String, Sendable, Hashable, CaseIterable {
    /// The file path on its own line, then `<<<<<<< SEARCH`, old lines, `=======`, new lines,
    /// `>>>>>>> REPLACE`, optionally inside a code fence.
    case searchReplace = "search-replace"
    /// The file path on its own line, then the whole new file in a code fence.
    case wholeFile = "whole-file"
}

/// One change a model wrote: a SEARCH/REPLACE block or a whole file.
public struct EditBlock: Sendable, Hashable {
    /// The block's place in the answer, from 1.
    public var index: Int
    public var path: String
    /// The lines to find; nil for a whole-file block.
    public var search: String?
    /// The lines that replace them, or the whole file.
    public var replace: String

    public init(index: Int, path: String, search: String?, replace: String) {
        self.index = index
        self.path = path
        self.search = search
        self.replace = replace
    }
}

/// A block that could not be read or applied, with the reason told back to the model.
public struct EditFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The block's place in the answer (0 when the answer as a whole is at fault).
    public var index: Int
    public var path: String?
    public var reason: String

    public var description: String {
        index == 0 ? reason : "block \(index)\(path.map { " (\($0))" } ?? ""): \(reason)"
    }
}

/// Reads model answers into edit blocks and applies them to a tree, tolerating what models get
/// wrong: indentation shifted as a whole, trailing whitespace, typographic quotes and dashes,
/// blank lines around the SEARCH text. A SEARCH text that matches more than one place is
/// ambiguous and refused, never guessed.
public enum SearchReplaceEdits {
    /// The result of applying blocks: the tree with every block that applied, and those that did not.
    public struct Outcome: Sendable {
        public var tree: FileTree
        public var applied: [EditBlock]
        public var failures: [EditFailure]
    }

    // MARK: parsing

    /// The blocks of `answer` in `format`, and the blocks that are malformed.
    public static func parse(_ answer: String, format: EditFormat) -> (blocks: [EditBlock], failures: [EditFailure]) {
        let lines = answer.split(separator: "\n", omittingEmptySubsequences: false).map { String($0.trimmingSuffix(while: \.isCarriageReturn)) }
        switch format {
        case .searchReplace: return parseSearchReplace(lines)
        case .wholeFile: return (parseWholeFiles(lines), [])
        }
    }

    private static func parseSearchReplace(_ lines: [String]) -> (blocks: [EditBlock], failures: [EditFailure]) {
        var blocks: [EditBlock] = []
        var failures: [EditFailure] = []
        var lastPath: String?
        var i = 0
        var index = 0
        while i < lines.count {
            guard isMarker(lines[i], "<", "SEARCH") else { i += 1; continue }
            index += 1
            let path = pathBefore(i, in: lines) ?? lastPath
            var j = i + 1
            var search: [String] = []
            while j < lines.count, !isDivider(lines[j]), !isMarker(lines[j], "<", "SEARCH") { search.append(lines[j]); j += 1 }
            guard j < lines.count, isDivider(lines[j]) else {
                failures.append(EditFailure(index: index, path: path, reason: "no ======= line after <<<<<<< SEARCH"))
                i = j
                continue
            }
            j += 1
            var replace: [String] = []
            while j < lines.count, !isMarker(lines[j], ">", "REPLACE"), !isMarker(lines[j], "<", "SEARCH") { replace.append(lines[j]); j += 1 }
            guard j < lines.count, isMarker(lines[j], ">", "REPLACE") else {
                failures.append(EditFailure(index: index, path: path, reason: "no >>>>>>> REPLACE line closes the block"))
                i = j
                continue
            }
            guard let path else {
                failures.append(EditFailure(index: index, path: nil, reason: "no file path on the line before the block"))
                i = j + 1
                continue
            }
            blocks.append(EditBlock(index: index, path: path, search: search.joined(separator: "\n"), replace: replace.joined(separator: "\n")))
            lastPath = path
            i = j + 1
        }
        return (blocks, failures)
    }

    /// Fenced blocks preceded by a path on its own line. A fence closes only on a line of at
    /// least as many backticks as opened it, so a file holding ``` fences travels in a longer one.
    private static func parseWholeFiles(_ lines: [String]) -> [EditBlock] {
        var blocks: [EditBlock] = []
        var i = 0
        while i < lines.count {
            guard isFence(lines[i]) else { i += 1; continue }
            let opening = lines[i].trimmingCharacters(in: .whitespaces).prefix { $0 == "`" }.count
            func closes(_ line: String) -> Bool {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                return trimmed.count >= opening && trimmed.allSatisfy { $0 == "`" }
            }
            var j = i + 1
            while j < lines.count, !closes(lines[j]) { j += 1 }
            let previous = lines[..<i].last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            if j < lines.count, let previous, let path = cleanPath(previous) {
                let body = lines[(i + 1)..<j].joined(separator: "\n")
                blocks.append(EditBlock(index: blocks.count + 1, path: path, search: nil, replace: body + "\n"))
            }
            i = j + 1
        }
        return blocks
    }

    private static func isMarker(_ line: String, _ character: Character, _ word: String) -> Bool {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        let run = trimmed.prefix { $0 == character }.count
        return (5...9).contains(run) && trimmed.dropFirst(run).trimmingCharacters(in: .whitespaces) == word
    }

    private static func isDivider(_ line: String) -> Bool {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        return (5...9).contains(trimmed.count) && trimmed.allSatisfy { $0 == "=" }
    }

    private static func isFence(_ line: String) -> Bool {
        line.trimmingCharacters(in: .whitespaces).hasPrefix("```")
    }

    /// The path named on the last non-blank line before `index` that is not a code fence.
    private static func pathBefore(_ index: Int, in lines: [String]) -> String? {
        var k = index - 1
        while k >= 0 {
            let line = lines[k].trimmingCharacters(in: .whitespaces)
            if line.isEmpty || isFence(line) { k -= 1; continue }
            return cleanPath(line)
        }
        return nil
    }

    /// A path written on its own line, without the decorations models add (`**a.py**`, `` `a.py` ``,
    /// `a.py:`, `# File: a.py`); nil when the line is not a path.
    static func cleanPath(_ line: String) -> String? {
        var text = line.trimmingCharacters(in: .whitespaces)
        for prefix in ["#", "//", "File:", "file:", "Path:", "path:"] where text.hasPrefix(prefix) {
            text = String(text.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
        }
        text = text.trimmingCharacters(in: CharacterSet(charactersIn: "*`'\":"))
        while text.hasPrefix("./") { text.removeFirst(2) }
        guard !text.isEmpty, !text.contains(where: \.isWhitespace), text.contains(".") || text.contains("/"),
              !text.hasPrefix("/"), !text.split(separator: "/").contains("..") else { return nil }
        return text
    }

    // MARK: applying

    /// Applies `blocks` in order to `tree`; each block sees the files as the blocks before it left them.
    public static func apply(_ blocks: [EditBlock], to tree: FileTree) -> Outcome {
        var result = tree
        var applied: [EditBlock] = []
        var failures: [EditFailure] = []
        for block in blocks {
            do {
                result.files[block.path] = try apply(block, to: result.files[block.path])
                applied.append(block)
            } catch {
                failures.append(error)
            }
        }
        return Outcome(tree: result, applied: applied, failures: failures)
    }

    /// The file `content` (nil: absent) after `block`.
    static func apply(_ block: EditBlock, to content: String?) throws(EditFailure) -> String {
        func fail(_ reason: String) -> EditFailure { EditFailure(index: block.index, path: block.path, reason: reason) }
        guard let search = block.search else { return block.replace }
        let searchLines = lines(search)
        if searchLines.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            guard content == nil || content!.isEmpty else {
                throw fail("the SEARCH text is empty but the file exists; quote the lines to replace")
            }
            return block.replace.isEmpty || block.replace.hasSuffix("\n") ? block.replace : block.replace + "\n"
        }
        guard let content else { throw fail("no such file; to create one, leave the SEARCH part empty") }
        var fileLines = content.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let endsWithNewline = fileLines.last == ""
        if endsWithNewline { fileLines.removeLast() }
        let replaceLines = block.replace.isEmpty ? [] : lines(block.replace)

        for strategy in MatchStrategy.allCases {
            var search = searchLines, replace = replaceLines
            if strategy == .normalised {
                (search, replace) = (trimBlankEdges(search), trimBlankEdges(replace))
            }
            let matches = strategy.matches(search, in: fileLines)
            if matches.count > 1 {
                let places = matches.prefix(3).map { "line \($0.start + 1)" }.joined(separator: ", ")
                throw fail("the SEARCH text matches \(matches.count) places (\(places)); quote more lines so it matches exactly one")
            }
            guard let match = matches.first else { continue }
            let reindented = replace.map { match.reindent($0) }
            fileLines.replaceSubrange(match.start..<(match.start + search.count), with: reindented)
            return fileLines.joined(separator: "\n") + (endsWithNewline ? "\n" : "")
        }
        throw fail("the SEARCH text is not in the file; copy the lines exactly as the file has them")
    }

    private static func lines(_ text: String) -> [String] {
        var result = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if result.last == "" { result.removeLast() }
        return result
    }

    private static func trimBlankEdges(_ lines: [String]) -> [String] {
        func blank(_ line: String) -> Bool { line.trimmingCharacters(in: .whitespaces).isEmpty }
        var slice = lines[...]
        while let first = slice.first, blank(first) { slice.removeFirst() }
        while let last = slice.last, blank(last) { slice.removeLast() }
        return Array(slice)
    }

    /// A place where the SEARCH lines match, and how to shift the replacement's indentation.
    struct Match {
        var start: Int
        /// Indentation the file has and the SEARCH text lacks (added to each replacement line).
        var added: String = ""
        /// Indentation the SEARCH text has and the file lacks (removed from each replacement line).
        var removed: String = ""

        func reindent(_ line: String) -> String {
            guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { return line }
            var line = line
            if !removed.isEmpty {
                let indent = line.prefix { $0 == " " || $0 == "\t" }
                line = String(line.dropFirst(min(indent.count, removed.count)))
            }
            return added + line
        }
    }

    /// The ways of matching, tried in order until one finds a place.
    enum MatchStrategy: CaseIterable {
        /// The same lines.
        case exact
        /// The same lines shifted by one indentation for all of them.
        case indentation
        /// The same lines once trailing whitespace, typographic quotes and dashes and blank lines
        /// around the text are set aside, shifted by one indentation or not.
        case normalised

        func matches(_ search: [String], in file: [String]) -> [Match] {
            guard !search.isEmpty, search.count <= file.count else { return [] }
            var found: [Match] = []
            for start in 0...(file.count - search.count) {
                let window = Array(file[start..<(start + search.count)])
                switch self {
                case .exact:
                    if window == search { found.append(Match(start: start)) }
                case .indentation:
                    if var match = Self.shifted(search, window) { match.start = start; found.append(match) }
                case .normalised:
                    let a = search.map(Self.normalise), b = window.map(Self.normalise)
                    if a == b { found.append(Match(start: start)) }
                    else if var match = Self.shifted(a, b) { match.start = start; found.append(match) }
                }
            }
            return found
        }

        /// Whether `file` is `search` with one indentation added to (or removed from) every
        /// non-blank line; blank lines match blank lines.
        static func shifted(_ search: [String], _ file: [String]) -> Match? {
            var shift: (added: String, removed: String)?
            for (s, f) in zip(search, file) {
                let sBlank = s.trimmingCharacters(in: .whitespaces).isEmpty, fBlank = f.trimmingCharacters(in: .whitespaces).isEmpty
                if sBlank || fBlank {
                    guard sBlank && fBlank else { return nil }
                    continue
                }
                let si = s.prefix { $0 == " " || $0 == "\t" }, fi = f.prefix { $0 == " " || $0 == "\t" }
                guard s.dropFirst(si.count) == f.dropFirst(fi.count) else { return nil }
                let this: (added: String, removed: String)
                if fi.hasSuffix(si) { this = (String(fi.dropLast(si.count)), "") }
                else if si.hasSuffix(fi) { this = ("", String(si.dropLast(fi.count))) }
                else { return nil }
                if let shift { guard shift == this else { return nil } } else { shift = this }
            }
            guard let shift, !(shift.added.isEmpty && shift.removed.isEmpty) else { return nil }
            return Match(start: 0, added: shift.added, removed: shift.removed)
        }

        /// A line without trailing whitespace, with typographic quotes, dashes and non-breaking
        /// spaces written in ASCII.
        static func normalise(_ line: String) -> String {
            var out = ""
            for character in line {
                switch character {
                case "\u{2018}", "\u{2019}", "\u{201A}", "\u{201B}", "\u{2032}": out.append("'")
                case "\u{201C}", "\u{201D}", "\u{201E}", "\u{201F}", "\u{2033}": out.append("\"")
                case "\u{2010}", "\u{2011}", "\u{2012}", "\u{2013}", "\u{2014}", "\u{2015}", "\u{2212}": out.append("-")
                case "\u{00A0}", "\u{202F}": out.append(" ")
                default: out.append(character)
                }
            }
            while let last = out.last, last == " " || last == "\t" || last == "\r" { out.removeLast() }
            return out
        }
    }
}

private extension Character {
    var isCarriageReturn: Bool { self == "\r" }
}

private extension Substring {
    func trimmingSuffix(while predicate: (Character) -> Bool) -> Substring {
        var result = self
        while let last = result.last, predicate(last) { result.removeLast() }
        return result
    }
}
