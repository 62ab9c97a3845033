import Foundation

/// The lexical conventions of the language family a file belongs to, chosen by its extension.
///
/// The mutation engine works on tokens, not syntax trees, so all it needs to know about a
/// language is how comments look, which multi-character operators exist and which words are
/// keywords rather than names.
enum SourceLanguage: Sendable, Hashable {
    /// Python: `#` comments, indentation blocks, `//` and `**` operators, word booleans.
    case python
    /// C, C++, Java, JavaScript/TypeScript, Swift, Go, Rust, Kotlin, C#…: `//` and `/* */` comments.
    case cLike
    /// Ruby, shell, R, Julia, YAML, TOML…: `#` comments.
    case hashComment
    /// Lua, SQL, Haskell: `--` comments.
    case dashComment
    /// Anything else: every common comment style is treated as a comment, to stay on the safe side.
    case unknown

    init(path: String) {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let ext = name.contains(".") ? (name.split(separator: ".").last.map { $0.lowercased() } ?? "") : ""
        switch ext {
        case "py", "pyi", "pyw", "pyx":
            self = .python
        case "c", "h", "cc", "cpp", "cxx", "hpp", "hh", "hxx", "m", "mm", "js", "mjs", "cjs", "jsx", "ts",
             "tsx", "mts", "cts", "java", "kt", "kts", "swift", "go", "rs", "cs", "scala", "dart", "php",
             "groovy", "zig", "v", "sol":
            self = .cLike
        case "rb", "sh", "bash", "zsh", "pl", "pm", "r", "jl", "yaml", "yml", "toml", "cfg", "ini", "conf",
             "nim", "cr", "ex", "exs", "tcl", "awk", "mk", "cmake", "ps1":
            self = .hashComment
        case "lua", "sql", "hs", "elm", "ada", "adb", "ads":
            self = .dashComment
        default:
            self = .unknown
        }
    }

    var isPython: Bool { self == .python }

    /// Markers that start a comment running to the end of the line.
    var lineComments: [String] {
        switch self {
        case .python, .hashComment: ["#"]
        case .cLike: ["//"]
        case .dashComment: ["--"]
        case .unknown: ["#", "//"]
        }
    }

    /// Delimiters of comments that may span lines.
    var blockComments: [(open: String, close: String)] {
        switch self {
        case .python, .hashComment: []
        case .cLike, .unknown: [("/*", "*/")]
        case .dashComment: [("--[[", "]]"), ("{-", "-}"), ("/*", "*/")]
        }
    }

    /// Whether a `#` that is the first token of a line starts a comment (C preprocessor
    /// directives, Rust attributes, shebang lines): nothing in them is worth mutating.
    var hashDirectives: Bool { self == .cLike }

    /// Multi-character operators, longest first.
    var punctuators: [String] {
        switch self {
        case .python:
            ["**=", "//=", ">>=", "<<=", "...", "->", "==", "!=", "<=", ">=", "+=", "-=", "*=", "/=", "%=",
             "&=", "|=", "^=", "@=", "**", "//", "<<", ">>", ":="]
        case .cLike, .hashComment, .dashComment, .unknown:
            [">>>=", "**=", ">>=", "<<=", "...", "===", "!==", "..<", ">>>", "<=>", "??=", "&&=", "||=",
             "->", "=>", "==", "!=", "<=", ">=", "&&", "||", "++", "--", "+=", "-=", "*=", "/=", "%=", "&=",
             "|=", "^=", "**", "<<", ">>", "::", ":=", "?.", "??", ".."]
        }
    }

    /// Whether `op` is an operator this language spells (used to filter swap tables).
    func hasOperator(_ op: String) -> Bool {
        switch op {
        case "//", "//=": isPython
        case "**", "**=": self != .cLike
        case "&&", "||", "!", "===", "!==": !isPython
        default: true
        }
    }

    /// Whether a `/` where an operand is expected starts a regular expression (`/a+b/g`), as in
    /// JavaScript; only C-like files are read this way, where a `/` in that place is nothing else.
    var hasRegexLiterals: Bool { self == .cLike }

    /// Whether `and`, `or` and `not` are boolean operators.
    var hasWordBooleans: Bool { self != .cLike }

    /// Words that are not names: never replaced, never operands.
    var keywords: Set<String> {
        switch self {
        case .python: Self.pythonKeywords
        case .cLike: Self.cLikeKeywords
        case .hashComment, .dashComment, .unknown: Self.otherKeywords
        }
    }

    /// Keywords that denote values (`True`, `null`, `self`…): operands, but not names to replace.
    var valueKeywords: Set<String> {
        switch self {
        case .python: ["True", "False", "None", "self", "cls", "NotImplemented", "Ellipsis"]
        case .cLike: ["true", "false", "null", "nil", "undefined", "this", "self", "super", "NaN", "Infinity",
                      "nullptr", "NULL", "None", "Some", "Ok", "Err", "iota"]
        case .hashComment, .dashComment, .unknown:
            ["True", "False", "None", "true", "false", "nil", "null", "self", "this", "TRUE", "FALSE", "NULL",
             "NA", "Inf", "NaN", "nothing", "missing"]
        }
    }

    private static let pythonKeywords: Set<String> = [
        "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else",
        "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not",
        "or", "pass", "raise", "return", "try", "while", "with", "yield",
    ]

    private static let cLikeKeywords: Set<String> = [
        "abstract", "as", "async", "auto", "await", "bool", "break", "byte", "case", "catch", "chan", "char",
        "class", "const", "constexpr", "continue", "crate", "default", "defer", "delete", "do", "double", "dyn",
        "else", "enum", "explicit", "export", "extends", "extern", "fallthrough", "final", "finally", "float",
        "fn", "for", "friend", "fun", "func", "function", "go", "goto", "guard", "if", "impl", "implements",
        "import", "in", "inline", "inout", "instanceof", "int", "interface", "is", "let", "long", "loop",
        "match", "mod", "module", "mut", "mutable", "namespace", "new", "noexcept", "operator", "override",
        "package", "private", "protected", "pub", "public", "ref", "register", "repeat", "restrict", "return",
        "select", "short", "signed", "sizeof", "static", "struct", "super", "switch", "template", "throw",
        "throws", "trait", "try", "typedef", "typename", "typeof", "union", "unsafe", "unsigned", "use",
        "using", "val", "var", "virtual", "void", "volatile", "when", "where", "while", "yield",
        // Swift and Kotlin declaration modifiers
        "fileprivate", "internal", "open", "lazy", "weak", "unowned", "dynamic", "indirect", "mutating",
        "nonmutating", "convenience", "required", "rethrows", "subscript", "associatedtype", "some", "any", "actor",
        "nonisolated", "isolated", "consuming", "borrowing", "sending", "deinit", "extension", "protocol",
        "typealias", "object", "companion", "sealed", "suspend", "override", "infix", "prefix", "postfix",
    ]

    private static let otherKeywords: Set<String> = pythonKeywords.union([
        "begin", "case", "catch", "const", "do", "done", "elsif", "end", "esac", "fi", "function", "let",
        "local", "module", "next", "redo", "repeat", "rescue", "ensure", "retry", "return", "then", "unless",
        "until", "var", "when", "switch", "default", "new", "typeof", "instanceof", "void", "delete",
    ])
}
