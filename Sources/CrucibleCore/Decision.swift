/// What the constitution says of an action: allow it, deny it, or ask a human first.
public struct Decision: Codable, Hashable, Sendable {
    /// The three outcomes, ordered by strictness: deny beats approval beats allow.
    public enum Verdict: String, Codable, Hashable, Sendable, Comparable, CaseIterable {
        case allow
        case requireApproval = "require_approval"
        case deny

        private var rank: Int {
            switch self {
            case .allow: 0
            case .requireApproval: 1
            case .deny: 2
            }
        }

        public static func < (a: Verdict, b: Verdict) -> Bool { a.rank < b.rank }
    }

    public var decision: Verdict
    /// The ids of the rules that decided, strictest first.
    public var rules: [String]
    /// Their human sentences, in the same order.
    public var sentences: [String]
    /// Why, one line each: which part of the action met which rule.
    public var reasons: [String]
    /// The SHA-256 of the constitution that decided.
    public var constitution: String
    /// require_approval: how the approval is asked for and how long it may wait (seconds).
    /// Spelled `Optional<…>`: a `var x: T?` starts as nil before the initializer runs, and the optimizer then built each
    /// decision on the stack and copied it out, every array and string retained and released once more.
    public var approvalMethod: Optional<String>
    public var timeout: Optional<Int>

    public init(decision: Verdict, rules: [String], sentences: [String], reasons: [String], constitution: String,
                approvalMethod: String? = nil, timeout: Int? = nil) {
        self.decision = decision
        self.rules = rules
        self.sentences = sentences
        self.reasons = reasons
        self.constitution = constitution
        self.approvalMethod = approvalMethod
        self.timeout = timeout
    }

    enum CodingKeys: String, CodingKey {
        case decision, rules, sentences, reasons, constitution
        case approvalMethod = "approval_method"
        case timeout
    }
}
