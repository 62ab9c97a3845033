/// What a sandboxed run may use. `nil` means no limit of that kind. The wall-clock timeout and the
/// captured output live on `ProcessSpec`, because every backend enforces those.
public struct SandboxLimits: Sendable, Hashable, Codable {
    /// Memory of the whole sandbox, files in its private tmpfs included.
    public var memoryBytes: Int?
    /// CPU time of the whole process tree, in seconds.
    public var cpuSeconds: Double?
    /// Processes and threads in the sandbox at once, the sandbox's own supervisors not counted.
    public var pids: Int?
    /// The largest file any process may write.
    public var fileSizeBytes: Int?
    /// Bytes the run may add to its working directory, all files together.
    public var diskBytes: Int?
    /// Bytes of output (stdout and stderr together) after which the run is killed.
    public var outputBytes: Int?
    public var network: SandboxNetwork

    public init(memoryBytes: Int? = 512 << 20, cpuSeconds: Double? = nil, pids: Int? = 256,
                fileSizeBytes: Int? = 1 << 30, diskBytes: Int? = 1 << 30, outputBytes: Int? = 64 << 20,
                network: SandboxNetwork = .none) {
        self.memoryBytes = memoryBytes
        self.cpuSeconds = cpuSeconds
        self.pids = pids
        self.fileSizeBytes = fileSizeBytes
        self.diskBytes = diskBytes
        self.outputBytes = outputBytes
        self.network = network
    }

    /// No limits beyond the spec's timeout and output cap.
    public static let unlimited = SandboxLimits(memoryBytes: nil, pids: nil, fileSizeBytes: nil, diskBytes: nil, outputBytes: nil)
}

/// What network a sandbox has.
public enum SandboxNetwork: String, Sendable, Hashable, Codable, CaseIterable {
    /// No network at all: no interface can be used, and Internet sockets cannot even be created.
    case none
    /// A loopback interface of the sandbox's own, never the host's.
    case loopback
}

/// Sizes such as `512M`, `2G`, `64k`, `1GiB` or a plain number of bytes.
public enum ByteSize {
    public static func parse(_ text: String) -> Int? {
        var number = Substring(text.trimmingBlanks)
        if number.hasSuffix("B") || number.hasSuffix("b") { number.removeLast() }
        if number.hasSuffix("i") { number.removeLast() }
        // A switch, not a dictionary of units: the first use of a `[Character: Int]` makes the runtime look its key's
        // `Hashable` conformance up among all of the binary's, a cost at every `crucible sandbox run`.
        var multiplier = 1
        switch number.last {
        case "k", "K": multiplier = 1 << 10
        case "m", "M": multiplier = 1 << 20
        case "g", "G": multiplier = 1 << 30
        case "t", "T": multiplier = 1 << 40
        default: break
        }
        if multiplier > 1 { number.removeLast() }
        guard let value = Int(number), value >= 0 else { return nil }
        let (product, overflow) = value.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : product
    }

    /// `bytes` in the largest unit that divides it: `512M`, `1G`, `65537`.
    public static func format(_ bytes: Int) -> String {
        for (unit, size) in [("T", 1 << 40), ("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)] where bytes >= size && bytes % size == 0 {
            return "\(bytes / size)\(unit)"
        }
        return "\(bytes)"
    }
}

/// Durations such as `20`, `20s`, `2m`, `1h`, `1.5s`, `250ms`, in seconds.
public enum DurationText {
    public static func parse(_ text: String) -> Double? {
        var number = String(text.trimmingBlanks)
        var multiplier = 1.0
        if number.hasSuffix("ms") {
            multiplier = 0.001
            number.removeLast(2)
        } else if let unit: Double = switch number.last { case "s": 1; case "m": 60; case "h": 3600; default: nil } {
            // A switch, not a dictionary (see `ByteSize.parse`).
            multiplier = unit
            number.removeLast()
        }
        guard let value = Double(number), value > 0, value.isFinite else { return nil }
        return value * multiplier
    }
}

extension StringProtocol {
    /// Without leading and trailing white space (spaces, tabs, newlines): the standard library's own test, so that a
    /// command's start does not pay for setting up Foundation's character sets.
    var trimmingBlanks: SubSequence {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map { index(after: $0) } ?? start
        return self[start..<end]
    }
}
