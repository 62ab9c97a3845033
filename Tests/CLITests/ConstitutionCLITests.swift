import Constitution
import Foundation
import Testing

/// `crucible keys`, `crucible constitution` and the constitution `crucible init` writes, as users run them.
@Suite(.serialized)
struct ConstitutionCLITests {
    private func workspace() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-constitution-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    private func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test("init writes a signed default constitution and a key pair that verify at once")
    func initSigns() async throws {
        let directory = try workspace()
        let result = try await CLITests.crucible(["init", directory])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try String(contentsOfFile: directory + "/CONSTITUTION.yaml", encoding: .utf8) == Constitution.defaultText)
        let mode = try FileManager.default.attributesOfItem(atPath: directory + "/.crucible/keys/constitution.key")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let verify = try await CLITests.crucible(["constitution", "verify", directory])
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stdout.contains("constitution: ok"))
    }

    @Test("a one-byte change to the constitution fails verification with one line naming the file")
    func oneByteChange() async throws {
        let directory = try workspace()
        #expect(try await CLITests.crucible(["init", directory]).status == 0)
        let path = directory + "/CONSTITUTION.yaml"
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data[data.count - 2] ^= 0x01
        try data.write(to: URL(fileURLWithPath: path))
        let verify = try await CLITests.crucible(["constitution", "verify", directory])
        #expect(verify.status == 2)
        #expect(verify.stderr.split(separator: "\n").count == 1)
        #expect(verify.stderr.contains("CONSTITUTION.yaml: does not verify"))
        // Every command that decides refuses too.
        let action = directory + "/a.json"
        try write(#"{"type": "command", "command": "ls"}"#, to: action)
        #expect(try await CLITests.crucible(["constitution", "check", action, "--dir", directory]).status == 2)
        // Signing again (the holder of the key reviewed it) makes it verify.
        #expect(try await CLITests.crucible(["constitution", "sign", directory]).status == 0)
        #expect(try await CLITests.crucible(["constitution", "verify", directory]).status == 0)
    }

    @Test("evolve refuses to start, in one line and before writing a ledger, when the constitution does not verify")
    func evolveRefuses() async throws {
        let directory = try CLITests.copyExample("bugfix")
        #expect(try await CLITests.crucible(["keys", "generate", directory]).status == 0)
        try write(Constitution.defaultText, to: directory + "/CONSTITUTION.yaml")
        #expect(try await CLITests.crucible(["constitution", "sign", directory]).status == 0)
        try write(Constitution.defaultText.replacingOccurrences(of: "version: \"1.0\"", with: "version: \"1.1\""),
                  to: directory + "/CONSTITUTION.yaml")
        let result = try await CLITests.crucible(["evolve", directory, "--iterations", "1"])
        #expect(result.status == 2)
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.contains("CONSTITUTION.yaml: does not verify"))
        #expect(!FileManager.default.fileExists(atPath: directory + "/.crucible/crucible.db"))
    }

    @Test("check prints the decision, its rules and reasons as JSON; deny and approval exit 1")
    func check() async throws {
        let directory = try workspace()
        let action = directory + "/a.json"
        try write(#"{"type": "command", "command": "ls -la && sudo /usr/sbin/iptables -F"}"#, to: action)
        let denied = try await CLITests.crucible(["constitution", "check", action, "--dir", directory, "--json"])
        #expect(denied.status == 1)
        let object = try JSONSerialization.jsonObject(with: Data(denied.stdout.utf8)) as? [String: Any]
        #expect(object?["decision"] as? String == "deny")
        #expect(object?["rules"] as? [String] == ["no_network_changes"])
        #expect((object?["reasons"] as? [String])?.first?.contains("iptables") == true)
        try write(#"{"type": "command", "command": "git status"}"#, to: action)
        let allowed = try await CLITests.crucible(["constitution", "check", action, "--dir", directory])
        #expect(allowed.status == 0)
        #expect(allowed.stdout.hasPrefix("allow by research_and_analysis"))
    }

    @Test("an action that is not JSON, or has an unknown key, exits 2 with one line")
    func badAction() async throws {
        let directory = try workspace()
        let action = directory + "/a.json"
        try write("{\"type\": \"command\", ", to: action)
        let notJSON = try await CLITests.crucible(["constitution", "check", action, "--dir", directory])
        #expect(notJSON.status == 2)
        #expect(notJSON.stderr.split(separator: "\n").count == 1)
        #expect(notJSON.stderr.contains("a.json: not JSON"))
        try write(#"{"type": "command", "comand": "ls"}"#, to: action)
        let unknown = try await CLITests.crucible(["constitution", "check", action, "--dir", directory])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("comand: unknown key"))
    }

    @Test("a malformed constitution exits 2 naming the file, the line, the column and the key")
    func malformed() async throws {
        let directory = try workspace()
        #expect(try await CLITests.crucible(["init", directory]).status == 0)
        let path = directory + "/CONSTITUTION.yaml"
        let text = Constitution.defaultText.replacingOccurrences(of: "    effect: require_approval\n    match:\n      - actions: [database]",
                                                                 with: "    effect: require_approval\n    match:\n      - actoins: [database]")
        try write(text, to: path)
        let sign = try await CLITests.crucible(["constitution", "sign", directory])
        #expect(sign.status == 2)
        #expect(sign.stderr.split(separator: "\n").count == 1)
        #expect(sign.stderr.contains("CONSTITUTION.yaml:"))
        #expect(sign.stderr.contains("immutable_constraints[0].match[0].actoins: unknown key"))
    }

    @Test("keys are never overwritten; explain prints the rules in plain words")
    func keysAndExplain() async throws {
        let directory = try workspace()
        #expect(try await CLITests.crucible(["keys", "generate", directory]).status == 0)
        let again = try await CLITests.crucible(["keys", "generate", directory])
        #expect(again.status == 2)
        #expect(again.stderr.contains("already exists"))
        let explain = try await CLITests.crucible(["constitution", "explain", directory])
        #expect(explain.status == 0)
        #expect(explain.stdout.contains("no_network_changes: Never modify network/firewall configuration"))
        #expect(explain.stdout.contains("requires tests_pass or test_suite_pass, git_commit or recorded"))
    }
}
