import CrucibleCore
import Foundation
import Ledger

extension Ledger {
    /// The model usage recorded in the ledger, per model: every proposal's, whether it became a
    /// variant (`PatchProposed`) or was refused (`PatchRejected`).
    public func modelUsage() throws -> [ModelUsage] {
        var lists: [[ModelUsage]] = []
        for event in try events() {
            switch event.kind {
            case .patchProposed:
                if let usage = try event.payload(as: PatchProposed.self).usage { lists.append(usage) }
            case .patchRejected:
                if let usage = try event.payload(as: PatchRejected.self).usage { lists.append(usage) }
            default: continue
            }
        }
        return ModelUsage.merge(lists)
    }

    /// The model usage of the last run when it is unfinished (a rerun resumes it), so its budget
    /// counts what it spent before it was interrupted; empty when the last run finished.
    public func unfinishedRunUsage() throws -> [ModelUsage] {
        var lists: [[ModelUsage]] = []
        var open = false
        for event in try events() {
            switch event.kind {
            case .runStarted:
                if try !event.payload(as: RunStarted.self).resumed { lists = [] }
                open = true
            case .runFinished:
                open = false
                lists = []
            case .patchProposed:
                if let usage = try event.payload(as: PatchProposed.self).usage { lists.append(usage) }
            case .patchRejected:
                if let usage = try event.payload(as: PatchRejected.self).usage { lists.append(usage) }
            default: continue
            }
        }
        return open ? ModelUsage.merge(lists) : []
    }
}

/// How a model's usage reads in `status`, `report` and `evolve`.
public enum UsageText {
    /// `MODEL: 1234 tokens (1000 in, 234 out), 5 calls, 2 cached, 1 without usage (~300 tokens estimated), cost 0.0123`.
    public static func line(_ entry: ModelUsage) -> String {
        let u = entry.usage
        var text = "\(entry.model): \(u.reportedTokens) tokens (\(u.promptTokens) in, \(u.completionTokens) out), \(u.calls) call\(u.calls == 1 ? "" : "s")"
        if u.cachedCalls > 0 { text += ", \(u.cachedCalls) cached" }
        if u.unknownCalls > 0 { text += ", \(u.unknownCalls) without usage (~\(u.estimatedTokens) tokens estimated)" }
        text += ", cost " + (entry.cost.map { String(format: "%.4f", $0) } ?? "unknown (no llm.price)")
        return text
    }
}
