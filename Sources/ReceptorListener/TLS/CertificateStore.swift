import Crypto
import _CryptoExtras
import Foundation
import NIOSSL
import X509
#if canImport(Glibc)
    import Glibc
#endif

/// The TLS certificates of a Receptor server, kept in `certs/` beside the store file (mode 0700).
///
/// ## The self-signed certificate
///
/// `receptor init` creates a self-signed certificate for the server's FQDN, as Exchange setup does:
/// `certs/<fqdn>.pem` and `certs/<fqdn>.key` (an RSA 2048 key, as Exchange setup's, mode 0600), subject
/// `CN=<fqdn>`, subject alternative names `<fqdn>` and the short host name, valid for five years, for server
/// authentication. RSA rather than ECDSA because the clients of receive connectors include old devices
/// (printers, scanners, scenario 3 of the article) and scanners that have no ECDSA; a self-signed ECDSA
/// certificate an earlier version made is replaced by an RSA one.
/// Connectors use it when nothing better is installed. It is renewed automatically when it is expired,
/// within 30 days of expiry, or no longer matches its key or FQDN (the replaced files are kept as
/// `<fqdn>.pem.replaced-<time>`); a new server FQDN gets a new pair of files beside the old ones. Clients
/// that check certificates will not trust it; install one from a CA for those (other Exchange-style servers
/// and most Internet senders accept a self-signed certificate).
///
/// ## Installing a certificate
///
/// Copy the certificate (PEM; leaf first, then the intermediate CAs) and its private key (PEM, unencrypted:
/// PKCS#8, PKCS#1 RSA or SEC1 EC) into `certs/` under the same base name, and make the key readable by its
/// owner only:
///
///     cp mail.pem mail.key <data>/certs/      # <data> is the folder of the store file
///     chmod 600 <data>/certs/mail.key
///
/// (`.crt` works as well as `.pem`; an encrypted key can be decrypted with `openssl pkey -in enc.key -out mail.key`.)
/// Then either name it on the connector with Exchange's `"<I>issuer<S>subject"` syntax:
///
///     Set-ReceiveConnector "MBX01\Default Frontend MBX01" -TlsCertificateName "<I>CN=Contoso CA, O=Contoso<S>CN=mail.contoso.com"
///
/// or leave `TlsCertificateName` empty and let the connector's `Fqdn` pick it: a certificate whose subject
/// alternative names (or, without those, its common name) match the connector's FQDN is used, wildcards
/// (`*.contoso.com`) included; a CA-issued certificate is preferred over a self-signed one, an exact name
/// over a wildcard, and the one that expires last wins. Expired certificates are not picked automatically.
/// The issuer and subject can be copied from `openssl x509 -in mail.pem -noout -issuer -subject`: names are
/// compared case-insensitively, spacing around `,` and `=` does not matter, and the RDNs may be in either
/// order (`C=US, O=Contoso, CN=Contoso CA` or `CN=Contoso CA, O=Contoso, C=US`). If `TlsCertificateName`
/// names no installed certificate, the error says so and lists the installed names. Certificates are read
/// when the listener loads the configuration: after installing one, reload it (SIGHUP).
///
/// ## Partner certificate authorities (domain security, mutual TLS)
///
/// On a connector with `DomainSecureEnabled $true`, the listener asks the client for a certificate (without
/// requiring one). A client certificate that chains to a trust anchor and names a domain on the
/// domain-secure list (`Set-TransportConfig -TLSReceiveDomainSecureList fabrikam.com`) makes the session a
/// partner session. The trust anchors are the system trust store (`/etc/ssl/certs/ca-certificates.crt`)
/// plus every certificate in `certs/trusted/*.pem` (or `*.crt`): put the CA certificates of partners who use
/// a private CA there:
///
///     cp fabrikam-ca.pem <data>/certs/trusted/
///
/// One of the client certificate's SAN DNS names, or its common name, must be the partner domain or a host
/// in it (`mail.fabrikam.com` counts for `fabrikam.com`); the certificate must be within its validity
/// dates and, if it has an extended key usage, allow TLS client or server authentication. A client whose
/// certificate does not qualify still gets TLS, just not partner rights. After changing `certs/trusted/`,
/// reload the listener (SIGHUP).
public struct CertificateStore: Sendable {
    /// The folder of the store file.
    public let dataDirectory: String
    /// The server's FQDN: the self-signed certificate connectors fall back to is made for this name.
    public let serverFqdn: String?

    /// Renew the self-signed certificate this long before it expires.
    static let renewalMargin: TimeInterval = 30 * 24 * 3600

    public init(dataDirectory: String, serverFqdn: String? = nil) {
        self.dataDirectory = dataDirectory
        self.serverFqdn = serverFqdn
    }

    /// `<data>/certs`.
    public var certificatesDirectory: String { (dataDirectory as NSString).appendingPathComponent("certs") }
    /// `<data>/certs/trusted`: the partners' CA certificates.
    public var trustedDirectory: String { (certificatesDirectory as NSString).appendingPathComponent("trusted") }

    // MARK: The self-signed server certificate

    /// Returns the self-signed certificate for `fqdn` from `certs/<fqdn>.pem` and `certs/<fqdn>.key`, creating
    /// (or renewing) it when the files are missing, unreadable, do not match each other, do not name the FQDN,
    /// or are expired or within 30 days of expiry.
    public func ensureServerCertificate(fqdn: String, now: Date = Date()) throws -> CertificateIdentity {
        let host = CertificateNames.normalized(fqdn)
        guard !host.isEmpty, !host.contains("/"), !host.hasPrefix(".") else {
            throw CertificateStoreError("cannot make a certificate for the FQDN \"\(fqdn)\"")
        }
        try prepareFolders()
        let certPath = (certificatesDirectory as NSString).appendingPathComponent("\(host).pem")
        let keyPath = (certificatesDirectory as NSString).appendingPathComponent("\(host).key")
        let fm = FileManager.default
        if fm.fileExists(atPath: certPath) || fm.fileExists(atPath: keyPath) {
            if let existing = try? load(certificatePath: certPath, privateKeyPath: keyPath),
                existing.matches(hostName: host),
                !existing.isSelfSigned || existing.leaf.signatureAlgorithm == Self.selfSignedAlgorithm,
                existing.notBefore <= now.addingTimeInterval(300),
                now < existing.notAfter.addingTimeInterval(-Self.renewalMargin)
            {
                return existing
            }
            let stamp = Self.timestampFormatter.string(from: now)
            for path in [certPath, keyPath] where fm.fileExists(atPath: path) {
                guard rename(path, "\(path).replaced-\(stamp)") == 0 else {
                    throw CertificateStoreError("cannot move \(path) aside: \(String(cString: strerror(errno)))")
                }
            }
        }
        let (certPEM, keyPEM) = try Self.makeSelfSignedCertificate(fqdn: host, now: now)
        // Key first: a crash between the two leaves a key that does not match the old certificate, which the
        // next call notices and replaces.
        try TLSFileWriter.writeAtomically(Array(keyPEM.utf8), to: keyPath, mode: 0o600)
        try TLSFileWriter.writeAtomically(Array(certPEM.utf8), to: certPath, mode: 0o644)
        return try load(certificatePath: certPath, privateKeyPath: keyPath)
    }

    private static let timestampFormatter: DateFormatter = {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return f
    }()

    /// How the self-signed certificate is signed: with its own RSA key.
    static let selfSignedAlgorithm = Certificate.SignatureAlgorithm.sha256WithRSAEncryption

    /// A self-signed leaf as Exchange setup makes one: RSA 2048, `CN=<fqdn>`, SAN `<fqdn>` and the short name,
    /// five years, `CA:FALSE`, server (and client) authentication. Returns the certificate and key as PEM.
    static func makeSelfSignedCertificate(fqdn: String, now: Date) throws -> (certificate: String, privateKey: String) {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let name = try DistinguishedName { CommonName(fqdn) }
        var sans: [GeneralName] = [.dnsName(fqdn)]
        if let dot = fqdn.firstIndex(of: "."), dot != fqdn.startIndex {
            sans.append(.dnsName(String(fqdn[..<dot])))
        }
        let publicKey = Certificate.PublicKey(key.publicKey)
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            try ExtendedKeyUsage([.serverAuth, .clientAuth])
            SubjectAlternativeNames(sans)
            SubjectKeyIdentifier(hash: publicKey)
        }
        let notAfter = Calendar(identifier: .gregorian).date(byAdding: .year, value: 5, to: now) ?? now.addingTimeInterval(5 * 365.25 * 86400)
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-300),
            notValidAfter: notAfter,
            issuer: name,
            subject: name,
            signatureAlgorithm: Self.selfSignedAlgorithm,
            extensions: extensions,
            issuerPrivateKey: Certificate.PrivateKey(key)
        )
        return (try certificate.serializeAsPEM().pemString + "\n", key.pemRepresentation + "\n")
    }

    // MARK: Installed certificates

    /// Creates `certs/` and `certs/trusted/` (mode 0700) if they are missing, and sets `certs/` to 0700.
    public func prepareFolders() throws {
        try TLSFileWriter.makeDirectory(certificatesDirectory, mode: 0o700)
        _ = chmod(certificatesDirectory, 0o700)
        try TLSFileWriter.makeDirectory(trustedDirectory, mode: 0o700)
    }

    /// Loads one certificate (PEM, leaf first, then intermediates) and its private key, and checks that the
    /// key belongs to the certificate.
    public func load(certificatePath: String, privateKeyPath: String) throws -> CertificateIdentity {
        let certBytes: [UInt8]
        let keyBytes: [UInt8]
        do {
            certBytes = Array(try Data(contentsOf: URL(fileURLWithPath: certificatePath)))
            keyBytes = Array(try Data(contentsOf: URL(fileURLWithPath: privateKeyPath)))
        } catch {
            throw CertificateStoreError("cannot read \(certificatePath) or \(privateKeyPath): \(error.localizedDescription)")
        }
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(certBytes)
        } catch {
            throw CertificateStoreError("\(certificatePath) is not a PEM certificate: \(error)")
        }
        guard let first = chain.first else { throw CertificateStoreError("\(certificatePath) holds no certificate") }
        let der = try first.toDERBytes()
        let leaf: Certificate
        do {
            leaf = try Certificate(derEncoded: der)
        } catch {
            throw CertificateStoreError("\(certificatePath): cannot parse the certificate: \(error)")
        }
        let keyText = String(decoding: keyBytes, as: UTF8.self)
        if keyText.contains("ENCRYPTED") {
            throw CertificateStoreError(
                "\(privateKeyPath) is encrypted; store it unencrypted with mode 0600 (openssl pkey -in \(privateKeyPath) -out \(privateKeyPath).plain)"
            )
        }
        let checkKey: Certificate.PrivateKey
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(bytes: keyBytes, format: .pem)
            checkKey = try Certificate.PrivateKey(pemEncoded: keyText)
        } catch {
            throw CertificateStoreError("\(privateKeyPath) is not a PEM private key: \(error)")
        }
        guard checkKey.publicKey == leaf.publicKey else {
            throw CertificateStoreError("\(privateKeyPath) is not the private key of \(certificatePath)")
        }
        return try CertificateIdentity(
            certificatePath: certificatePath, privateKeyPath: privateKeyPath, leaf: leaf, chain: chain, privateKey: key, leafDER: der)
    }

    /// Every `certs/*.pem` (or `*.crt`) with a matching `*.key`, including the self-signed ones. Files that do
    /// not load, and keys that others can read, are reported in `problems`.
    public func installedCertificates() -> CertificateInventory {
        var inventory = CertificateInventory(certificates: [], problems: [])
        let dir = certificatesDirectory
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return inventory }
        for name in names.sorted() {
            let ext = (name as NSString).pathExtension.lowercased()
            guard ext == "pem" || ext == "crt", !name.hasPrefix(".") else { continue }
            let base = (name as NSString).deletingPathExtension
            let certPath = (dir as NSString).appendingPathComponent(name)
            let keyPath = (dir as NSString).appendingPathComponent(base + ".key")
            guard FileManager.default.fileExists(atPath: keyPath) else {
                inventory.problems.append("\(certPath) has no private key \(keyPath); it is ignored")
                continue
            }
            do {
                inventory.certificates.append(try load(certificatePath: certPath, privateKeyPath: keyPath))
            } catch {
                inventory.problems.append("\(error)")
                continue
            }
            var info = stat()
            if stat(keyPath, &info) == 0, info.st_mode & 0o077 != 0 {
                inventory.problems.append(
                    String(format: "%@ can be read by other users (mode %04o); run chmod 600 %@", keyPath, Int(info.st_mode & 0o7777), keyPath))
            }
        }
        return inventory
    }

    /// The installed certificate named by Exchange's `TlsCertificateName` text, `"<I>X.500Issuer<S>X.500Subject"`,
    /// or nil when none matches. When several match (a renewed certificate keeps its issuer and subject), the one
    /// valid now that expires last wins. Throws when the text is not in that form.
    public func certificate(named tlsCertificateName: String, now: Date = Date()) throws -> CertificateIdentity? {
        let wanted = try X500NameText.parseIdentifier(tlsCertificateName)
        let matches = installedCertificates().certificates.filter {
            $0.issuerName.matches(wanted.issuer) && $0.subjectName.matches(wanted.subject)
        }
        return matches.max { a, b in
            let av = a.isValid(at: now), bv = b.isValid(at: now)
            if av != bv { return !av }
            return a.notAfter < b.notAfter
        }
    }

    /// The certificate a connector presents: the one `tlsCertificateName` names (an error when none does), else
    /// an installed certificate valid now whose names match the connector's FQDN, else the self-signed
    /// certificate of the server FQDN (`serverFqdn`, or the connector's FQDN when the store has none), made if
    /// missing.
    public func certificate(for connectorFqdn: String, tlsCertificateName: String?, now: Date = Date()) throws -> CertificateIdentity {
        if let text = tlsCertificateName?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty {
            if let found = try certificate(named: text, now: now) { return found }
            let inventory = installedCertificates()
            var message = "no installed certificate matches TlsCertificateName \"\(text)\" in \(certificatesDirectory)."
            if inventory.certificates.isEmpty {
                message += " No certificates are installed"
            } else {
                message +=
                    " Installed: "
                    + inventory.certificates.map {
                        "\"\($0.tlsCertificateName)\" (\(($0.certificatePath as NSString).lastPathComponent))"
                    }.joined(separator: ", ")
            }
            if !inventory.problems.isEmpty { message += ". Problems: " + inventory.problems.joined(separator: "; ") }
            message += ". Install one with: cp mail.pem mail.key \(certificatesDirectory)/ && chmod 600 \(certificatesDirectory)/mail.key"
            throw CertificateStoreError(message)
        }
        if let found = bestMatch(forHost: connectorFqdn, now: now) { return found }
        return try ensureServerCertificate(fqdn: serverFqdn ?? connectorFqdn, now: now)
    }

    func bestMatch(forHost host: String, now: Date) -> CertificateIdentity? {
        let candidates = installedCertificates().certificates.filter { $0.isValid(at: now) && $0.matches(hostName: host) }
        return candidates.max { a, b in
            if a.isSelfSigned != b.isSelfSigned { return a.isSelfSigned }
            let ae = a.matchesExactly(hostName: host), be = b.matchesExactly(hostName: host)
            if ae != be { return !ae }
            return a.notAfter < b.notAfter
        }
    }
}

/// The installed certificates and what was wrong with the files that did not load.
public struct CertificateInventory: Sendable {
    public var certificates: [CertificateIdentity]
    public var problems: [String]
}

/// A certificate problem, with a message meant for the admin.
public struct CertificateStoreError: Error, CustomStringConvertible, LocalizedError, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
    public var errorDescription: String? { description }
}

/// Small file helpers for the certificate folder: private folders and atomic, fsynced writes.
enum TLSFileWriter {
    static func makeDirectory(_ path: String, mode: mode_t) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            guard isDir.boolValue else { throw CertificateStoreError("\(path) exists and is not a folder") }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: Int(mode)])
        } catch {
            throw CertificateStoreError("cannot create \(path): \(error.localizedDescription)")
        }
        _ = chmod(path, mode)
    }

    /// Writes to a temporary file in the same folder with `mode` from the start, fsyncs, renames into place and
    /// fsyncs the folder.
    static func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t) throws {
        let dir = (path as NSString).deletingLastPathComponent
        let tmp = (dir as NSString).appendingPathComponent(
            ".\((path as NSString).lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw CertificateStoreError("cannot create \(tmp): \(String(cString: strerror(errno)))") }
        var done = false
        defer {
            if fd >= 0 { close(fd) }
            if !done { unlink(tmp) }
        }
        guard fchmod(fd, mode) == 0 else { throw CertificateStoreError("cannot chmod \(tmp): \(String(cString: strerror(errno)))") }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CertificateStoreError("cannot write \(tmp): \(String(cString: strerror(errno)))")
            }
            offset += n
        }
        guard fsync(fd) == 0 else { throw CertificateStoreError("cannot fsync \(tmp): \(String(cString: strerror(errno)))") }
        guard rename(tmp, path) == 0 else { throw CertificateStoreError("cannot rename \(tmp) to \(path): \(String(cString: strerror(errno)))") }
        done = true
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            _ = fsync(dfd)
            close(dfd)
        }
    }
}
