// Decisions per second of the default constitution on one core, over a realistic mix: commands
// with chains, pipes and wrappers; patches of a few KB of code; config updates; the other types.
//
//     swift run -c release --package-path Benchmarks constitution-decide [SECONDS] [--each]
//     valgrind --tool=callgrind constitution-decide --passes 200 [--kind command]
//
// `--each` first prints each action's own time. `--passes N` decides the whole mix N times and nothing else, for
// counting instructions (callgrind's inclusive count of `Constitution.decide` over its calls), which, unlike time, does
// not move with the machine's other load.
import Constitution
import CrucibleCore
import Foundation

let seconds = CommandLine.arguments.dropFirst().first.flatMap(Double.init) ?? 3
let constitution = Constitution.standard

/// A few KB of ordinary agent code, different in each copy so that nothing is cached.
func code(_ n: Int, extra: String = "") -> String {
    var text = "import json\nimport os\nfrom dataclasses import dataclass\n\n"
    for i in 0..<(6 + n % 4) {
        text += """
        @dataclass
        class Route\(n)_\(i):
            name: str
            weight: float = \(Double(i) / 10)

            def score(self, query: str, history: list[str]) -> float:
                tokens = query.lower().split()
                overlap = sum(1 for t in tokens if t in self.name)
                if not history:
                    return overlap * self.weight
                return (overlap + len(history) / 10) * self.weight  # keep it cheap


        """
    }
    return text + extra
}

var commands = [
    "cd src && grep -rn TODO . | sort | head -20",
    "git status && git diff --stat",
    "python3 -m pytest -q tests/ 2>&1 | tail -5",
    "sudo iptables -A INPUT -p tcp --dport 22 -j ACCEPT",
    "rm -rf build && mkdir build && cd build && cmake .. && make -j2",
    "timeout 30 bash -c 'npm test -- --silent'",
    "echo \"$(date) started\" >> log.txt; ls -la",
    "find . -name '*.pyc' -delete",
    "ls && cat README.md | wc -l",
    "env PYTHONPATH=. nohup python3 train.py --epochs 3 > train.log 2>&1 &",
    "git add -A && git commit -m 'wip' && git push origin main",
    "echo aXB0YWJsZXMgLUY= | base64 -d | sh",
]
var actions: [(String, Action)] = []
for (i, line) in commands.enumerated() {
    actions.append(("command", Action(type: "command", command: line, sandboxed: i % 3 == 0)))
}
let extras = ["", "", "", "\nAPI_KEY = \"sk-proj-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c\"\n", "", "\nexec(base64.b64decode(blob))\n", "",
              "\ncur.execute('DROP TABLE users')\n"]
for i in 0..<8 {
    let content = code(i, extra: extras[i])
    actions.append(("patch", Action(type: "patch", kind: i % 2 == 0 ? "code" : "prompt", target: "router.py", paths: ["router.py"],
                                    content: content, inWorkspace: true, sandboxed: i % 4 != 3,
                                    evidence: i % 4 == 3 ? ["tests_pass", "no_regression", "recorded"] : [])))
}
for (i, path) in ["config/agent.yaml", "settings.toml", "/etc/nixos/configuration.nix", "package.json", "server.yaml"].enumerated() {
    let content = i == 4 ? "server:\n  port: 8080\n  require_auth: false\n" : "model: qwen\ntemperature: 0.\(i)\nmax_tokens: 512\n"
    actions.append(("config_update", Action(type: "config_update", content: content, path: path)))
}
actions.append(("other", Action(type: "database", operation: "DROP", database: "prod")))
actions.append(("other", Action(type: "database", operation: "SELECT", database: "prod")))
actions.append(("other", Action(type: "git_push", branch: "main")))
actions.append(("other", Action(type: "file_delete", path: "/var/log/app.log", inWorkspace: false)))
actions.append(("other", Action(type: "service", action: "restart", service: "nginx")))
actions.append(("other", Action(type: "code_execution", sandboxed: false)))

let patchBytes = actions.filter { $0.0 == "patch" }.map { $0.1.content!.utf8.count }
print("mix: \(actions.count) actions (\(commands.count) commands, \(patchBytes.count) patches of \(patchBytes.min()!)–\(patchBytes.max()!) bytes, "
      + "\(actions.filter { $0.0 == "config_update" }.count) config updates, \(actions.filter { $0.0 == "other" }.count) others)")

func run(_ subset: [Action], for seconds: Double) -> (Double, Int) {
    var verdicts = 0
    var count = 0
    let start = DispatchTime.now().uptimeNanoseconds
    let deadline = start + UInt64(seconds * 1e9)
    while true {
        for index in subset.indices {  // by index: the loop borrows each action instead of copying it
            let decision = constitution.decide(subset[index])
            verdicts &+= decision.rules.count &+ (decision.decision == .deny ? 1 : 0)
        }
        count += subset.count
        if DispatchTime.now().uptimeNanoseconds >= deadline { break }
    }
    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    return (Double(count) / elapsed, verdicts)
}

if let flag = CommandLine.arguments.firstIndex(of: "--passes") {
    let passes = CommandLine.arguments.dropFirst(flag + 1).first.flatMap(Int.init) ?? 100
    // `--kind K` decides only the actions of one kind (command, patch, config_update, other).
    let kind = CommandLine.arguments.firstIndex(of: "--kind").flatMap { CommandLine.arguments.dropFirst($0 + 1).first }
    let chosen = actions.filter { kind == nil || $0.0 == kind }.map(\.1)
    var checksum = 0
    for _ in 0..<passes {
        for index in chosen.indices { checksum &+= constitution.decide(chosen[index]).rules.count }
    }
    print("decided \(kind ?? "the mix") \(passes) times: \(passes * chosen.count) decisions  [\(checksum % 10)]")
    exit(0)
}

_ = run(actions.map(\.1), for: 0.3)  // warm-up
if CommandLine.arguments.contains("--each") {
    // Where the time goes: each action of the mix on its own.
    for (kind, action) in actions {
        let (rate, _) = run([action], for: 0.05)
        let what = (action.command ?? action.path ?? action.target ?? action.type).prefix(40)
        print(String(format: "  %8.2f µs  %@ %@ -> %@", 1e6 / rate, kind, String(what), constitution.decide(action).decision.rawValue))
    }
}
var tally: [String: Int] = [:]
for (_, action) in actions { tally[constitution.decide(action).decision.rawValue, default: 0] += 1 }
print("decisions in the mix: \(tally.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
for kind in ["command", "patch", "config_update", "other"] {
    let (rate, _) = run(actions.filter { $0.0 == kind }.map(\.1), for: seconds / 6)
    print(String(format: "  %-14@ %10.0f decisions/s  (%.2f µs each)", kind as NSString, rate, 1e6 / rate))
}
let (rate, checksum) = run(actions.map(\.1), for: seconds)
print(String(format: "whole mix:       %10.0f decisions/s on one core (%.2f µs each; target >= 500,000)  [%d]", rate, 1e6 / rate, checksum % 10))
