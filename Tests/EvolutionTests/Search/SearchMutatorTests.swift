import Foundation
import Testing
@testable import Evolution

struct SearchMutatorTests {
    private let router = """
    # Routing: 3 < 4 and x + 1 in this comment are never mutated
    LIMIT = 10  # 0.5 here neither


    def route(items, limit=LIMIT):
        \"\"\"Pick a slot; the docstring says a < b and 1 + 1.\"\"\"
        best = -1
        for i in range(len(items)):
            if items[i] < limit and not items[i] == 0:
                best = max(best, items[i] * 2)
                best += divmod(best, limit)[0] & 3
        label = "slot < 3 # not a comment"
        return best, label  # é ünïcode


    class Scorer:
        def score(self, x, y):
            return (x - y) ** 2 * self.scale + self.offset

    """

    @Test("the same seed gives the same mutations")
    func determinism() {
        let first = SearchFixture.proposals(router, count: 50, seed: 7)
        let second = SearchFixture.proposals(router, count: 50, seed: 7)
        #expect(first == second)
        #expect(first != SearchFixture.proposals(router, count: 50, seed: 8))
    }

    @Test("every edit applies exactly: `old` is at its UTF-8 offset, and the text changes")
    func editsApplyExactly() {
        let files = [SourceFile(path: "src/router.py", text: router),
                     SourceFile(path: "src/app.js", text: "const é = 1; // x < 2\nif (a <= b) { f(a, b); }\n")]
        var rng = SearchTestRNG(seed: 3)
        var paths: Set<String> = []
        for _ in 0..<400 {
            guard let mutation = Mutator().propose(files: files, hints: FaultHints(), using: &rng) else {
                Issue.record("no mutation")
                return
            }
            #expect(mutation.edits.count == 1)
            let edit = mutation.edits[0]
            let text = Array(files.first { $0.path == edit.path }!.text.utf8)
            let old = Array(edit.old.utf8)
            #expect(edit.offset >= 0 && edit.offset + old.count <= text.count)
            #expect(Array(text[edit.offset..<min(text.count, edit.offset + old.count)]) == old)
            #expect(edit.new != edit.old)
            #expect(mutation.summary.hasPrefix(edit.path + ":"))
            #expect(Mutator.operatorNames.contains(mutation.operatorName))
            paths.insert(edit.path)
        }
        #expect(paths == ["src/router.py", "src/app.js"])
    }

    @Test("nothing inside a string literal or comment is ever mutated")
    func stringsAndCommentsAreSafe() throws {
        let protected = [
            "# Routing: 3 < 4 and x + 1 in this comment are never mutated", "# 0.5 here neither",
            "\"\"\"Pick a slot; the docstring says a < b and 1 + 1.\"\"\"", "\"slot < 3 # not a comment\"",
            "# é ünïcode",
        ]
        let ranges = try protected.map { piece -> Range<Int> in
            let range = try #require(router.range(of: piece))
            let start = router.utf8.distance(from: router.startIndex, to: range.lowerBound)
            return start..<(start + piece.utf8.count)
        }
        // Line operators move whole lines (comments included); every token-level operator is checked.
        let tokenOperators = Mutator.operatorNames.filter { !$0.hasSuffix("-line") && $0 != "swap-lines" }
        let mutations = SearchFixture.proposals(router, operators: tokenOperators, count: 800, seed: 11)
        #expect(Set(mutations.map(\.operatorName)) == Set(tokenOperators))
        for mutation in mutations {
            let edit = mutation.edits[0]
            let touched = edit.offset..<(edit.offset + edit.old.utf8.count)
            #expect(!ranges.contains { $0.overlaps(touched) }, "\(mutation.summary)")
            let result = SearchFixture.apply(mutation, to: router)
            #expect(protected.allSatisfy(result.contains), "\(mutation.summary)")
        }
    }

    @Test("hints bias the location toward hinted lines and their neighbours")
    func hintsBiasLocation() {
        let source = (1...30).map { "v\($0) = a\($0) + \($0) * b\($0)" }.joined(separator: "\n") + "\n"
        let hints = FaultHints(lines: ["m.py": [15]])
        func nearHint(_ mutations: [Mutation]) -> Int {
            mutations.filter { m in
                let line = source.utf8.prefix(m.edits[0].offset).filter { $0 == UInt8(ascii: "\n") }.count + 1
                return abs(line - 15) <= 2
            }.count
        }
        // Five of thirty lines are within two of the hint: about 1 in 6 draws without hints.
        let hinted = nearHint(SearchFixture.proposals(source, hints: hints, count: 200, seed: 5))
        let unhinted = nearHint(SearchFixture.proposals(source, count: 200, seed: 5))
        #expect(hinted > 120, "hinted: \(hinted)/200")
        #expect(unhinted < 60, "unhinted: \(unhinted)/200")
    }

    @Test("hinted functions attract mutations to their bodies")
    func hintedFunctions() {
        let source = """
        def alpha(a, b):
            return a + b * 2

        def beta(a, b):
            return a - b * 3

        """
        let mutations = SearchFixture.proposals(source, hints: FaultHints(functions: ["beta"]), count: 200, seed: 9)
        let inBeta = mutations.filter { $0.summary.hasPrefix("m.py:4") || $0.summary.hasPrefix("m.py:5") }.count
        #expect(inBeta > 140, "in beta: \(inBeta)/200")
    }

    @Test("nothing to mutate gives nil; weights select operators")
    func nilAndWeights() {
        var rng = SearchTestRNG(seed: 1)
        #expect(Mutator().propose(files: [], hints: FaultHints(), using: &rng) == nil)
        let blank = [SourceFile(path: "a.py", text: ""), SourceFile(path: "b.py", text: "\n# only a comment\n")]
        #expect(Mutator().propose(files: blank, hints: FaultHints(), using: &rng) == nil)
        let file = [SourceFile(path: "a.py", text: "x = a < b\n")]
        #expect(Mutator(operatorWeights: ["numeric-perturb": 1]).propose(files: file, hints: FaultHints(), using: &rng) == nil)
        let onlyCompare = SearchFixture.proposals("x = a < b + 1\n", operators: ["compare-swap"], count: 50)
        #expect(onlyCompare.allSatisfy { $0.operatorName == "compare-swap" } && onlyCompare.count == 50)
        #expect(Mutator().operatorWeights == Mutator.defaultOperatorWeights)
        #expect(Set(Mutator.defaultOperatorWeights.keys) == Set(Mutator.operatorNames))
    }

    @Test("default weights favour operator swaps, numbers and off-by-one over line operators")
    func defaultWeights() {
        let w = Mutator.defaultOperatorWeights
        let cheap = ["compare-swap", "arith-swap", "numeric-perturb", "off-by-one"].compactMap { w[$0] }
        let lines = ["delete-line", "duplicate-line", "swap-lines", "copy-line"].compactMap { w[$0] }
        #expect(cheap.count == 4 && lines.count == 4)
        #expect(cheap.min()! > lines.max()!)
    }

    @Test("summaries name the file, line and change")
    func summaries() {
        let mutations = SearchFixture.proposals("x = 1\ny = a < b\n", path: "src/r.py", operators: ["compare-swap"],
                                                count: 20)
        #expect(Set(mutations.map(\.summary)) == ["src/r.py:2: `<` → `<=`", "src/r.py:2: `<` → `>`",
                                                   "src/r.py:2: `<` → `>=`"])
    }

    @Test("a wrong comparison is repaired within 2,000 hinted proposals")
    func repairsWrongComparison() {
        let buggy = """
        def clamp_scores(scores, floor, ceiling):
            \"\"\"Clamp every score into [floor, ceiling]; count the clipped ones.\"\"\"
            if not scores:
                return [], 0
            clipped = 0
            result = []
            for score in scores:
                if score > ceiling:
                    result.append(ceiling)
                    clipped += 1
                elif score <= floor:
                    result.append(floor)
                    clipped += 1
                else:
                    result.append(score)
            return result, clipped

        """
        let fixed = buggy.replacingOccurrences(of: "score <= floor", with: "score < floor")
        let file = SourceFile(path: "scores.py", text: buggy)
        let hints = FaultHints.parse("File \"/work/scores.py\", line 11, in clamp_scores", knownPaths: ["scores.py"])
        #expect(hints.lines == ["scores.py": [11]])
        var rng = SearchTestRNG(seed: 2024)
        var attempts = 0
        var repaired = false
        while attempts < 2000, !repaired {
            attempts += 1
            guard let mutation = Mutator().propose(files: [file], hints: hints, using: &rng) else { break }
            repaired = SearchFixture.apply(mutation, to: buggy) == fixed
        }
        #expect(repaired, "no exact fix in \(attempts) proposals")
    }
}
