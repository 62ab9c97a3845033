import CrucibleCore
@testable import Evolution
import Testing

struct SearchReplaceEditsTests {
    private let source = """
        def merge(intervals):
            result = []
            for start, end in sorted(intervals):
                if result and start < result[-1][1]:
                    result[-1][1] = max(result[-1][1], end)
                else:
                    result.append([start, end])
            return result

        """

    private func apply(_ answer: String, to files: [String: String]? = nil, format: EditFormat = .searchReplace) -> SearchReplaceEdits.Outcome {
        let parsed = SearchReplaceEdits.parse(answer, format: format)
        var outcome = SearchReplaceEdits.apply(parsed.blocks, to: FileTree(files ?? ["merge.py": source]))
        outcome.failures = parsed.failures + outcome.failures
        return outcome
    }

    @Test func exactBlockInsideAFenceApplies() {
        let outcome = apply("""
            The overlap test must include touching intervals.

            merge.py
            ```python
            <<<<<<< SEARCH
                    if result and start < result[-1][1]:
            =======
                    if result and start <= result[-1][1]:
            >>>>>>> REPLACE
            ```
            """)
        #expect(outcome.failures.isEmpty)
        #expect(outcome.tree.files["merge.py"] == source.replacingOccurrences(of: "start < result", with: "start <= result"))
    }

    @Test func pathDecorationsAreStrippedAndALaterBlockReusesThePath() {
        let outcome = apply("""
            **`merge.py`**
            <<<<<<< SEARCH
                result = []
            =======
                result: list = []
            >>>>>>> REPLACE
            <<<<<<< SEARCH
                return result
            =======
                return [list(pair) for pair in result]
            >>>>>>> REPLACE
            """)
        #expect(outcome.failures.isEmpty)
        #expect(outcome.applied.map(\.path) == ["merge.py", "merge.py"])
        #expect(outcome.tree.files["merge.py"]!.contains("result: list = []"))
        #expect(outcome.tree.files["merge.py"]!.contains("return [list(pair) for pair in result]"))
    }

    @Test func searchWithAUniformIndentationOffsetMatchesAndTheReplacementIsReindented() {
        let outcome = apply("""
            merge.py
            <<<<<<< SEARCH
            if result and start < result[-1][1]:
                result[-1][1] = max(result[-1][1], end)
            =======
            if result and start <= result[-1][1]:
                result[-1][1] = max(result[-1][1], end)
            >>>>>>> REPLACE
            """)
        #expect(outcome.failures.isEmpty)
        #expect(outcome.tree.files["merge.py"] == source.replacingOccurrences(of: "start < result", with: "start <= result"))
    }

    @Test func searchIndentedMoreThanTheFileMatchesAndTheReplacementLosesTheExtra() {
        let files = ["a.py": "x = 1\ny = 2\n"]
        let outcome = apply("a.py\n<<<<<<< SEARCH\n    x = 1\n    y = 2\n=======\n    x = 10\n    y = 2\n>>>>>>> REPLACE\n", to: files)
        #expect(outcome.failures.isEmpty)
        #expect(outcome.tree.files["a.py"] == "x = 10\ny = 2\n")
    }

    @Test func mixedIndentationOffsetsDoNotMatch() {
        let files = ["a.py": "if a:\n    x = 1\n"]
        let outcome = apply("a.py\n<<<<<<< SEARCH\n  if a:\n x = 1\n=======\nif b:\n    x = 1\n>>>>>>> REPLACE\n", to: files)
        #expect(outcome.failures.count == 1)
        #expect(outcome.failures.first?.reason.contains("not in the file") == true)
    }

    @Test func trailingWhitespaceTypographicQuotesAndDashesAreNormalised() {
        let files = ["prompt.py": "GREETING = \"Hello - welcome\"\nNAME = 'x'\n"]
        let answer = "prompt.py\n<<<<<<< SEARCH\n\nGREETING = \u{201C}Hello \u{2014} welcome\u{201D}   \nNAME = \u{2018}x\u{2019}\n\n=======\nGREETING = \"Hi\"\nNAME = 'x'\n>>>>>>> REPLACE\n"
        let outcome = apply(answer, to: files)
        #expect(outcome.failures.isEmpty)
        #expect(outcome.tree.files["prompt.py"] == "GREETING = \"Hi\"\nNAME = 'x'\n")
    }

    @Test func searchMatchingTwoPlacesIsAmbiguousAndLeavesTheFileAlone() {
        let files = ["a.py": "x = 1\nprint(x)\nx = 1\n"]
        let outcome = apply("a.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n", to: files)
        #expect(outcome.applied.isEmpty)
        #expect(outcome.tree.files["a.py"] == "x = 1\nprint(x)\nx = 1\n")
        #expect(outcome.failures.first?.description == "block 1 (a.py): the SEARCH text matches 2 places (line 1, line 3); quote more lines so it matches exactly one")
    }

    @Test func ambiguityFoundOnlyAfterNormalisingIsStillRefused() {
        let files = ["a.py": "s = 'a'  \ns = 'a'\n"]
        let outcome = apply("a.py\n<<<<<<< SEARCH\ns = \u{2018}a\u{2019}\n=======\ns = 'b'\n>>>>>>> REPLACE\n", to: files)
        #expect(outcome.applied.isEmpty)
        #expect(outcome.failures.first?.reason.contains("matches 2 places") == true)
    }

    @Test func searchTextNotInTheFileFailsWithItsBlockNumber() {
        let outcome = apply("""
            merge.py
            <<<<<<< SEARCH
                result = []
            =======
                result = list()
            >>>>>>> REPLACE

            merge.py
            <<<<<<< SEARCH
                return sorted(result)
            =======
                return result
            >>>>>>> REPLACE
            """)
        #expect(outcome.applied.count == 1)
        #expect(outcome.failures.map(\.index) == [2])
        #expect(outcome.failures.first?.description.hasPrefix("block 2 (merge.py): the SEARCH text is not in the file") == true)
    }

    @Test func malformedBlocksAreReportedNotApplied() {
        let missingDivider = apply("merge.py\n<<<<<<< SEARCH\n    result = []\n>>>>>>> REPLACE\n")
        #expect(missingDivider.failures.first?.reason == "no ======= line after <<<<<<< SEARCH")
        let missingEnd = apply("merge.py\n<<<<<<< SEARCH\n    result = []\n=======\n    result = list()\n")
        #expect(missingEnd.failures.first?.reason == "no >>>>>>> REPLACE line closes the block")
        let noPath = apply("Here is the change:\n<<<<<<< SEARCH\n    result = []\n=======\n    result = list()\n>>>>>>> REPLACE\n")
        #expect(noPath.failures.first?.reason == "no file path on the line before the block")
        #expect(missingDivider.applied.isEmpty && missingEnd.applied.isEmpty && noPath.applied.isEmpty)
    }

    @Test func emptySearchCreatesANewFileButNeverOverwritesAnExistingOne() {
        let created = apply("helpers.py\n<<<<<<< SEARCH\n=======\ndef helper():\n    return 1\n>>>>>>> REPLACE\n")
        #expect(created.tree.files["helpers.py"] == "def helper():\n    return 1\n")
        let refused = apply("merge.py\n<<<<<<< SEARCH\n=======\nprint('hi')\n>>>>>>> REPLACE\n")
        #expect(refused.failures.first?.reason.contains("the SEARCH text is empty but the file exists") == true)
        #expect(refused.tree.files["merge.py"] == source)
    }

    @Test func searchInAFileThatDoesNotExistFails() {
        let outcome = apply("missing.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n")
        #expect(outcome.failures.first?.reason.hasPrefix("no such file") == true)
    }

    @Test func pathsLeavingTheTargetAreNotPaths() {
        #expect(SearchReplaceEdits.cleanPath("../etc/passwd") == nil)
        #expect(SearchReplaceEdits.cleanPath("/etc/passwd") == nil)
        #expect(SearchReplaceEdits.cleanPath("./src/a.py:") == "src/a.py")
        #expect(SearchReplaceEdits.cleanPath("# File: prompts/system.md") == "prompts/system.md")
        #expect(SearchReplaceEdits.cleanPath("Here is the fix") == nil)
    }

    @Test func wholeFileBlocksReplaceTheFile() {
        let outcome = apply("""
            The whole file, fixed:

            merge.py
            ```python
            def merge(intervals):
                return intervals
            ```
            """, format: .wholeFile)
        #expect(outcome.failures.isEmpty)
        #expect(outcome.tree.files["merge.py"] == "def merge(intervals):\n    return intervals\n")
    }

    @Test func wholeFileInALongerFenceKeepsTheFencesItHolds() {
        let outcome = apply("prompts/system.md\n````markdown\nAnswer like this:\n```\nok\n```\n````\n", to: ["prompts/system.md": "old\n"],
                            format: .wholeFile)
        #expect(outcome.tree.files["prompts/system.md"] == "Answer like this:\n```\nok\n```\n")
    }

    @Test func wholeFileFormatIgnoresFencesWithoutAPath() {
        let parsed = SearchReplaceEdits.parse("Like this:\n```python\nprint(1)\n```\n", format: .wholeFile)
        #expect(parsed.blocks.isEmpty)
    }

    @Test func fileWithoutAFinalNewlineKeepsIt() {
        let files = ["a.txt": "one\ntwo"]
        let outcome = apply("a.txt\n<<<<<<< SEARCH\ntwo\n=======\nthree\n>>>>>>> REPLACE\n", to: files)
        #expect(outcome.tree.files["a.txt"] == "one\nthree")
    }
}
