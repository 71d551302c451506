import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOSSL
import ReceptorCore

/// TLS for the listener: which certificate a connector presents (its TlsCertificateName, else one
/// matching its Fqdn, else the server's self-signed one), the TLS handler for STARTTLS, and partner
/// domains for domain security. Certificates are looked up once per configuration and cached; a reload
/// (or SIGHUP) clears the cache so newly installed certificates are picked up.
public final class ListenerTLS: @unchecked Sendable {
    private let certificates: CertificateStore
    private let factory: TLSContextFactory
    private let logger: Logger
    private let cache = NIOLockedValueBox<[String: CertificateIdentity?]>([:])
    private let domainSecureList = NIOLockedValueBox<[String]>([])
    private let serverFqdn: String

    public init(dataDirectory: String, serverFqdn: String, logger: Logger) {
        self.serverFqdn = serverFqdn
        certificates = CertificateStore(dataDirectory: dataDirectory, serverFqdn: serverFqdn)
        factory = TLSContextFactory(trustedDirectory: certificates.trustedDirectory)
        self.logger = logger
        _ = try? certificates.ensureServerCertificate(fqdn: serverFqdn)
    }

    /// Called on every reload: new domain-secure list, certificates and trust anchors read again.
    public func reload(domainSecureList: [String]) {
        self.domainSecureList.withLockedValue { $0 = domainSecureList }
        cache.withLockedValue { $0.removeAll() }
        factory.reloadTrustAnchors()
    }

    /// The certificate a connector presents, or nil (then STARTTLS is not offered). A bad TlsCertificateName
    /// is logged once per configuration.
    func identity(for connector: ReceiveConnector) -> CertificateIdentity? {
        let key = "\(connector.fqdn.lowercased())|\(connector.tlsCertificateName ?? "")"
        if let cached = cache.withLockedValue({ $0[key] }) { return cached }
        var found: CertificateIdentity?
        do {
            found = try certificates.certificate(for: connector.fqdn, tlsCertificateName: connector.tlsCertificateName)
        } catch {
            logger.error("no TLS certificate for \(connector.identity): \(error)")
        }
        cache.withLockedValue { $0[key] = .some(found) }
        return found
    }

    /// The server's own certificate, as a connector with the server's FQDN and no TlsCertificateName gets it:
    /// an installed one that names the FQDN, else the self-signed one in `certs/` (made if missing, key 0600).
    /// The TCP control endpoint presents it.
    public func serverIdentity() throws -> CertificateIdentity {
        try certificates.certificate(for: serverFqdn, tlsCertificateName: nil)
    }

    func isAvailable(for connector: ReceiveConnector) -> Bool { identity(for: connector) != nil }

    /// A fresh TLS handler for one STARTTLS.
    func makeHandler(for connector: ReceiveConnector) throws -> NIOSSLServerHandler {
        guard let identity = identity(for: connector) else { throw ListenerTLSError(description: "no certificate for \(connector.identity)") }
        return try factory.makeServerHandler(for: identity, domainSecure: connector.domainSecureEnabled)
    }

    /// The partner domain a verified client certificate proves, on a domain-secure connector.
    func partnerDomain(_ certificate: NIOSSLCertificate?, connector: ReceiveConnector) -> String? {
        guard connector.domainSecureEnabled else { return nil }
        return factory.verifiedPartnerDomain(peerCertificate: certificate, domainSecureList: domainSecureList.withLockedValue { $0 })
    }
}

struct ListenerTLSError: Error, CustomStringConvertible { let description: String }
