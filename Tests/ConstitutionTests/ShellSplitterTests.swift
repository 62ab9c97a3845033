@testable import Constitution
import Testing

struct ShellSplitterTests {
    private func programs(_ line: String) -> [String] {
        ShellSplitter.split(line).map(\.program)
    }

    @Test("chains, pipes, background jobs and newlines are split into their simple commands", arguments: [
        ("ls && iptables -F", ["ls", "iptables"]),
        ("ls || iptables -F", ["ls", "iptables"]),
        ("ls; iptables -F", ["ls", "iptables"]),
        ("ls;iptables -F", ["ls", "iptables"]),
        ("ls | iptables -F", ["ls", "iptables"]),
        ("ls |& iptables -F", ["ls", "iptables"]),
        ("ls & iptables -F", ["ls", "iptables"]),
        ("ls&iptables -F", ["ls", "iptables"]),
        ("ls\niptables -F", ["ls", "iptables"]),
        ("(cd /tmp && iptables -F)", ["cd", "iptables"]),
        ("{ ls; iptables -F; }", ["ls", "iptables"]),
        ("if true; then iptables -F; fi", ["true", "iptables"]),
        ("for i in 1 2; do iptables -F; done", ["iptables"]),
        ("while true; do iptables -F; done", ["true", "iptables"]),
        ("ls # iptables -F", ["ls"]),
    ])
    func chains(line: String, expected: [String]) {
        #expect(programs(line) == expected)
    }

    @Test("substitutions are commands of their own", arguments: [
        ("echo $(iptables -F)", ["iptables", "echo"]),
        ("echo \"$(iptables -F)\"", ["iptables", "echo"]),
        ("echo `iptables -F`", ["iptables", "echo"]),
        ("echo \"`iptables -F`\"", ["iptables", "echo"]),
        ("diff <(iptables -S) x", ["iptables", "diff"]),
        ("echo $(echo $(iptables -F))", ["iptables", "echo", "echo"]),
        ("X=$(iptables -F) ls", ["iptables", "ls"]),
    ])
    func substitutions(line: String, expected: [String]) {
        #expect(programs(line).sorted() == expected.sorted())
    }

    @Test("wrappers and shells are unwrapped to the command they run", arguments: [
        "sudo iptables -F", "sudo -u root iptables -F", "sudo -- iptables -F", "env iptables -F", "env -i PATH=/sbin iptables -F",
        "env -u HOME iptables -F", "env -S 'iptables -F'", "nohup iptables -F", "timeout 5 iptables -F", "timeout -s KILL 5s iptables -F",
        "nice iptables -F", "nice -n 10 iptables -F", "ionice -c 3 iptables -F", "xargs iptables", "xargs -I {} iptables -F {}",
        "exec iptables -F", "command iptables -F", "time iptables -F", "setsid iptables -F", "stdbuf -oL iptables -F",
        "strace -f iptables -F", "chroot / iptables -F", "sh -c 'iptables -F'", "bash -c \"iptables -F\"", "bash -lc 'iptables -F'",
        "sh -ec 'iptables -F'", "zsh -c 'iptables -F'", "dash -c 'iptables -F'", "/bin/sh -c '/usr/sbin/iptables -F'",
        "bash -c 'sh -c \"iptables -F\"'", "eval iptables -F", "eval 'iptables -F'", "su -c 'iptables -F'", "ssh host iptables -F",
        "ssh -p 22 root@host 'iptables -F'", "watch -n 1 iptables -L", "find / -exec iptables -F \\;", "flock /tmp/l -c 'iptables -F'",
        "sudo env FOO=1 timeout 3 nice -n 5 nohup /usr/sbin/iptables -F", "VAR=1 iptables -F", "bash <<EOF\niptables -F\nEOF",
        "bash <<< 'iptables -F'", "busybox iptables -F", "doas iptables -F", "runuser -u root -- iptables -F",
    ])
    func wrappers(line: String) {
        #expect(programs(line).contains("iptables"), "\(line) → \(programs(line))")
    }

    @Test("quotes, escapes and paths do not hide a program's name", arguments: [
        "/usr/sbin/iptables -F", "/sbin/iptables -F", "./iptables -F", "\\iptables -F", "'iptables' -F", "\"iptables\" -F",
        "ipt'ables' -F", "ipt\"ables\" -F", "ipt\\ables -F", "i\\\nptables -F",
    ])
    func spellings(line: String) {
        #expect(programs(line) == ["iptables"], "\(line) → \(programs(line))")
    }

    @Test("redirections name the files written, not programs")
    func redirections() {
        let commands = ShellSplitter.split("echo x > CONSTITUTION.yaml 2>&1 >> log.txt < in.txt")
        #expect(commands.count == 1)
        #expect(commands[0].writes == ["CONSTITUTION.yaml", "log.txt"])
        #expect(ShellSplitter.split("> CONSTITUTION.yaml")[0].writes == ["CONSTITUTION.yaml"])
        #expect(ShellSplitter.split("cat a &> out")[0].writes == ["out"])
        #expect(ShellSplitter.split("rm -rf /tmp/x build")[0].writes == ["/tmp/x", "build"])
        #expect(ShellSplitter.split("sed -i s/a/b/ CONSTITUTION.yaml")[0].writes.contains("CONSTITUTION.yaml"))
        #expect(ShellSplitter.split("sed s/a/b/ CONSTITUTION.yaml")[0].writes.isEmpty)
        #expect(ShellSplitter.split("git checkout -- CONSTITUTION.yaml")[0].writes.contains("CONSTITUTION.yaml"))
        #expect(ShellSplitter.split("dd if=/dev/zero of=/dev/sda")[0].writes == ["/dev/sda"])
    }

    @Test("decoded data run by a shell or eval is marked", arguments: [
        "echo aXB0YWJsZXMgLUY= | base64 -d | sh",
        "echo aXB0YWJsZXMgLUY= | base64 --decode | bash",
        "eval \"$(echo aXB0YWJsZXMgLUY= | base64 -d)\"",
        "bash -c \"$(echo aXB0YWJsZXMgLUY= | base64 -d)\"",
        "sh -c `echo aXB0YWJsZXMgLUY= | base64 -d`",
        "xxd -r -p payload.hex | python3",
        "printf '\\x69\\x70' | sh",
    ])
    func decodedExecution(line: String) {
        #expect(ShellSplitter.split(line).contains { $0.runsDecodedData }, "\(line)")
    }

    @Test("plain pipelines are not marked as decoded execution")
    func plainPipelines() {
        #expect(!ShellSplitter.split("cat a.txt | grep x | sort").contains { $0.runsDecodedData })
        #expect(!ShellSplitter.split("base64 -d a.b64 > out.bin").contains { $0.runsDecodedData })
    }

    @Test("programs that run code are marked; plain tools are not")
    func codeExecution() {
        #expect(ShellSplitter.split("python3 train.py")[0].executesCode)
        #expect(ShellSplitter.split("python3.12 -c 'print(1)'")[0].executesCode)
        #expect(ShellSplitter.split("./run.sh")[0].executesCode)
        #expect(ShellSplitter.split("curl -s x | bash").last!.executesCode)
        #expect(!ShellSplitter.split("ls -la")[0].executesCode)
        #expect(!ShellSplitter.split("/usr/bin/grep x y")[0].executesCode)
        #expect(ShellSplitter.split("bash -c 'ls'").map(\.program) == ["ls"])
    }

    @Test("pathological input ends")
    func pathological() {
        let deep = String(repeating: "sh -c '", count: 20) + "iptables"
        _ = ShellSplitter.split(deep)
        _ = ShellSplitter.split("\"unterminated $(( ` ${")
        _ = ShellSplitter.split(String(repeating: "(", count: 500))
        #expect(ShellSplitter.split("").isEmpty)
    }
}
