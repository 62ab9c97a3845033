import Constitution
import Foundation
import Ledger
import Sandbox

/// Everything `crucible evolve` needs, assembled from a workspace folder with the live defaults:
/// the ledger in `.crucible/`, the sandbox the workspace asks for, and its proposer.
public struct EvolutionSession: Sendable {
    public let workspace: Workspace
    public let loop: EvolutionLoop

    /// Opens the workspace in `directory`. Refuses (fails closed) when the isolation it asks for
    /// cannot be had, and when the proposer it asks for is not configured.
    /// - Parameters:
    ///   - kind: the proposer, overriding `evolution.proposer`.
    ///   - useCache: for the llm proposer, overrides `llm.cache` (false: ask the server every time).
    public static func open(_ directory: String, proposer kind: WorkspaceConfig.ProposerKind? = nil,
                            useCache: Bool? = nil) async throws -> EvolutionSession {
        let workspace = try Workspace.load(directory)
        // Nothing runs under a constitution that does not verify.
        let constitution = try ConstitutionFiles(directory: workspace.directory).load()
        let proposer: any Proposer
        switch kind ?? workspace.config.evolution.proposer {
        case .search:
            proposer = SearchProposer()
        case .llm:
            // A resumed run's budget counts what it spent before it was interrupted.
            let spent = try workspace.existingLedger()?.unfinishedRunUsage() ?? []
            proposer = try LLMProposer.make(workspace: workspace, useCache: useCache, spent: spent, constitution: constitution)
        }
        let sandbox = try await makeSandbox(for: workspace)
        let ledger = try workspace.openLedger()
        let evaluator = try Evaluator(workspace: workspace, sandbox: sandbox)
        return EvolutionSession(workspace: workspace,
                                loop: EvolutionLoop(workspace: workspace, ledger: ledger, evaluator: evaluator, proposer: proposer,
                                                   constitution: constitution,
                                                   judge: constitution.judgedRules.isEmpty ? nil : ModelJudge.make(workspace: workspace)))
    }

    /// The sandbox `sandbox.isolation` asks for, tried once before anything runs; never a
    /// silent fallback to less isolation.
    public static func makeSandbox(for workspace: Workspace) async throws -> any Sandbox {
        switch workspace.config.sandbox.isolation {
        case .none:
            return PlainProcessSandbox()
        case .bubblewrap:
            do {
                let sandbox = try BubblewrapSandbox(readOnlyPaths: workspace.config.sandbox.paths)
                try await sandbox.check()
                return sandbox
            } catch let error as SandboxError {
                throw SandboxUnavailable(reason: error.description)
            }
        }
    }
}

/// The isolation a workspace asks for cannot be had on this host.
public struct SandboxUnavailable: Error, CustomStringConvertible {
    public var reason: String
    public var description: String {
        "cannot isolate candidates: \(reason). Crucible does not fall back to running them unisolated; fix the above, or set `sandbox: {isolation: none}` in crucible.yaml to accept that"
    }
}
