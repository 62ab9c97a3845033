import CrucibleCore
import Foundation
import Sandbox

/// Reads a benchmark's score from what it printed or wrote, in the configured format.
enum ScoreReader {
    struct Reading {
        var score: Double?
        var tasks: [TaskResult]
        var error: String?
    }

    /// The largest JUnit report read; a bigger one is an error, not a memory hazard.
    static let maxReportBytes = 32 << 20

    /// The score of one benchmark run; `report` is the JUnit report's path relative to `folder`,
    /// the candidate's copy the run wrote in.
    static func read(format: WorkspaceConfig.ScoreFormat, outcome: ProcessOutcome, report: String?, in folder: String) -> Reading {
        switch format {
        case .exitCode:
            let passed = outcome.exitStatus == 0
            return Reading(score: passed ? 1 : 0, tasks: [TaskResult(id: "exit", passed: passed, score: passed ? 1 : 0,
                                                                      detail: passed ? nil : tail(outcome.stderr, 600))],
                           error: nil)
        case .json:
            return json(outcome.stdout)
        case .junit:
            guard let report else { return Reading(score: nil, tasks: [], error: "no JUnit report path") }
            return junit(report, in: folder)
        }
    }

    static func json(_ stdout: String) -> Reading {
        guard let line = stdout.split(whereSeparator: \.isNewline).last(where: { !$0.allSatisfy(\.isWhitespace) }) else {
            return Reading(score: nil, tasks: [], error: "printed no score (stdout was empty)")
        }
        guard let value = try? CanonicalJSON.decode(JSONValue.self, from: String(line)), case .object = value else {
            return Reading(score: nil, tasks: [], error: "printed no score: the last line of stdout is not a JSON object: \(String(line.prefix(120)))")
        }
        guard let score = value["score"]?.doubleValue, score.isFinite else {
            return Reading(score: nil, tasks: [], error: "printed no score: the JSON object has no finite number \"score\"")
        }
        var tasks: [TaskResult] = []
        for (index, item) in (value["tasks"]?.arrayValue ?? []).enumerated() {
            let id = item["id"]?.stringValue ?? item["id"]?.doubleValue.map { String(format: "%g", $0) } ?? "task\(index)"
            tasks.append(TaskResult(id: id, passed: item["passed"]?.boolValue, score: item["score"]?.doubleValue,
                                    detail: item["detail"]?.stringValue.map { String($0.prefix(2000)) }))
        }
        return Reading(score: score, tasks: tasks, error: nil)
    }

    /// Reads the report the candidate's own code wrote, so never through a symlink, never a
    /// FIFO or device, never more than `maxReportBytes`.
    static func junit(_ report: String, in folder: String) -> Reading {
        let data: [UInt8]
        do {
            let read = try SafeTree.readFile(report, in: folder, maxBytes: maxReportBytes)
            guard !read.truncated else {
                return Reading(score: nil, tasks: [], error: "the JUnit report is larger than \(maxReportBytes >> 20) MiB")
            }
            data = read.data
        } catch {
            var isThere = stat()
            let missing = lstat(folder + "/" + report, &isThere) != 0
            return Reading(score: nil, tasks: [], error: missing ? "wrote no JUnit report at \(report)" : "cannot read the JUnit report: \(error)")
        }
        let tasks: [TaskResult]
        do {
            tasks = try JUnitReport.tasks(data)
        } catch {
            return Reading(score: nil, tasks: [], error: "the JUnit report is not valid XML: \(error)")
        }
        let counted = tasks.filter { $0.passed != nil }
        guard !counted.isEmpty else { return Reading(score: nil, tasks: tasks, error: "the JUnit report holds no test case") }
        let passed = counted.filter { $0.passed == true }.count
        return Reading(score: Double(passed) / Double(counted.count), tasks: tasks, error: nil)
    }

    static func tail(_ text: String, _ count: Int) -> String {
        text.count <= count ? text : "…" + String(text.suffix(count))
    }
}
