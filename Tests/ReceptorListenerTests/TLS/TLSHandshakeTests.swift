import Foundation
import NIOSSL
import X509
import XCTest
@testable import ReceptorListener

/// Real handshakes against `openssl s_client` on loopback.
final class TLSHandshakeTests: XCTestCase {
    private var dataDirectory = ""
    private var servers: [TLSTestServer] = []
    private let fqdn = "mbx01.contoso.test"

    override func setUpWithError() throws {
        dataDirectory = try TLSTestSupport.makeTemporaryDirectory()
    }

    override func tearDownWithError() throws {
        for server in servers { server.stop() }
        servers = []
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    private func startServer(factory: TLSContextFactory, identity: CertificateIdentity, domainSecure: Bool) throws -> TLSTestServer {
        let server = try TLSTestServer(factory: factory, identity: identity, domainSecure: domainSecure)
        servers.append(server)
        XCTAssertGreaterThan(server.port, 0)
        return server
    }

    private func sClient(_ server: TLSTestServer, _ extra: [String]) throws -> (status: Int32, output: String) {
        try TLSTestSupport.runOpenSSL(
            ["s_client", "-connect", "127.0.0.1:\(server.port)", "-servername", fqdn] + extra,
            waitFor: TLSTestServer.greeting)
    }

    func testSelfSignedCertificateVerifiesWithOpenSSL() throws {
        let store = CertificateStore(dataDirectory: dataDirectory, serverFqdn: fqdn)
        let identity = try store.ensureServerCertificate(fqdn: fqdn)
        let factory = TLSContextFactory(store: store)
        let server = try startServer(factory: factory, identity: identity, domainSecure: false)

        let ok = try sClient(server, ["-CAfile", identity.certificatePath, "-verify_hostname", fqdn, "-verify_return_error"])
        XCTAssertEqual(ok.status, 0, ok.output)
        XCTAssertTrue(ok.output.contains("Verify return code: 0 (ok)"), ok.output)
        XCTAssertTrue(ok.output.contains(TLSTestServer.greeting), ok.output)
        XCTAssertEqual(server.recorder.version, .tlsv13)
        XCTAssertNil(server.recorder.peer, "no client certificate is requested without domain security")

        // The short host name is in the certificate too.
        let short = try sClient(server, ["-CAfile", identity.certificatePath, "-verify_hostname", "mbx01", "-verify_return_error"])
        XCTAssertEqual(short.status, 0, short.output)

        // The check is real: another host name fails.
        let wrong = try sClient(server, ["-CAfile", identity.certificatePath, "-verify_hostname", "mail.fabrikam.com", "-verify_return_error"])
        XCTAssertNotEqual(wrong.status, 0, wrong.output)
        XCTAssertFalse(wrong.output.contains(TLSTestServer.greeting), wrong.output)
    }

    func testTLS12IsTheMinimum() throws {
        let store = CertificateStore(dataDirectory: dataDirectory, serverFqdn: fqdn)
        let identity = try store.ensureServerCertificate(fqdn: fqdn)
        let server = try startServer(factory: TLSContextFactory(store: store), identity: identity, domainSecure: false)

        let tls12 = try sClient(server, ["-tls1_2", "-CAfile", identity.certificatePath, "-verify_hostname", fqdn, "-verify_return_error"])
        XCTAssertEqual(tls12.status, 0, tls12.output)
        XCTAssertEqual(server.recorder.version, .tlsv12)

        let tls11 = try sClient(server, ["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"])
        XCTAssertNotEqual(tls11.status, 0, tls11.output)
        XCTAssertFalse(tls11.output.contains(TLSTestServer.greeting), tls11.output)
        XCTAssertEqual(server.recorder.handshakes, 1)
    }

    /// What a scanner (testssl.sh) checks: TLS 1.2 offers only forward-secret AEAD suites (no CBC: LUCKY13),
    /// and the self-signed certificate is RSA, which clients without ECDSA can use.
    func testOnlyForwardSecretAEADSuitesAndAnRSACertificate() throws {
        let store = CertificateStore(dataDirectory: dataDirectory, serverFqdn: fqdn)
        let identity = try store.ensureServerCertificate(fqdn: fqdn)
        let server = try startServer(factory: TLSContextFactory(store: store), identity: identity, domainSecure: false)

        // The one TLS 1.2 suite for an RSA certificate: the server's choice whatever the client prefers.
        for cipher in ["ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384"] {
            let ok = try sClient(server, ["-tls1_2", "-cipher", cipher])
            XCTAssertEqual(ok.status, 0, "\(cipher): \(ok.output)")
            XCTAssertTrue(ok.output.contains("Cipher is ECDHE-RSA-AES256-GCM-SHA384"), ok.output)
            XCTAssertTrue(ok.output.contains("Server public key is 2048 bit"), ok.output)
        }
        for cipher in ["ECDHE-RSA-AES128-SHA", "ECDHE-RSA-AES256-SHA384", "AES128-GCM-SHA256", "AES256-SHA", "ECDHE-RSA-AES128-GCM-SHA256"] {
            let refused = try sClient(server, ["-tls1_2", "-cipher", cipher])
            XCTAssertNotEqual(refused.status, 0, "\(cipher) must be refused: \(refused.output)")
            XCTAssertFalse(refused.output.contains(TLSTestServer.greeting), refused.output)
        }
    }

    func testInstalledCertificateChainVerifiesAgainstItsCA() throws {
        let store = CertificateStore(dataDirectory: dataDirectory, serverFqdn: fqdn)
        let ca = try TLSTestSupport.makeCA(
            try DistinguishedName {
                OrganizationName("Contoso"); CommonName("Contoso Root CA")
            })
        let intermediate = try TLSTestSupport.makeCA(
            try DistinguishedName {
                OrganizationName("Contoso"); CommonName("Contoso Issuing CA")
            }, issuer: ca)
        let leaf = try TLSTestSupport.makeLeaf(
            try DistinguishedName { CommonName("*.contoso.com") }, dnsNames: ["*.contoso.com"], issuer: intermediate)
        try TLSTestSupport.install(leaf, chain: [intermediate], base: "wildcard", in: store)
        let caFile = "\(dataDirectory)/contoso-ca.pem"
        try TLSTestSupport.write(ca.certificatePEM, to: caFile)

        let identity = try store.certificate(for: "mail.contoso.com", tlsCertificateName: nil)
        XCTAssertTrue(identity.certificatePath.hasSuffix("wildcard.pem"))
        let server = try startServer(factory: TLSContextFactory(store: store), identity: identity, domainSecure: false)
        let result = try TLSTestSupport.runOpenSSL(
            [
                "s_client", "-connect", "127.0.0.1:\(server.port)", "-servername", "mail.contoso.com",
                "-CAfile", caFile, "-verify_hostname", "mail.contoso.com", "-verify_return_error",
            ],
            waitFor: TLSTestServer.greeting)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("Verify return code: 0 (ok)"), result.output)
    }

    // MARK: Mutual TLS (DomainSecureEnabled)

    private struct Partner {
        let certificatePath: String
        let keyPath: String
    }

    private func makePartner(
        trusted: Bool, hostName: String = "mail.fabrikam.com", usages: [ExtendedKeyUsage.Usage] = [.clientAuth],
        store: CertificateStore
    ) throws -> Partner {
        try store.prepareFolders()
        let ca = try TLSTestSupport.makeCA(
            try DistinguishedName {
                OrganizationName("Fabrikam"); CommonName("Fabrikam Partner CA")
            })
        if trusted {
            try TLSTestSupport.write(ca.certificatePEM, to: "\(store.trustedDirectory)/fabrikam-ca.pem", mode: 0o644)
        }
        let client = try TLSTestSupport.makeLeaf(
            try DistinguishedName {
                OrganizationName("Fabrikam"); CommonName(hostName)
            },
            dnsNames: [hostName], issuer: ca, usages: usages)
        let partner = Partner(
            certificatePath: "\(dataDirectory)/client-\(UUID().uuidString).pem", keyPath: "\(dataDirectory)/client-\(UUID().uuidString).key")
        try TLSTestSupport.write(client.certificatePEM, to: partner.certificatePath)
        try TLSTestSupport.write(client.keyPEM, to: partner.keyPath)
        return partner
    }

    func testMutualTLSRecognizesAPartnerDomain() throws {
        let store = CertificateStore(dataDirectory: dataDirectory, serverFqdn: fqdn)
        let identity = try store.ensureServerCertificate(fqdn: fqdn)
        let partner = try makePartner(trusted: true, store: store)
        let factory = TLSContextFactory(store: store)
        XCTAssertEqual(factory.partnerTrustAnchors, ["CN=Fabrikam Partner CA, O=Fabrikam"])
        XCTAssertEqual(factory.trustAnchorProblems, [])
        let server = try startServer(factory: factory, identity: identity, domainSecure: true)

        for versionFlag in ["-tls1_3", "-tls1_2"] {
            let result = try sClient(
                server,
                [
                    versionFlag, "-cert", partner.certificatePath, "-key", partner.keyPath,
                    "-CAfile", identity.certificatePath, "-verify_hostname", fqdn, "-verify_return_error",
                ])
            XCTAssertEqual(result.status, 0, result.output)
            XCTAssertTrue(result.output.contains(TLSTestServer.greeting), result.output)
            let peer = try XCTUnwrap(server.recorder.peer, versionFlag)
            XCTAssertNotNil(server.recorder.validated, "the handler exposes the validated chain")
            XCTAssertEqual(server.recorder.validated?.count, 2)
            XCTAssertEqual(factory.verifiedPartnerDomain(peerCertificate: peer, domainSecureList: ["fabrikam.com"]), "fabrikam.com", versionFlag)
            XCTAssertEqual(factory.verifiedPartnerDomain(peerCertificate: peer, domainSecureList: ["woodgrove.com", "FABRIKAM.com"]), "fabrikam.com")
            XCTAssertNil(factory.verifiedPartnerDomain(peerCertificate: peer, domainSecureList: ["woodgrove.com"]), versionFlag)
            XCTAssertNil(factory.verifiedPartnerDomain(peerCertificate: peer, domainSecureList: ["*"]))
            XCTAssertNil(factory.verifiedPartnerDomain(peerCertificate: peer, domainSecureList: []))
        }

        // Removing the partner CA and reloading forgets what was verified.
        let peer = try XCTUnwrap(server.recorder.peer)
        try FileManager.default.removeItem(atPath: "\(store.trustedDirectory)/fabrikam-ca.pem")
        factory.reloadTrustAnchors()
        XCTAssertEqual(factory.partnerTrustAnchors, [])
        XCTAssertNil(factory.verifiedPartnerDomain(peerCertificate: peer, domainSecureList: ["fabrikam.com"]))
    }

    func testPartnerPresentingItsServerCertificateIsRecognized() throws {
        // MTAs usually present their server certificate (serverAuth only) as client certificate.
        let store = CertificateStore(dataDirectory: dataDirectory, serverFqdn: fqdn)
        let identity = try store.ensureServerCertificate(fqdn: fqdn)
        let serverOnly = try makePartner(trusted: true, hostName: "smtp.woodgrove.com", usages: [ExtendedKeyUsage.Usage.serverAuth], store: store)
        let factory = TLSContextFactory(store: store)
        let server = try startServer(factory: factory, identity: identity, domainSecure: true)
        let result = try sClient(server, ["-cert", serverOnly.certificatePath, "-key", serverOnly.keyPath])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertEqual(factory.verifiedPartnerDomain(peerCertificate: server.recorder.peer, domainSecureList: ["woodgrove.com"]), "woodgrove.com")

        // A certificate for some other purpose (e-mail signing only) is not accepted for domain security.
        let signing = try makePartner(trusted: true, hostName: "mail.fabrikam.com", usages: [ExtendedKeyUsage.Usage.emailProtection], store: store)
        factory.reloadTrustAnchors()
        let other = try sClient(server, ["-cert", signing.certificatePath, "-key", signing.keyPath])
        XCTAssertEqual(other.status, 0, other.output)
        XCTAssertNotNil(server.recorder.peer)
        XCTAssertNil(factory.verifiedPartnerDomain(peerCertificate: server.recorder.peer, domainSecureList: ["fabrikam.com"]))
    }

    func testPartnerChainThroughAnIntermediateAndExpiredCertificates() throws {
        let store = CertificateStore(dataDirectory: dataDirectory, serverFqdn: fqdn)
        let identity = try store.ensureServerCertificate(fqdn: fqdn)
        try store.prepareFolders()
        let root = try TLSTestSupport.makeCA(
            try DistinguishedName {
                OrganizationName("Fabrikam"); CommonName("Fabrikam Root CA")
            })
        let issuing = try TLSTestSupport.makeCA(
            try DistinguishedName {
                OrganizationName("Fabrikam"); CommonName("Fabrikam Issuing CA")
            }, issuer: root)
        try TLSTestSupport.write(root.certificatePEM, to: "\(store.trustedDirectory)/fabrikam-root.crt", mode: 0o644)
        let client = try TLSTestSupport.makeLeaf(
            try DistinguishedName { CommonName("mx1.fabrikam.com") }, dnsNames: ["mx1.fabrikam.com"],
            issuer: issuing, usages: [.clientAuth])
        let expired = try TLSTestSupport.makeLeaf(
            try DistinguishedName { CommonName("mx2.fabrikam.com") }, dnsNames: ["mx2.fabrikam.com"],
            issuer: issuing, notBefore: Date().addingTimeInterval(-400 * 86400),
            notAfter: Date().addingTimeInterval(-86400), usages: [.clientAuth])
        let chainFile = "\(dataDirectory)/issuing.pem"
        try TLSTestSupport.write(issuing.certificatePEM, to: chainFile)
        for (name, issued) in [("client", client), ("expired", expired)] {
            try TLSTestSupport.write(issued.certificatePEM, to: "\(dataDirectory)/\(name).pem")
            try TLSTestSupport.write(issued.keyPEM, to: "\(dataDirectory)/\(name).key")
        }
        let factory = TLSContextFactory(store: store)
        let server = try startServer(factory: factory, identity: identity, domainSecure: true)

        let good = try sClient(server, ["-cert", "\(dataDirectory)/client.pem", "-key", "\(dataDirectory)/client.key", "-cert_chain", chainFile])
        XCTAssertEqual(good.status, 0, good.output)
        XCTAssertEqual(server.recorder.validated?.count, 3, "leaf, intermediate, root")
        XCTAssertEqual(factory.verifiedPartnerDomain(peerCertificate: server.recorder.peer, domainSecureList: ["fabrikam.com"]), "fabrikam.com")

        // Without the intermediate the chain cannot be built.
        let noChain = try sClient(server, ["-cert", "\(dataDirectory)/client.pem", "-key", "\(dataDirectory)/client.key"])
        XCTAssertEqual(noChain.status, 0, noChain.output)
        XCTAssertNil(server.recorder.validated)

        // Expired: TLS works, no partner.
        let old = try sClient(server, ["-cert", "\(dataDirectory)/expired.pem", "-key", "\(dataDirectory)/expired.key", "-cert_chain", chainFile])
        XCTAssertEqual(old.status, 0, old.output)
        XCTAssertNotNil(server.recorder.peer)
        XCTAssertNil(factory.verifiedPartnerDomain(peerCertificate: server.recorder.peer, domainSecureList: ["fabrikam.com"]))
    }

    func testNonPartnersStillTalkOnADomainSecureConnector() throws {
        let store = CertificateStore(dataDirectory: dataDirectory, serverFqdn: fqdn)
        let identity = try store.ensureServerCertificate(fqdn: fqdn)
        _ = try makePartner(trusted: true, store: store)
        let stranger = try makePartner(trusted: false, store: store)  // a CA nobody trusts
        let factory = TLSContextFactory(store: store)
        let server = try startServer(factory: factory, identity: identity, domainSecure: true)

        // No client certificate: TLS works, no partner.
        let anonymous = try sClient(server, ["-CAfile", identity.certificatePath, "-verify_hostname", fqdn, "-verify_return_error"])
        XCTAssertEqual(anonymous.status, 0, anonymous.output)
        XCTAssertTrue(anonymous.output.contains(TLSTestServer.greeting), anonymous.output)
        XCTAssertNil(server.recorder.peer)
        XCTAssertNil(factory.verifiedPartnerDomain(peerCertificate: server.recorder.peer, domainSecureList: ["fabrikam.com"]))

        // A certificate from an untrusted CA: TLS still works, but it does not make a partner.
        for versionFlag in ["-tls1_3", "-tls1_2"] {
            let untrusted = try sClient(server, [versionFlag, "-cert", stranger.certificatePath, "-key", stranger.keyPath])
            XCTAssertEqual(untrusted.status, 0, untrusted.output)
            XCTAssertTrue(untrusted.output.contains(TLSTestServer.greeting), untrusted.output)
            let peer = try XCTUnwrap(server.recorder.peer, "the certificate was presented")
            XCTAssertNil(server.recorder.validated)
            XCTAssertNil(factory.verifiedPartnerDomain(peerCertificate: peer, domainSecureList: ["fabrikam.com"]), versionFlag)
        }

        // A self-signed client certificate (an MTA presenting its own certificate) is not a partner either.
        let selfSignedStore = CertificateStore(dataDirectory: "\(dataDirectory)/other")
        let selfSigned = try selfSignedStore.ensureServerCertificate(fqdn: "mail.fabrikam.com")
        let result = try sClient(server, ["-cert", selfSigned.certificatePath, "-key", selfSigned.privateKeyPath])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertNil(factory.verifiedPartnerDomain(peerCertificate: server.recorder.peer, domainSecureList: ["fabrikam.com"]))
    }

    func testCertificateFromAHandlerWithoutTheFactoryNeverMakesAPartner() throws {
        let store = CertificateStore(dataDirectory: dataDirectory, serverFqdn: fqdn)
        let partner = try makePartner(trusted: true, store: store)
        let factory = TLSContextFactory(store: store)
        let pem = try String(contentsOfFile: partner.certificatePath, encoding: .utf8)
        let cert = try NIOSSLCertificate(bytes: Array(pem.utf8), format: .pem)
        XCTAssertNil(
            factory.verifiedPartnerDomain(peerCertificate: cert, domainSecureList: ["fabrikam.com"]),
            "only a chain this factory verified counts")
    }

    func testContextsAreCachedByCertificateAndOptions() throws {
        let store = CertificateStore(dataDirectory: dataDirectory, serverFqdn: fqdn)
        let identity = try store.ensureServerCertificate(fqdn: fqdn)
        let again = try store.ensureServerCertificate(fqdn: fqdn)
        let other = try store.ensureServerCertificate(fqdn: "mail.contoso.test")
        let factory = TLSContextFactory(store: store)
        let plain = try factory.serverContext(for: identity, domainSecure: false)
        XCTAssertTrue(plain === (try factory.serverContext(for: again, domainSecure: false)), "same certificate and options: the same context")
        XCTAssertFalse(plain === (try factory.serverContext(for: identity, domainSecure: true)))
        XCTAssertFalse(plain === (try factory.serverContext(for: other, domainSecure: false)))
        factory.reloadTrustAnchors()
        XCTAssertFalse(plain === (try factory.serverContext(for: identity, domainSecure: false)), "a reload starts afresh")
    }

    // MARK: Domain matching

    func testPartnerDomainMatching() {
        func match(_ names: [String], _ list: [String]) -> String? {
            TLSContextFactory.partnerDomain(certificateNames: names, domainSecureList: list)
        }
        XCTAssertEqual(match(["mail.fabrikam.com"], ["fabrikam.com"]), "fabrikam.com")
        XCTAssertEqual(match(["fabrikam.com"], ["fabrikam.com"]), "fabrikam.com")
        XCTAssertEqual(match(["MAIL.Fabrikam.COM."], [" Fabrikam.com "]), "fabrikam.com")
        XCTAssertEqual(match(["a.b.fabrikam.com"], ["fabrikam.com"]), "fabrikam.com")
        XCTAssertEqual(match(["*.fabrikam.com"], ["fabrikam.com"]), "fabrikam.com")
        XCTAssertEqual(match(["mail.eu.fabrikam.com"], ["fabrikam.com", "eu.fabrikam.com"]), "eu.fabrikam.com", "the most specific entry")
        XCTAssertEqual(match(["Fabrikam Mail Gateway", "mx.woodgrove.com"], ["woodgrove.com"]), "woodgrove.com")
        XCTAssertNil(match(["mail.notfabrikam.com"], ["fabrikam.com"]))
        XCTAssertNil(match(["fabrikam.com.evil.test"], ["fabrikam.com"]))
        XCTAssertNil(match(["mail.fabrikam.com"], ["woodgrove.com"]))
        XCTAssertNil(match(["mail.fabrikam.com"], ["*"]))
        XCTAssertNil(match(["mail.fabrikam.com"], ["*.fabrikam.com"]))
        XCTAssertNil(match(["fabrikam.com"], ["mail.fabrikam.com"]))
        XCTAssertNil(match([], ["fabrikam.com"]))
    }
}
