import XCTest
import ReceptorCore
@testable import ReceptorShell

final class MailboxCmdletTests: ShellTestCase {
    let password = "-Password (ConvertTo-SecureString -String 'P@ssw0rd!' -AsPlainText -Force)"

    func testEmailAddressesOnNewAndSetMailbox() throws {
        try run(
            "New-Mailbox -Name kate -UserPrincipalName kate@contoso.test -EmailAddresses smtp:k.hall@contoso.test,SMTP:K.HALL@contoso.test \(password)"
        )
        XCTAssertEqual(try store.accounts().first?.emailAddresses, ["k.hall@contoso.test"], "prefix dropped, duplicate once")
        try run("Set-Mailbox kate -EmailAddresses @{Add='kate.hall@contoso.test'; Remove='k.hall@contoso.test'}")
        XCTAssertEqual(try store.accounts().first?.emailAddresses, ["kate.hall@contoso.test"])
        let shown = try run("Get-Mailbox kate | Format-List EmailAddresses")
        XCTAssertTrue(shown.contains("{SMTP:kate@contoso.test, smtp:kate.hall@contoso.test}"), shown)
        try run("New-Mailbox -Name ben -UserPrincipalName ben@contoso.test \(password)")
        refuse("Set-Mailbox ben -EmailAddresses kate.hall@contoso.test", containing: "already used by mailbox kate@contoso.test")
        refuse("Set-Mailbox nobody -Alias x", containing: "couldn't be found")
    }

    func testRecipientFilterConfig() throws {
        XCTAssertTrue(try run("Get-RecipientFilterConfig | Format-List").contains("RecipientValidationEnabled : True"))
        try run("Set-RecipientFilterConfig -RecipientValidationEnabled $false")
        XCTAssertFalse(try store.recipientFilterConfig().recipientValidationEnabled)
        XCTAssertTrue(warnings.contains { $0.contains("Recipient validation is off") }, "\(warnings)")
        refuse("Set-RecipientFilterConfig -RecipientValidationEnabled maybe", containing: "takes $true or $false")
        try run("Set-RecipientFilterConfig -RecipientValidationEnabled $true")
        XCTAssertTrue(try store.recipientFilterConfig().recipientValidationEnabled)
    }
}
