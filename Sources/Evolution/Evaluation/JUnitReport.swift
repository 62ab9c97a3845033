import CrucibleCore
import Foundation

/// A JUnit XML report (pytest's `--junitxml`, JUnit, Go's and Jest's converters) read into its test cases.
///
/// The report is read by ``XMLEvents``, a small reader of well-formed XML written for this one job rather than
/// Foundation's `XMLParser`: that one links libxml2 and, through it, ICU's shared libraries and liblzma into every start
/// of the `crucible` binary (about 2.7 ms each on a 2-core machine), for a file read only by the evaluations that ask
/// for `format: junit`.
enum JUnitReport {
    /// The test cases of `report`: passed unless they hold `<failure>` or `<error>`; skipped ones listed with
    /// `passed` and `score` nil. Throws ``XMLEvents/Malformed`` when the report is not well-formed XML.
    static func tasks(_ report: [UInt8]) throws(XMLEvents.Malformed) -> [TaskResult] {
        var tasks: [TaskResult] = []
        var current: TaskResult?
        var skipped = false, inFailure = false
        var failureText = ""
        try XMLEvents.read(report) { event in
            switch event {
            case .start(let name, let attributes):
                switch name {
                case "testcase":
                    let id = [attributes["classname"], attributes["name"]].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ".")
                    current = TaskResult(id: id.isEmpty ? "test\(tasks.count)" : id, passed: true, score: 1)
                    skipped = false
                case "failure", "error":
                    current?.passed = false
                    current?.score = 0
                    inFailure = true
                    failureText = attributes["message"].map { $0 + "\n" } ?? ""
                case "skipped":
                    skipped = true
                default:
                    break
                }
            case .text(let text):
                // At most 8 KiB of a failure's text is kept, however long a run of it the report holds.
                let room = 8192 - failureText.utf8.count
                guard inFailure, room > 0 else { break }
                failureText += text.utf8.count <= room ? text : String(decoding: text.utf8.prefix(room), as: UTF8.self)
            case .end(let name):
                switch name {
                case "failure", "error":
                    inFailure = false
                    current?.detail = ScoreReader.tail(failureText.trimmingCharacters(in: .whitespacesAndNewlines), 2000)
                case "testcase":
                    if var task = current {
                        if skipped, task.passed == true {
                            task.passed = nil
                            task.score = nil
                        }
                        tasks.append(task)
                    }
                    current = nil
                default:
                    break
                }
            }
        }
        return tasks
    }
}

/// A reader of well-formed XML in UTF-8 that reports elements and text as they come, in document order.
///
/// What a report needs and nothing more: elements with attributes in either quote, text, CDATA sections, the five
/// named entities and numeric character references; comments, processing instructions and the document type are
/// passed over. Line ends are normalized to `\n`, and white space in attribute values to spaces, as XML says. No
/// entity is ever expanded from a document type, so no document can make it grow, and elements nest at most
/// ``maximumDepth`` deep. Anything not well-formed (a tag closed by another name, an unknown entity, an attribute
/// without quotes, a second root, text outside the root) is an error naming its line; so is a report in UTF-16.
enum XMLEvents {
    enum Event {
        case start(String, [String: String])
        case text(String)
        case end(String)
    }

    struct Malformed: Error, CustomStringConvertible {
        let line: Int
        let reason: String
        var description: String { "line \(line): \(reason)" }
    }

    /// How deep elements may nest (libxml2's own default limit): a JUnit report nests three or four.
    static let maximumDepth = 256

    static func read(_ bytes: [UInt8], _ visit: (Event) -> Void) throws(Malformed) {
        if bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE]) {
            throw Malformed(line: 1, reason: "the report is in UTF-16; only UTF-8 is read")
        }
        var reader = Reader(bytes: bytes.contains(0x0D) ? normalizingLineEnds(bytes) : bytes)
        try reader.document(visit)
    }

    /// `\r\n` and a lone `\r` as `\n`, as XML reads line ends before anything else.
    private static func normalizingLineEnds(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for (index, byte) in bytes.enumerated() where byte != 0x0D || index + 1 == bytes.count || bytes[index + 1] != 0x0A {
            out.append(byte == 0x0D ? 0x0A : byte)
        }
        return out
    }

    private struct Reader {
        let bytes: [UInt8]
        var at = 0
        /// The names of the open elements, innermost last.
        var open: [String] = []

        init(bytes: [UInt8]) {
            self.bytes = bytes
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { at = 3 }  // a UTF-8 byte order mark
        }

        /// An error at `position` (where the reader is, by default).
        func fail(_ reason: String, at position: Int? = nil) -> Malformed {
            Malformed(line: 1 + bytes[..<min(position ?? at, bytes.count)].lazy.filter { $0 == 0x0A }.count, reason: reason)
        }

        func starts(with literal: StaticString) -> Bool {
            let count = literal.utf8CodeUnitCount
            guard at + count <= bytes.count else { return false }
            let pointer = literal.utf8Start
            for k in 0..<count where bytes[at + k] != pointer[k] { return false }
            return true
        }

        /// Moves past the next `literal`, or fails with `what`, at the line where it began, when the document ends first.
        mutating func skip(past literal: StaticString, _ what: String) throws(Malformed) {
            let start = at
            while at < bytes.count {
                if starts(with: literal) {
                    at += literal.utf8CodeUnitCount
                    return
                }
                at += 1
            }
            throw fail("\(what) is not closed", at: start)
        }

        static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 }

        /// Ends a name: space, `/`, `>`, `=`, `<`, quotes, `&`.
        static func endsName(_ c: UInt8) -> Bool {
            isSpace(c) || c == 0x2F || c == 0x3E || c == 0x3D || c == 0x3C || c == 0x22 || c == 0x27 || c == 0x26
        }

        mutating func skipSpace() {
            while at < bytes.count, Self.isSpace(bytes[at]) { at += 1 }
        }

        mutating func name() throws(Malformed) -> String {
            let start = at
            while at < bytes.count, !Self.endsName(bytes[at]) { at += 1 }
            guard at > start else { throw fail("a name is missing") }
            return String(decoding: bytes[start..<at], as: UTF8.self)
        }

        mutating func document(_ visit: (Event) -> Void) throws(Malformed) {
            var sawRoot = false
            while at < bytes.count {
                if bytes[at] != 0x3C {  // text
                    let text = try self.text()
                    if open.isEmpty {
                        guard text.utf8.allSatisfy(Self.isSpace) else { throw fail("text outside the root element") }
                    } else {
                        visit(.text(text))
                    }
                } else if starts(with: "<!--") {
                    at += 4
                    try skip(past: "-->", "a comment")
                } else if starts(with: "<?") {
                    at += 2
                    try skip(past: "?>", "a processing instruction")
                } else if starts(with: "<![CDATA[") {
                    guard !open.isEmpty else { throw fail("a CDATA section outside the root element") }
                    at += 9
                    let start = at
                    try skip(past: "]]>", "a CDATA section")
                    visit(.text(String(decoding: bytes[start..<(at - 3)], as: UTF8.self)))
                } else if starts(with: "<!DOCTYPE") {
                    guard open.isEmpty, !sawRoot else { throw fail("a document type inside the document") }
                    try documentType()
                } else if starts(with: "<!") {
                    throw fail("markup `<!` that starts no comment, CDATA section or document type")
                } else if starts(with: "</") {
                    at += 2
                    let name = try self.name()
                    skipSpace()
                    guard at < bytes.count, bytes[at] == 0x3E else { throw fail("the end tag </\(name)> is not closed") }
                    at += 1
                    guard let innermost = open.last else { throw fail("</\(name)> closes no element") }
                    guard innermost == name else { throw fail("</\(name)> closes <\(innermost)>") }
                    open.removeLast()
                    visit(.end(name))
                } else {
                    guard !(open.isEmpty && sawRoot) else { throw fail("a second root element") }
                    sawRoot = true
                    try element(visit)
                }
            }
            if let innermost = open.last { throw fail("<\(innermost)> is not closed at the end of the document") }
            guard sawRoot else { throw fail("no root element") }
        }

        /// `<!DOCTYPE …>`, with its internal subset in brackets if it has one: passed over, its declarations unused.
        mutating func documentType() throws(Malformed) {
            let start = at
            at += 9
            var inSubset = false
            var quote: UInt8 = 0
            while at < bytes.count {
                if quote == 0, starts(with: "<!--") {  // a comment or instruction may hold quotes and brackets of its own
                    at += 4
                    try skip(past: "-->", "a comment")
                    continue
                }
                if quote == 0, starts(with: "<?") {
                    at += 2
                    try skip(past: "?>", "a processing instruction")
                    continue
                }
                let c = bytes[at]
                at += 1
                if quote != 0 {
                    if c == quote { quote = 0 }
                } else if c == 0x22 || c == 0x27 {
                    quote = c
                } else if c == 0x5B {
                    inSubset = true
                } else if c == 0x5D {
                    inSubset = false
                } else if c == 0x3E, !inSubset {
                    return
                }
            }
            throw fail("the document type is not closed", at: start)
        }

        /// A start tag (the `<` at `at`), reported; an empty-element tag is reported as its start and its end.
        mutating func element(_ visit: (Event) -> Void) throws(Malformed) {
            at += 1
            let name = try self.name()
            var attributes: [String: String] = [:]
            while true {
                let hadSpace = at < bytes.count && Self.isSpace(bytes[at])
                skipSpace()
                guard at < bytes.count else { throw fail("the tag <\(name)> is not closed") }
                if bytes[at] == 0x3E {
                    at += 1
                    guard open.count < XMLEvents.maximumDepth else { throw fail("elements nest deeper than \(XMLEvents.maximumDepth)") }
                    open.append(name)
                    visit(.start(name, attributes))
                    return
                }
                if starts(with: "/>") {
                    at += 2
                    visit(.start(name, attributes))
                    visit(.end(name))
                    return
                }
                guard hadSpace else { throw fail("the tag <\(name)> needs a space before its next attribute") }
                let key = try self.name()
                skipSpace()
                guard at < bytes.count, bytes[at] == 0x3D else { throw fail("the attribute \(key) of <\(name)> has no value") }
                at += 1
                skipSpace()
                guard at < bytes.count, bytes[at] == 0x22 || bytes[at] == 0x27 else {
                    throw fail("the value of the attribute \(key) of <\(name)> is not quoted")
                }
                let quote = bytes[at]
                at += 1
                let value = try characters(until: quote)
                guard at < bytes.count else { throw fail("the value of the attribute \(key) of <\(name)> is not closed") }
                at += 1
                guard attributes.updateValue(value, forKey: key) == nil else { throw fail("the attribute \(key) of <\(name)> is repeated") }
            }
        }

        /// Text up to the next `<` or the end.
        mutating func text() throws(Malformed) -> String {
            try characters(until: 0x3C)
        }

        /// Characters up to `end` (not taken) or the document's end, references replaced. In an attribute's value
        /// (`end` a quote) a `<` is an error, and a tab or line end is a space.
        mutating func characters(until end: UInt8) throws(Malformed) -> String {
            let inAttribute = end != 0x3C
            var out: [UInt8] = []
            var start = at
            while at < bytes.count, bytes[at] != end {
                let c = bytes[at]
                if c == 0x3C { throw fail("a `<` inside an attribute's value") }
                if c == 0x26 {
                    out += bytes[start..<at]
                    try reference(into: &out)
                    start = at
                } else if inAttribute, c == 0x09 || c == 0x0A {
                    out += bytes[start..<at]
                    out.append(0x20)
                    at += 1
                    start = at
                } else {
                    at += 1
                }
            }
            out += bytes[start..<at]
            return String(decoding: out, as: UTF8.self)
        }

        /// `&name;` or `&#N;` / `&#xH;` at `at`, its character appended to `out`.
        mutating func reference(into out: inout [UInt8]) throws(Malformed) {
            let start = at + 1
            var end = start
            while end < bytes.count, end - start < 32, bytes[end] != 0x3B { end += 1 }
            guard end < bytes.count, bytes[end] == 0x3B else { throw fail("a `&` that starts no reference (write &amp;)") }
            let body = String(decoding: bytes[start..<end], as: UTF8.self)
            switch body {
            case "lt": out.append(0x3C)
            case "gt": out.append(0x3E)
            case "amp": out.append(0x26)
            case "quot": out.append(0x22)
            case "apos": out.append(0x27)
            default:
                guard body.hasPrefix("#") else { throw fail("the entity &\(body); is not defined") }
                let hex = body.hasPrefix("#x"), digits = body.dropFirst(hex ? 2 : 1)
                // Digits only: `UInt32` would also take a sign.
                let valid = !digits.isEmpty && digits.utf8.allSatisfy {
                    ($0 >= 0x30 && $0 <= 0x39) || (hex && $0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x66)
                }
                let scalar = valid ? UInt32(digits, radix: hex ? 16 : 10) : nil
                guard let scalar, scalar != 0, let character = Unicode.Scalar(scalar) else { throw fail("&\(body); is not a character") }
                out += String(Character(character)).utf8
            }
            at = end + 1
        }
    }
}
