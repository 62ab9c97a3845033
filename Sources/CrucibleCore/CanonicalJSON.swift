import Foundation

/// Canonical JSON: object keys sorted, no insignificant whitespace, `/` unescaped.
///
/// The same value always encodes to the same bytes, so a digest of the encoding identifies the
/// value. Everything Crucible hashes or signs (patches, events) goes through here.
public enum CanonicalJSON {
    /// Encodes `value` canonically.
    public static func data(_ value: some Encodable) throws -> Data {
        try encoder().encode(value)
    }

    /// Encodes `value` canonically as a UTF-8 string.
    public static func string(_ value: some Encodable) throws -> String {
        String(decoding: try data(value), as: UTF8.self)
    }

    /// Decodes a value written by ``data(_:)`` (or any JSON of the same shape).
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try JSONDecoder().decode(type, from: data)
    }

    /// Decodes a value from a JSON string.
    public static func decode<T: Decodable>(_ type: T.Type, from string: String) throws -> T {
        try decode(type, from: Data(string.utf8))
    }

    private static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
