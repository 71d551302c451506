import Crypto
import _CryptoExtras
import Foundation
import X509
import XCTest
@testable import ReceptorListener

final class TLSCertificateStoreTests: XCTestCase {
    private var dataDirectory = ""

    override func setUpWithError() throws {
        dataDirectory = try TLSTestSupport.makeTemporaryDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    // MARK: Self-signed

    func testSelfSignedCertificateIsCreatedAsExchangeSetupDoes() throws {
        let store = CertificateStore(dataDirectory: dataDirectory, serverFqdn: "mbx01.contoso.test")
        let now = Date()
        let identity = try store.ensureServerCertificate(fqdn: "MBX01.contoso.test", now: now)

        let certs = "\(dataDirectory)/certs"
        XCTAssertEqual(identity.certificatePath, "\(certs)/mbx01.contoso.test.pem")
        XCTAssertEqual(identity.privateKeyPath, "\(certs)/mbx01.contoso.test.key")
        XCTAssertEqual(TLSTestSupport.mode(certs), 0o700)
        XCTAssertEqual(TLSTestSupport.mode("\(certs)/trusted"), 0o700)
        XCTAssertEqual(TLSTestSupport.mode(identity.privateKeyPath), 0o600)
        XCTAssertEqual(TLSTestSupport.mode(identity.certificatePath), 0o644)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: certs).filter { $0.hasPrefix(".") }
        XCTAssertEqual(leftovers, [], "no temporary files stay behind")

        let pem = try String(contentsOfFile: identity.certificatePath, encoding: .utf8)
        let cert = try Certificate(pemEncoded: pem)
        XCTAssertEqual(X500NameText.commonNames(cert.subject), ["mbx01.contoso.test"])
        XCTAssertEqual(cert.subject, cert.issuer)
        XCTAssertEqual(identity.dnsNames, ["mbx01.contoso.test", "mbx01"])
        XCTAssertEqual(identity.subject, "CN=mbx01.contoso.test")
        XCTAssertEqual(identity.tlsCertificateName, "<I>CN=mbx01.contoso.test<S>CN=mbx01.contoso.test")
        XCTAssertTrue(identity.isSelfSigned)
        XCTAssertTrue(identity.matches(hostName: "mbx01.contoso.test"))
        XCTAssertTrue(identity.matches(hostName: "MBX01"))
        XCTAssertEqual(identity.thumbprint.count, 40)

        // Five years, starting now.
        let fiveYears = Calendar(identifier: .gregorian).date(byAdding: .year, value: 5, to: now)!
        XCTAssertEqual(cert.notValidAfter.timeIntervalSince1970, fiveYears.timeIntervalSince1970, accuracy: 2)
        XCTAssertLessThanOrEqual(cert.notValidBefore, now)
        XCTAssertGreaterThan(cert.notValidBefore, now.addingTimeInterval(-3600))

        XCTAssertEqual(try cert.extensions.basicConstraints, .notCertificateAuthority)
        let usages = try XCTUnwrap(try cert.extensions.extendedKeyUsage)
        XCTAssertTrue(usages.contains(.serverAuth))
        XCTAssertTrue(cert.publicKey.isValidSignature(cert.signature, for: cert), "self-signed")

        // RSA 2048, as Exchange setup's: clients without ECDSA (old devices, scanners) can use it.
        XCTAssertEqual(cert.signatureAlgorithm, .sha256WithRSAEncryption)
        let keyPEM = try String(contentsOfFile: identity.privateKeyPath, encoding: .utf8)
        let key = try _RSA.Signing.PrivateKey(pemRepresentation: keyPEM)
        XCTAssertEqual(key.keySizeInBits, 2048)
        XCTAssertEqual(Certificate.PublicKey(key.publicKey), cert.publicKey)
    }

    func testSelfSignedECDSACertificateOfAnEarlierVersionIsReplacedByRSA() throws {
        let store = CertificateStore(dataDirectory: dataDirectory)
        try store.prepareFolders()
        // What earlier versions made: a self-signed P-256 certificate for the FQDN.
        let leaf = try TLSTestSupport.makeLeaf(
            try DistinguishedName { CommonName("mbx01.contoso.test") }, dnsNames: ["mbx01.contoso.test"], issuer: nil)
        try TLSTestSupport.write(leaf.certificatePEM, to: "\(dataDirectory)/certs/mbx01.contoso.test.pem")
        try TLSTestSupport.write(leaf.keyPEM, to: "\(dataDirectory)/certs/mbx01.contoso.test.key")
        let before = try store.load(
            certificatePath: "\(dataDirectory)/certs/mbx01.contoso.test.pem",
            privateKeyPath: "\(dataDirectory)/certs/mbx01.contoso.test.key")
        XCTAssertTrue(before.isSelfSigned)
        let identity = try store.ensureServerCertificate(fqdn: "mbx01.contoso.test")
        XCTAssertNotEqual(identity.sha256Fingerprint, before.sha256Fingerprint)
        XCTAssertEqual(
            try Certificate(pemEncoded: String(contentsOfFile: identity.certificatePath, encoding: .utf8)).signatureAlgorithm,
            .sha256WithRSAEncryption)
        let names = try FileManager.default.contentsOfDirectory(atPath: "\(dataDirectory)/certs")
        XCTAssertTrue(names.contains { $0.hasPrefix("mbx01.contoso.test.pem.replaced-") }, "the old one is kept aside")
        // The RSA one is kept from then on.
        XCTAssertEqual(try store.ensureServerCertificate(fqdn: "mbx01.contoso.test").sha256Fingerprint, identity.sha256Fingerprint)
    }

    func testSelfSignedCertificateIsReusedThenReplacedWhenItNoLongerFits() throws {
        let store = CertificateStore(dataDirectory: dataDirectory)
        let now = Date()
        let first = try store.ensureServerCertificate(fqdn: "mbx01.contoso.test", now: now)
        let second = try store.ensureServerCertificate(fqdn: "mbx01.contoso.test", now: now.addingTimeInterval(86400))
        XCTAssertEqual(first.sha256Fingerprint, second.sha256Fingerprint, "reused on the second call")

        // The FQDN changes: a certificate for the new name.
        let renamed = try store.ensureServerCertificate(fqdn: "mail.contoso.test", now: now)
        XCTAssertNotEqual(renamed.sha256Fingerprint, first.sha256Fingerprint)
        XCTAssertEqual(renamed.commonNames, ["mail.contoso.test"])
        XCTAssertEqual(renamed.certificatePath, "\(dataDirectory)/certs/mail.contoso.test.pem")

        // A key that does not belong to the certificate: replaced, the old files kept aside.
        let other = P256.Signing.PrivateKey()
        try TLSTestSupport.write(other.pemRepresentation, to: first.privateKeyPath)
        let repaired = try store.ensureServerCertificate(fqdn: "mbx01.contoso.test", now: now)
        XCTAssertNotEqual(repaired.sha256Fingerprint, first.sha256Fingerprint)
        let names = try FileManager.default.contentsOfDirectory(atPath: "\(dataDirectory)/certs")
        XCTAssertTrue(names.contains { $0.hasPrefix("mbx01.contoso.test.key.replaced-") })
        XCTAssertTrue(names.contains { $0.hasPrefix("mbx01.contoso.test.pem.replaced-") })
        XCTAssertEqual(TLSTestSupport.mode(repaired.privateKeyPath), 0o600)

        // Renewed when it is about to expire.
        let late = repaired.notAfter.addingTimeInterval(-10 * 86400)
        let renewed = try store.ensureServerCertificate(fqdn: "mbx01.contoso.test", now: late)
        XCTAssertNotEqual(renewed.sha256Fingerprint, repaired.sha256Fingerprint)
        XCTAssertGreaterThan(renewed.notAfter, late.addingTimeInterval(4 * 365 * 86400))
    }

    func testCertificatesFolderIsTightenedTo0700() throws {
        try FileManager.default.createDirectory(
            atPath: "\(dataDirectory)/certs", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let store = CertificateStore(dataDirectory: dataDirectory)
        _ = try store.ensureServerCertificate(fqdn: "mbx01.contoso.test")
        XCTAssertEqual(TLSTestSupport.mode("\(dataDirectory)/certs"), 0o700)
    }

    func testBadFqdnIsRefused() {
        let store = CertificateStore(dataDirectory: dataDirectory)
        XCTAssertThrowsError(try store.ensureServerCertificate(fqdn: "../etc"))
        XCTAssertThrowsError(try store.ensureServerCertificate(fqdn: " "))
    }

    // MARK: Installed certificates and TlsCertificateName

    private func contosoCA() throws -> TLSTestSupport.Issued {
        try TLSTestSupport.makeCA(
            try DistinguishedName {
                OrganizationName("Contoso")
                CommonName("Contoso CA")
            })
    }

    func testTlsCertificateNameMatchesIssuerAndSubjectLoosely() throws {
        let store = CertificateStore(dataDirectory: dataDirectory, serverFqdn: "mbx01.contoso.test")
        let ca = try contosoCA()
        let leaf = try TLSTestSupport.makeLeaf(try DistinguishedName { CommonName("mail.contoso.com") }, dnsNames: ["mail.contoso.com"], issuer: ca)
        try TLSTestSupport.install(leaf, chain: [ca], base: "mail", in: store)

        let inventory = store.installedCertificates()
        XCTAssertEqual(inventory.problems, [])
        let installed = try XCTUnwrap(inventory.certificates.first)
        XCTAssertEqual(installed.tlsCertificateName, "<I>CN=Contoso CA, O=Contoso<S>CN=mail.contoso.com")
        XCTAssertEqual(installed.issuer, "CN=Contoso CA, O=Contoso")
        XCTAssertEqual(installed.certificateChain.count, 2)
        XCTAssertFalse(installed.isSelfSigned)

        let spellings = [
            "<I>CN=Contoso CA, O=Contoso<S>CN=mail.contoso.com",
            "<i>cn=contoso ca,o=contoso<s>cn=MAIL.Contoso.COM",
            "  <I>CN=Contoso   CA ,  O=Contoso <S> CN=mail.contoso.com  ",
            "<I>O=Contoso, CN=Contoso CA<S>CN=mail.contoso.com",
            "<I>O = Contoso, CN = Contoso CA<S>CN = mail.contoso.com",
            "<I>issuer=O = Contoso, CN = Contoso CA<S>subject=CN = mail.contoso.com",
            "<I>/O=Contoso/CN=Contoso CA<S>/CN=mail.contoso.com",
            "<I>CN=Contoso CA;O=Contoso<S>commonName=mail.contoso.com",
            "<I>CN=\"Contoso CA\", O=Contoso<S>OID.2.5.4.3=mail.contoso.com",
        ]
        for text in spellings {
            let found = try store.certificate(named: text)
            XCTAssertEqual(found?.sha256Fingerprint, installed.sha256Fingerprint, text)
            XCTAssertTrue(try installed.matches(tlsCertificateName: text), text)
        }

        let misses = [
            "<I>CN=Contoso CA<S>CN=mail.contoso.com",  // the O is missing
            "<I>CN=Fabrikam CA, O=Contoso<S>CN=mail.contoso.com",
            "<I>CN=Contoso CA, O=Contoso<S>CN=smtp.contoso.com",
            "<I>CN=mail.contoso.com<S>CN=Contoso CA, O=Contoso",  // issuer and subject swapped
            "<I>O=Contoso, CN=Contoso CA, C=US<S>CN=mail.contoso.com",
        ]
        for text in misses {
            XCTAssertNil(try store.certificate(named: text), text)
        }
    }

    func testNoMatchGivesAClearError() throws {
        let store = CertificateStore(dataDirectory: dataDirectory, serverFqdn: "mbx01.contoso.test")
        let ca = try contosoCA()
        let leaf = try TLSTestSupport.makeLeaf(try DistinguishedName { CommonName("mail.contoso.com") }, dnsNames: ["mail.contoso.com"], issuer: ca)
        try TLSTestSupport.install(leaf, base: "mail", in: store)

        XCTAssertThrowsError(try store.certificate(for: "mail.contoso.com", tlsCertificateName: "<I>CN=Fabrikam CA<S>CN=mail.contoso.com")) { error in
            let message = String(describing: error)
            XCTAssertTrue(
                message.contains("no installed certificate matches TlsCertificateName \"<I>CN=Fabrikam CA<S>CN=mail.contoso.com\""), message)
            XCTAssertTrue(message.contains("\"<I>CN=Contoso CA, O=Contoso<S>CN=mail.contoso.com\" (mail.pem)"), message)
            XCTAssertTrue(message.contains("cp mail.pem mail.key"), message)
        }
        for malformed in ["CN=mail.contoso.com", "<I>CN=Contoso CA", "<I><S>CN=x", "<I>CN=Contoso CA<S>mail.contoso.com", "<I>XYZ=1<S>CN=x"] {
            XCTAssertThrowsError(try store.certificate(named: malformed), malformed) { error in
                let message = String(describing: error)
                XCTAssertTrue(message.contains("TlsCertificateName"), message)
                XCTAssertTrue(message.contains("<I>"), message)
            }
        }
        // The named certificate wins over the FQDN.
        let named = try store.certificate(for: "other.contoso.com", tlsCertificateName: "<I>CN=Contoso CA, O=Contoso<S>CN=mail.contoso.com")
        XCTAssertEqual(named.commonNames, ["mail.contoso.com"])
    }

    func testValuesWithCommasAreQuotedAndMatched() throws {
        let store = CertificateStore(dataDirectory: dataDirectory)
        let ca = try TLSTestSupport.makeCA(
            try DistinguishedName {
                CountryName("US")
                OrganizationName("Contoso, Ltd.")
                CommonName("Contoso Issuing CA 1")
            })
        let leaf = try TLSTestSupport.makeLeaf(
            try DistinguishedName {
                CountryName("US")
                StateOrProvinceName("Washington")
                OrganizationName("Contoso, Ltd.")
                CommonName("mail.contoso.com")
            }, dnsNames: ["mail.contoso.com"], issuer: ca)
        try TLSTestSupport.install(leaf, base: "mail", in: store)
        let installed = try XCTUnwrap(store.installedCertificates().certificates.first)
        XCTAssertEqual(
            installed.tlsCertificateName,
            "<I>CN=Contoso Issuing CA 1, O=\"Contoso, Ltd.\", C=US<S>CN=mail.contoso.com, O=\"Contoso, Ltd.\", S=Washington, C=US")
        for text in [
            installed.tlsCertificateName,
            "<I>C=US, O=Contoso\\, Ltd., CN=Contoso Issuing CA 1<S>C=US, ST=Washington, O=Contoso\\, Ltd., CN=mail.contoso.com",
            "<I>C = US, O = \"Contoso, Ltd.\", CN = Contoso Issuing CA 1<S>C = US, ST = Washington, O = \"Contoso, Ltd.\", CN = mail.contoso.com",
        ] {
            XCTAssertNotNil(try store.certificate(named: text), text)
        }
    }

    func testRenewedCertificateWithTheSameNamesWins() throws {
        let store = CertificateStore(dataDirectory: dataDirectory)
        let ca = try contosoCA()
        let subject = try DistinguishedName { CommonName("mail.contoso.com") }
        let old = try TLSTestSupport.makeLeaf(subject, dnsNames: ["mail.contoso.com"], issuer: ca, notAfter: Date().addingTimeInterval(30 * 86400))
        let new = try TLSTestSupport.makeLeaf(subject, dnsNames: ["mail.contoso.com"], issuer: ca, notAfter: Date().addingTimeInterval(400 * 86400))
        try TLSTestSupport.install(old, base: "mail-2025", in: store)
        try TLSTestSupport.install(new, base: "mail-2026", in: store)
        let found = try XCTUnwrap(try store.certificate(named: "<I>CN=Contoso CA, O=Contoso<S>CN=mail.contoso.com"))
        XCTAssertTrue(found.certificatePath.hasSuffix("mail-2026.pem"))
    }

    func testFqdnSelectsAnInstalledCertificateIncludingWildcards() throws {
        let store = CertificateStore(dataDirectory: dataDirectory, serverFqdn: "mbx01.contoso.test")
        let ca = try contosoCA()
        let wildcard = try TLSTestSupport.makeLeaf(try DistinguishedName { CommonName("*.contoso.com") }, dnsNames: ["*.contoso.com"], issuer: ca)
        try TLSTestSupport.install(wildcard, base: "wildcard", in: store)

        let forMail = try store.certificate(for: "mail.contoso.com", tlsCertificateName: nil)
        XCTAssertTrue(forMail.certificatePath.hasSuffix("wildcard.pem"))
        XCTAssertTrue(forMail.matches(hostName: "SMTP.Contoso.com."))
        let empty = try store.certificate(for: "mail.contoso.com", tlsCertificateName: "  ")
        XCTAssertTrue(empty.certificatePath.hasSuffix("wildcard.pem"), "an empty TlsCertificateName means automatic selection")

        // A wildcard covers one label only: these fall back to the server's self-signed certificate.
        for host in ["contoso.com", "a.b.contoso.com", "mail.fabrikam.com"] {
            let fallback = try store.certificate(for: host, tlsCertificateName: nil)
            XCTAssertEqual(fallback.certificatePath, "\(dataDirectory)/certs/mbx01.contoso.test.pem", host)
            XCTAssertTrue(fallback.isSelfSigned)
        }

        // An exact name beats the wildcard; an expired certificate is not picked.
        let exact = try TLSTestSupport.makeLeaf(try DistinguishedName { CommonName("mail.contoso.com") }, dnsNames: ["mail.contoso.com"], issuer: ca)
        try TLSTestSupport.install(exact, base: "mail", in: store)
        let expired = try TLSTestSupport.makeLeaf(
            try DistinguishedName { CommonName("smtp.contoso.com") }, dnsNames: ["smtp.contoso.com"], issuer: ca,
            notBefore: Date().addingTimeInterval(-800 * 86400), notAfter: Date().addingTimeInterval(-86400))
        try TLSTestSupport.install(expired, base: "smtp-expired", in: store)
        XCTAssertTrue(try store.certificate(for: "mail.contoso.com", tlsCertificateName: nil).certificatePath.hasSuffix("/mail.pem"))
        XCTAssertTrue(try store.certificate(for: "smtp.contoso.com", tlsCertificateName: nil).certificatePath.hasSuffix("wildcard.pem"))

        // A CA-issued certificate beats the self-signed one for the same name.
        let issuedForServer = try TLSTestSupport.makeLeaf(
            try DistinguishedName { CommonName("mbx01.contoso.test") }, dnsNames: ["mbx01.contoso.test"], issuer: ca)
        try TLSTestSupport.install(issuedForServer, base: "mbx01-issued", in: store)
        XCTAssertTrue(try store.certificate(for: "mbx01.contoso.test", tlsCertificateName: nil).certificatePath.hasSuffix("mbx01-issued.pem"))
    }

    func testInventoryReportsBrokenFilesAndOpenKeys() throws {
        let store = CertificateStore(dataDirectory: dataDirectory)
        let ca = try contosoCA()
        let leaf = try TLSTestSupport.makeLeaf(try DistinguishedName { CommonName("mail.contoso.com") }, dnsNames: ["mail.contoso.com"], issuer: ca)
        try TLSTestSupport.install(leaf, base: "mail", in: store)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: "\(store.certificatesDirectory)/mail.key")
        // A certificate with someone else's key, and one without a key.
        let other = try TLSTestSupport.makeLeaf(
            try DistinguishedName { CommonName("other.contoso.com") }, dnsNames: ["other.contoso.com"], issuer: ca)
        try TLSTestSupport.write(other.certificatePEM, to: "\(store.certificatesDirectory)/other.pem")
        try TLSTestSupport.write(leaf.keyPEM, to: "\(store.certificatesDirectory)/other.key")
        try TLSTestSupport.write(other.certificatePEM, to: "\(store.certificatesDirectory)/lonely.crt")

        let inventory = store.installedCertificates()
        XCTAssertEqual(inventory.certificates.map(\.commonNames), [["mail.contoso.com"]])
        XCTAssertEqual(inventory.problems.count, 3, "\(inventory.problems)")
        XCTAssertTrue(inventory.problems.contains { $0.contains("mail.key can be read by other users (mode 0644)") }, "\(inventory.problems)")
        XCTAssertTrue(inventory.problems.contains { $0.contains("other.key is not the private key of") }, "\(inventory.problems)")
        XCTAssertTrue(inventory.problems.contains { $0.contains("lonely.crt has no private key") }, "\(inventory.problems)")
    }
}
