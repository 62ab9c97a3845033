import CrucibleCore
import Foundation
import Sandbox
import Yams

extension WorkspaceConfig {
    /// Parses `text`, the contents of `file`, strictly: unknown keys, wrong types and bad values
    /// are errors naming the file, the line and the key.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> WorkspaceConfig {
        guard let root = try YAMLReader.compose(text, file: file) else {
            throw ConfigError(file: file, message: "the file is empty; `crucible init` writes a commented template")
        }
        let reader = YAMLReader(file: file)
        var config = WorkspaceConfig()
        let top = try reader.mapping(root, key: nil, allowed: ["target", "benchmarks", "evolution", "llm", "sandbox"])

        guard let targetNode = top["target"] else {
            throw ConfigError(file: file, line: root.mark?.line, key: "target", message: "missing; it names the files a patch may change")
        }
        let target = try reader.mapping(targetNode, key: "target", allowed: ["root", "editable", "protected", "check"])
        if let node = target["root"] { config.target.root = try reader.string(node, key: "target.root") }
        guard let editable = target["editable"] else {
            throw ConfigError(file: file, line: targetNode.mark?.line, key: "target.editable", message: "missing; list the globs a patch may change")
        }
        config.target.editable = try reader.strings(editable, key: "target.editable")
        if config.target.editable.isEmpty {
            throw ConfigError(file: file, line: editable.mark?.line, key: "target.editable", message: "is empty; list at least one glob")
        }
        if let node = target["protected"] { config.target.protected = try reader.strings(node, key: "target.protected") }
        if let node = target["check"] { config.target.check = try reader.string(node, key: "target.check") }
        for (index, glob) in (config.target.editable + config.target.protected).enumerated() {
            if let problem = Glob.problem(in: glob) {
                let key = index < config.target.editable.count ? "target.editable" : "target.protected"
                throw ConfigError(file: file, line: targetNode.mark?.line, key: key, message: "glob \"\(glob)\": \(problem)")
            }
        }

        guard let benchmarksNode = top["benchmarks"] else {
            throw ConfigError(file: file, line: root.mark?.line, key: "benchmarks", message: "missing; name at least one command that scores the agent")
        }
        guard case .sequence(let sequence) = benchmarksNode, !sequence.isEmpty else {
            throw ConfigError(file: file, line: benchmarksNode.mark?.line, key: "benchmarks", message: "expected a non-empty list of benchmarks")
        }
        var names = Set<String>()
        for (index, node) in sequence.enumerated() {
            let key = "benchmarks[\(index)]"
            let map = try reader.mapping(node, key: key, allowed: ["name", "run", "weight", "timeout", "format", "report"])
            guard let nameNode = map["name"] else {
                throw ConfigError(file: file, line: node.mark?.line, key: "\(key).name", message: "missing")
            }
            guard let runNode = map["run"] else {
                throw ConfigError(file: file, line: node.mark?.line, key: "\(key).run", message: "missing; the command that prints the score")
            }
            var benchmark = Benchmark(name: try reader.string(nameNode, key: "\(key).name"), run: try reader.string(runNode, key: "\(key).run"))
            if !names.insert(benchmark.name).inserted {
                throw ConfigError(file: file, line: nameNode.mark?.line, key: "\(key).name", message: "\"\(benchmark.name)\" is used twice")
            }
            if let node = map["weight"] {
                benchmark.weight = try reader.double(node, key: "\(key).weight")
                if benchmark.weight < 0 { throw reader.error(node, "\(key).weight", "must not be negative") }
            }
            if let node = map["timeout"] { benchmark.timeout = try reader.duration(node, key: "\(key).timeout") }
            if let node = map["format"] { benchmark.format = try reader.choice(node, key: "\(key).format") }
            if let node = map["report"] { benchmark.report = try reader.string(node, key: "\(key).report") }
            config.benchmarks.append(benchmark)
        }
        if config.benchmarks.allSatisfy({ $0.weight == 0 }) {
            throw ConfigError(file: file, line: benchmarksNode.mark?.line, key: "benchmarks", message: "every weight is 0")
        }

        if let node = top["evolution"] {
            let map = try reader.mapping(node, key: "evolution", allowed: [
                "iterations", "proposer", "seed", "jobs", "selection", "improvement_threshold", "lambda", "tournament_size",
                "fault_localization", "approvals", "markers", "held_out",
            ])
            if let n = map["iterations"] { config.evolution.iterations = try reader.int(n, key: "evolution.iterations", min: 0) }
            if let n = map["proposer"] { config.evolution.proposer = try reader.choice(n, key: "evolution.proposer") }
            if let n = map["seed"] { config.evolution.seed = UInt64(try reader.int(n, key: "evolution.seed", min: 0)) }
            if let n = map["jobs"] { config.evolution.jobs = try reader.int(n, key: "evolution.jobs", min: 1) }
            if let n = map["selection"] { config.evolution.selection = try reader.choice(n, key: "evolution.selection") }
            if let n = map["improvement_threshold"] {
                config.evolution.improvementThreshold = try reader.double(n, key: "evolution.improvement_threshold")
            }
            if let n = map["lambda"] { config.evolution.lambda = try reader.double(n, key: "evolution.lambda") }
            if let n = map["tournament_size"] { config.evolution.tournamentSize = try reader.int(n, key: "evolution.tournament_size", min: 1) }
            if let n = map["markers"] { config.evolution.markers = try reader.strings(n, key: "evolution.markers").filter { !$0.isEmpty } }
            if let n = map["held_out"] {
                let share = try reader.double(n, key: "evolution.held_out")
                guard share >= 0, share < 1 else { throw reader.error(n, "evolution.held_out", "must be at least 0 and below 1") }
                config.evolution.heldOut = share
            }
            if let n = map["approvals"] { config.evolution.approvals = try reader.choice(n, key: "evolution.approvals") }
            if let n = map["fault_localization"] { config.evolution.faultLocalization = try reader.choice(n, key: "evolution.fault_localization") }
        }
        if let node = top["llm"] { config.llm = try reader.llm(node) }
        if let node = top["sandbox"] {
            let map = try reader.mapping(node, key: "sandbox", allowed: ["isolation", "memory", "cpu", "pids", "disk", "file_size",
                                                                          "network", "paths", "output_limit"])
            if let n = map["isolation"] { config.sandbox.isolation = try reader.choice(n, key: "sandbox.isolation") }
            if let n = map["memory"] { config.sandbox.limits.memoryBytes = try reader.size(n, key: "sandbox.memory") }
            if let n = map["cpu"] { config.sandbox.limits.cpuSeconds = try reader.duration(n, key: "sandbox.cpu") }
            if let n = map["pids"] { config.sandbox.limits.pids = try reader.int(n, key: "sandbox.pids", min: 1) }
            if let n = map["disk"] { config.sandbox.limits.diskBytes = try reader.size(n, key: "sandbox.disk") }
            if let n = map["file_size"] { config.sandbox.limits.fileSizeBytes = try reader.size(n, key: "sandbox.file_size") }
            if let n = map["network"] { config.sandbox.limits.network = try reader.choice(n, key: "sandbox.network") }
            if let n = map["paths"] {
                config.sandbox.paths = try reader.strings(n, key: "sandbox.paths")
                for path in config.sandbox.paths where !path.hasPrefix("/") {
                    throw reader.error(n, "sandbox.paths", "\"\(path)\" must be an absolute path")
                }
            }
            if let n = map["output_limit"] { config.sandbox.outputLimit = try reader.size(n, key: "sandbox.output_limit") }
        }
        return config
    }
}

/// Sizes and durations, in the units the sandbox reads.
extension YAMLReader {
    func size(_ node: Node, key: String) throws(ConfigError) -> Int {
        let text = try string(node, key: key)
        guard let bytes = ByteSize.parse(text), bytes > 0 else {
            throw error(node, key, "expected a positive size like 512M, 2G or 65536")
        }
        return bytes
    }

    func duration(_ node: Node, key: String) throws(ConfigError) -> Double {
        let text = try string(node, key: key)
        guard let seconds = DurationText.parse(text) else {
            throw error(node, key, "expected a positive duration like 20, \"20s\" or \"2m\"")
        }
        return seconds
    }
}
