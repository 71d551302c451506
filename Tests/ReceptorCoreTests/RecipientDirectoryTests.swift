import XCTest
@testable import ReceptorCore

final class RecipientDirectoryTests: XCTestCase {
    let contoso = AcceptedDomain(name: "Contoso", domainName: "contoso.test", domainType: .authoritative, isDefault: true)
    let shared = AcceptedDomain(name: "Shared", domainName: "fabrikam.test", domainType: .internalRelay)
    let outside = AcceptedDomain(name: "Outside", domainName: "woodgrove.test", domainType: .externalRelay)
    let kate = MailboxAccount(
        name: "Kate", userPrincipalName: "kate@contoso.test", primarySmtpAddress: "Kate.Smith@contoso.test",
        emailAddresses: ["k@contoso.test", "kate@fabrikam.test"])

    func directory(validation: Bool = true) -> RecipientDirectory {
        RecipientDirectory(accounts: [kate], config: RecipientFilterConfig(recipientValidationEnabled: validation))
    }

    func testEveryAddressOfAMailboxLeadsToItsPrimaryAddress() {
        let d = directory()
        for local in ["kate", "KATE", "kate.smith", "k", "\"kate\"", "\"Kate.Smith\""] {
            XCTAssertEqual(d.route(local: local, domain: "Contoso.Test.", accepted: contoso), .mailbox("kate.smith@contoso.test"), local)
        }
        XCTAssertEqual(d.route(local: "kate", domain: "fabrikam.test", accepted: shared), .mailbox("kate.smith@contoso.test"))
    }

    func testUnknownRecipientsByDomainType() {
        XCTAssertEqual(directory().route(local: "nobody", domain: "contoso.test", accepted: contoso), .unknownUser)
        XCTAssertEqual(directory().route(local: "nobody", domain: "fabrikam.test", accepted: shared), .relay)
        XCTAssertEqual(directory().route(local: "kate", domain: "woodgrove.test", accepted: outside), .relay)
        // Validation off: the catch-all for Authoritative domains; relay domains stay relayed.
        XCTAssertEqual(
            directory(validation: false).route(local: "Nobody", domain: "contoso.test", accepted: contoso), .mailbox("nobody@contoso.test"))
        XCTAssertEqual(directory(validation: false).route(local: "nobody", domain: "fabrikam.test", accepted: shared), .relay)
    }

    func testAQuotedLocalPartThatNeedsItsQuotesIsAnotherAddress() {
        XCTAssertEqual(RecipientDirectory.unquoted("\"kate\""), "kate")
        XCTAssertEqual(RecipientDirectory.unquoted("\"a.b\""), "a.b")
        XCTAssertEqual(RecipientDirectory.unquoted("\"a b\""), "\"a b\"")
        XCTAssertEqual(RecipientDirectory.unquoted("\".a\""), "\".a\"")
        XCTAssertEqual(RecipientDirectory.unquoted("\"a..b\""), "\"a..b\"")
        XCTAssertEqual(RecipientDirectory.unquoted("\"\""), "\"\"")
        XCTAssertEqual(directory().route(local: "\"kate smith\"", domain: "contoso.test", accepted: contoso), .unknownUser)
    }

    func testLocalPartsThatCannotBeFoldersAreRefused() {
        let d = directory(validation: false)
        XCTAssertEqual(d.route(local: String(repeating: "x", count: 256), domain: "contoso.test", accepted: contoso), .unusableLocalPart)
        XCTAssertEqual(
            d.route(local: String(repeating: "x", count: 255), domain: "contoso.test", accepted: contoso),
            .mailbox(String(repeating: "x", count: 255) + "@contoso.test"))
        XCTAssertEqual(RecipientDirectory.folderName("a/b"), "a_b")
        XCTAssertEqual(RecipientDirectory.folderName(".."), "_..")
        XCTAssertEqual(RecipientDirectory.folderName("ÄBC"), "äbc")
        XCTAssertNil(RecipientDirectory.folderName(String(repeating: "é", count: 128)), "256 bytes")
    }
}
