import Foundation
import XCTest
import ReceptorCore
@testable import ReceptorStore

final class PermissionTests: StoreTestCase {
    func testAddMergesRemoveTakesRightsAwayAndTheLastRightTakesTheEntry() throws {
        let store = try seededStore()
        let guid = try store.insertConnector(try relayConnector()).connector.guid

        try store.addPermission(PermissionEntry(user: .anonymousLogon, extendedRights: [.acceptAnyRecipient]), connector: guid)
        // The same principal, spelled in another case, and the same deny flag: merged into one entry.
        try store.addPermission(
            PermissionEntry(
                user: SecurityPrincipal("nt authority\\anonymous logon"),
                extendedRights: [.submit, .acceptAnyRecipient]), connector: guid)
        // A deny entry is a separate entry.
        try store.addPermission(PermissionEntry(user: .anonymousLogon, extendedRights: [.acceptAnySender], deny: true), connector: guid)
        XCTAssertEqual(
            try store.permissions(connector: guid),
            [
                PermissionEntry(user: .anonymousLogon, extendedRights: [.acceptAnyRecipient, .submit]),
                PermissionEntry(user: .anonymousLogon, extendedRights: [.acceptAnySender], deny: true),
            ])
        XCTAssertEqual(try store.permissions(connector: guid).first?.user.name, "NT AUTHORITY\\ANONYMOUS LOGON", "the first spelling stays")
        XCTAssertEqual(try store.snapshot().permissions, [guid: try store.permissions(connector: guid)])

        try store.removePermission(PermissionEntry(user: .anonymousLogon, extendedRights: [.acceptAnyRecipient]), connector: guid)
        XCTAssertEqual(
            try store.permissions(connector: guid),
            [
                PermissionEntry(user: .anonymousLogon, extendedRights: [.submit]),
                PermissionEntry(user: .anonymousLogon, extendedRights: [.acceptAnySender], deny: true),
            ])
        try store.removePermission(PermissionEntry(user: .anonymousLogon, extendedRights: [.submit]), connector: guid)
        XCTAssertEqual(
            try store.permissions(connector: guid),
            [
                PermissionEntry(user: .anonymousLogon, extendedRights: [.acceptAnySender], deny: true)
            ])
        XCTAssertEqual(
            try store.changes(since: 5).map(\.summary),
            [
                "Remove-ADPermission MBX01\\Relay: allow NT AUTHORITY\\ANONYMOUS LOGON ms-Exch-SMTP-Accept-Any-Recipient",
                "Remove-ADPermission MBX01\\Relay: allow NT AUTHORITY\\ANONYMOUS LOGON ms-Exch-SMTP-Submit",
            ])
    }

    func testRightsThatNoExplicitEntryGrantsCantBeRemoved() throws {
        let store = try seededStore()
        // Default Frontend has AnonymousUsers, whose group grants ms-Exch-SMTP-Submit; nothing explicit.
        let frontend = try connector(named: "Default Frontend MBX01", in: store)
        let before = try store.snapshot()
        let error = storeError {
            try store.removePermission(PermissionEntry(user: .anonymousLogon, extendedRights: [.submit]), connector: frontend.connector.guid)
        }
        XCTAssertEqual(
            error,
            .notFound(
                "Receive connector \"MBX01\\Default Frontend MBX01\" has no explicit permission that grants NT AUTHORITY\\ANONYMOUS LOGON ms-Exch-SMTP-Submit (rights from permission groups can't be removed with Remove-ADPermission)."
            ))

        // An explicit entry that lacks one of the rights: nothing is removed.
        try store.addPermission(PermissionEntry(user: .anonymousLogon, extendedRights: [.acceptAnyRecipient]), connector: frontend.connector.guid)
        let withEntry = try store.snapshot()
        let partial = storeError {
            try store.removePermission(
                PermissionEntry(user: .anonymousLogon, extendedRights: [.acceptAnyRecipient, .submit]),
                connector: frontend.connector.guid)
        }
        guard case .notFound(let message) = partial else { return XCTFail("\(String(describing: partial))") }
        XCTAssertTrue(message.contains("ms-Exch-SMTP-Submit") && !message.contains("Accept-Any-Recipient"), message)
        XCTAssertTrue(message.hasSuffix("(rights from permission groups can't be removed with Remove-ADPermission)."), message)
        assertSameSnapshot(try store.snapshot(), withEntry)

        // A deny entry doesn't match an allow removal.
        guard
            case .notFound = storeError({
                try store.removePermission(
                    PermissionEntry(user: .anonymousLogon, extendedRights: [.acceptAnyRecipient], deny: true),
                    connector: frontend.connector.guid)
            })
        else { return XCTFail() }
        // Group entries are never explicit.
        guard
            case .notFound = storeError({
                try store.removePermission(
                    PermissionEntry(user: .anonymousLogon, extendedRights: [.acceptAnyRecipient], fromPermissionGroup: true),
                    connector: frontend.connector.guid)
            })
        else { return XCTFail() }
        XCTAssertEqual(before.generation + 1, try store.generation())
    }

    func testAddRefusals() throws {
        let store = try seededStore()
        let guid = try connector(named: "Default Frontend MBX01", in: store).connector.guid
        guard
            case .refused = storeError({
                try store.addPermission(PermissionEntry(user: .anonymousLogon, extendedRights: []), connector: guid)
            })
        else { return XCTFail() }
        guard
            case .refused = storeError({
                try store.addPermission(PermissionEntry(user: .anonymousLogon, extendedRights: [.submit], fromPermissionGroup: true), connector: guid)
            })
        else { return XCTFail() }
        guard
            case .notFound = storeError({
                try store.addPermission(PermissionEntry(user: .anonymousLogon, extendedRights: [.submit]), connector: UUID())
            })
        else { return XCTFail() }
        XCTAssertEqual(try store.generation(), 1)
    }

    func testRemovingAConnectorRemovesItsPermissions() throws {
        let store = try seededStore()
        let relay = try store.insertConnector(try relayConnector())
        try store.addPermission(PermissionEntry(user: .anonymousLogon, extendedRights: [.acceptAnyRecipient]), connector: relay.connector.guid)
        try store.removeConnector(guid: relay.connector.guid, expectedRevision: relay.revision)
        XCTAssertEqual(try store.permissions(connector: relay.connector.guid), [])
        XCTAssertEqual(try store.snapshot().permissions, [:])
    }
}
