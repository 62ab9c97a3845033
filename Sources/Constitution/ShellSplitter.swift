/// Splits a command line into the simple commands a POSIX shell would run, so that each is
/// decided on its own: `a && b`, `a || b`, `a; b`, `a | b`, `a & b`, newlines, subshells,
/// `$(…)`, backticks, `<(…)`, here-documents, and the wrappers that run another command —
/// `sh -c`/`bash -c`/`eval`/`ssh HOST CMD`/`watch`/`su -c` (their text split again),
/// `sudo`, `env`, `nohup`, `timeout`, `nice`, `xargs`, `exec`, `command`, `find -exec`, ...
///
/// It errs towards finding more commands, never fewer: a word it cannot resolve statically
/// (`$(…)` as a program) stays a word, so no allow-list rule will name it.
public enum ShellSplitter {
    /// How deep `sh -c "sh -c …"` may nest before the rest is left unsplit.
    static let maximumDepth = 8

    /// The simple commands of `line`, in the order they appear.
    public static func split(_ line: String) -> [SimpleCommand] {
        var out: [SimpleCommand] = []
        out.reserveCapacity(4)
        split(line, depth: 0, into: &out)
        return out
    }

    static func split(_ line: String, depth: Int, into out: inout [SimpleCommand]) {
        guard depth < maximumDepth else {
            out.append(SimpleCommand(words: ["(nested too deeply)", line]))
            return
        }
        // Lexed where the string keeps its bytes, not from a copy of them.
        var line = line
        line.withUTF8 { bytes in
            var lexer = Lexer(bytes: bytes, depth: depth)
            lexer.run(into: &out)
        }
    }

    /// Splits text into words as the shell would (for `env -S` and `ssh` arguments).
    static func words(_ text: String, depth: Int) -> [Word] {
        var text = text
        return text.withUTF8 { bytes in
            var lexer = Lexer(bytes: bytes, depth: depth)
            var words: [Word] = []
            var ignored: [SimpleCommand] = []
            while let token = lexer.next(nested: &ignored) {
                if case .word(let word) = token { words.append(word) }
            }
            return words
        }
    }
}

/// A word after quote removal, remembering whether a substitution in it decodes data.
struct Word {
    var text: String
    /// It holds `$(…)` or backticks.
    var substituted = false
    /// A substitution in it runs a decoder (`base64 -d`, `xxd -r`, ...).
    var decodes = false
}

private enum Token {
    case word(Word)
    /// `;`, `&`, `&&`, `||`, `|`, `(`, `)`, newline (as `;`).
    case op(Operator)
    /// A redirection: `writes` for `>`, `>>`, `&>`, `>|`; the target word.
    case redirect(writes: Bool, target: Word)
    /// `<<DELIM`: the here-document's body is read at the end of the line.
    case heredoc(delimiter: String)
}

/// The operators between simple commands.
private enum Operator {
    /// `;`, `;;` or a newline.
    case sequence
    case and, or, pipe, background, open, close
}

private struct Lexer {
    /// The text's UTF-8, valid while the lexer is (see ``ShellSplitter/split(_:depth:into:)``).
    let bytes: UnsafeBufferPointer<UInt8>
    let depth: Int
    var i = 0
    /// Here-documents announced on the current line, read after its newline.
    var pendingHeredocs: [String] = []
    var heredocBodies: [String] = []

    init(bytes: UnsafeBufferPointer<UInt8>, depth: Int) {
        self.bytes = bytes
        self.depth = depth
    }

    static let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t"), newline = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
    static let semicolon = UInt8(ascii: ";"), amp = UInt8(ascii: "&"), pipe = UInt8(ascii: "|")
    static let open = UInt8(ascii: "("), close = UInt8(ascii: ")"), less = UInt8(ascii: "<"), greater = UInt8(ascii: ">")
    static let single = UInt8(ascii: "'"), double = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
    static let dollar = UInt8(ascii: "$"), backtick = UInt8(ascii: "`"), hash = UInt8(ascii: "#")
    static let braceOpen = UInt8(ascii: "{"), braceClose = UInt8(ascii: "}"), dash = UInt8(ascii: "-")

    func peek(_ offset: Int = 0) -> UInt8? {
        i + offset < bytes.count ? bytes[i + offset] : nil
    }

    static func isOperator(_ c: UInt8) -> Bool {
        c == semicolon || c == amp || c == pipe || c == open || c == close || c == less || c == greater || c == newline
    }

    static func isBlank(_ c: UInt8) -> Bool { c == space || c == tab || c == cr }

    /// A byte that ``readWord(nested:)`` copies into a word as it is: no blank, newline, operator, quote, escape or `$`.
    static func isPlain(_ c: UInt8) -> Bool {
        !isBlank(c) && !isOperator(c) && c != single && c != double && c != backslash && c != dollar && c != backtick
    }

    /// Whether a plain word ends at `c` (followed by `next`): a blank, a newline, or an operator other than `<(` and `>(`.
    static func endsPlainWord(_ c: UInt8, next: UInt8?) -> Bool {
        if isBlank(c) || c == newline { return true }
        return isOperator(c) && !((c == less || c == greater) && next == open)
    }

    // MARK: Commands

    mutating func run(into out: inout [SimpleCommand]) {
        var words: [Word] = []
        var writes: [String] = []
        var heredoc: [String] = []
        var pipeline: [SimpleCommand] = []
        // Room for a typical command from the start, rather than growing one element at a time.
        words.reserveCapacity(8)
        pipeline.reserveCapacity(4)

        func finishPipeline(_ out: inout [SimpleCommand], _ pipeline: inout [SimpleCommand]) {
            // Decoded data piped into something that runs code is obfuscated execution.
            var decoded = false
            for index in pipeline.indices {
                if decoded && (pipeline[index].executesCode || Lexer.interpreters.contains(pipeline[index].program)) {
                    pipeline[index].runsDecodedData = true
                }
                // What the last command decodes goes nowhere.
                if index < pipeline.count - 1, Lexer.isDecoder(pipeline[index]) { decoded = true }
            }
            if out.isEmpty {
                swap(&out, &pipeline)  // moved, not copied
            } else {
                // Moved one by one (reversed, then popped), not copied and then destroyed.
                pipeline.reverse()
                while let command = pipeline.popLast() { out.append(command) }
            }
            pipeline.removeAll(keepingCapacity: true)
        }

        while true {
            var nested: [SimpleCommand] = []
            let token = next(nested: &nested)
            if !nested.isEmpty { out += nested }
            switch token {
            case .word(let word)?:
                words.append(word)
                continue
            case .redirect(let isWrite, let target)?:
                if isWrite { writes.append(target.text) }
                continue
            case .heredoc?:
                continue
            case .op(let op)?:
                if op == .sequence { heredoc += heredocBodies; heredocBodies.removeAll() }
                let body = heredoc.isEmpty ? nil : heredoc.joined(separator: "\n")
                Lexer.finish(words, writes: writes, heredoc: body, depth: depth, into: &pipeline)
                words.removeAll(keepingCapacity: true)
                writes.removeAll()
                heredoc.removeAll()
                if op != .pipe { finishPipeline(&out, &pipeline) }
            case nil:
                heredoc += heredocBodies
                let body = heredoc.isEmpty ? nil : heredoc.joined(separator: "\n")
                Lexer.finish(words, writes: writes, heredoc: body, depth: depth, into: &pipeline)
                finishPipeline(&out, &pipeline)
                return
            }
        }
    }

    // MARK: Tokens

    mutating func next(nested: inout [SimpleCommand]) -> Token? {
        while let c = peek() {
            if Lexer.isBlank(c) {
                i += 1
            } else if c == Lexer.backslash, peek(1) == Lexer.newline {
                i += 2
            } else if c == Lexer.hash {
                while let d = peek(), d != Lexer.newline { i += 1 }
            } else {
                break
            }
        }
        guard let c = peek() else { return nil }
        switch c {
        case Lexer.newline:
            i += 1
            readHeredocBodies()
            return .op(.sequence)
        case Lexer.semicolon:
            i += 1
            if peek() == Lexer.semicolon { i += 1 }
            return .op(.sequence)
        case Lexer.amp:
            if peek(1) == Lexer.amp { i += 2; return .op(.and) }
            if peek(1) == Lexer.greater {
                i += 2
                if peek() == Lexer.greater { i += 1 }
                return .redirect(writes: true, target: readTarget(nested: &nested))
            }
            i += 1
            return .op(.background)
        case Lexer.pipe:
            if peek(1) == Lexer.pipe { i += 2; return .op(.or) }
            i += 1
            if peek() == Lexer.amp { i += 1 }
            return .op(.pipe)
        case Lexer.open:
            i += 1
            return .op(.open)
        case Lexer.close:
            i += 1
            return .op(.close)
        case Lexer.less, Lexer.greater:
            if peek(1) == Lexer.open {  // process substitution <(…) or >(…)
                return .word(readWord(nested: &nested))
            }
            return redirect(nested: &nested)
        default:
            // `2>file`, `2>&1`: a file descriptor number right before a redirection.
            var j = i
            while j < bytes.count, bytes[j] >= UInt8(ascii: "0"), bytes[j] <= UInt8(ascii: "9") { j += 1 }
            if j > i, j < bytes.count, bytes[j] == Lexer.greater || bytes[j] == Lexer.less {
                i = j
                return redirect(nested: &nested)
            }
            return .word(readWord(nested: &nested))
        }
    }

    mutating func redirect(nested: inout [SimpleCommand]) -> Token {
        let c = bytes[i]
        i += 1
        if c == Lexer.less {
            if peek() == Lexer.less {
                i += 1
                if peek() == Lexer.less {  // <<< here-string: its word is data
                    i += 1
                    let word = readTarget(nested: &nested)
                    heredocBodies.append(word.text)
                    return .heredoc(delimiter: "")
                }
                if peek() == Lexer.dash { i += 1 }
                let delimiter = readTarget(nested: &nested).text
                pendingHeredocs.append(delimiter)
                return .heredoc(delimiter: delimiter)
            }
            if peek() == Lexer.amp || peek() == Lexer.greater { i += 1 }
            return .redirect(writes: false, target: readTarget(nested: &nested))
        }
        // `>`, `>>`, `>|`, `>&`
        var duplicate = false
        if peek() == Lexer.greater || peek() == Lexer.pipe { i += 1 } else if peek() == Lexer.amp { i += 1; duplicate = true }
        let target = readTarget(nested: &nested)
        if duplicate, target.text.utf8.allSatisfy({ ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == Lexer.dash }) {
            return .redirect(writes: false, target: target)
        }
        return .redirect(writes: true, target: target)
    }

    mutating func readTarget(nested: inout [SimpleCommand]) -> Word {
        while let c = peek(), Lexer.isBlank(c) { i += 1 }
        guard let c = peek(), !Lexer.isOperator(c) else { return Word(text: "") }
        return readWord(nested: &nested)
    }

    mutating func readHeredocBodies() {
        for delimiter in pendingHeredocs {
            var lines: [Substring] = []
            while i < bytes.count {
                var end = i
                while end < bytes.count, bytes[end] != Lexer.newline { end += 1 }
                let line = String(decoding: bytes[i..<end], as: UTF8.self)
                i = min(end + 1, bytes.count)
                if line.drop(while: { $0 == "\t" }) == delimiter { break }
                lines.append(Substring(line))
            }
            heredocBodies.append(lines.joined(separator: "\n"))
        }
        pendingHeredocs.removeAll()
    }

    /// Reads one word, removing quotes and escapes; substitutions inside it are split into `nested`.
    mutating func readWord(nested: inout [SimpleCommand]) -> Word {
        // Most words are plain bytes up to a blank, a newline or an operator: taken as they are, without a copy byte by byte.
        let start = i
        while i < bytes.count, Lexer.isPlain(bytes[i]) { i += 1 }
        if i == bytes.count || Lexer.endsPlainWord(bytes[i], next: peek(1)) {
            return Word(text: String(decoding: bytes[start..<i], as: UTF8.self))
        }
        var text = Array(bytes[start..<i])
        var word = Word(text: "")
        while let c = peek() {
            if Lexer.isBlank(c) || c == Lexer.newline { break }
            if Lexer.isOperator(c) {
                // `<(` / `>(` inside or at the start of a word: process substitution.
                if (c == Lexer.less || c == Lexer.greater), peek(1) == Lexer.open {
                    i += 1
                    substitute(closing: Lexer.close, into: &text, word: &word, nested: &nested)
                    continue
                }
                break
            }
            switch c {
            case Lexer.backslash:
                i += 1
                if let d = peek() {
                    if d != Lexer.newline { text.append(d) }
                    i += 1
                }
            case Lexer.single:
                i += 1
                while let d = peek(), d != Lexer.single { text.append(d); i += 1 }
                i += 1
            case Lexer.double:
                i += 1
                while let d = peek(), d != Lexer.double {
                    if d == Lexer.backslash, let e = peek(1) {
                        if e == Lexer.dollar || e == Lexer.backtick || e == Lexer.double || e == Lexer.backslash {
                            text.append(e)
                        } else if e != Lexer.newline {
                            text.append(d)
                            text.append(e)
                        }
                        i += 2
                    } else if d == Lexer.dollar, peek(1) == Lexer.open {
                        substitute(closing: Lexer.close, into: &text, word: &word, nested: &nested)
                    } else if d == Lexer.backtick {
                        substitute(closing: Lexer.backtick, into: &text, word: &word, nested: &nested)
                    } else if d == Lexer.dollar, peek(1) == Lexer.braceOpen {
                        copyBalanced(into: &text)
                    } else {
                        text.append(d)
                        i += 1
                    }
                }
                i += 1
            case Lexer.dollar where peek(1) == Lexer.single:  // $'…' with C escapes, kept as written
                i += 2
                while let d = peek(), d != Lexer.single {
                    if d == Lexer.backslash, let e = peek(1) { text.append(d); text.append(e); i += 2 } else { text.append(d); i += 1 }
                }
                i += 1
            case Lexer.dollar where peek(1) == Lexer.open:
                substitute(closing: Lexer.close, into: &text, word: &word, nested: &nested)
            case Lexer.dollar where peek(1) == Lexer.braceOpen:
                copyBalanced(into: &text)
            case Lexer.backtick:
                substitute(closing: Lexer.backtick, into: &text, word: &word, nested: &nested)
            default:
                text.append(c)
                i += 1
            }
        }
        word.text = String(decoding: text, as: UTF8.self)
        return word
    }

    /// `${…}`: copied as written up to its matching brace.
    mutating func copyBalanced(into text: inout [UInt8]) {
        var level = 0
        while let c = peek() {
            text.append(c)
            i += 1
            if c == Lexer.braceOpen { level += 1 } else if c == Lexer.braceClose { level -= 1; if level == 0 { return } }
        }
    }

    /// At `$(`, `(` (after `<`/`>`) or a backtick: finds the matching end, splits the inside as
    /// commands of their own, and keeps the text in the word.
    mutating func substitute(closing: UInt8, into text: inout [UInt8], word: inout Word, nested: inout [SimpleCommand]) {
        if bytes[i] == Lexer.dollar { i += 1 }
        let opener = bytes[i]
        i += 1
        let arithmetic = opener == Lexer.open && peek() == Lexer.open
        let start = i
        var level = 1
        var end = bytes.count
        while let c = peek() {
            if c == Lexer.backslash { i += 2; continue }
            if closing == Lexer.backtick {
                if c == Lexer.backtick { end = i; i += 1; break }
            } else if c == Lexer.single {
                i += 1
                while let d = peek(), d != Lexer.single { i += 1 }
            } else if c == Lexer.double {
                i += 1
                while let d = peek(), d != Lexer.double { i += d == Lexer.backslash ? 2 : 1 }
            } else if c == Lexer.open {
                level += 1
            } else if c == Lexer.close {
                level -= 1
                if level == 0 { end = i; i += 1; break }
            }
            i += 1
        }
        let inner = String(decoding: bytes[start..<min(end, bytes.count)], as: UTF8.self)
        text += Array((closing == Lexer.backtick ? "`" : "$(").utf8) + Array(inner.utf8) + [closing]
        if arithmetic { return }
        word.substituted = true
        var commands: [SimpleCommand] = []
        ShellSplitter.split(inner, depth: depth + 1, into: &commands)
        if commands.contains(where: Lexer.isDecoder) { word.decodes = true }
        nested += commands
    }

    // MARK: Simple commands

    static let keywords: Set<String> = ["if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}",
                                        "esac", "time", "coproc"]
    static let listKeywords: Set<String> = ["for", "case", "select", "function"]
    static let shells: Set<String> = ["sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "fish", "csh", "tcsh", "rbash"]
    /// Programs that run the code they are given, as a script, on stdin or with `-c`/`-e`.
    static let interpreters: Set<String> = shells.union([
        "python", "python2", "python3", "pypy", "pypy3", "ipython", "node", "nodejs", "deno", "bun", "ruby", "irb", "perl",
        "php", "lua", "luajit", "Rscript", "R", "julia", "java", "swift", "go", "cargo", "make", "gmake", "npm", "npx",
        "yarn", "pnpm", "pytest", "tox", "nox", "jupyter", "pwsh", "powershell", "tclsh", "wish", "expect", "osascript",
        "source", ".", "gdb", "docker", "podman", "kubectl",
    ])
    /// Programs whose file arguments they change or remove.
    static let writers: Set<String> = [
        "rm", "rmdir", "unlink", "shred", "touch", "truncate", "mkdir", "chmod", "chown", "chgrp", "chattr", "setfacl", "ln",
        "install", "mv", "cp", "rsync", "scp", "tee", "patch", "vi", "vim", "nvim", "nano", "emacs", "ed", "ex", "unzip",
        "tar", "wget", "curl", "mkfs", "mkfifo", "mknod", "sponge",
    ]
    static let gitWriters: Set<String> = ["checkout", "restore", "rm", "mv", "apply", "reset", "clean", "stash", "switch",
                                          "am", "pull", "merge", "rebase", "cherry-pick", "revert", "add", "commit"]

    static let decoderPrograms: Set<String> = [
        "base64", "base32", "basenc", "xxd", "openssl", "uudecode", "gunzip", "zcat", "bunzip2", "bzcat", "unxz", "xzcat",
        "zstdcat", "unzstd", "rev", "gzip", "bzip2", "xz", "zstd", "tr", "printf", "echo", "python", "python3", "perl", "ruby", "node",
    ]

    /// Programs that run another command named in their arguments: the cases of ``unwrap(_:writes:heredoc:depth:decodedCode:into:)``.
    static let wrappers: Set<String> = [
        "sudo", "doas", "env", "nohup", "command", "builtin", "exec", "setsid", "time", "unbuffer", "eatmydata", "torsocks", "proxychains",
        "proxychains4", "catchsegv", "busybox", "caffeinate", "nice", "renice", "ionice", "chrt", "taskset", "numactl", "cgexec",
        "systemd-run", "stdbuf", "timeout", "xargs", "chroot", "flock", "strace", "ltrace", "runuser", "su", "watch", "eval", "ssh", "find",
    ]

    /// What the sets above say of a name, gathered once so that a word is looked up with one hash, not one per set.
    struct Traits: OptionSet, Sendable {
        let rawValue: UInt8
        static let keyword = Traits(rawValue: 1)
        static let listKeyword = Traits(rawValue: 2)
        static let shell = Traits(rawValue: 4)
        static let interpreter = Traits(rawValue: 8)
        static let writer = Traits(rawValue: 16)
        static let decoder = Traits(rawValue: 32)
        static let wrapper = Traits(rawValue: 64)
    }

    static let traits: NameTable<Traits> = {
        var result: [String: Traits] = [:]
        let sets: [(Set<String>, Traits)] = [(keywords, .keyword), (listKeywords, .listKeyword), (shells, .shell), (interpreters, .interpreter),
                                             (writers, .writer), (decoderPrograms, .decoder), (wrappers, .wrapper)]
        for (names, trait) in sets {
            for name in names { result[name, default: []].insert(trait) }
        }
        return NameTable(result)
    }()

    /// The traits of `program` (`own` when already looked up), with those of its versionless name (`python3.12` →
    /// `python`) as `versionless`.
    static func traits(of program: String, own: Traits? = nil) -> (own: Traits, versionless: Traits) {
        let own = own ?? traits[program] ?? []
        guard let last = program.utf8.last, last >= 48, last <= 57 else { return (own, own) }
        return (own, traits[versionless(program)] ?? [])
    }

    static func isDecoder(_ command: SimpleCommand) -> Bool {
        guard traits[command.program]?.contains(.decoder) == true else { return false }
        let args = command.arguments
        switch command.program {
        case "base64", "base32", "basenc":
            return args.contains { $0 == "-d" || $0 == "--decode" || $0 == "-D" || ($0.hasPrefix("-") && !$0.hasPrefix("--") && has($0, "d")) }
        case "xxd": return args.contains { $0.hasPrefix("-") && has($0, "r") }
        case "openssl": return args.contains { $0 == "-d" || $0 == "base64" || $0 == "enc" }
        case "uudecode", "gunzip", "zcat", "bunzip2", "bzcat", "unxz", "xzcat", "zstdcat", "unzstd", "rev": return true
        case "gzip", "bzip2", "xz", "zstd": return args.contains { $0 == "-d" || $0 == "--decompress" || $0 == "-dc" || $0 == "-cd" }
        case "tr": return args.contains { has($0, "N-Z") || has($0, "n-z") }
        case "printf", "echo": return args.contains { has($0, "\\x") || has($0, "\\0") }
        case "python", "python3", "perl", "ruby", "node":
            return args.contains { has($0, "b64decode") || has($0, "decode_base64") || has($0, "Buffer.from") || has($0, "unpack") }
        default: return false
        }
    }

    /// Turns the words of one simple command into the commands it runs, unwrapping wrappers.
    static func finish(_ all: [Word], writes: [String], heredoc: String?, depth: Int, into out: inout [SimpleCommand]) {
        var words = all[...]
        // Leading keywords and assignments are not programs.
        var firstTraits: Traits = []
        while let first = words.first {
            firstTraits = traits[first.text] ?? []
            if firstTraits.contains(.keyword) { words = words.dropFirst(); continue }
            if firstTraits.contains(.listKeyword) { return }
            if isAssignment(first.text) { words = words.dropFirst(); continue }
            break
        }
        if words.isEmpty {
            if !writes.isEmpty { out.append(SimpleCommand(words: [], writes: writes)) }
            return
        }
        unwrap(words.count == all.count ? all : Array(words), writes: writes, heredoc: heredoc, depth: depth, decodedCode: false, into: &out,
               firstTraits: firstTraits)
    }

    static func isAssignment(_ word: String) -> Bool {
        var word = word
        return word.withUTF8 { b in
            guard let equals = b.firstIndex(of: UInt8(ascii: "=")), equals != 0 else { return false }
            return b[..<equals].allSatisfy { $0 == UInt8(ascii: "_") || ($0 >= 48 && $0 <= 57) || ($0 | 0x20 >= 97 && $0 | 0x20 <= 122) }
                && !(b[0] >= 48 && b[0] <= 57)
        }
    }

    // The options of each wrapper that take a value (the next word), built once.
    static let sudoOptions: Set<String> = ["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T", "--user", "--group"]
    static let plainWrapperOptions: Set<String> = ["-a"]
    static let niceOptions: Set<String> = ["-n", "--adjustment"]
    static let ioniceOptions: Set<String> = ["-c", "-n", "-t", "--class", "--classdata"]
    static let schedulerOptions: Set<String> = ["-p", "-g", "--unit", "-u", "--property", "--cpunodebind", "--membind"]
    static let stdbufOptions: Set<String> = ["-i", "-o", "-e"]
    static let timeoutOptions: Set<String> = ["-s", "-k", "--signal", "--kill-after"]
    static let chrootOptions: Set<String> = ["-w", "--timeout", "-E", "--userspec", "--groups"]
    static let traceOptions: Set<String> = ["-o", "-e", "-p", "-s", "-u", "-E", "-a", "-b"]
    static let runuserOptions: Set<String> = ["-u", "-g", "-G", "--user", "--group"]
    static let watchOptions: Set<String> = ["-n", "--interval", "-d", "-q", "--equexit"]
    static let xargsOptions: Set<String> = ["-I", "-n", "-P", "-d", "-a", "-L", "-s", "-E", "-e", "--max-args", "--max-procs", "--delimiter",
                                             "--arg-file", "--replace"]
    static let sshOptions: Set<String> = ["-p", "-i", "-l", "-o", "-F", "-J", "-L", "-R", "-D", "-b", "-c", "-E", "-e", "-m", "-O", "-Q", "-S", "-W", "-w", "-B", "-I"]
    static let findExecutors: Set<String> = ["-exec", "-execdir", "-ok", "-okdir"]

    /// Skips options of a wrapper: those in `withValue` take the next word as their value.
    /// Returns the index of the first word that is not an option.
    static func skipOptions(_ words: [Word], from start: Int, withValue: Set<String>, stopAtFirst: Bool = true) -> Int {
        var index = start
        while index < words.count {
            let word = words[index].text
            if word == "--" { return index + 1 }
            guard word.hasPrefix("-"), word.count > 1 else { return index }
            if withValue.contains(word) { index += 2 } else { index += 1 }
        }
        return index
    }

    /// `firstTraits`: the traits of the first word, when already looked up.
    static func unwrap(_ words: [Word], writes: [String], heredoc: String?, depth: Int, decodedCode: Bool,
                       into out: inout [SimpleCommand], firstTraits: Traits? = nil) {
        guard let first = words.first else { return }
        let program = SimpleCommand.baseName(first.text)
        // A program named without a folder is its first word, whose traits may be known already.
        let traits = traits(of: program, own: program.utf8.count == first.text.utf8.count ? firstTraits : nil)
        func rest(_ index: Int) {
            let tail = index < words.count ? Array(words[index...]) : []
            if tail.isEmpty {
                out.append(SimpleCommand(words: words.map(\.text), writes: writes, heredoc: heredoc))
            } else {
                var tail = tail[...]
                while let w = tail.first, isAssignment(w.text) { tail = tail.dropFirst() }
                if tail.isEmpty {
                    out.append(SimpleCommand(words: words.map(\.text), writes: writes, heredoc: heredoc))
                } else {
                    unwrap(Array(tail), writes: writes, heredoc: heredoc, depth: depth, decodedCode: decodedCode, into: &out)
                }
            }
        }
        func splitText(_ text: String, decoded: Bool, dynamic: Bool = false) {
            Lexer.splitText(text, decoded: decoded, dynamic: dynamic, runBy: words, depth: depth, into: &out)
        }
        // Most programs wrap nothing: one lookup sends them on without comparing their name to each wrapper's.
        guard traits.own.contains(.wrapper) else {
            runProgram(words, program: program, traits: traits, writes: writes, heredoc: heredoc, depth: depth, decodedCode: decodedCode,
                       into: &out)
            return
        }
        let decodes = words.contains { $0.decodes }
        switch program {
        case "sudo", "doas":
            rest(skipOptions(words, from: 1, withValue: sudoOptions))
        case "env":
            var index = 1
            while index < words.count {
                let word = words[index].text
                if word == "--" { index += 1; break }
                if word == "-S" || word == "--split-string", index + 1 < words.count {
                    let split = ShellSplitter.words(words[index + 1].text, depth: depth + 1)
                    unwrap(split + words[(index + 2)...], writes: writes, heredoc: heredoc, depth: depth + 1,
                           decodedCode: decodedCode, into: &out)
                    return
                }
                if word == "-u" || word == "-C" || word == "--unset" || word == "--chdir" { index += 2; continue }
                if word.hasPrefix("-") || isAssignment(word) { index += 1; continue }
                break
            }
            rest(index)
        case "nohup", "command", "builtin", "exec", "setsid", "time", "unbuffer", "eatmydata", "torsocks", "proxychains",
             "proxychains4", "catchsegv", "busybox", "caffeinate":
            rest(skipOptions(words, from: 1, withValue: plainWrapperOptions))
        case "nice", "renice":
            rest(skipOptions(words, from: 1, withValue: niceOptions))
        case "ionice":
            rest(skipOptions(words, from: 1, withValue: ioniceOptions))
        case "chrt", "taskset", "numactl", "cgexec", "systemd-run":
            let index = skipOptions(words, from: 1, withValue: schedulerOptions)
            rest(program == "chrt" || program == "taskset" ? index + 1 : index)
        case "stdbuf":
            rest(skipOptions(words, from: 1, withValue: stdbufOptions))
        case "timeout":
            rest(skipOptions(words, from: 1, withValue: timeoutOptions) + 1)
        case "xargs":
            rest(skipOptions(words, from: 1, withValue: xargsOptions))
        case "chroot", "flock":
            if program == "flock", let c = words.firstIndex(where: { $0.text == "-c" || $0.text == "--command" }), c + 1 < words.count {
                splitText(words[c + 1].text, decoded: words[c + 1].decodes)
                return
            }
            rest(skipOptions(words, from: 1, withValue: chrootOptions) + 1)
        case "strace", "ltrace":
            rest(skipOptions(words, from: 1, withValue: traceOptions))
        case "runuser":
            rest(skipOptions(words, from: 1, withValue: runuserOptions))
        case "su":
            if let c = words.firstIndex(where: { $0.text == "-c" || $0.text == "--command" }), c + 1 < words.count {
                splitText(words[c + 1].text, decoded: words[c + 1].decodes)
            } else {
                out.append(SimpleCommand(words: words.map(\.text), writes: writes, executesCode: true, heredoc: heredoc))
            }
        case "watch":
            let index = skipOptions(words, from: 1, withValue: watchOptions)
            if index < words.count {
                splitText(words[index...].map(\.text).joined(separator: " "), decoded: decodes)
            } else {
                out.append(SimpleCommand(words: words.map(\.text)))
            }
        case "eval":
            splitText(words.dropFirst().map(\.text).joined(separator: " "), decoded: decodes,
                      dynamic: words.contains { $0.substituted })
        case "ssh":
            let host = skipOptions(words, from: 1, withValue: sshOptions)
            if host + 1 < words.count {
                splitText(words[(host + 1)...].map(\.text).joined(separator: " "), decoded: decodes)
            } else {
                out.append(SimpleCommand(words: words.map(\.text), writes: writes, heredoc: heredoc))
            }
        case "find":
            var own: [String] = []
            var index = 0
            while index < words.count {
                let word = words[index].text
                if findExecutors.contains(word) {
                    var end = index + 1
                    while end < words.count, words[end].text != ";", words[end].text != "+" { end += 1 }
                    if end > index + 1 {
                        unwrap(Array(words[(index + 1)..<end]), writes: [], heredoc: nil, depth: depth + 1, decodedCode: false, into: &out)
                    }
                    own.append(word)
                    index = end + 1
                } else {
                    own.append(word)
                    index += 1
                }
            }
            out.append(SimpleCommand(words: own, writes: writes + (own.contains("-delete") ? pathArguments(own) : []), heredoc: heredoc))
        default:
            runProgram(words, program: program, traits: traits, writes: writes, heredoc: heredoc, depth: depth, decodedCode: decodedCode,
                       into: &out)
        }
    }

    /// Splits `text`, the code a wrapper runs (`sh -c TEXT`, `eval TEXT`), as commands of their own; when the code is only known
    /// once decoded or computed, `words` (the wrapper's) are marked as running it.
    static func splitText(_ text: String, decoded: Bool, dynamic: Bool = false, runBy words: [Word], depth: Int, into out: inout [SimpleCommand]) {
        var inner: [SimpleCommand] = []
        ShellSplitter.split(text, depth: depth + 1, into: &inner)
        if decoded || dynamic || depth + 1 >= ShellSplitter.maximumDepth {
            // The code run is only known once decoded: say so on what runs it.
            inner.append(SimpleCommand(words: words.map(\.text), runsDecodedData: decoded, executesCode: true))
        }
        out += inner
    }

    /// A program that is no wrapper: a shell (its `-c` code split), or any other, with what it writes and whether it runs code.
    static func runProgram(_ words: [Word], program: String, traits: (own: Traits, versionless: Traits), writes: [String], heredoc: String?,
                           depth: Int, decodedCode: Bool, into out: inout [SimpleCommand]) {
        let first = words[0]
        let decodes = words.contains { $0.decodes }
        func splitText(_ text: String, decoded: Bool, dynamic: Bool = false) {
            Lexer.splitText(text, decoded: decoded, dynamic: dynamic, runBy: words, depth: depth, into: &out)
        }
        if traits.own.contains(.shell) || traits.versionless.contains(.shell) {
            // `bash -c 'CODE'`, `sh -ec 'CODE'`: split CODE; `bash script.sh` or `bash` reading stdin runs code.
            var index = 1
            while index < words.count {
                let word = words[index].text
                if word == "--" { index += 1; break }
                guard word.hasPrefix("-") || word.hasPrefix("+"), word.count > 1 else { break }
                if !word.hasPrefix("--"), has(word, "c"), index + 1 < words.count {
                    let code = words[(index + 1)...].first { !$0.text.hasPrefix("-") } ?? words[index + 1]
                    splitText(code.text, decoded: code.decodes || decodedCode, dynamic: code.substituted)
                    return
                }
                if word == "-o" || word == "+o" || word == "--rcfile" || word == "--init-file" { index += 1 }
                index += 1
            }
            let usesDecoded = decodedCode || words.dropFirst().contains { $0.decodes }
            out.append(SimpleCommand(words: words.map(\.text), writes: writes, runsDecodedData: usesDecoded, executesCode: true,
                                     heredoc: heredoc))
            if let heredoc { splitText(heredoc, decoded: false) }
            return
        }
        let texts = words.map(\.text)
        let executes = runsCode(traits, as: first.text)
        let written = writtenArguments(program: program, isWriter: traits.own.contains(.writer), texts)
        // Made whole, once: no copy of it changed field by field.
        out.append(SimpleCommand(words: texts, program: program, writes: written.isEmpty ? writes : writes + written,
                                 runsDecodedData: executes && (decodes || decodedCode), executesCode: executes, heredoc: heredoc))
    }

    /// `python3.12` → `python`, `bash5` → `bash`; a name not ending in a digit is returned as is.
    static func versionless(_ program: String) -> String {
        guard let last = program.utf8.last, last >= 48, last <= 57 else { return program }
        var bytes = Array(program.utf8)
        while let b = bytes.last, (b >= 48 && b <= 57) || b == 46 { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func runsCode(_ traits: (own: Traits, versionless: Traits), as written: String) -> Bool {
        if traits.own.contains(.interpreter) || traits.versionless.contains(.interpreter) { return true }
        // A program run by a path of its own, not one installed for the system.
        if has(written, "/") {
            for system in ["/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/", "/usr/local/bin/", "/usr/local/sbin/"] where written.hasPrefix(system) {
                return false
            }
            return true
        }
        return false
    }

    static func pathArguments(_ words: [String]) -> [String] {
        words.dropFirst().filter { !$0.hasPrefix("-") && !$0.isEmpty }
    }

    static func writtenArguments(program: String, isWriter: Bool, _ words: [String]) -> [String] {
        if isWriter || program.hasPrefix("mkfs") { return pathArguments(words) }
        // Only the names below, each starting with `s`, `p`, `d` or `g`: most programs are ruled out by their first byte.
        guard let first = program.utf8.first, first == UInt8(ascii: "s") || first == UInt8(ascii: "p") || first == UInt8(ascii: "d")
            || first == UInt8(ascii: "g") else { return [] }
        switch program {
        case "sed", "perl":
            return words.contains(where: { $0.hasPrefix("-i") || $0 == "--in-place" || ($0.hasPrefix("-") && !$0.hasPrefix("--") && has($0, "i")) })
                ? pathArguments(words) : []
        case "dd":
            return words.compactMap { $0.hasPrefix("of=") ? String($0.dropFirst(3)) : nil }
        case "git":
            let sub = words.dropFirst().first { !$0.hasPrefix("-") }
            return sub.map(gitWriters.contains) == true ? pathArguments(words) : []
        default:
            return []
        }
    }
}

/// Whether `text` holds `needle`, byte for byte (no Foundation string search on the hot path, no allocation).
func has(_ text: String, _ needle: String) -> Bool {
    var text = text, needle = needle
    return text.withUTF8 { h in
        needle.withUTF8 { n in
            guard let first = n.first else { return true }
            guard h.count >= n.count else { return false }
            var index = 0
            while index <= h.count - n.count {
                if h[index] == first {
                    var k = 1
                    while k < n.count, h[index + k] == n[k] { k += 1 }
                    if k == n.count { return true }
                }
                index += 1
            }
            return false
        }
    }
}
