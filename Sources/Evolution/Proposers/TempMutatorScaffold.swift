import CrucibleCore
public struct FaultHints: Sendable, Hashable {
    public var lines: [String: Set<Int>] = [:]; public var functions: Set<String> = []
    public init(lines: [String: Set<Int>] = [:], functions: Set<String> = []) {}
    public static func parse(_ text: String, knownPaths: [String]) -> FaultHints { FaultHints() }
    public var isEmpty: Bool { true }
}
public struct Mutator: Sendable {
    public init(operatorWeights: [String: Double] = [:]) {}
    public func propose(files: [SourceFile], hints: FaultHints, using rng: inout some RandomNumberGenerator) -> Mutation? { nil }
}
