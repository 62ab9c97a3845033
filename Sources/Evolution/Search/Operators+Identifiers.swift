import Foundation

/// Name mutations: a variable replaced by another variable used nearby, an attribute by another
/// attribute used in the file, a built-in by its counterpart (`min` ↔ `max`).
extension MutationOperator {
    static let replaceIdentifier = MutationOperator(name: "replace-identifier", defaultWeight: 1) {
        $0.replaceIdentifierSites()
    }
    static let replaceAttribute = MutationOperator(name: "replace-attribute", defaultWeight: 0.7) {
        $0.replaceAttributeSites()
    }
    static let pairedBuiltin = MutationOperator(name: "paired-builtin", defaultWeight: 1.5) { $0.pairedBuiltinSites() }
}

extension SourceAnalysis {
    /// Paired words that are swapped wherever they appear as code.
    private static let pairedLiterals: Set<String> = ["True", "False", "true", "false", "break", "continue"]

    /// Names that come in pairs; each maps to its counterpart. Except for `pairedLiterals`, a
    /// name is only swapped where it is called or accessed as an attribute (`max(…)`, `.keys`),
    /// never where it is a variable that happens to be called `values`.
    static let pairedNames: [String: String] = {
        let pairs: [(String, String)] = [
            ("True", "False"), ("true", "false"), ("break", "continue"),
            ("min", "max"), ("any", "all"), ("floor", "ceil"),
            ("sorted", "reversed"), ("append", "extend"), ("startswith", "endswith"), ("lstrip", "rstrip"),
            ("upper", "lower"), ("isupper", "islower"), ("argmin", "argmax"), ("minimum", "maximum"),
            ("find", "rfind"), ("index", "rindex"), ("keys", "values"),
            ("first", "last"), ("push", "unshift"), ("pop", "shift"), ("hasPrefix", "hasSuffix"),
            ("startsWith", "endsWith"), ("min_by", "max_by"), ("nsmallest", "nlargest"), ("head", "tail"),
        ]
        var table: [String: String] = [:]
        for (a, b) in pairs {
            table[a] = b
            table[b] = a
        }
        return table
    }()

    /// Words after which a name is being declared or imported, not used.
    private static let declarationWords: Set<String> = definitionIntroducers.union([
        "import", "from", "as", "global", "nonlocal", "package", "module", "use", "extends", "implements",
        "goto", "type", "typedef", "namespace", "let", "var", "const", "val",
    ])
    /// First words of lines that declare or import (their names are not worth replacing).
    private static let declarationLineStarts: Set<String> = [
        "def", "class", "import", "from", "func", "function", "fn", "package", "use", "using", "struct", "enum",
        "interface", "typedef", "namespace", "module", "require", "include", "extern", "protocol", "extension",
    ]

    /// Whether token `k` is on a line that declares or imports something.
    private func isOnDeclarationLine(_ k: Int) -> Bool {
        if functionHeaderLines.contains(tokens[k].line) { return true }
        guard var first = lines[tokens[k].line - 1].firstToken else { return false }
        while first < k, isWord(first, "async") || isWord(first, "export") || isWord(first, "public")
            || isWord(first, "private") || isWord(first, "static") {
            first += 1
        }
        return tokens[first].kind == .identifier && Self.declarationLineStarts.contains(tokens[first].text)
    }

    /// Whether name token `k` is a use of a variable: not an attribute, call, keyword argument,
    /// annotation or declaration.
    private func isVariableUse(_ k: Int) -> Bool {
        guard isName(k), !isPunctuation(k - 1, [".", "?.", "::", "->", "@"]), !isPunctuation(k + 1, "(") else {
            return false
        }
        if k > 0, tokens[k - 1].kind == .identifier, Self.declarationWords.contains(tokens[k - 1].text) { return false }
        if isPunctuation(k + 1, "="), groupDepth[k] > 0, isPunctuation(k - 1, ["(", ","]) { return false }
        if language.isPython, isPunctuation(k - 1, [":", "->"]), groupDepth[k] == 0 { return false }
        if !language.isPython {
            // `int total`, `char *s`, `x int`: a name after a type (or a name) is being declared,
            // and a name before another (`va_list args`) is a type.
            if k > 0, tokens[k - 1].kind == .identifier, !Self.expressionWords.contains(tokens[k - 1].text) { return false }
            if k + 1 < tokens.count, isName(k + 1) { return false }
            if k > 1, isPunctuation(k - 1, ["*", "&"]), tokens[k - 2].kind == .identifier, !isBinaryOperator(at: k - 1) {
                return false
            }
            // The names a `const`/`let`/`var` statement declares, destructuring included.
            if let first = lines[tokens[k].line - 1].firstToken, ["const", "let", "var", "val"].contains(tokens[first].text),
               !(first..<k).contains(where: { isPunctuation($0, "=") }) {
                return false
            }
        }
        return !isOnDeclarationLine(k)
    }

    /// Words after which a name is an expression, not a declaration.
    private static let expressionWords: Set<String> = [
        "return", "case", "else", "in", "of", "throw", "yield", "await", "typeof", "delete", "new", "do", "not", "and",
        "or", "is", "if", "while", "when", "go", "defer", "echo", "sizeof", "try",
    ]

    /// Names only ever used before a `.` (`fmt`, `np`, `os`): modules and namespaces, not variables.
    private func receiverOnlyNames() -> Set<String> {
        var onlyReceiver: [String: Bool] = [:]
        for k in tokens.indices where isName(k) && !isPunctuation(k - 1, [".", "?.", "::"]) {
            let isReceiver = isPunctuation(k + 1, [".", "?.", "::"])
            onlyReceiver[tokens[k].text] = (onlyReceiver[tokens[k].text] ?? true) && isReceiver
        }
        return Set(onlyReceiver.filter(\.value).keys)
    }

    /// What a name's spelling says it is; names are only replaced by names of the same kind.
    private enum NameKind {
        case constant // `MAX_SIZE`
        case type // `TypeName`
        case variable // `total`, `_x`
    }

    private static func nameKind(_ name: String) -> NameKind {
        var upper = 0
        var lower = 0
        for b in name.utf8 {
            if b >= 0x41 && b <= 0x5A { upper += 1 } else if b >= 0x61 && b <= 0x7A { lower += 1 }
        }
        if upper > 1, lower == 0 { return .constant }
        return name.utf8.first.map { $0 >= 0x41 && $0 <= 0x5A } == true ? .type : .variable
    }

    /// Names introduced by import lines (`math`, `np`, `List`): modules and types, not variables.
    private func importedNames() -> Set<String> {
        var names: Set<String> = []
        for line in lines {
            guard let first = line.firstToken, let last = line.lastToken,
                  ["import", "from", "use", "using", "require", "include"].contains(tokens[first].text)
            else { continue }
            for k in first...last where tokens[k].kind == .identifier { names.insert(tokens[k].text) }
        }
        return names
    }

    /// Parameters of Python lambdas (`lambda a, b: …`): declarations, not uses.
    private func lambdaParameters() -> Set<Int> {
        var parameters: Set<Int> = []
        guard language.isPython else { return parameters }
        for k in tokens.indices where isWord(k, "lambda") {
            var j = k + 1
            while j < tokens.count, !(isPunctuation(j, ":") && groupDepth[j] == groupDepth[k]) {
                parameters.insert(j)
                j += 1
            }
        }
        return parameters
    }

    func replaceIdentifierSites() -> [MutationSite] {
        let imported = importedNames().union(receiverOnlyNames())
        let parameters = lambdaParameters()
        // Type names (`CamelCase`) are left alone: replacing them rarely compiles and never repairs.
        let uses = tokens.indices.filter {
            isVariableUse($0) && !imported.contains(tokens[$0].text) && Self.nameKind(tokens[$0].text) != .type
                && !parameters.contains($0)
        }
        var namesByLine: [Int: [String]] = [:]
        var constants: [String: Int] = [:] // constant name -> first line
        for k in uses {
            namesByLine[tokens[k].line, default: []].append(tokens[k].text)
            if Self.nameKind(tokens[k].text) == .constant, constants[tokens[k].text] == nil {
                constants[tokens[k].text] = tokens[k].line
            }
        }
        return uses.map { k in
            MutationSite(line: tokens[k].line) { [self] in
                // The nearest other names of the same kind: in the enclosing function (within 40
                // lines), else within 20 lines; constants from anywhere in the file.
                let name = tokens[k].text
                let line = tokens[k].line
                let kind = Self.nameKind(name)
                var window = max(1, line - 20)...min(lines.count, line + 20)
                if let function = enclosingFunction(of: line) {
                    window = max(function.lines.lowerBound, line - 40)...min(function.lines.upperBound, line + 40)
                }
                var distance: [String: Int] = [:]
                for l in window {
                    for other in namesByLine[l] ?? [] where other != name && Self.nameKind(other) == kind {
                        distance[other] = min(distance[other] ?? .max, abs(l - line))
                    }
                }
                if kind == .constant {
                    for (other, l) in constants where other != name && distance[other] == nil {
                        distance[other] = abs(l - line)
                    }
                }
                let nearest = distance.sorted { ($0.value, $0.key) < ($1.value, $1.key) }.prefix(6)
                return nearest.map { candidate(tokens: k, through: k, with: $0.key) }
            }
        }
    }

    func replaceAttributeSites() -> [MutationSite] {
        struct Use {
            var token: Int
            var isCalled: Bool
            var receiver: String
        }
        var uses: [Use] = []
        // Attribute name -> lines it is used on (ascending), separately for called and plain uses.
        var linesByName: [Bool: [String: [Int]]] = [:]
        var receiversByName: [String: Set<String>] = [:]
        for k in tokens.indices where tokens[k].kind == .identifier && isPunctuation(k - 1, [".", "?."]) {
            guard endsOperand(k - 2), !isOnDeclarationLine(k) else { continue }
            let use = Use(token: k, isCalled: isPunctuation(k + 1, "("),
                          receiver: tokens[k - 2].kind == .identifier ? tokens[k - 2].text : "")
            uses.append(use)
            linesByName[use.isCalled, default: [:]][tokens[k].text, default: []].append(tokens[k].line)
            receiversByName[tokens[k].text, default: []].insert(use.receiver)
        }
        return uses.compactMap { use in
            let name = tokens[use.token].text
            // Some other attribute used the same way (called or not) must exist.
            guard (linesByName[use.isCalled]?.count ?? 0) > 1 else { return nil }
            return MutationSite(line: tokens[use.token].line) { [self] in
                // Other attributes used the same way, preferring ones read from the same receiver, then nearby.
                let line = tokens[use.token].line
                var ranked: [(sameReceiver: Int, distance: Int, name: String)] = []
                for (other, otherLines) in linesByName[use.isCalled] ?? [:] where other != name {
                    let distance = otherLines.map { abs($0 - line) }.min() ?? .max
                    let sameReceiver = receiversByName[other]?.contains(use.receiver) == true ? 0 : 1
                    ranked.append((sameReceiver, distance, other))
                }
                ranked.sort { ($0.sameReceiver, $0.distance, $0.name) < ($1.sameReceiver, $1.distance, $1.name) }
                return ranked.prefix(6).map { candidate(tokens: use.token, through: use.token, with: $0.name) }
            }
        }
    }

    func pairedBuiltinSites() -> [MutationSite] {
        var sites: [MutationSite] = []
        for k in tokens.indices where tokens[k].kind == .identifier {
            guard let counterpart = Self.pairedNames[tokens[k].text] else { continue }
            if !Self.pairedLiterals.contains(tokens[k].text), !isPunctuation(k - 1, [".", "?.", "::"]),
               !isPunctuation(k + 1, "(") {
                continue
            }
            if k > 0, tokens[k - 1].kind == .identifier, Self.declarationWords.contains(tokens[k - 1].text) { continue }
            if isPunctuation(k + 1, "="), groupDepth[k] > 0 { continue } // keyword argument name
            if isOnDeclarationLine(k) { continue }
            if let site = MutationSite(line: tokens[k].line, candidates: [candidate(tokens: k, through: k, with: counterpart)]) {
                sites.append(site)
            }
        }
        return sites
    }
}
