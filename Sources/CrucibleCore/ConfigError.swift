/// Bad input in a workspace file: says which file, where, which key, and what is wrong.
public struct ConfigError: Error, CustomStringConvertible, Sendable, Hashable {
    public var file: String
    public var line: Int?
    public var column: Int?
    /// The key's path, such as `benchmarks[0].timeout`.
    public var key: String?
    public var message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, key: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.key = key
        self.message = message
    }

    public var description: String {
        var place = file
        if let line { place += ":\(line)" }
        if let column { place += ":\(column)" }
        if let key { return "\(place): \(key): \(message)" }
        return "\(place): \(message)"
    }
}
