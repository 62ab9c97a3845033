import CrucibleCore
import Ledger

/// `crucible status`: where the workspace stands.
public struct StatusReport: Codable, Sendable, Hashable {
    public struct Ref: Codable, Sendable, Hashable {
        public var id: String
        public var score: Double?
    }

    public var baseline: Ref?
    public var best: Ref?
    public var promoted: Ref?
    public var variants: Int
    public var evaluated: Int
    public var errors: Int
    public var pending: Int
    /// Rejections by the stage that refused them (`syntax`, `protected`, `proposal`, …).
    public var rejected: [String: Int]
    public var iterations: Int
    public var runs: Int
    /// Whether the last run is unfinished (a rerun of `evolve` resumes it).
    public var interrupted: Bool
    /// "bubblewrap" or "unisolated": how the latest evaluations ran.
    public var isolation: String
    /// Model tokens and cost over every run, per model.
    public var llm: [ModelUsage]
    /// Why the last run stopped, when it stopped early (a spent budget).
    public var stopped: String?
    /// Approval requests nobody has answered yet.
    public var awaitingApproval: Int = 0
    /// The emergency stop in force (`crucible stop`), if any.
    public var emergencyStop: String?

    public init(snapshot: ArchiveSnapshot, usage: [ModelUsage] = []) {
        llm = usage
        stopped = snapshot.runs.last?.finishedReason.flatMap { $0 == "completed" ? nil : $0 }
        func ref(_ id: Int?) -> Ref? { id.map { Ref(id: VariantID.format($0), score: snapshot.variant($0)?.score) } }
        baseline = ref(snapshot.baseline)
        best = ref(snapshot.best)
        promoted = ref(snapshot.promoted)
        variants = snapshot.variants.count
        evaluated = snapshot.variants.filter { $0.status == .evaluated }.count
        errors = snapshot.variants.filter { $0.status == .error }.count
        pending = snapshot.variants.filter { $0.status == .pending }.count
        rejected = Dictionary(grouping: snapshot.rejections, by: \.stage).mapValues(\.count)
        iterations = snapshot.iterations
        runs = snapshot.runs.count
        interrupted = snapshot.runs.last.map { $0.finishedReason == nil } ?? false
        isolation = snapshot.runs.last?.isolation ?? "none yet"
    }

    /// The human form.
    public var text: String {
        func show(_ ref: Ref?) -> String {
            guard let ref else { return "-" }
            return "\(ref.id) (score \(ref.score.map { Format.score($0) } ?? "none"))"
        }
        var lines = [
            "baseline   \(show(baseline))",
            "best       \(show(best))",
            "promoted   \(show(promoted))",
            "iterations \(iterations) in \(runs) run(s)\(interrupted ? ", the last one interrupted: `crucible evolve` resumes it" : "")",
            "variants   \(variants): \(evaluated) evaluated, \(errors) evaluation errors, \(pending) pending",
            "rejected   \(rejected.isEmpty ? "none" : rejected.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))",
            "isolation  \(isolation)",
        ]
        if let stopped { lines.append("stopped    the last run stopped early: \(stopped)") }
        if awaitingApproval > 0 { lines.append("approvals  \(awaitingApproval) awaiting a human: `crucible approvals list`") }
        if let emergencyStop { lines.append("STOPPED    \(emergencyStop); nothing runs until `crucible resume`") }
        for entry in llm { lines.append("llm        \(UsageText.line(entry))") }
        if isolation == "unisolated" { lines.append("warning    candidates ran unisolated (sandbox.isolation: none)") }
        return lines.joined(separator: "\n")
    }
}

/// Number formatting shared by every report.
public enum Format {
    public static func score(_ value: Double) -> String {
        let text = String(format: "%.4f", value)
        var trimmed = text
        while trimmed.hasSuffix("0"), trimmed.contains(".") { trimmed.removeLast() }
        if trimmed.hasSuffix(".") { trimmed.removeLast() }
        return trimmed
    }

    public static func signed(_ value: Double) -> String {
        (value >= 0 ? "+" : "") + score(value)
    }

    /// A sparkline of `values` (▁ to █), at most `width` characters, sampled evenly.
    public static func sparkline(_ values: [Double], width: Int = 60) -> String {
        guard let low = values.min(), let high = values.max() else { return "" }
        let bars = Array("▁▂▃▄▅▆▇█")
        let sampled = values.count <= width ? values : (0..<width).map { values[$0 * values.count / width] }
        return String(sampled.map { value in
            high > low ? bars[min(7, Int((value - low) / (high - low) * 7.999))] : bars[3]
        })
    }
}
