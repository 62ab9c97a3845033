import ArgumentParser
import Evolution
import Foundation

extension Crucible {
    struct Evolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "evolve", abstract: "Run (or resume) the evolution loop on a workspace.")

        @OptionGroup var workspace: WorkspaceArgument
        @Option(help: "Iterations for a new run (default: evolution.iterations).") var iterations: Int?
        @Option(help: "search or llm (default: evolution.proposer).") var proposer: String?
        @Option(help: "The seed (default: evolution.seed).") var seed: UInt64?
        @Option(help: "Candidates evaluated at once (default: evolution.jobs).") var jobs: Int?
        @Flag(help: "Ask the model even when the response cache holds an answer (llm proposer).") var noCache = false
        @Flag(help: "Print one JSON object per line: each iteration, then the summary.") var json = false

        func validate() throws {
            if let iterations, iterations < 0 { throw ValidationError("--iterations must not be negative") }
            if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
            if let proposer, WorkspaceConfig.ProposerKind(rawValue: proposer) == nil {
                throw ValidationError("--proposer must be search or llm")
            }
        }

        func run() async throws {
            let session = try await EvolutionSession.open(workspace.dir, proposer: proposer.flatMap(WorkspaceConfig.ProposerKind.init),
                                                          useCache: noCache ? false : nil)
            let printer = ProgressPrinter(json: json)
            let summary = try await session.loop.run(
                EvolutionLoop.Options(iterations: iterations, seed: seed, jobs: jobs), observe: printer.handle)
            printer.finish(summary)
        }
    }
}

/// Renders the loop's progress: a live line on a terminal, JSON lines with --json, and plain
/// lines (improvements and the summary) otherwise.
final class ProgressPrinter: Sendable {
    let json: Bool
    let live: Bool

    init(json: Bool) {
        self.json = json
        self.live = !json && isatty(STDOUT_FILENO) == 1
    }

    func handle(_ progress: EvolutionProgress) {
        if json {
            emitJSON(progress)
            return
        }
        switch progress {
        case .runStarted(let info):
            let verb = info.resumed ? "resuming run \(info.run)" : "run \(info.run)"
            write("\(verb): iterations \(info.fromIteration)..<\(info.untilIteration), \(info.jobs) job(s), seed \(info.seed), \(info.isolation)" + "\n")
            if info.isolation == "unisolated" { write("warning: candidates run unisolated (sandbox.isolation: none)" + "\n") }
        case .baseline(let id, let score, let error):
            write("baseline v\(id): \(score.map { Format.score($0) } ?? "evaluation error: \(error ?? "")")" + "\n")
        case .iteration(let result):
            let best = result.bestScore.map { Format.score($0) } ?? "-"
            let last: String
            switch result.status {
            case "evaluated": last = "v\(result.variant ?? -1) \(result.score.map { Format.score($0) } ?? "")"
            default: last = "\(result.status)\(result.reason.map { ": \($0.prefix(40))" } ?? "")"
            }
            let remaining = Double(result.total - result.done) / max(result.candidatesPerMinute, 1e-9)
            if result.improved {
                if live { write("\r\u{1B}[K") }
                write("new best v\(result.variant ?? -1): \(best)  \(result.summary ?? "")" + "\n")
            }
            if live {
                let line = String(format: "[%d/%d] best %@ | last %@ | %.1f cand/min | ETA %@",
                                  result.done, result.total, best, last, result.candidatesPerMinute, eta(remaining))
                write("\r\u{1B}[K" + String(line.prefix(140)))
            }
        case .finished:
            if live { write("\r\u{1B}[K") }
        }
    }

    func finish(_ summary: RunSummary) {
        guard !json else { return }
        let baseline = summary.baselineScore.map { Format.score($0) } ?? "-"
        let best = summary.bestScore.map { Format.score($0) } ?? "-"
        write("done: \(summary.iterations) iterations in \(String(format: "%.1f", summary.seconds))s (\(String(format: "%.1f", summary.candidatesPerMinute)) cand/min); baseline \(baseline) → best \(best) (\(VariantID.format(summary.bestID)))" + "\n")
        write("\(summary.evaluated) evaluated, \(summary.errors) evaluation errors, \(summary.rejected) rejected\(summary.awaitingApproval > 0 ? ", \(summary.awaitingApproval) awaiting approval (`crucible approvals list`)" : ""); `crucible report` summarises, `crucible show \(VariantID.format(summary.bestID))` shows the best" + "\n")
        for entry in summary.usage { write("llm \(UsageText.line(entry))" + "\n") }
        if summary.reason != "completed" { write("stopped early: \(summary.reason)" + "\n") }
    }

    private func eta(_ minutes: Double) -> String {
        guard minutes.isFinite else { return "-" }
        let seconds = Int(minutes * 60)
        return seconds >= 60 ? "\(seconds / 60)m\(seconds % 60)s" : "\(seconds)s"
    }

    private func emitJSON(_ progress: EvolutionProgress) {
        struct Line<T: Encodable>: Encodable {
            var event: String
            var data: T
            func encode(to encoder: any Encoder) throws {
                try data.encode(to: encoder)
                var container = encoder.container(keyedBy: Key.self)
                try container.encode(event, forKey: .event)
            }
            enum Key: String, CodingKey { case event }
        }
        struct Baseline: Encodable { var variant: Int; var score: Double?; var error: String? }
        switch progress {
        case .runStarted(let info): try? printJSON(Line(event: "run_started", data: info), pretty: false)
        case .baseline(let id, let score, let error): try? printJSON(Line(event: "baseline", data: Baseline(variant: id, score: score, error: error)), pretty: false)
        case .iteration(let result): try? printJSON(Line(event: "iteration", data: result), pretty: false)
        case .finished(let summary): try? printJSON(Line(event: "finished", data: summary), pretty: false)
        }
    }
}
