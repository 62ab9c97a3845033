import CrucibleCore
import Foundation

/// A workspace's constitution on disk: `CONSTITUTION.yaml`, its detached signature
/// `CONSTITUTION.yaml.sig` (Ed25519, base64), and the key pair under `.crucible/keys/` whose public
/// half is the trusted key. A workspace with no CONSTITUTION.yaml runs under ``Constitution/standard``.
public struct ConstitutionFiles: Sendable {
    public static let fileName = "CONSTITUTION.yaml"
    public static let signatureName = "CONSTITUTION.yaml.sig"
    public static let keysFolder = ".crucible/keys"
    public static let privateKeyName = "constitution.key"
    public static let publicKeyName = "constitution.pub"

    /// The absolute workspace folder.
    public let directory: String
    /// The public key trusted to have signed the constitution (default: the workspace's own).
    public let trustedKeyPath: String

    public init(directory: String, trustedKeyPath: String? = nil) {
        self.directory = URL(fileURLWithPath: directory).standardizedFileURL.path
        self.trustedKeyPath = trustedKeyPath.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
            ?? self.directory + "/" + Self.keysFolder + "/" + Self.publicKeyName
    }

    public var constitutionPath: String { directory + "/" + Self.fileName }
    public var signaturePath: String { directory + "/" + Self.signatureName }
    public var keysPath: String { directory + "/" + Self.keysFolder }
    public var privateKeyPath: String { keysPath + "/" + Self.privateKeyName }
    public var publicKeyPath: String { keysPath + "/" + Self.publicKeyName }

    /// Whether the workspace has a constitution of its own.
    public var exists: Bool { FileManager.default.fileExists(atPath: constitutionPath) }

    // MARK: Keys

    /// Writes a new Ed25519 key pair: the private key mode 0600 in a folder mode 0700.
    /// - Throws: `ConfigError` when a key is already there (keys are never overwritten).
    @discardableResult
    public func generateKeys() throws -> (privateKey: String, publicKey: String) {
        let manager = FileManager.default
        for path in [privateKeyPath, publicKeyPath] where manager.fileExists(atPath: path) {
            throw ConfigError(file: path, message: "already exists; keys are never overwritten (move it away first to make a new pair)")
        }
        try manager.createDirectory(atPath: keysPath, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let (privateKey, publicKey) = Signing.generateKeyPair()
        // Created with mode 0600 from the first byte, never readable by others even briefly.
        let fd = open(privateKeyPath, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw ConfigError(file: privateKeyPath, message: "cannot create: \(String(cString: strerror(errno)))") }
        let bytes = Array((privateKey + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let failure = written < 0 ? String(cString: strerror(errno)) : "only \(written) of \(bytes.count) bytes written"
        close(fd)
        guard written == bytes.count else {
            unlink(privateKeyPath)  // a partial key would make every later `keys generate` refuse
            throw ConfigError(file: privateKeyPath, message: "could not be written: \(failure)")
        }
        try Data((publicKey + "\n").utf8).write(to: URL(fileURLWithPath: publicKeyPath), options: .withoutOverwriting)
        return (privateKeyPath, publicKeyPath)
    }

    // MARK: Signing

    /// Signs the exact bytes of CONSTITUTION.yaml with the workspace's private key, after checking
    /// that the file loads, and writes the signature next to it.
    /// - Returns: the signature's path.
    /// - Throws: `ConfigError` for a missing or malformed file or key.
    @discardableResult
    public func sign() throws -> String {
        let data = try read(constitutionPath, missing: "no such file; `crucible init` writes the default constitution")
        _ = try Constitution.parse(try text(data, constitutionPath), file: constitutionPath)
        let key = try String(decoding: read(privateKeyPath, missing: "no private key; run `crucible keys generate`"), as: UTF8.self)
        let signature: String
        do {
            signature = try Signing.sign(data, privateKey: key)
        } catch {
            throw ConfigError(file: privateKeyPath, message: "\(error)")
        }
        try Data((signature + "\n").utf8).write(to: URL(fileURLWithPath: signaturePath), options: .atomic)
        return signaturePath
    }

    /// Checks the signature of CONSTITUTION.yaml against the trusted public key.
    /// - Throws: `ConfigError` naming what is missing or what does not verify, in one line.
    public func verify() throws {
        try verify(try read(constitutionPath, missing: "no such file"))
    }

    /// Checks that `data`, the bytes of CONSTITUTION.yaml, carry the trusted key's signature.
    private func verify(_ data: Data) throws {
        let signature = try String(decoding: read(signaturePath, missing: "missing; sign the constitution with `crucible constitution sign`"),
                                   as: UTF8.self)
        let key = try String(decoding: read(trustedKeyPath, missing: "no trusted public key; run `crucible keys generate`, then sign"),
                             as: UTF8.self)
        guard Signing.verify(signature: signature, of: data, publicKey: key) else {
            throw ConfigError(file: constitutionPath, message: "does not verify against the trusted key \(trustedKeyPath): it changed since it was signed, or the signature is not the trusted key's; review it, then `crucible constitution sign`")
        }
    }

    /// The constitution that governs the workspace: its own, verified and parsed; or, when it has
    /// none, the default compiled into the binary.
    /// - Throws: `ConfigError` when the file does not verify or does not parse.
    public func load() throws -> Constitution {
        guard exists else { return .standard }
        // One read: the bytes parsed are the bytes whose signature was checked.
        let data = try read(constitutionPath, missing: "no such file")
        try verify(data)
        return try Constitution.parse(try text(data, constitutionPath), file: constitutionPath)
    }

    /// What `crucible init` does: writes the default CONSTITUTION.yaml, a key pair and the
    /// signature, each only when missing, so that a new workspace verifies at once.
    /// - Returns: the paths written.
    public func setUp() throws -> [String] {
        var written: [String] = []
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if !exists {
            try Data(Constitution.defaultText.utf8).write(to: URL(fileURLWithPath: constitutionPath), options: .withoutOverwriting)
            written.append(constitutionPath)
        }
        let manager = FileManager.default
        if !manager.fileExists(atPath: privateKeyPath) && !manager.fileExists(atPath: publicKeyPath) {
            let (privateKey, publicKey) = try generateKeys()
            written += [privateKey, publicKey]
        }
        if !manager.fileExists(atPath: signaturePath) {
            written.append(try sign())
        }
        return written
    }

    private func read(_ path: String, missing: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: path) else { throw ConfigError(file: path, message: missing) }
        return data
    }

    private func text(_ data: Data, _ path: String) throws -> String {
        guard let text = String(data: data, encoding: .utf8) else { throw ConfigError(file: path, message: "is not UTF-8 text") }
        return text
    }
}
