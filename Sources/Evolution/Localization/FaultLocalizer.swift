import CrucibleCore
import Foundation

/// Finds where a parent's failures point, for proposers that focus their changes.
///
/// Two signals: locations in the program's own files named by failure output (tracebacks,
/// `path:line`), parsed by `FaultHints.parse`; and the program's own functions named in the
/// failing tasks' output. An assertion in a test rarely fails inside the code under test, but the
/// failing line names the function it called (`self.assertEqual(intervals.merge(...), ...)`).
/// Functions named by failing tasks and by no passing task are preferred; when every named
/// function also appears in passing tasks, all of them are kept.
public enum FaultLocalizer {
    public static func hints(for score: Score?, tree: FileTree) -> FaultHints {
        guard let score else { return FaultHints() }
        let failing = failureText(score)
        let located = FaultHints.parse(failing, knownPaths: tree.files.keys.sorted())
        let defined = definedFunctions(in: tree)
        guard !defined.isEmpty else { return located }
        let named = words(in: failing).intersection(defined)
        let passingText = score.benchmarks.flatMap(\.tasks).filter { $0.passed == true }.compactMap(\.detail).joined(separator: "\n")
        let onlyFailing = named.subtracting(words(in: passingText))
        return located.merging(FaultHints(functions: onlyFailing.isEmpty ? named : onlyFailing))
    }

    /// Whether some task of the score failed, or some benchmark failed as a whole.
    public static func hasFailures(_ score: Score) -> Bool {
        score.benchmarks.contains { benchmark in
            benchmark.score == nil || benchmark.tasks.contains(where: \.failed)
        }
    }

    /// The text of a score's failures: failing tasks' details, and the errors and stderr of
    /// benchmarks that failed as a whole.
    public static func failureText(_ score: Score) -> String {
        var text = ""
        for benchmark in score.benchmarks {
            for task in benchmark.tasks where task.failed {
                text += (task.detail ?? "") + "\n" + task.id + "\n"
            }
            if benchmark.score == nil || benchmark.tasks.isEmpty {
                text += (benchmark.error ?? "") + "\n" + (benchmark.stderrTail ?? "") + "\n"
            }
        }
        return text
    }

    /// Names of functions defined in the tree: `def f`, `function f`, `func f`, `fn f`.
    static func definedFunctions(in tree: FileTree) -> Set<String> {
        var names = Set<String>()
        for text in tree.files.values {
            for match in text.matches(of: definition) { names.insert(String(match.output.1)) }
        }
        return names
    }

    private static var definition: Regex<(Substring, Substring)> {
        #/(?m)^\s*(?:async\s+)?(?:def|function|func|fn)\s+([A-Za-z_][A-Za-z0-9_]*)/#
    }

    private static func words(in text: String) -> Set<String> {
        Set(text.split { !($0.isLetter || $0.isNumber || $0 == "_") }.map(String.init))
    }
}
