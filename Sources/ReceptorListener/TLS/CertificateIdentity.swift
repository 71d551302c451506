import Crypto
import Foundation
import NIOSSL
import X509

/// A server certificate ready for TLS: where it lives, what it says, and the loaded chain and key.
public struct CertificateIdentity: Sendable {
    /// The PEM file with the certificate (leaf first, then any intermediates).
    public let certificatePath: String
    /// The PEM file with the private key.
    public let privateKeyPath: String
    /// Exchange's way of printing the subject, most specific RDN first: `CN=mail.contoso.com, O=Contoso`.
    public let subject: String
    /// The issuer, printed like `subject`.
    public let issuer: String
    public let notBefore: Date
    public let notAfter: Date
    /// The DNS names of the subject alternative name extension, as written in the certificate.
    public let dnsNames: [String]
    /// The subject's common names (usually one).
    public let commonNames: [String]
    /// Exchange's `TlsCertificateName` for this certificate: `<I>issuer<S>subject`.
    public let tlsCertificateName: String
    /// Exchange's `Thumbprint`: SHA-1 of the certificate, upper-case hex.
    public let thumbprint: String
    /// SHA-256 of the certificate, lower-case hex.
    public let sha256Fingerprint: String
    /// Issuer and subject are the same name (Exchange's `IsSelfSigned`).
    public let isSelfSigned: Bool
    /// The chain to send, leaf first.
    public let certificateChain: [NIOSSLCertificate]
    public let privateKey: NIOSSLPrivateKey

    let leaf: Certificate
    let issuerName: X500Name
    let subjectName: X500Name

    init(
        certificatePath: String, privateKeyPath: String, leaf: Certificate, chain: [NIOSSLCertificate], privateKey: NIOSSLPrivateKey, leafDER: [UInt8]
    ) throws {
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
        self.leaf = leaf
        self.certificateChain = chain
        self.privateKey = privateKey
        self.subject = X500NameText.exchangeString(leaf.subject)
        self.issuer = X500NameText.exchangeString(leaf.issuer)
        self.issuerName = X500NameText.name(of: leaf.issuer)
        self.subjectName = X500NameText.name(of: leaf.subject)
        self.notBefore = leaf.notValidBefore
        self.notAfter = leaf.notValidAfter
        self.dnsNames = CertificateNames.dnsNames(of: leaf)
        self.commonNames = X500NameText.commonNames(leaf.subject)
        self.tlsCertificateName = "<I>\(issuer)<S>\(subject)"
        self.thumbprint = Insecure.SHA1.hash(data: leafDER).map { String(format: "%02X", $0) }.joined()
        self.sha256Fingerprint = SHA256.hash(data: leafDER).map { String(format: "%02x", $0) }.joined()
        self.isSelfSigned = leaf.issuer == leaf.subject
    }

    /// The names a client checks the certificate against: the SAN DNS names, or the common names when the
    /// certificate has no SAN DNS names (RFC 6125).
    public var hostNames: [String] {
        dnsNames.isEmpty ? commonNames : dnsNames
    }

    /// Whether a client connecting to `hostName` accepts this certificate's names (a wildcard covers exactly
    /// one left-most label: `*.contoso.com` covers `mail.contoso.com`, not `contoso.com` or `a.b.contoso.com`).
    public func matches(hostName: String) -> Bool {
        hostNames.contains { CertificateNames.pattern($0, matches: hostName) }
    }

    /// Whether an exact (non-wildcard) name of the certificate is `hostName`.
    func matchesExactly(hostName: String) -> Bool {
        let host = CertificateNames.normalized(hostName)
        return hostNames.contains { CertificateNames.normalized($0) == host }
    }

    /// `notBefore ≤ date < notAfter`.
    public func isValid(at date: Date) -> Bool {
        notBefore <= date && date < notAfter
    }

    /// Whether `<I>…<S>…` text (as `Set-ReceiveConnector -TlsCertificateName` takes it) names this certificate.
    public func matches(tlsCertificateName text: String) throws -> Bool {
        let wanted = try X500NameText.parseIdentifier(text)
        return issuerName.matches(wanted.issuer) && subjectName.matches(wanted.subject)
    }
}

/// Host-name helpers shared by the store and the TLS factory.
enum CertificateNames {
    static func normalized(_ name: String) -> String {
        var text = name.trimmingCharacters(in: .whitespaces).lowercased()
        while text.hasSuffix(".") { text.removeLast() }
        return text
    }

    static func dnsNames(of certificate: Certificate) -> [String] {
        guard let san = try? certificate.extensions.subjectAlternativeNames else { return [] }
        return san.compactMap { name in
            if case .dnsName(let dns) = name { return dns }
            return nil
        }
    }

    /// SAN DNS names and common names together (for recognizing a partner's domain).
    static func allNames(of certificate: Certificate) -> [String] {
        var names = dnsNames(of: certificate)
        for cn in X500NameText.commonNames(certificate.subject) where !names.contains(cn) { names.append(cn) }
        return names
    }

    /// RFC 6125 matching with a left-most `*` label only.
    static func pattern(_ pattern: String, matches hostName: String) -> Bool {
        let p = normalized(pattern)
        let host = normalized(hostName)
        guard !p.isEmpty, !host.isEmpty else { return false }
        if p.hasPrefix("*.") {
            let base = p.dropFirst(2)
            guard !base.contains("*"), base.contains("."), let dot = host.firstIndex(of: ".") else { return false }
            let hostFirst = host[..<dot]
            return !hostFirst.isEmpty && host[host.index(after: dot)...] == base
        }
        return !p.contains("*") && p == host
    }
}
