import CrucibleCore
import Foundation
import Testing

struct DigestTests {
    @Test("SHA-256 matches the published vector for \"abc\"")
    func publishedVector() {
        #expect(Digest.sha256("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Digest.sha256(concatenating: "a", "bc") == Digest.sha256("abc"))
    }

    @Test("canonical JSON sorts keys and drops whitespace, so equal values hash equally")
    func canonical() throws {
        let a = try CanonicalJSON.string(["b": 1, "a": 2])
        #expect(a == #"{"a":2,"b":1}"#)
        #expect(try Digest.canonical(["x": "1/2", "a": "y"]) == Digest.sha256(#"{"a":"y","x":"1/2"}"#))
    }

    @Test("constant-time comparison agrees with equality")
    func constantTime() {
        #expect(Digest.constantTimeEqual("abc", "abc"))
        #expect(!Digest.constantTimeEqual("abc", "abd"))
        #expect(!Digest.constantTimeEqual("abc", "ab"))
    }
}

struct FileTreeTests {
    let tree = FileTree(["a.py": "x = 1\ny = 2\n", "b.md": "hello ☃ world\n"])

    @Test("an edit applies only where the parent holds its old text")
    func exactEdits() throws {
        let changed = try tree.applying([Edit(path: "a.py", offset: 4, old: "1", new: "10")])
        #expect(changed.files["a.py"] == "x = 10\ny = 2\n")
        #expect(throws: EditError.self) { try tree.applying([Edit(path: "a.py", offset: 5, old: "1", new: "10")]) }
        #expect(throws: EditError.self) { try tree.applying([Edit(path: "nope.py", offset: 0, old: "x", new: "y")]) }
    }

    @Test("several edits of one file apply against the parent's offsets; overlapping ones fail")
    func severalEdits() throws {
        let changed = try tree.applying([
            Edit(path: "a.py", offset: 0, old: "x", new: "xx"), Edit(path: "a.py", offset: 10, old: "2", new: "3"),
        ])
        #expect(changed.files["a.py"] == "xx = 1\ny = 3\n")
        #expect(throws: EditError.self) {
            try tree.applying([Edit(path: "a.py", offset: 0, old: "x = 1", new: ""), Edit(path: "a.py", offset: 4, old: "1", new: "2")])
        }
    }

    @Test("edits(to:) and applying(_:) round-trip, including multi-byte text and new files")
    func roundTrip() throws {
        var other = tree
        other.files["b.md"] = "hello ☂ world\nmore\n"
        other.files["c.txt"] = "new\n"
        let edits = tree.edits(to: other)
        #expect(edits.count == 2)
        #expect(try tree.applying(edits) == other)
        #expect(tree.digest != other.digest)
        #expect(try tree.applying(edits).digest == other.digest)
    }
}

struct LineDiffTests {
    @Test("a unified diff shows the changed line with context")
    func unified() {
        let old = (1...10).map { "line \($0)\n" }.joined()
        let new = old.replacingOccurrences(of: "line 5\n", with: "line five\n")
        let diff = LineDiff.unified(old: old, new: new, path: "f.txt")
        #expect(diff.contains("--- a/f.txt\n+++ b/f.txt\n@@ -2,7 +2,7 @@\n"))
        #expect(diff.contains("-line 5\n+line five\n"))
        #expect(LineDiff.unified(old: old, new: old, path: "f.txt").isEmpty)
    }

    @Test("hunks rebuild the new text from the old one for random edits")
    func hunksRebuild() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let old = (0..<Int.random(in: 0...12, using: &rng)).map { _ in "l\(Int.random(in: 0...4, using: &rng))\n" }
            var new = old
            for _ in 0..<Int.random(in: 0...4, using: &rng) {
                if !new.isEmpty, Bool.random(using: &rng) { new.remove(at: Int.random(in: 0..<new.count, using: &rng)) }
                else { new.insert("n\(Int.random(in: 0...4, using: &rng))\n", at: Int.random(in: 0...new.count, using: &rng)) }
            }
            let a = LineDiff.lines(old.joined()), b = LineDiff.lines(new.joined())
            var rebuilt: [Substring] = []
            var cursor = 0
            for hunk in LineDiff.hunks(a, b) {
                rebuilt += a[cursor..<hunk.oldRange.lowerBound]
                rebuilt += b[hunk.newRange]
                cursor = hunk.oldRange.upperBound
            }
            rebuilt += a[cursor...]
            #expect(rebuilt.joined() == new.joined())
        }
    }
}

struct ScoreTests {
    @Test("the score is the weighted mean, and any failed benchmark makes it an error")
    func weightedMean() {
        let score = Score(benchmarks: [
            BenchmarkResult(name: "a", weight: 1, score: 1), BenchmarkResult(name: "b", weight: 3, score: 0.5),
        ])
        #expect(score.value == 0.625)
        let failed = Score(benchmarks: [
            BenchmarkResult(name: "a", weight: 1, score: 1), BenchmarkResult(name: "b", weight: 1, score: nil, error: "timed out"),
        ])
        #expect(failed.value == nil)
        #expect(failed.error == "b: timed out")
    }
}
