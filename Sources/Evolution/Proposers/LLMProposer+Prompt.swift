import CrucibleCore

extension LLMProposer {
    /// The placeholder values of the prompt templates for `context`.
    func promptValues(_ context: ProposalContext, analysis: String?) -> [String: String] {
        [
            "parent": "v\(context.parent)",
            "files": filesSection(context),
            "results": resultsSection(context.score),
            "tried": triedSection(context.tried),
            "analysis": analysis.map { "\n# The primary weakness\n\n\($0)\n" } ?? "",
            "rules": rules,
        ]
    }

    /// The parent's files within `contextChars`: files named by failures first, then the rest by
    /// path. A file too large for what is left is shown around the lines failures name, or listed
    /// by name only.
    func filesSection(_ context: ProposalContext) -> String {
        let tree = context.tree
        let hinted = Set(context.hints.lines.filter { !$0.value.isEmpty }.keys)
        let byFunction = Set(tree.files.filter { file in
            context.hints.functions.contains { file.value.contains("def \($0)") || file.value.contains("func \($0)")
                || file.value.contains("function \($0)") || file.value.contains("fn \($0)") }
        }.keys)
        let order = tree.files.keys.sorted { a, b in
            let ra = hinted.contains(a) ? 0 : byFunction.contains(a) ? 1 : 2
            let rb = hinted.contains(b) ? 0 : byFunction.contains(b) ? 1 : 2
            return (ra, a) < (rb, b)
        }
        var budget = settings.contextChars
        var out: [String] = []
        var omitted: [String] = []
        for path in order {
            let content = tree.files[path]!
            let fence = Self.fence(for: content)
            if content.count + path.count + 16 <= budget {
                out.append("\(path)\n\(fence)\n\(content)\(content.hasSuffix("\n") || content.isEmpty ? "" : "\n")\(fence)")
                budget -= content.count + path.count + 16
            } else if let lines = context.hints.lines[path], !lines.isEmpty, budget > 2000 {
                let excerpt = Self.excerpt(content, around: lines, limit: budget - path.count - 64)
                out.append("\(path) (excerpt around the lines failures name; the file has \(content.count) characters)\n\(fence)\n\(excerpt)\n\(fence)")
                budget -= excerpt.count + path.count + 64
            } else {
                omitted.append(path)
            }
        }
        if !omitted.isEmpty {
            out.append("Not shown, for space: \(omitted.joined(separator: ", "))")
        }
        return out.joined(separator: "\n\n")
    }

    /// A fence longer than any run of backticks in `content`.
    static func fence(for content: String) -> String {
        var longest = 0, run = 0
        for character in content {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        return String(repeating: "`", count: max(3, longest + 1))
    }

    /// The lines within 30 of any line in `lines` (1-based), numbered, up to `limit` characters.
    static func excerpt(_ content: String, around lines: Set<Int>, limit: Int) -> String {
        let all = content.split(separator: "\n", omittingEmptySubsequences: false)
        var keep = Set<Int>()
        for line in lines { for k in max(1, line - 30)...max(1, line + 30) where k <= all.count { keep.insert(k) } }
        var out = ""
        var previous = 0
        for k in keep.sorted() {
            if k > previous + 1 { out += "...\n" }
            let next = all[k - 1] + "\n"
            if out.count + next.count > limit { break }
            out += next
            previous = k
        }
        return out
    }

    /// Each benchmark's score, and its failing tasks with the tails of their output.
    func resultsSection(_ score: Score?) -> String {
        guard let score else { return "Not evaluated." }
        var out: [String] = []
        var budget = 12_000
        out.append("Overall score: \(score.value.map { Format.score($0) } ?? "none (\(score.error ?? "evaluation error"))") (higher is better, 1 is best).")
        for benchmark in score.benchmarks {
            let passed = benchmark.tasks.filter { $0.passed == true }.count
            var line = "- \(benchmark.name): \(benchmark.score.map { Format.score($0) } ?? "no score")"
            if !benchmark.tasks.isEmpty { line += ", \(passed) of \(benchmark.tasks.count) tasks passed" }
            if benchmark.timedOut { line += ", timed out" }
            if let error = benchmark.error { line += ", error: \(error)" }
            out.append(line)
            let failing = benchmark.tasks.filter(\.failed)
            for task in failing.prefix(20) {
                let detail = Self.tail(task.detail ?? "", 1200)
                let entry = "  - failing task \(task.id)\(task.score.map { " (score \(Format.score($0)))" } ?? "")" +
                    (detail.isEmpty ? "" : ":\n" + detail.split(separator: "\n", omittingEmptySubsequences: false).map { "      " + $0 }.joined(separator: "\n"))
                guard entry.count <= budget else { break }
                out.append(entry)
                budget -= entry.count
            }
            if failing.count > 20 { out.append("  - and \(failing.count - 20) more failing tasks") }
            if benchmark.score == nil || benchmark.tasks.isEmpty, let stderr = benchmark.stderrTail, !stderr.isEmpty {
                let tail = Self.tail(stderr, min(2000, max(0, budget)))
                out.append("  standard error (end):\n" + tail.split(separator: "\n", omittingEmptySubsequences: false).map { "      " + $0 }.joined(separator: "\n"))
                budget -= tail.count
            }
        }
        return out.joined(separator: "\n")
    }

    func triedSection(_ tried: [ProposalContext.Attempt]) -> String {
        guard !tried.isEmpty else { return "Nothing yet." }
        return tried.suffix(10).map { attempt in
            "- v\(attempt.variant) (\(attempt.proposer)): \(attempt.summary) → " +
                (attempt.score.map { "score \(Format.score($0))" } ?? attempt.outcome)
        }.joined(separator: "\n")
    }

    /// The last `limit` characters of `text`.
    static func tail(_ text: String, _ limit: Int) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.count <= limit ? trimmed : "…" + trimmed.suffix(limit)
    }
}
