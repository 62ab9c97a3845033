import CrucibleCore
import Ledger

/// The loop's in-memory view of the archive: the records it needs to select and dedupe, and every
/// variant's files, derived by applying patches along its lineage. Built from the ledger's
/// projection and kept in step with each event the loop records.
struct ArchiveModel {
    private(set) var variants: [Int: VariantRecord] = [:]
    private(set) var children: [Int: Int] = [:]
    private(set) var treeDigests: Set<String> = []
    private(set) var best: Int?
    /// Per operator: children it took part in that were settled, and those that beat their parent.
    private(set) var operatorStats: [String: OperatorStats] = [:]
    private var baselines: [Int: FileTree] = [:]
    private var trees: [Int: FileTree] = [:]

    init(snapshot: ArchiveSnapshot, ledger: Ledger) throws {
        for record in snapshot.variants {
            try add(record, ledger: ledger)
        }
        for record in snapshot.variants where record.status != .pending { countOutcome(of: record.id) }
        best = snapshot.best
    }

    mutating func add(_ record: VariantRecord, ledger: Ledger) throws {
        variants[record.id] = record
        treeDigests.insert(record.treeDigest)
        if let parent = record.parent { children[parent, default: 0] += 1 }
        if record.status == .baseline || record.patch == nil, baselines[record.id] == nil,
           let files = try ledger.baselineFiles(variant: record.id) {
            baselines[record.id] = files
        }
    }

    mutating func addBaseline(_ record: VariantRecord, files: FileTree) {
        variants[record.id] = record
        treeDigests.insert(record.treeDigest)
        baselines[record.id] = files
    }

    mutating func update(_ id: Int, _ change: (inout VariantRecord) -> Void) {
        if var record = variants[id] {
            change(&record)
            variants[id] = record
        }
    }

    mutating func setBest(_ id: Int) { best = id }

    /// The successive bests before `id`: the baselines' scores and each improvement's, in order.
    func bestScores(before id: Int) -> [Double] {
        variants.values.filter { $0.id < id && ($0.improved || $0.status == .baseline) }.sorted { $0.id < $1.id }.compactMap(\.score)
    }

    /// The scores of the variants scored before `id`.
    func scoresBefore(_ id: Int) -> [Double] {
        variants.values.filter { $0.id != id && $0.score != nil }.compactMap(\.score)
    }

    /// Counts a settled variant's outcome for the operators that made it (`search/a+b` counts for
    /// `a` and `b`) or the model that wrote it (`llm/MODEL` counts for `llm/MODEL`).
    mutating func countOutcome(of id: Int) {
        guard let record = variants[id], let proposer = record.proposer, let parent = record.parent,
              proposer.hasPrefix("search/") || proposer.hasPrefix("llm/") else { return }
        let improved = record.score.map { score in variants[parent]?.score.map { score > $0 } ?? true } ?? false
        let names = proposer.hasPrefix("llm/") ? [Substring(proposer)] : proposer.dropFirst("search/".count).split(separator: "+")
        for name in names {
            operatorStats[String(name), default: OperatorStats()].trials += 1
            if improved { operatorStats[String(name), default: OperatorStats()].improvements += 1 }
        }
    }

    var nextID: Int { (variants.keys.max() ?? -1) + 1 }

    /// The children of `parent` proposed so far, oldest first, as a proposer sees them.
    func attempts(from parent: Int) -> [ProposalContext.Attempt] {
        variants.values.filter { $0.parent == parent }.sorted { $0.id < $1.id }.map { record in
            ProposalContext.Attempt(variant: record.id, proposer: record.proposer ?? "", summary: record.summary ?? "",
                                    score: record.score,
                                    outcome: record.status.rawValue + (record.reason.map { ": \($0.prefix(200))" } ?? ""))
        }
    }

    var bestScore: Double? { best.flatMap { variants[$0]?.score } }

    /// The variants that can be parents: those that evaluated without error and scored at least
    /// as well as their parent. A baseline that failed to evaluate (its tests loop forever) stays
    /// a parent, ranked at the median, since its children may be the only way to a fix.
    var selectable: [ParentSelector.Candidate] {
        var niches: [Behaviour: Int] = [:]
        var scored = variants.values.filter { record in
            guard let score = record.score else { return false }
            guard let parent = record.parent, let parentScore = variants[parent]?.score else { return true }
            return score >= parentScore
        }.sorted { $0.id < $1.id }.map { record in
            let behaviour = Behaviour(record.result)
            let niche = behaviour.map { key in niches[key] ?? { niches[key] = niches.count; return niches.count - 1 }() }
            return ParentSelector.Candidate(id: record.id, score: record.score!, children: children[record.id] ?? 0, niche: niche)
        }
        if !scored.isEmpty {
            let median = ParentSelector.median(scored.map(\.score).sorted())
            for record in variants.values where record.parent == nil && record.status == .error {
                scored.append(ParentSelector.Candidate(id: record.id, score: median, children: children[record.id] ?? 0))
            }
        }
        return scored.sorted { $0.id < $1.id }
    }

    /// What a variant did, task by task: variants with equal behaviours share a niche in parent
    /// selection. Nil when the score has no tasks to tell variants apart by.
    private struct Behaviour: Hashable {
        var value: Double
        var outcomes: [Double?]

        init?(_ score: Score?) {
            guard let score, let value = score.value else { return nil }
            let tasks = score.benchmarks.flatMap(\.tasks)
            guard !tasks.isEmpty else { return nil }
            self.value = value
            outcomes = tasks.map { task in task.score ?? task.passed.map { $0 ? 1 : 0 } }
        }
    }

    /// The editable files of variant `id`.
    mutating func tree(of id: Int) throws -> FileTree {
        if let tree = trees[id] ?? baselines[id] { return tree }
        guard let record = variants[id], let parent = record.parent, let patch = record.patch else {
            throw EvolutionError("variant v\(id) has no recorded files or patch")
        }
        let tree = try tree(of: parent).applying(patch.edits)
        if trees.count > 512 { trees.removeAll(keepingCapacity: true) }
        trees[id] = tree
        return tree
    }
}

/// A failure of the loop itself (not of a candidate): says what and where in one line.
public struct EvolutionError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
