import XCTest
import ReceptorCore
@testable import ReceptorSMTP

/// The recipient filter at RCPT: what the listener's snapshot gives each session (`RecipientDirectory`).
final class RecipientValidationTests: XCTestCase {
    func configuration(validation: Bool) -> SessionConfiguration {
        var c = TestWorld.configuration(TestWorld.defaultConnectors.first { $0.name.hasPrefix("Default Frontend") }!)
        let kate = MailboxAccount(name: "Kate", userPrincipalName: "kate@contoso.test", emailAddresses: ["k.smith@contoso.test"])
        c.recipients = RecipientDirectory(accounts: [kate], config: RecipientFilterConfig(recipientValidationEnabled: validation))
        return c
    }

    func testUnknownRecipientIsRefusedAtRcptAndKnownOnesGoToOneMailbox() {
        var h = Harness.open(configuration(validation: true))
        h.say("EHLO mail.fabrikam.com")
        h.say("MAIL FROM:<chris@fabrikam.com>")
        XCTAssertEqual(h.say("RCPT TO:<nobody@contoso.test>"), ["550 5.1.1 User unknown"])
        XCTAssertEqual(h.say("RCPT TO:<\"KATE\"@contoso.test.>"), ["250 2.1.5 Recipient OK"])
        XCTAssertEqual(h.say("RCPT TO:<k.smith@Contoso.test>"), ["250 2.1.5 Recipient OK"])
        XCTAssertEqual(h.say("RCPT TO:<someone@relay.contoso.test>"), ["250 2.1.5 Recipient OK"], "InternalRelay: relayed")
        h.say("DATA")
        h.message(["Subject: hi", "", "hello"])
        guard let envelope = h.delivered.last else { return XCTFail("nothing delivered") }
        XCTAssertEqual(envelope.recipients.map(\.mailbox), ["kate@contoso.test", "kate@contoso.test", nil])
        XCTAssertEqual(envelope.recipients.map(\.isRelay), [false, false, true])
    }

    func testWithValidationOffAnyLocalPartThatCanBeAFolderIsAccepted() {
        var h = Harness.open(configuration(validation: false))
        h.say("EHLO mail.fabrikam.com")
        h.say("MAIL FROM:<chris@fabrikam.com>")
        XCTAssertEqual(h.say("RCPT TO:<Nobody@contoso.test>"), ["250 2.1.5 Recipient OK"])
        // Today's refusal comes at RCPT, not as 451 for the whole message after DATA.
        XCTAssertEqual(h.say("RCPT TO:<\(String(repeating: "x", count: 300))@contoso.test>"), ["501 5.1.3 Invalid address"])
    }
}
