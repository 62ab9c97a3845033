/// Seccomp programs for bubblewrap's `--seccomp` option, written as classic BPF so the sandbox needs
/// no libseccomp. A program refuses the system calls that reach past the sandbox's namespaces
/// (mounts, new namespaces, kernel modules, tracing, io_uring, terminal injection) and allows the rest.
public enum SeccompFilter {
    /// The system call tables the filter knows.
    public enum Architecture: String, Sendable {
        case x86_64, aarch64

        /// The architecture this binary runs on, nil where the filter has no syscall table.
        public static var current: Architecture? {
            #if os(Linux) && arch(x86_64)
            return .x86_64
            #elseif os(Linux) && arch(arm64)
            return .aarch64
            #else
            return nil
            #endif
        }

        /// The `AUDIT_ARCH_*` value the kernel puts in `seccomp_data.arch` for a native call.
        var auditArch: UInt32 {
            switch self {
            case .x86_64: 0xC000_003E
            case .aarch64: 0xC000_00B7
            }
        }

        /// Numbers of the system calls the filter names; a name missing here does not exist there.
        var systemCalls: [String: UInt32] {
            switch self {
            case .x86_64: SeccompFilter.x86_64SystemCalls
            case .aarch64: SeccompFilter.aarch64SystemCalls
            }
        }
    }

    /// The raw program: `struct sock_filter` entries, ready to write to bwrap's --seccomp fd.
    /// `denyInetSockets` refuses socket(2) for AF_INET, AF_INET6 and AF_PACKET (the `none` network).
    public static func program(for architecture: Architecture, denyInetSockets: Bool) -> [UInt8] {
        instructions(for: architecture, denyInetSockets: denyInetSockets).flatMap(\.bytes)
    }

    /// The names of the system calls refused outright, for documentation and the self-test.
    /// They fail with EPERM; names the architecture lacks (iopl, ioperm, uselib on aarch64) are skipped.
    public static let refusedSystemCalls: [String] = [
        "io_uring_setup", "io_uring_enter", "io_uring_register", "bpf", "userfaultfd", "perf_event_open",
        "keyctl", "add_key", "request_key",
        "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd",
        "mount", "umount2", "pivot_root", "chroot", "open_tree", "move_mount",
        "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr", "unshare", "setns",
        "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
        "acct", "swapon", "swapoff", "reboot", "syslog", "quotactl", "name_to_handle_at", "open_by_handle_at",
        "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "lookup_dcookie",
        "iopl", "ioperm", "uselib",
    ]

    /// The program as instructions, in the order the kernel runs them.
    static func instructions(for architecture: Architecture, denyInetSockets: Bool) -> [Instruction] {
        let numbers = architecture.systemCalls
        var program: [Instruction] = [
            // Calls through another ABI (i386 `int 0x80`) use another table: refuse them all.
            .load(offset: Offset.arch),
            .jumpIfEqual(architecture.auditArch, ifTrue: 1, ifFalse: 0),
            .return(Action.errno(Errno.noSystemCall)),
            .load(offset: Offset.nr),
        ]
        if architecture == .x86_64 {
            // The x32 ABI shares the arch value and marks its numbers with this bit.
            program += [.jumpIfAtLeast(0x4000_0000, ifTrue: 0, ifFalse: 1), .return(Action.errno(Errno.noSystemCall))]
        }
        // clone3's flags sit in user memory that BPF cannot read; glibc falls back to clone on ENOSYS.
        program += refusal(of: numbers["clone3"], with: Action.errno(Errno.noSystemCall))
        for name in refusedSystemCalls {
            program += refusal(of: numbers[name], with: Action.errno(Errno.notPermitted))
        }
        program += argumentCheck(of: numbers["clone"], offset: Offset.argument(0), refusedIf: [.hasAnyBit(newNamespaceFlags)])
        program += argumentCheck(of: numbers["ioctl"], offset: Offset.argument(1),
                                 refusedIf: [.equals(IoctlRequest.tiocsti), .equals(IoctlRequest.tioclinux)])
        if denyInetSockets {
            program += argumentCheck(of: numbers["socket"], offset: Offset.argument(0),
                                     refusedIf: [.equals(AddressFamily.inet), .equals(AddressFamily.inet6), .equals(AddressFamily.packet)])
        }
        program.append(.return(Action.allow))
        return program
    }

    /// `jeq nr` then `ret action`: a one-step skip, so no jump grows with the length of the list.
    static func refusal(of number: UInt32?, with action: UInt32) -> [Instruction] {
        guard let number else { return [] }
        return [.jumpIfEqual(number, ifTrue: 0, ifFalse: 1), .return(action)]
    }

    /// A test on the low 32 bits of one argument of a system call.
    enum ArgumentTest {
        case equals(UInt32)
        case hasAnyBit(UInt32)
    }

    /// A block for `number` that loads the argument at `offset` and refuses the call with EPERM when
    /// any test holds, and allows it otherwise. It ends in a return either way, so the accumulator never
    /// carries an argument into a later comparison with `nr`.
    static func argumentCheck(of number: UInt32?, offset: UInt32, refusedIf tests: [ArgumentTest]) -> [Instruction] {
        guard let number, !tests.isEmpty else { return [] }
        let count = tests.count
        var block: [Instruction] = [
            .jumpIfEqual(number, ifTrue: 0, ifFalse: UInt8(count + 3)),
            .load(offset: offset),
        ]
        for (index, test) in tests.enumerated() {
            // A hit jumps to the refusal just past the tests; the last miss jumps over it to the allow.
            let toRefusal = UInt8(count - 1 - index)
            let onMiss: UInt8 = index == count - 1 ? 1 : 0
            switch test {
            case .equals(let value): block.append(.jumpIfEqual(value, ifTrue: toRefusal, ifFalse: onMiss))
            case .hasAnyBit(let mask): block.append(.jumpIfAnySet(mask, ifTrue: toRefusal, ifFalse: onMiss))
            }
        }
        block += [.return(Action.errno(Errno.notPermitted)), .return(Action.allow)]
        return block
    }

    /// One `struct sock_filter`: the opcode, the jumps taken when the test holds or fails (counted
    /// from the next instruction), and the constant operand.
    struct Instruction: Equatable {
        var code: UInt16
        var jumpIfTrue: UInt8
        var jumpIfFalse: UInt8
        var k: UInt32

        /// `BPF_LD|BPF_W|BPF_ABS`, `BPF_JMP|BPF_JEQ|BPF_K`, `BPF_JMP|BPF_JGE|BPF_K`, `BPF_JMP|BPF_JSET|BPF_K`, `BPF_RET|BPF_K`.
        enum Opcode {
            static let loadWord: UInt16 = 0x20
            static let jumpIfEqual: UInt16 = 0x15
            static let jumpIfAtLeast: UInt16 = 0x35
            static let jumpIfAnySet: UInt16 = 0x45
            static let returnConstant: UInt16 = 0x06
        }

        static func load(offset: UInt32) -> Instruction {
            Instruction(code: Opcode.loadWord, jumpIfTrue: 0, jumpIfFalse: 0, k: offset)
        }

        static func jumpIfEqual(_ value: UInt32, ifTrue: UInt8, ifFalse: UInt8) -> Instruction {
            Instruction(code: Opcode.jumpIfEqual, jumpIfTrue: ifTrue, jumpIfFalse: ifFalse, k: value)
        }

        static func jumpIfAtLeast(_ value: UInt32, ifTrue: UInt8, ifFalse: UInt8) -> Instruction {
            Instruction(code: Opcode.jumpIfAtLeast, jumpIfTrue: ifTrue, jumpIfFalse: ifFalse, k: value)
        }

        static func jumpIfAnySet(_ mask: UInt32, ifTrue: UInt8, ifFalse: UInt8) -> Instruction {
            Instruction(code: Opcode.jumpIfAnySet, jumpIfTrue: ifTrue, jumpIfFalse: ifFalse, k: mask)
        }

        static func `return`(_ action: UInt32) -> Instruction {
            Instruction(code: Opcode.returnConstant, jumpIfTrue: 0, jumpIfFalse: 0, k: action)
        }

        /// The 8 bytes the kernel reads, little-endian as on both supported architectures.
        var bytes: [UInt8] {
            [UInt8(code & 0xFF), UInt8(code >> 8), jumpIfTrue, jumpIfFalse,
             UInt8(k & 0xFF), UInt8((k >> 8) & 0xFF), UInt8((k >> 16) & 0xFF), UInt8(k >> 24)]
        }
    }

    /// Offsets into `struct seccomp_data`. Arguments are 64-bit and little-endian, so an argument's
    /// offset reads its low 32 bits, which is all the kernel uses of an `int` or `unsigned int`.
    enum Offset {
        static let nr: UInt32 = 0
        static let arch: UInt32 = 4
        static func argument(_ index: UInt32) -> UInt32 { 16 + 8 * index }
    }

    /// `SECCOMP_RET_*` values.
    enum Action {
        static let allow: UInt32 = 0x7FFF_0000
        static func errno(_ code: UInt32) -> UInt32 { 0x0005_0000 | code }
    }

    /// The errno values returned, the same on both architectures.
    enum Errno {
        static let notPermitted: UInt32 = 1 // EPERM
        static let noSystemCall: UInt32 = 38 // ENOSYS
    }

    /// `ioctl` requests that reach outside the sandbox through a shared terminal.
    enum IoctlRequest {
        /// Pushes bytes into the terminal's input, as if typed.
        static let tiocsti: UInt32 = 0x5412
        /// Console selection and paste on a virtual console.
        static let tioclinux: UInt32 = 0x541C
    }

    /// The `socket` domains of the `none` network.
    enum AddressFamily {
        static let inet: UInt32 = 2
        static let inet6: UInt32 = 10
        static let packet: UInt32 = 17
    }

    /// CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET.
    static let newNamespaceFlags: UInt32 = 0x0002_0000 | 0x0200_0000 | 0x0400_0000 | 0x0800_0000 | 0x1000_0000 | 0x2000_0000 | 0x4000_0000

    /// From `/usr/include/x86_64-linux-gnu/asm/unistd_64.h`.
    static let x86_64SystemCalls: [String: UInt32] = [
        "acct": 163, "add_key": 248, "adjtimex": 159, "bpf": 321, "chroot": 161, "clock_adjtime": 305,
        "clock_settime": 227, "clone": 56, "clone3": 435, "delete_module": 176, "finit_module": 313,
        "fsconfig": 431, "fsmount": 432, "fsopen": 430, "fspick": 433, "init_module": 175,
        "io_uring_enter": 426, "io_uring_register": 427, "io_uring_setup": 425, "ioctl": 16, "ioperm": 173,
        "iopl": 172, "kexec_file_load": 320, "kexec_load": 246, "keyctl": 250, "lookup_dcookie": 212,
        "mount": 165, "mount_setattr": 442, "move_mount": 429, "name_to_handle_at": 303,
        "open_by_handle_at": 304, "open_tree": 428, "perf_event_open": 298, "pidfd_getfd": 438,
        "pivot_root": 155, "process_vm_readv": 310, "process_vm_writev": 311, "ptrace": 101, "quotactl": 179,
        "reboot": 169, "request_key": 249, "setns": 308, "settimeofday": 164, "socket": 41, "swapoff": 168,
        "swapon": 167, "syslog": 103, "umount2": 166, "unshare": 272, "uselib": 134, "userfaultfd": 323,
    ]

    /// From `/usr/include/asm-generic/unistd.h`, the table aarch64 uses. It has no iopl, ioperm or uselib.
    static let aarch64SystemCalls: [String: UInt32] = [
        "acct": 89, "add_key": 217, "adjtimex": 171, "bpf": 280, "chroot": 51, "clock_adjtime": 266,
        "clock_settime": 112, "clone": 220, "clone3": 435, "delete_module": 106, "finit_module": 273,
        "fsconfig": 431, "fsmount": 432, "fsopen": 430, "fspick": 433, "init_module": 105,
        "io_uring_enter": 426, "io_uring_register": 427, "io_uring_setup": 425, "ioctl": 29,
        "kexec_file_load": 294, "kexec_load": 104, "keyctl": 219, "lookup_dcookie": 18, "mount": 40,
        "mount_setattr": 442, "move_mount": 429, "name_to_handle_at": 264, "open_by_handle_at": 265,
        "open_tree": 428, "perf_event_open": 241, "pidfd_getfd": 438, "pivot_root": 41,
        "process_vm_readv": 270, "process_vm_writev": 271, "ptrace": 117, "quotactl": 60, "reboot": 142,
        "request_key": 218, "setns": 268, "settimeofday": 170, "socket": 198, "swapoff": 225, "swapon": 224,
        "syslog": 116, "umount2": 39, "unshare": 97, "userfaultfd": 282,
    ]
}
