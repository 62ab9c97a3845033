import CrucibleCore
import Foundation
import Ledger

/// `crucible report`: from baseline to best, the improvements in order, the rejections, and the
/// best score over time.
public struct RunReport: Codable, Sendable {
    public struct Improvement: Codable, Sendable, Hashable {
        public var id: String
        public var parent: String
        public var iteration: Int?
        public var score: Double
        public var gain: Double
        public var proposer: String
        public var summary: String
    }

    public var status: StatusReport
    public var improvements: [Improvement]
    /// The best score after each evaluated variant, in the order they were evaluated.
    public var bestOverTime: [Double]
    /// Evaluation errors by their first line.
    public var errors: [String: Int]

    public init(snapshot: ArchiveSnapshot, usage: [ModelUsage] = []) {
        status = StatusReport(snapshot: snapshot, usage: usage)
        let evaluated = snapshot.variants.filter { $0.score != nil }
            .sorted { ($0.iteration ?? -1, $0.id) < ($1.iteration ?? -1, $1.id) }
        var best: Double?
        var improvements: [Improvement] = []
        var history: [Double] = []
        for record in evaluated {
            if record.improved, let score = record.score {
                if let previous = best, record.parent != nil {
                    improvements.append(Improvement(
                        id: VariantID.format(record.id), parent: VariantID.format(record.parent), iteration: record.iteration,
                        score: score, gain: score - previous, proposer: record.proposer ?? "", summary: record.summary ?? ""))
                }
                best = score
            }
            if let best { history.append(best) }
        }
        self.improvements = improvements
        bestOverTime = history
        errors = Dictionary(grouping: snapshot.variants.filter { $0.status == .error }, by: {
            String(($0.reason ?? "unknown").split(separator: "\n").first ?? "unknown").prefix(120).description
        }).mapValues(\.count)
    }

    public var markdown: String {
        var out = "# Crucible report\n\n"
        let baseline = status.baseline?.score, best = status.best?.score
        out += "| | variant | score |\n|---|---|---|\n"
        out += "| baseline | \(status.baseline?.id ?? "-") | \(baseline.map(Format.score) ?? "-") |\n"
        out += "| best | \(status.best?.id ?? "-") | \(best.map(Format.score) ?? "-") |\n"
        if let baseline, let best {
            let relative = baseline != 0 ? String(format: " (%+.1f%%)", (best - baseline) / abs(baseline) * 100) : ""
            out += "\nImprovement: **\(Format.signed(best - baseline))**\(relative) over \(status.iterations) iterations; "
        } else {
            out += "\n"
        }
        out += "\(status.variants) variants, \(status.evaluated) evaluated, \(status.errors) evaluation errors.\n"
        if status.isolation == "unisolated" {
            out += "\n> **Unisolated:** candidates ran without a sandbox (`sandbox.isolation: none`).\n"
        }
        if !bestOverTime.isEmpty {
            out += "\nBest score over time: `\(Format.sparkline(bestOverTime))`\n"
        }
        if let stopped = status.stopped { out += "\nThe last run stopped early: \(stopped).\n" }
        if !status.llm.isEmpty {
            out += "\n## Model usage\n\n| model | tokens in | tokens out | calls | cached | without usage | cost |\n|---|---|---|---|---|---|---|\n"
            for entry in status.llm {
                let u = entry.usage
                let unknown = u.unknownCalls == 0 ? "0" : "\(u.unknownCalls) (~\(u.estimatedTokens) tokens)"
                out += "| \(entry.model) | \(u.promptTokens) | \(u.completionTokens) | \(u.calls) | \(u.cachedCalls) | \(unknown) | \(entry.cost.map { String(format: "%.4f", $0) } ?? "-") |\n"
            }
        }
        out += "\n## Improvements, in order\n\n"
        if improvements.isEmpty {
            out += "None yet.\n"
        } else {
            out += "| variant | parent | iteration | score | gain | proposer | change |\n|---|---|---|---|---|---|---|\n"
            for item in improvements {
                let change = item.summary.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "`", with: "'")
                out += "| \(item.id) | \(item.parent) | \(item.iteration.map(String.init) ?? "-") | \(Format.score(item.score)) | \(Format.signed(item.gain)) | \(item.proposer) | `\(change)` |\n"
            }
            out += "\n`crucible show ID` prints a variant's diff; `crucible promote ID` writes it into the target.\n"
        }
        out += "\n## Rejections by reason\n\n"
        if status.rejected.isEmpty && errors.isEmpty {
            out += "None.\n"
        } else {
            out += "| reason | count |\n|---|---|\n"
            for (stage, count) in status.rejected.sorted(by: { $0.value > $1.value }) { out += "| rejected: \(stage) | \(count) |\n" }
            for (error, count) in errors.sorted(by: { $0.value > $1.value }) {
                out += "| evaluation error: \(error.replacingOccurrences(of: "|", with: "\\|")) | \(count) |\n"
            }
        }
        return out
    }

    public var html: String {
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;")
        }
        return """
            <!doctype html><html><head><meta charset="utf-8"><title>Crucible report</title>
            <style>body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto}pre{white-space:pre-wrap}</style></head>
            <body><pre>\(escape(markdown))</pre></body></html>
            """
    }
}
