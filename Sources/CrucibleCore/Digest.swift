import Crypto
import Foundation

/// SHA-256 digests as lowercase hex, the form Crucible stores and prints.
public enum Digest {
    /// The SHA-256 of `data`, as 64 lowercase hex digits.
    public static func sha256(_ data: some DataProtocol) -> String {
        hex(SHA256.hash(data: data))
    }

    /// The SHA-256 of a string's UTF-8 bytes, hashed where the string keeps them (no `Data`, whose generic path costs a
    /// one-shot command such as `crucible sandbox run` runtime type look-ups at its first use).
    public static func sha256(_ string: String) -> String {
        sha256(concatenating: string)
    }

    /// The SHA-256 of the concatenation of the UTF-8 bytes of `parts`, without copying them together.
    public static func sha256(concatenating parts: String...) -> String {
        var hasher = SHA256()
        for part in parts {
            var part = part
            part.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        }
        return hex(hasher.finalize())
    }

    /// The digest of `value`'s canonical JSON.
    public static func canonical(_ value: some Encodable) throws -> String {
        sha256(try CanonicalJSON.data(value))
    }

    /// Compares two digests in time independent of where they first differ.
    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in x.indices { difference |= x[i] ^ y[i] }
        return difference == 0
    }

    private static let digits = Array("0123456789abcdef".utf8)

    private static func hex(_ digest: some Sequence<UInt8>) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        for byte in digest {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
