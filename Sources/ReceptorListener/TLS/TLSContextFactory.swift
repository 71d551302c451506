import Crypto
import Foundation
import NIOCore
import NIOSSL
import X509

/// Builds the server-side TLS contexts and handlers of the listener (TLS 1.2 and later), caches them by
/// certificate and options, and recognizes domain-secure partners from their client certificates.
///
/// Use ``makeServerHandler(for:domainSecure:)`` for STARTTLS: on a `DomainSecureEnabled` connector the handler
/// *requests* a client certificate but never requires one, and a certificate that does not verify does not
/// fail the handshake (the client just is not a partner). After the handshake, pass the handler's
/// `peerCertificate` to ``verifiedPartnerDomain(peerCertificate:domainSecureList:)``: it answers only for a
/// certificate whose chain this factory verified against the trust anchors (the system trust store plus
/// `certs/trusted/*.pem`), so a handler built any other way never yields a partner.
public final class TLSContextFactory: @unchecked Sendable {
    /// The folder of the partners' CA certificates (`certs/trusted`), or nil for none.
    public let trustedDirectory: String?
    /// Whether the system trust store (`/etc/ssl/certs/ca-certificates.crt`) holds trust anchors too.
    public let includeSystemTrustRoots: Bool

    /// How long a verified client certificate counts as verified for a resumed TLS session.
    static let verifiedLifetime: TimeInterval = 24 * 3600
    static let maxVerifiedEntries = 10_000

    private struct ContextKey: Hashable {
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        let domainSecure: Bool
        let generation: Int
    }

    private struct Anchors {
        var nio: [NIOSSLCertificate] = []
        var x509: [Certificate] = []
        var subjects: [String] = []
        var problems: [String] = []
        var generation = 0
    }

    private let lock = NSLock()
    private var anchors = Anchors()
    private var contexts: [ContextKey: NIOSSLContext] = [:]
    private var verifiedLeaves: [String: Date] = [:]

    public init(trustedDirectory: String?, includeSystemTrustRoots: Bool = true) {
        self.trustedDirectory = trustedDirectory
        self.includeSystemTrustRoots = includeSystemTrustRoots
        if includeSystemTrustRoots { _ = X509.CertificateStore.systemTrustRoots }  // starts loading in the background
        reloadTrustAnchors()
    }

    /// A factory whose partner CAs are the store's `certs/trusted/*.pem`.
    public convenience init(store: CertificateStore, includeSystemTrustRoots: Bool = true) {
        self.init(trustedDirectory: store.trustedDirectory, includeSystemTrustRoots: includeSystemTrustRoots)
    }

    // MARK: Trust anchors

    /// Re-reads `certs/trusted/`; drops the cached contexts and what was verified against the old anchors.
    public func reloadTrustAnchors() {
        var loaded = Anchors()
        if let dir = trustedDirectory, let names = try? FileManager.default.contentsOfDirectory(atPath: dir) {
            for name in names.sorted() where !name.hasPrefix(".") {
                let ext = (name as NSString).pathExtension.lowercased()
                guard ext == "pem" || ext == "crt" else { continue }
                let path = (dir as NSString).appendingPathComponent(name)
                do {
                    let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
                    let certs = try NIOSSLCertificate.fromPEMBytes(bytes)
                    if certs.isEmpty { loaded.problems.append("\(path) holds no certificate"); continue }
                    for cert in certs {
                        let parsed = try Certificate(derEncoded: cert.toDERBytes())
                        loaded.nio.append(cert)
                        loaded.x509.append(parsed)
                        loaded.subjects.append(X500NameText.exchangeString(parsed.subject))
                    }
                } catch {
                    loaded.problems.append("\(path) is not a PEM certificate: \(error)")
                }
            }
        }
        lock.lock()
        loaded.generation = anchors.generation + 1
        anchors = loaded
        contexts.removeAll()
        verifiedLeaves.removeAll()
        lock.unlock()
    }

    /// The subjects of the partner CAs loaded from `certs/trusted/`.
    public var partnerTrustAnchors: [String] {
        lock.lock(); defer { lock.unlock() }
        return anchors.subjects
    }

    /// Files in `certs/trusted/` that could not be loaded.
    public var trustAnchorProblems: [String] {
        lock.lock(); defer { lock.unlock() }
        return anchors.problems
    }

    // MARK: Contexts and handlers

    /// TLS 1.2's suites: one for each kind of certificate, ECDHE with AES-256-GCM — forward secrecy and AEAD
    /// only: no CBC (LUCKY13), no static RSA key exchange, no SHA-1 MACs. One suite per key type is also how
    /// the server, not the client, decides the cipher (NIOSSL has no switch for BoringSSL's server
    /// preference); every TLS 1.2 client of testssl.sh's simulations but Java 7 has it. TLS 1.3's suites are
    /// all AEAD and can't be configured.
    static let tls12CipherSuites = ["ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384"].joined(separator: ":")

    /// The server context for a certificate: TLS 1.2 minimum; with `domainSecure`, it also requests (does not
    /// require) a client certificate, checked against the trust anchors. Cached per certificate and options.
    public func serverContext(for identity: CertificateIdentity, domainSecure: Bool) throws -> NIOSSLContext {
        lock.lock()
        let current = anchors
        let key = ContextKey(chain: identity.certificateChain, key: identity.privateKey, domainSecure: domainSecure, generation: current.generation)
        if let cached = contexts[key] {
            lock.unlock()
            return cached
        }
        lock.unlock()

        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: identity.certificateChain.map { .certificate($0) },
            privateKey: .privateKey(identity.privateKey)
        )
        configuration.minimumTLSVersion = .tlsv12
        configuration.cipherSuites = Self.tls12CipherSuites
        if domainSecure {
            configuration.certificateVerification = .optionalVerification
            if includeSystemTrustRoots {
                configuration.trustRoots = .default
                if !current.nio.isEmpty { configuration.additionalTrustRoots = [.certificates(current.nio)] }
            } else {
                configuration.trustRoots = .certificates(current.nio)
            }
        }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw CertificateStoreError("cannot set up TLS with \(identity.certificatePath): \(error)")
        }
        lock.lock()
        defer { lock.unlock() }
        if let raced = contexts[key] { return raced }
        contexts[key] = context
        return context
    }

    /// A new `NIOSSLServerHandler` for one connection (for STARTTLS, add it at the front of the pipeline).
    /// With `domainSecure`, client certificates are verified by this factory and a failed verification does not
    /// fail the handshake; `peerValidatedCertificateChain` of the handler is set only for a verified chain.
    public func makeServerHandler(for identity: CertificateIdentity, domainSecure: Bool) throws -> NIOSSLServerHandler {
        let context = try serverContext(for: identity, domainSecure: domainSecure)
        guard domainSecure else { return NIOSSLServerHandler(context: context) }
        let roots = verifierRoots()
        return NIOSSLServerHandler(
            context: context,
            customVerificationCallbackWithMetadata: { [self] presented, promise in
                let factory = self
                Task {
                    if let chain = await Self.validatedChain(presented, roots: roots), let leaf = chain.first {
                        factory.recordVerified(leaf)
                        promise.succeed(.certificateVerified(VerificationMetadata(NIOSSL.ValidatedCertificateChain(chain))))
                    } else {
                        promise.succeed(.certificateVerified(VerificationMetadata(nil)))
                    }
                }
            })
    }

    private func verifierRoots() -> X509.CertificateStore {
        lock.lock()
        let partners = anchors.x509
        lock.unlock()
        if includeSystemTrustRoots {
            return X509.CertificateStore.systemTrustRoots.appending(contentsOf: partners)
        }
        return X509.CertificateStore(partners)
    }

    /// Builds a chain from the presented certificates to a trust anchor (RFC 5280: signatures, validity
    /// dates, basic and name constraints). A leaf with an extended key usage must allow TLS client or server
    /// authentication (MTAs often present their server certificate as client certificate).
    static func validatedChain(_ presented: [NIOSSLCertificate], roots: X509.CertificateStore) async -> [NIOSSLCertificate]? {
        guard let first = presented.first else { return nil }
        do {
            let leaf = try Certificate(derEncoded: first.toDERBytes())
            let intermediates = try presented.dropFirst().map { try Certificate(derEncoded: $0.toDERBytes()) }
            guard try usableForTLS(leaf) else { return nil }
            var verifier = Verifier(rootCertificates: roots) { RFC5280Policy() }
            let result = await verifier.validate(leaf: leaf, intermediates: X509.CertificateStore(intermediates))
            guard case .validCertificate(let chain) = result else { return nil }
            return try chain.map { try NIOSSLCertificate(bytes: $0.serializeAsPEM().derBytes, format: .der) }
        } catch {
            return nil
        }
    }

    private static func usableForTLS(_ leaf: Certificate) throws -> Bool {
        guard let usages = try leaf.extensions.extendedKeyUsage else { return true }
        return usages.contains(.clientAuth) || usages.contains(.serverAuth) || usages.contains(.any)
    }

    // MARK: Partners

    private func recordVerified(_ certificate: NIOSSLCertificate) {
        guard let fingerprint = try? Self.fingerprint(certificate) else { return }
        let now = Date()
        lock.lock()
        defer { lock.unlock() }
        if verifiedLeaves.count >= Self.maxVerifiedEntries {
            verifiedLeaves = verifiedLeaves.filter { now.timeIntervalSince($0.value) < Self.verifiedLifetime }
            if verifiedLeaves.count >= Self.maxVerifiedEntries { verifiedLeaves.removeAll() }
        }
        verifiedLeaves[fingerprint] = now
    }

    private func wasVerified(_ certificate: NIOSSLCertificate) -> Bool {
        guard let fingerprint = try? Self.fingerprint(certificate) else { return false }
        lock.lock()
        defer { lock.unlock() }
        guard let at = verifiedLeaves[fingerprint] else { return false }
        return Date().timeIntervalSince(at) < Self.verifiedLifetime
    }

    private static func fingerprint(_ certificate: NIOSSLCertificate) throws -> String {
        SHA256.hash(data: try certificate.toDERBytes()).map { String(format: "%02x", $0) }.joined()
    }

    /// The partner domain of a TLS client: the entry of `domainSecureList` (Exchange's
    /// `TLSReceiveDomainSecureList`) that the client certificate's SAN DNS names or common name name, exactly
    /// or as a subdomain (`mail.fabrikam.com` → `fabrikam.com`); nil when there is no certificate, when this
    /// factory did not verify its chain during a handshake (use a handler from
    /// ``makeServerHandler(for:domainSecure:)`` with `domainSecure: true`), or when no domain matches.
    /// Call it after the handshake completed, with the handler's `peerCertificate`.
    public func verifiedPartnerDomain(peerCertificate: NIOSSLCertificate?, domainSecureList: [String]) -> String? {
        guard let certificate = peerCertificate, wasVerified(certificate),
            let parsed = try? Certificate(derEncoded: certificate.toDERBytes())
        else { return nil }
        return Self.partnerDomain(certificateNames: CertificateNames.allNames(of: parsed), domainSecureList: domainSecureList)
    }

    /// Name matching alone (no verification): the most specific list entry that one of the names equals or
    /// is a subdomain of. List entries with `*` are ignored (Exchange refuses wildcard domains there); a
    /// wildcard certificate name `*.fabrikam.com` stands for `fabrikam.com`. Case-insensitive; a trailing dot
    /// is ignored. Returns the list entry, lower-cased.
    public static func partnerDomain(certificateNames: [String], domainSecureList: [String]) -> String? {
        let domains = domainSecureList.map(CertificateNames.normalized).filter { !$0.isEmpty && !$0.contains("*") }
        var best: String?
        for raw in certificateNames {
            var name = CertificateNames.normalized(raw)
            if name.hasPrefix("*.") { name.removeFirst(2) }
            guard !name.isEmpty, !name.contains("*") else { continue }
            for domain in domains where name == domain || name.hasSuffix("." + domain) {
                if best == nil || domain.count > best!.count { best = domain }
            }
        }
        return best
    }
}
