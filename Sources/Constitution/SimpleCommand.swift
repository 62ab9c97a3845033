/// One simple command of a command line, as a shell would run it: wrappers such as `sudo`, `env`,
/// `timeout` and `sh -c` removed, quotes removed, the program's folder dropped.
public struct SimpleCommand: Hashable, Sendable, CustomStringConvertible {
    /// The words after quote removal and unwrapping; `words[0]` is the program as written.
    public var words: [String]
    /// The program's file name: `/usr/sbin/iptables` and `"ipt"ables` are both `iptables`.
    /// Empty for a command that is only a redirection (`> file`).
    public var program: String
    /// Files the command writes: redirection targets, and the arguments of programs that change
    /// or remove files (`rm`, `mv`, `tee`, `sed -i`, `git checkout`, ...).
    public var writes: [String]
    /// Whether the command runs code it decoded on the fly (`base64 -d | sh`,
    /// `eval "$(echo … | base64 -d)"`).
    public var runsDecodedData: Bool
    /// Whether the command runs code: an interpreter or shell given a script, stdin or `-c`
    /// code, a program by a path of its own (`./run.sh`), `source`.
    public var executesCode: Bool
    /// The words joined by spaces, followed by any here-document, for `command_text` patterns.
    public var text: String

    public init(words: [String], writes: [String] = [], runsDecodedData: Bool = false, executesCode: Bool = false,
                heredoc: String? = nil) {
        self.init(words: words, program: words.first.map(SimpleCommand.baseName) ?? "", writes: writes, runsDecodedData: runsDecodedData,
                  executesCode: executesCode, heredoc: heredoc)
    }

    /// With `program`, the base name of `words[0]`, already known.
    init(words: [String], program: String, writes: [String] = [], runsDecodedData: Bool = false, executesCode: Bool = false,
         heredoc: String? = nil) {
        self.words = words
        self.program = program
        self.writes = writes
        self.runsDecodedData = runsDecodedData
        self.executesCode = executesCode
        self.text = Self.text(words, heredoc: heredoc)
    }

    public var description: String { text }

    /// The arguments after the program.
    public var arguments: ArraySlice<String> { words.dropFirst() }

    /// `words` joined by spaces, then a newline and `heredoc`: copied, a word at a time, into one string of the right size.
    static func text(_ words: [String], heredoc: String?) -> String {
        if words.count == 1, heredoc == nil { return words[0] }  // the string itself, shared
        var count = max(0, words.count - 1) + (heredoc.map { 1 + $0.utf8.count } ?? 0)
        for word in words { count += word.utf8.count }
        return String(unsafeUninitializedCapacity: count) { buffer in
            guard let base = buffer.baseAddress else { return 0 }
            var at = 0
            @inline(__always) func put(_ string: String) {
                var string = string
                string.withUTF8 { bytes in
                    if let source = bytes.baseAddress { (base + at).update(from: source, count: bytes.count) }
                    at += bytes.count
                }
            }
            for index in words.indices {
                if index > 0 {
                    base[at] = UInt8(ascii: " ")
                    at += 1
                }
                put(words[index])
            }
            if let heredoc {
                base[at] = UInt8(ascii: "\n")
                at += 1
                put(heredoc)
            }
            return at
        }
    }

    /// A path's last component: `/usr/sbin/iptables` → `iptables`.
    static func baseName(_ word: String) -> String {
        var bytes = word
        guard let slash = bytes.withUTF8({ $0.lastIndex(of: UInt8(ascii: "/")) }) else { return word }
        return String(word[word.utf8.index(word.utf8.startIndex, offsetBy: slash + 1)...])
    }
}
