import XCTest
import EMSLanguage
import ReceptorCore
import ReceptorStore
@testable import ReceptorShell

final class PermissionCmdletTests: ShellTestCase {
    func testAnonymousRelayMethodAGrantsAcceptAnyRecipient() throws {
        try run(
            #"New-ReceiveConnector -Name "Anonymous Relay" -TransportRole FrontendTransport -Custom -Bindings 0.0.0.0:25 -RemoteIPRanges 192.168.5.10 -PermissionGroups AnonymousUsers"#
        )
        try run(
            #"Get-ReceiveConnector "Anonymous Relay" | Add-ADPermission -User "NT AUTHORITY\ANONYMOUS LOGON" -ExtendedRights "Ms-Exch-SMTP-Accept-Any-Recipient""#
        )
        let c = try connector("Anonymous Relay")
        let rights = PermissionModel.effectiveRights(
            connector: c, explicitEntries: try store.permissions(connector: c.guid),
            authentication: .anonymous, domain: "CONTOSO")
        XCTAssertTrue(rights.contains(.acceptAnyRecipient))
        XCTAssertTrue(rights.contains(.submit))
        let out = try run(
            #"Get-ADPermission -Identity "Anonymous Relay" -User "NT AUTHORITY\ANONYMOUS LOGON" | where {($_.Deny -eq $false) -and ($_.IsInherited -eq $false)} | Format-Table User,ExtendedRights"#
        )
        XCTAssertTrue(out.contains("ms-Exch-SMTP-Accept-Any-Recipient"), out)
    }

    func testRemoveCannotTouchGroupRights() throws {
        refuse(
            #"Remove-ADPermission "Default Frontend MBX01" -User "NT AUTHORITY\ANONYMOUS LOGON" -ExtendedRights ms-Exch-SMTP-Submit -Confirm:$false"#,
            containing: "permission group")
    }

    func testDenyEntryWins() throws {
        try run(#"Add-ADPermission "Default Frontend MBX01" -User "NT AUTHORITY\ANONYMOUS LOGON" -ExtendedRights ms-Exch-SMTP-Submit -Deny"#)
        let c = try connector("Default Frontend MBX01")
        let rights = PermissionModel.effectiveRights(
            connector: c, explicitEntries: try store.permissions(connector: c.guid),
            authentication: .anonymous, domain: "CONTOSO")
        XCTAssertFalse(rights.contains(.submit))
    }

    func testUnknownUserAndRightAreRefused() {
        refuse(
            #"Add-ADPermission "Default Frontend MBX01" -User "CONTOSO\nobody" -ExtendedRights ms-Exch-SMTP-Submit"#, containing: "couldn't be found")
        refuse(
            #"Add-ADPermission "Default Frontend MBX01" -User "NT AUTHORITY\ANONYMOUS LOGON" -ExtendedRights ms-Exch-SMTP-Fly"#,
            containing: "not an extended right")
    }

    func testAccountPrincipal() throws {
        try run(
            #"New-Mailbox -Name kate -UserPrincipalName kate@contoso.test -Password (ConvertTo-SecureString -String 'P@ssw0rd!' -AsPlainText -Force)"#
        )
        try run(#"Add-ADPermission "Client Frontend MBX01" -User kate@contoso.test -ExtendedRights ms-Exch-SMTP-Accept-Any-Sender"#)
        let c = try connector("Client Frontend MBX01")
        let rights = PermissionModel.effectiveRights(
            connector: c, explicitEntries: try store.permissions(connector: c.guid),
            authentication: .account(principals: [SecurityPrincipal("kate@contoso.test")]), domain: "CONTOSO")
        XCTAssertTrue(rights.contains(.acceptAnySender))
        XCTAssertTrue(rights.contains(.acceptAnyRecipient))
        XCTAssertNotNil(try store.authenticate(login: "kate@contoso.test", password: "P@ssw0rd!"))
        XCTAssertNil(try store.authenticate(login: "kate@contoso.test", password: "wrong"))
    }
}
