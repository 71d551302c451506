import Foundation
import XCTest
import ReceptorCore
@testable import ReceptorStore

final class AcceptedDomainTests: StoreTestCase {
    func testTheFirstDomainIsTheDefaultAndANewDefaultTakesOver() throws {
        let store = try makeStore()
        try store.addAcceptedDomain(AcceptedDomain(name: "Contoso", domainName: "contoso.test"))
        XCTAssertEqual(try store.acceptedDomains(), [AcceptedDomain(name: "Contoso", domainName: "contoso.test", isDefault: true)])

        try store.addAcceptedDomain(AcceptedDomain(name: "Fabrikam", domainName: "fabrikam.test", domainType: .internalRelay))
        try store.addAcceptedDomain(AcceptedDomain(name: "Tailspin", domainName: "*.tailspin.test", isDefault: true))
        XCTAssertEqual(
            try store.acceptedDomains(),
            [
                AcceptedDomain(name: "Contoso", domainName: "contoso.test", isDefault: false),
                AcceptedDomain(name: "Fabrikam", domainName: "fabrikam.test", domainType: .internalRelay, isDefault: false),
                AcceptedDomain(name: "Tailspin", domainName: "*.tailspin.test", isDefault: true),
            ])

        // Set-AcceptedDomain -MakeDefault on another one.
        try store.updateAcceptedDomain(AcceptedDomain(name: "Contoso", domainName: "contoso.test", isDefault: true), originalName: "contoso")
        XCTAssertEqual(try store.acceptedDomains().filter(\.isDefault).map(\.name), ["Contoso"])
        XCTAssertEqual(try store.generation(), 4)
    }

    func testNamesAndDomainNamesAreUnique() throws {
        let store = try makeStore()
        try store.addAcceptedDomain(AcceptedDomain(name: "Contoso", domainName: "contoso.test"))
        try store.addAcceptedDomain(AcceptedDomain(name: "Fabrikam", domainName: "fabrikam.test"))
        let before = try store.snapshot()
        guard case .alreadyExists = storeError({ try store.addAcceptedDomain(AcceptedDomain(name: "CONTOSO", domainName: "other.test")) }) else {
            return XCTFail()
        }
        let error = storeError { try store.addAcceptedDomain(AcceptedDomain(name: "Other", domainName: "Contoso.TEST", isDefault: true)) }
        XCTAssertEqual(error, .alreadyExists("The domain name contoso.test is already accepted by accepted domain \"Contoso\"."))
        guard
            case .alreadyExists = storeError({
                try store.updateAcceptedDomain(AcceptedDomain(name: "Fabrikam", domainName: "contoso.test"), originalName: "Fabrikam")
            })
        else { return XCTFail() }
        guard case .refused = storeError({ try store.addAcceptedDomain(AcceptedDomain(name: "Bad", domainName: "not a domain")) }) else {
            return XCTFail()
        }
        guard
            case .notFound = storeError({
                try store.updateAcceptedDomain(AcceptedDomain(name: "X", domainName: "x.test"), originalName: "Nope")
            })
        else { return XCTFail() }
        assertSameSnapshot(try store.snapshot(), before)

        // Renaming keeps its place and its default flag.
        try store.updateAcceptedDomain(
            AcceptedDomain(name: "Contoso Ltd", domainName: "contoso.test", domainType: .externalRelay, isDefault: true),
            originalName: "Contoso")
        XCTAssertEqual(
            try store.acceptedDomains().first,
            AcceptedDomain(name: "Contoso Ltd", domainName: "contoso.test", domainType: .externalRelay, isDefault: true))
    }

    func testTheDefaultCantBeRemovedOrUnsetWhileOthersRemain() throws {
        let store = try makeStore()
        try store.addAcceptedDomain(AcceptedDomain(name: "Contoso", domainName: "contoso.test"))
        try store.addAcceptedDomain(AcceptedDomain(name: "Fabrikam", domainName: "fabrikam.test"))
        let before = try store.snapshot()

        let error = storeError { try store.removeAcceptedDomain(name: "contoso") }
        guard case .refused(let message) = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertTrue(message.contains("\"Contoso\" is the default accepted domain"), message)
        guard
            case .refused = storeError({
                try store.updateAcceptedDomain(AcceptedDomain(name: "Contoso", domainName: "contoso.test", isDefault: false), originalName: "Contoso")
            })
        else { return XCTFail() }
        assertSameSnapshot(try store.snapshot(), before)

        try store.removeAcceptedDomain(name: "Fabrikam")
        try store.removeAcceptedDomain(name: "Contoso")  // the last one may go
        XCTAssertEqual(try store.acceptedDomains(), [])
        guard case .notFound = storeError({ try store.removeAcceptedDomain(name: "Contoso") }) else { return XCTFail() }
        XCTAssertEqual(try store.changes(since: 2).map(\.summary), ["Remove-AcceptedDomain Fabrikam", "Remove-AcceptedDomain Contoso"])
    }

    func testAddServerKeepsDomainsThatAlreadyExist() throws {
        let store = try seededStore()
        let mbx02 = Server(name: "MBX02", role: .mailbox, fqdn: "mbx02.contoso.test")
        try store.addServer(
            mbx02, connectors: ConnectorDefaults.setupConnectors(for: mbx02),
            acceptedDomains: [
                AcceptedDomain(name: "contoso.test", domainName: "contoso.test", isDefault: true),
                AcceptedDomain(name: "mbx02.contoso.test", domainName: "mbx02.contoso.test"),
            ])
        XCTAssertEqual(
            try store.acceptedDomains(),
            [
                AcceptedDomain(name: "contoso.test", domainName: "contoso.test", isDefault: true),
                AcceptedDomain(name: "mbx02.contoso.test", domainName: "mbx02.contoso.test"),
            ])
        XCTAssertEqual(try store.connectors(server: nil).count, 10)
        XCTAssertEqual(try store.changes(since: 1).map(\.summary), ["Add server MBX02 (Mailbox) with 5 receive connectors and 1 accepted domain"])
    }
}
