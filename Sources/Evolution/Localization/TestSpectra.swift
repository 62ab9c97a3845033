import Foundation

/// What each test of a traced run executed, and which tests failed: the input of spectrum-based
/// fault localization.
public struct TestSpectra: Sendable, Hashable {
    /// One test's run, as the tracer records it.
    public struct Test: Sendable, Hashable, Codable {
        /// The test's qualified name (`TestMerge.test_touching`).
        public var test: String
        public var failed: Bool
        /// Editable path → the 1-based lines the test executed there.
        public var lines: [String: [Int]]

        public init(test: String, failed: Bool, lines: [String: [Int]]) {
            self.test = test
            self.failed = failed
            self.lines = lines
        }
    }

    public var tests: [Test]

    public init(tests: [Test]) {
        self.tests = tests
    }

    public var failedCount: Int { tests.count { $0.failed } }

    /// The Ochiai suspiciousness of every line some failing test executed:
    /// ef / √(F · (ef + ep)), where F counts the failing tests and ef, ep the failing and
    /// passing tests that executed the line. 1 means executed by every failing test and no
    /// passing one. Path → line → suspiciousness in (0, 1]; empty when no test failed.
    public func ochiai() -> [String: [Int: Double]] {
        let failed = failedCount
        guard failed > 0 else { return [:] }
        var counts: [String: [Int: (ef: Int, ep: Int)]] = [:]
        for test in tests {
            for (path, lines) in test.lines {
                for line in Set(lines) {
                    var count = counts[path, default: [:]][line, default: (0, 0)]
                    if test.failed { count.ef += 1 } else { count.ep += 1 }
                    counts[path, default: [:]][line] = count
                }
            }
        }
        var result: [String: [Int: Double]] = [:]
        for (path, lines) in counts {
            for (line, count) in lines where count.ef > 0 {
                result[path, default: [:]][line] = Double(count.ef) / (Double(failed) * Double(count.ef + count.ep)).squareRoot()
            }
        }
        return result
    }
}
