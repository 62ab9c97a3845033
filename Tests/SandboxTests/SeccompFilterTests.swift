import Foundation
@testable import Sandbox
import Testing

@Suite("SeccompFilter")
struct SeccompFilterTests {
    typealias Architecture = SeccompFilter.Architecture

    static let allow: UInt32 = 0x7FFF_0000
    static let eperm: UInt32 = 0x0005_0001
    static let enosys: UInt32 = 0x0005_0026

    // MARK: The program, run by a BPF interpreter

    @Test("every program is whole instructions whose jumps land inside it and which ends in a return",
          arguments: [Architecture.x86_64, .aarch64], [true, false])
    func shape(architecture: Architecture, denyInetSockets: Bool) throws {
        let bytes = SeccompFilter.program(for: architecture, denyInetSockets: denyInetSockets)
        #expect(bytes.count % 8 == 0)
        let program = try BPFMachine.decode(bytes)
        #expect(program.count <= 4096, "the kernel's limit is BPF_MAXINSNS")
        for (index, instruction) in program.enumerated() where instruction.code & 0x07 == 0x05 {
            #expect(index + 1 + Int(instruction.jumpIfTrue) < program.count, "jump true out of range at \(index)")
            #expect(index + 1 + Int(instruction.jumpIfFalse) < program.count, "jump false out of range at \(index)")
        }
        #expect(program.last?.code == 0x06)
    }

    @Test("calls from another ABI are refused with ENOSYS", arguments: [Architecture.x86_64, .aarch64])
    func foreignABI(architecture: Architecture) throws {
        let machine = try BPFMachine(architecture: architecture, denyInetSockets: false)
        let i386: UInt32 = 0x4000_0003
        let other: UInt32 = architecture == .x86_64 ? 0xC000_00B7 : 0xC000_003E
        for arch in [i386, other] {
            for nr: UInt32 in [0, 1, 39, 59, 172] {
                #expect(try machine.run(nr: nr, arch: arch) == Self.enosys, "nr \(nr) arch \(arch)")
            }
        }
        if architecture == .x86_64 {
            #expect(try machine.run(nr: 0x4000_0000 | 39) == Self.enosys, "x32 getpid")
            #expect(try machine.run(nr: 0x4000_0000 | 101) == Self.enosys, "x32 ptrace")
        }
    }

    @Test("refused calls get EPERM, clone3 ENOSYS, and every other number is allowed",
          arguments: [Architecture.x86_64, .aarch64])
    func verdicts(architecture: Architecture) throws {
        let machine = try BPFMachine(architecture: architecture, denyInetSockets: true)
        let table = architecture.systemCalls
        let refused = Set(SeccompFilter.refusedSystemCalls.compactMap { table[$0] })
        for name in SeccompFilter.refusedSystemCalls {
            guard let nr = table[name] else { continue }
            #expect(try machine.run(nr: nr, arguments: [0, 0, 0, 0, 0, 0]) == Self.eperm, "\(name)")
        }
        #expect(try machine.run(nr: try #require(table["clone3"])) == Self.enosys)
        for nr: UInt32 in 0..<1024 where !refused.contains(nr) && nr != table["clone3"] {
            #expect(try machine.run(nr: nr) == Self.allow, "nr \(nr)")
        }
    }

    @Test("clone is refused only with a namespace flag", arguments: [Architecture.x86_64, .aarch64])
    func clone(architecture: Architecture) throws {
        let machine = try BPFMachine(architecture: architecture, denyInetSockets: false)
        let nr = try #require(architecture.systemCalls["clone"])
        let namespaceFlags: [UInt64] = [0x0002_0000, 0x0200_0000, 0x0400_0000, 0x0800_0000, 0x1000_0000, 0x2000_0000, 0x4000_0000]
        for flag in namespaceFlags {
            #expect(try machine.run(nr: nr, arguments: [flag | 17]) == Self.eperm, "flag \(flag)")
        }
        let fork: UInt64 = 0x0120_0011 // CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD
        let thread: UInt64 = 0x003D_0F00 // what pthread_create passes
        #expect(try machine.run(nr: nr, arguments: [fork]) == Self.allow)
        #expect(try machine.run(nr: nr, arguments: [thread]) == Self.allow)
    }

    @Test("ioctl is refused for TIOCSTI and TIOCLINUX, whatever the upper bits", arguments: [Architecture.x86_64, .aarch64])
    func ioctl(architecture: Architecture) throws {
        let machine = try BPFMachine(architecture: architecture, denyInetSockets: false)
        let nr = try #require(architecture.systemCalls["ioctl"])
        for request: UInt64 in [0x5412, 0x541C, 0xFFFF_FFFF_0000_5412, 0x1_0000_541C] {
            #expect(try machine.run(nr: nr, arguments: [0, request]) == Self.eperm, "request \(request)")
        }
        // TCGETS, FIONREAD, and a request equal to ptrace's number: the accumulator holds the argument here.
        for request: UInt64 in [0x5401, 0x541B, UInt64(try #require(architecture.systemCalls["ptrace"]))] {
            #expect(try machine.run(nr: nr, arguments: [0, request]) == Self.allow, "request \(request)")
        }
        #expect(try machine.run(nr: nr, arguments: [0x5412, 0x5401]) == Self.allow, "TIOCSTI as the fd is no request")
    }

    @Test("socket is refused for AF_INET, AF_INET6 and AF_PACKET only when asked", arguments: [Architecture.x86_64, .aarch64])
    func socket(architecture: Architecture) throws {
        let denying = try BPFMachine(architecture: architecture, denyInetSockets: true)
        let allowing = try BPFMachine(architecture: architecture, denyInetSockets: false)
        let nr = try #require(architecture.systemCalls["socket"])
        for family: UInt64 in [2, 10, 17, 0x1_0000_0002] {
            #expect(try denying.run(nr: nr, arguments: [family, 1, 0]) == Self.eperm, "family \(family)")
            #expect(try allowing.run(nr: nr, arguments: [family, 1, 0]) == Self.allow, "family \(family)")
        }
        for family: UInt64 in [1, 16, 40] { // AF_UNIX, AF_NETLINK, AF_VSOCK
            #expect(try denying.run(nr: nr, arguments: [family, 1, 0]) == Self.allow, "family \(family)")
        }
    }

    // MARK: The tables

    @Test("every refused name has a number, except the calls aarch64 never had")
    func tablesCoverNames() {
        let x86Only: Set = ["iopl", "ioperm", "uselib"]
        for name in SeccompFilter.refusedSystemCalls + ["clone", "clone3", "ioctl", "socket"] {
            #expect(SeccompFilter.x86_64SystemCalls[name] != nil, "x86_64 \(name)")
            #expect((SeccompFilter.aarch64SystemCalls[name] != nil) != x86Only.contains(name), "aarch64 \(name)")
        }
    }

    static let x86_64Header = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h"
    static let genericHeader = "/usr/include/asm-generic/unistd.h"

    @Test("the x86_64 table matches the kernel header", .enabled(if: FileManager.default.fileExists(atPath: x86_64Header)))
    func x86_64MatchesHeader() throws {
        try Self.expectTable(SeccompFilter.x86_64SystemCalls, matches: Self.x86_64Header)
    }

    @Test("the aarch64 table matches the generic kernel header", .enabled(if: FileManager.default.fileExists(atPath: genericHeader)))
    func aarch64MatchesHeader() throws {
        try Self.expectTable(SeccompFilter.aarch64SystemCalls, matches: Self.genericHeader)
    }

    /// Each name the filter uses has the header's number, or is absent from both.
    static func expectTable(_ table: [String: UInt32], matches header: String) throws {
        let text = try String(contentsOfFile: header, encoding: .utf8)
        var defined: [String: UInt32] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 3, fields[0] == "#define", fields[1].hasPrefix("__NR_"),
                  let number = UInt32(fields[2]) else { continue }
            let name = String(fields[1].dropFirst("__NR_".count))
            if defined[name] == nil { defined[name] = number }
        }
        for name in SeccompFilter.refusedSystemCalls + ["clone", "clone3", "ioctl", "socket"] {
            #expect(table[name] == defined[name], "\(name): table \(table[name].map(String.init) ?? "none"), header \(defined[name].map(String.init) ?? "none")")
        }
    }

    // MARK: The program, loaded by bubblewrap

    static let bwrap = "/usr/bin/bwrap"

    @Test("in bubblewrap, escapes fail with EPERM, clone3 with ENOSYS, and ordinary work goes on",
          .enabled(if: FileManager.default.fileExists(atPath: bwrap)))
    func loadedDenyingInet() throws {
        let architecture = try #require(Architecture.current)
        let seen = try Self.probe(under: SeccompFilter.program(for: architecture, denyInetSockets: true))
        let refusals = ["ptrace", "bpf", "io_uring_setup", "unshare_user", "mount", "clone_newuser", "clone_newnet",
                        "tiocsti", "tiocsti_high_bits", "tioclinux",
                        "socket_inet", "socket_inet_high_bits", "socket_inet6", "socket_packet"]
        for name in refusals {
            #expect(seen[name] == "EPERM", "\(name): \(seen[name] ?? "not reported")")
        }
        for name in SeccompFilter.refusedSystemCalls where architecture.systemCalls[name] != nil {
            #expect(seen["refused \(name)"] == "EPERM", "\(name): \(seen["refused \(name)"] ?? "not reported")")
        }
        #expect(seen["clone3"] == "ENOSYS")
        #expect(seen["tcgets"] == "ENOTTY", "other ioctls reach the kernel")
        for name in ["fork", "thread", "files", "subprocess", "socket_unix"] {
            #expect(seen[name] == "ok", "\(name): \(seen[name] ?? "not reported")")
        }
    }

    @Test("in bubblewrap, Internet sockets work unless denied", .enabled(if: FileManager.default.fileExists(atPath: bwrap)))
    func loadedAllowingInet() throws {
        let architecture = try #require(Architecture.current)
        let seen = try Self.probe(under: SeccompFilter.program(for: architecture, denyInetSockets: false))
        #expect(seen["socket_inet"] == "ok")
        #expect(seen["socket_unix"] == "ok")
        #expect(seen["ptrace"] == "EPERM")
    }

    @Test("in bubblewrap without the filter, the same probes see otherwise, so the checks above can fail",
          .enabled(if: FileManager.default.fileExists(atPath: bwrap)))
    func unfilteredControl() throws {
        let architecture = try #require(Architecture.current)
        let seen = try Self.probe(under: nil)
        for name in ["ptrace", "io_uring_setup", "tiocsti", "tiocsti_high_bits", "tioclinux", "socket_inet", "socket_inet_high_bits"] {
            #expect(seen[name] != nil && seen[name] != "EPERM", "\(name): \(seen[name] ?? "not reported")")
        }
        #expect(seen["clone3"] != nil && seen["clone3"] != "ENOSYS")
        let sweep = SeccompFilter.refusedSystemCalls.filter { architecture.systemCalls[$0] != nil }
        let refusedAnyway = sweep.filter { seen["refused \($0)"] == "EPERM" }
        #expect(refusedAnyway.count < sweep.count / 2, "refused without a filter: \(refusedAnyway)")
    }

    /// The Python the probe runs under: the pyenv build where present, else the system's.
    static let python = FileManager.default.isExecutableFile(atPath: "/root/.pyenv/versions/3.11.7/bin/python3")
        ? "/root/.pyenv/versions/3.11.7/bin/python3" : "/usr/bin/python3"

    /// Runs `probeScript` in bubblewrap, under `program` when given, and returns what each probe saw:
    /// "ok" or the errno's name.
    static func probe(under program: [UInt8]?) throws -> [String: String] {
        let architecture = try #require(Architecture.current)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("seccomp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let filterFile = scratch.appendingPathComponent("filter.bpf")
        try Data(program ?? []).write(to: filterFile)
        let errorFile = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)

        let prefix = URL(fileURLWithPath: python).deletingLastPathComponent().deletingLastPathComponent().path
        var arguments = ["--unshare-all", "--die-with-parent", "--new-session",
                         "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib",
                         "--symlink", "usr/lib64", "/lib64", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
        if prefix != "/usr" { arguments += ["--ro-bind", prefix, prefix] }
        if program != nil { arguments += ["--seccomp", "3"] }
        let numbers = String(decoding: try JSONEncoder().encode(architecture.systemCalls), as: UTF8.self)
        let sweep = SeccompFilter.refusedSystemCalls.filter { architecture.systemCalls[$0] != nil }
        arguments += [python, "-c", probeScript, numbers, sweep.joined(separator: " ")]

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // $0 is the filter file, opened as fd 3 for bwrap's --seccomp 3.
        process.arguments = ["-c", #"exec "$@" 3<"$0""#, filterFile.path, bwrap] + arguments
        let output = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        let errorHandle = try FileHandle(forWritingTo: errorFile)
        defer { try? errorHandle.close() }
        process.standardError = errorHandle
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let seen = try? JSONDecoder().decode([String: String].self, from: data) else {
            let errors = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
            throw ProbeFailure(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self), errors: errors)
        }
        return seen
    }

    struct ProbeFailure: Error, CustomStringConvertible {
        let status: Int32
        let output: String
        let errors: String
        var description: String { "probe exited \(status)\nstdout: \(output)\nstderr: \(errors)" }
    }

    /// Tries each call through ctypes and prints {probe: "ok" or errno name} as JSON. argv[1] holds
    /// the syscall numbers by name, argv[2] the refused calls to sweep with all-ones arguments, which
    /// every one of them rejects as invalid when the filter lets it through.
    static let probeScript = #"""
    import ctypes, errno, json, os, subprocess, sys, threading
    numbers = json.loads(sys.argv[1])
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    CLONE_NEWUSER, CLONE_NEWNET, SIGCHLD = 0x10000000, 0x40000000, 17

    def name(code):
        return errno.errorcode.get(code, str(code))

    def call(nr_name, *args):
        args = [ctypes.c_char_p(a) if isinstance(a, bytes) else ctypes.c_long(a) for a in args]
        ctypes.set_errno(0)
        result = libc.syscall(ctypes.c_long(numbers[nr_name]), *args)
        return "ok" if result >= 0 else name(ctypes.get_errno())

    def clone(flags):
        ctypes.set_errno(0)
        pid = libc.syscall(ctypes.c_long(numbers["clone"]), ctypes.c_long(flags | SIGCHLD), *[ctypes.c_long(0)] * 4)
        if pid == 0:
            os._exit(0)
        if pid < 0:
            return name(ctypes.get_errno())
        os.waitpid(pid, 0)
        return "ok"

    def attempt(action):
        try:
            action()
            return "ok"
        except OSError as error:
            return name(error.errno)
        except Exception as error:
            return repr(error)

    def fork():
        pid = os.fork()
        if pid == 0:
            os._exit(7)
        assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 7

    def thread():
        ran = []
        worker = threading.Thread(target=lambda: ran.append(1))
        worker.start()
        worker.join()
        assert ran == [1]

    def files():
        with open("/tmp/probe", "w") as file:
            file.write("probe")
        with open("/tmp/probe") as file:
            assert file.read() == "probe"

    def run_true():
        assert subprocess.run(["/bin/true"]).returncode == 0

    seen = {
        "ptrace": call("ptrace", 2, os.getpid(), 0, 0),  # PTRACE_PEEKDATA on itself: ESRCH if let through
        "bpf": call("bpf", 0, 0, 0),
        "io_uring_setup": call("io_uring_setup", 1, 0),
        "mount": call("mount", b"none", b"/tmp", b"tmpfs", 0, 0),
        "clone3": call("clone3", 0, 0),
        "clone_newuser": clone(CLONE_NEWUSER),
        "clone_newnet": clone(CLONE_NEWNET),
        "fork": attempt(fork),
        "thread": attempt(thread),
        "files": attempt(files),
        "subprocess": attempt(run_true),
        "tiocsti": call("ioctl", 0, 0x5412, b"x"),
        "tiocsti_high_bits": call("ioctl", 0, (1 << 32) | 0x5412, b"x"),
        "tioclinux": call("ioctl", 0, 0x541C, b"\0"),
        "tcgets": call("ioctl", 0, 0x5401, bytes(64)),
        "socket_inet": call("socket", 2, 1, 0),
        "socket_inet_high_bits": call("socket", (1 << 32) | 2, 1, 0),
        "socket_inet6": call("socket", 10, 1, 0),
        "socket_packet": call("socket", 17, 3, 0),
        "socket_unix": call("socket", 1, 1, 0),
    }
    for refused in sys.argv[2].split():
        seen["refused " + refused] = call(refused, -1, -1, -1, -1, -1, -1)
    seen["unshare_user"] = call("unshare", CLONE_NEWUSER)  # last: if let through, it changes the process
    print(json.dumps(seen))
    """#
}

/// A classic BPF interpreter for seccomp programs: what the kernel would return for one call.
struct BPFMachine {
    let program: [SeccompFilter.Instruction]
    let architecture: SeccompFilter.Architecture

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init(architecture: SeccompFilter.Architecture, denyInetSockets: Bool) throws {
        self.architecture = architecture
        program = try Self.decode(SeccompFilter.program(for: architecture, denyInetSockets: denyInetSockets))
    }

    /// Reads `struct sock_filter` entries back from their little-endian bytes.
    static func decode(_ bytes: [UInt8]) throws -> [SeccompFilter.Instruction] {
        guard bytes.count % 8 == 0 else { throw Failure(description: "\(bytes.count) bytes is not whole instructions") }
        return stride(from: 0, to: bytes.count, by: 8).map { start in
            let word = { (offset: Int) in (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[start + offset + $1]) << (8 * $1) } }
            return SeccompFilter.Instruction(code: UInt16(bytes[start]) | UInt16(bytes[start + 1]) << 8,
                                             jumpIfTrue: bytes[start + 2], jumpIfFalse: bytes[start + 3], k: word(4))
        }
    }

    /// The action for system call `nr` with `arguments`, from this architecture unless `arch` says otherwise.
    func run(nr: UInt32, arch: UInt32? = nil, arguments: [UInt64] = []) throws -> UInt32 {
        // struct seccomp_data: nr, arch, instruction pointer, six arguments; 64 bytes, little-endian.
        var data = [UInt32](repeating: 0, count: 16)
        data[0] = nr
        data[1] = arch ?? architecture.auditArch
        for (index, argument) in arguments.enumerated() {
            data[4 + 2 * index] = UInt32(truncatingIfNeeded: argument)
            data[5 + 2 * index] = UInt32(truncatingIfNeeded: argument >> 32)
        }
        var accumulator: UInt32 = 0
        var pc = 0
        while pc < program.count {
            let instruction = program[pc]
            pc += 1
            let k = instruction.k
            switch instruction.code {
            case 0x20:
                guard k % 4 == 0, k < 64 else { throw Failure(description: "load from offset \(k)") }
                accumulator = data[Int(k / 4)]
            case 0x06:
                return k
            case 0x15:
                pc += Int(accumulator == k ? instruction.jumpIfTrue : instruction.jumpIfFalse)
            case 0x35:
                pc += Int(accumulator >= k ? instruction.jumpIfTrue : instruction.jumpIfFalse)
            case 0x45:
                pc += Int(accumulator & k != 0 ? instruction.jumpIfTrue : instruction.jumpIfFalse)
            default:
                throw Failure(description: "unknown opcode \(instruction.code) at \(pc - 1)")
            }
        }
        throw Failure(description: "ran off the end of the program")
    }
}
