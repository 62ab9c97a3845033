import Crypto
import Foundation

/// Ed25519 signatures (swift-crypto's `Curve25519.Signing`), with keys and signatures as base64
/// text, the form Crucible keeps in files.
public enum Signing {
    /// A new key pair: the private key's 32 raw bytes and the public key's, each base64.
    public static func generateKeyPair() -> (privateKey: String, publicKey: String) {
        let key = Curve25519.Signing.PrivateKey()
        return (key.rawRepresentation.base64EncodedString(), key.publicKey.rawRepresentation.base64EncodedString())
    }

    /// The public key (base64) of a private key (base64).
    /// - Throws: `SigningError` when the text is not a base64 Ed25519 private key.
    public static func publicKey(ofPrivateKey privateKey: String) throws(SigningError) -> String {
        try key(privateKey).publicKey.rawRepresentation.base64EncodedString()
    }

    /// The detached signature of `data`, base64.
    /// - Throws: `SigningError` when the key is not a base64 Ed25519 private key.
    public static func sign(_ data: some DataProtocol, privateKey: String) throws(SigningError) -> String {
        let key = try key(privateKey)
        do {
            return try key.signature(for: Data(data)).base64EncodedString()
        } catch {
            throw SigningError("signing failed: \(error)")
        }
    }

    /// Whether `signature` (base64) is a valid signature of `data` by `publicKey` (base64). Any
    /// malformed input is simply not valid.
    public static func verify(signature: String, of data: some DataProtocol, publicKey: String) -> Bool {
        guard let keyData = Data(base64Encoded: trimmed(publicKey)),
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: keyData),
              let signatureData = Data(base64Encoded: trimmed(signature))
        else { return false }
        return key.isValidSignature(signatureData, for: Data(data))
    }

    private static func key(_ text: String) throws(SigningError) -> Curve25519.Signing.PrivateKey {
        guard let data = Data(base64Encoded: trimmed(text)), let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: data) else {
            throw SigningError("not a base64 Ed25519 private key")
        }
        return key
    }

    private static func trimmed(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A key or signature that cannot be used, in one line.
public struct SigningError: Error, CustomStringConvertible, Sendable, Hashable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
