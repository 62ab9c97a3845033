import ArgumentParser
@testable import crucible
import Testing

/// `crucible sandbox run`'s start-up parse reads what ArgumentParser reads, and leaves the rest to it.
struct SandboxRunParseTests {
    @Test("the fast parse of plain spellings gives what ArgumentParser gives", arguments: [
        ["--", "/bin/true"],
        ["--json", "--", "python3", "-c", "print(1)"],
        ["--memory", "256M", "--timeout=10s", "--cpu", "30s", "--pids", "64", "--", "sh", "-c", "echo --memory 1"],
        ["--disk=2G", "--file-size", "64M", "--network", "loopback", "--workdir", "/usr", "--", "ls", "--json"],
        ["--path", "/opt/a", "--path=/opt/b", "--json", "--", "x", "--"],
    ])
    func sameAsArgumentParser(arguments: [String]) throws {
        let fast = try #require(SandboxRunRequest(fast: arguments))
        let parsed = try Crucible.SandboxCommand.Run.parse(arguments).request
        #expect(fast == parsed)
    }

    @Test("a plain spelling of a bad value is read, then refused by the validation ArgumentParser runs too", arguments: [
        ["--pids=-3", "--", "true"], ["--memory=-1", "--", "true"], ["--network", "host", "--", "true"], ["--"],
    ])
    func badValuesAreRefused(arguments: [String]) {
        #expect(SandboxRunRequest(fast: arguments) != nil)
        #expect(throws: ValidationError.self) { try SandboxRunRequest(fast: arguments)?.validate() }
        #expect(throws: (any Error).self) { try Crucible.SandboxCommand.Run.parse(arguments) }
    }

    @Test("anything but the plain spellings is left to ArgumentParser", arguments: [
        [], ["--help"], ["-h"], ["/bin/true"], ["--memory", "1G", "/bin/true"], ["--memory", "--", "true"],
        ["--memory", "1G", "--memory", "2G", "--", "true"], ["--json", "--json", "--", "true"], ["--json=yes", "--", "true"],
        ["--frobnicate", "1", "--", "true"], ["--pids", "many", "--", "true"], ["--timeout", "-5", "--", "true"], ["--memory"],
    ])
    func fallsBack(arguments: [String]) {
        #expect(SandboxRunRequest(fast: arguments) == nil)
    }
}
