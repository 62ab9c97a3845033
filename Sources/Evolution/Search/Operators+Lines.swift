import Foundation

/// Statement-level mutations in the style of GenProg: delete, duplicate, swap with the next
/// line, or insert a copy of another line. They only touch whole single-line statements.
extension MutationOperator {
    /// Delete a statement (a sole statement of a Python block becomes `pass`); declarations in
    /// brace languages are kept.
    static let deleteLine = MutationOperator(name: "delete-line", defaultWeight: 0.6) { $0.deleteLineSites() }
    /// Repeat a statement on the next line.
    static let duplicateLine = MutationOperator(name: "duplicate-line", defaultWeight: 0.2) { $0.duplicateLineSites() }
    /// Swap a statement with the next one at the same indentation.
    static let swapLines = MutationOperator(name: "swap-lines", defaultWeight: 0.3) { $0.swapLineSites() }
    /// Insert, before a statement, a copy of a nearby statement re-indented to match.
    static let copyLine = MutationOperator(name: "copy-line", defaultWeight: 0.3) { $0.copyLineSites() }
}

extension SourceAnalysis {
    private static let jumpWords: Set<String> = ["return", "raise", "break", "continue", "pass", "throw", "goto", "yield"]

    /// Lines line operators work on: simple statements that are not imports.
    private var statementLines: [Line] {
        lines.filter { line in
            guard line.isSimpleStatement, let first = line.firstToken else { return false }
            return !["import", "from", "use", "using", "require", "package"].contains(tokens[first].text)
        }
    }

    /// Whether line `number` declares a name in a language that rejects redeclaring it in the
    /// same scope (`const x = 1`, `int n = 0;`, `x := f()`): such lines are not duplicated or copied.
    private func isDeclaration(_ number: Int) -> Bool {
        guard !language.isPython, let first = line(number).firstToken, let last = line(number).lastToken else {
            return false
        }
        if ["const", "let", "var", "val", "auto"].contains(tokens[first].text) { return true }
        if (first...last).contains(where: { isPunctuation($0, ":=") }) { return true }
        guard first + 1 <= last, tokens[first].kind == .identifier,
              !["return", "throw", "delete", "yield", "await", "goto", "echo", "print"].contains(tokens[first].text)
        else { return false }
        // `Type name …` or `Type *name …`
        if tokens[first + 1].kind == .identifier { return true }
        return first + 2 <= last && isPunctuation(first + 1, ["*", "**", "&"]) && !isBinaryOperator(at: first + 1)
            && tokens[first + 2].kind == .identifier
    }

    /// Whether line `number` is a decorator (`@property`), which must stay directly above its target.
    private func isDecorator(_ number: Int) -> Bool {
        line(number).firstToken.map { isPunctuation($0, "@") } ?? false
    }

    /// The text of line `number` from its first byte to the end of its content (no line break).
    private func fullLineText(_ number: Int) -> String {
        let l = line(number)
        return text(l.start..<l.contentEnd)
    }

    /// For each line, whether it is the only statement of its (Python) indented block: the
    /// nearest statement starts before and after it are both indented less (or absent).
    private func soleStatementFlags() -> [Bool] {
        var previousIndent = Array(repeating: -1, count: lines.count)
        var nextIndent = Array(repeating: -1, count: lines.count)
        var last = -1
        for i in lines.indices {
            previousIndent[i] = last
            if lines[i].isLogicalStart { last = lines[i].indentWidth }
        }
        last = -1
        for i in lines.indices.reversed() {
            nextIndent[i] = last
            if lines[i].isLogicalStart { last = lines[i].indentWidth }
        }
        return lines.indices.map { i in
            let indent = lines[i].indentWidth
            return indent > 0 && previousIndent[i] < indent && nextIndent[i] < indent
        }
    }

    func deleteLineSites() -> [MutationSite] {
        let sole = language.isPython ? soleStatementFlags() : []
        return statementLines.compactMap { l in
            // Outside Python, deleting a declaration only leaves its uses undeclared.
            if isDeclaration(l.number) { return nil }
            let becomesPass = language.isPython && sole[l.number - 1]
            if becomesPass, statementText(l.number) == "pass" { return nil }
            return MutationSite(line: l.number) { [self] in
                let statement = statementText(l.number)
                if becomesPass {
                    return [MutationCandidate(offset: l.indentEnd, old: statement, new: "pass",
                                              description: "`\(Self.snippet(statement))` → `pass`")]
                }
                return [MutationCandidate(offset: l.start, old: text(l.start..<l.end), new: "",
                                          description: "delete `\(Self.snippet(statement))`")]
            }
        }
    }

    func duplicateLineSites() -> [MutationSite] {
        statementLines.compactMap { l in
            guard let first = l.firstToken, !Self.jumpWords.contains(tokens[first].text), !isPunctuation(first, "@"),
                  !isDeclaration(l.number)
            else { return nil }
            return MutationSite(line: l.number) { [self] in
                let whole = fullLineText(l.number)
                return [MutationCandidate(offset: l.start, old: whole, new: whole + lineBreak(after: l.number) + whole,
                                          description: "duplicate `\(Self.snippet(statementText(l.number)))`")]
            }
        }
    }

    func swapLineSites() -> [MutationSite] {
        var sites: [MutationSite] = []
        for l in statementLines where l.number < lines.count && !isDecorator(l.number) {
            let next = line(l.number + 1)
            guard next.isSimpleStatement, !isDecorator(next.number), next.indentWidth == l.indentWidth,
                  text(l.start..<l.indentEnd) == text(next.start..<next.indentEnd),
                  statementText(l.number) != statementText(next.number)
            else { continue }
            sites.append(MutationSite(line: l.number, lastLine: next.number) { [self] in
                let first = Self.snippet(statementText(l.number), limit: 30)
                let second = Self.snippet(statementText(next.number), limit: 30)
                return [MutationCandidate(
                    offset: l.start, old: text(l.start..<next.contentEnd),
                    new: fullLineText(next.number) + lineBreak(after: l.number) + fullLineText(l.number),
                    description: "swap `\(first)` with `\(second)`")]
            })
        }
        return sites
    }

    func copyLineSites() -> [MutationSite] {
        let all = statementLines.filter { !isDecorator($0.number) }
        guard all.count > 1 else { return [] }
        // Copies come from the target's own function (or from outside functions for a target outside
        // them): its names are in scope there, and a `return` stays inside a function.
        let scopes = all.map { enclosingFunction(of: $0.number)?.lines }
        return all.indices.map { targetIndex in
            let target = all[targetIndex]
            return MutationSite(line: target.number) { [self] in
                let statements = all.indices.filter { scopes[$0] == scopes[targetIndex] }.map { all[$0] }
                let index = statements.firstIndex { $0.number == target.number } ?? 0
                // The nearest statements, alternating above and below the target.
                let targetText = statementText(target.number)
                var sources: [Line] = []
                var offset = 1
                while sources.count < 8, index - offset >= 0 || index + offset < statements.count {
                    for j in [index - offset, index + offset] where j >= 0 && j < statements.count && sources.count < 8 {
                        let sourceText = statementText(statements[j].number)
                        // `break`/`continue` are only valid inside a loop, `$0` inside its closure.
                        let first = statements[j].firstToken.map { tokens[$0].text } ?? ""
                        if sourceText != targetText, sourceText != "pass", first != "break", first != "continue",
                           !isDeclaration(statements[j].number), !sourceText.contains("$0") {
                            sources.append(statements[j])
                        }
                    }
                    offset += 1
                }
                let indent = text(target.start..<target.indentEnd)
                let whole = fullLineText(target.number)
                return sources.map { source in
                    MutationCandidate(
                        offset: target.start, old: whole,
                        new: indent + statementText(source.number) + lineBreak(after: target.number) + whole,
                        description: "insert copy of line \(source.number) `\(Self.snippet(statementText(source.number)))`")
                }
            }
        }
    }
}
