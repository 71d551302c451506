import Foundation
import GRDB
import XCTest
import ReceptorCore
@testable import ReceptorStore

final class AccountTests: StoreTestCase {
    let kate = MailboxAccount(name: "Kate Hall", userPrincipalName: "kate@contoso.test")
    let ben = MailboxAccount(name: "Ben Smith", alias: "bens", userPrincipalName: "ben@contoso.test", primarySmtpAddress: "ben.smith@contoso.test")

    func testPasswordsAreStoredAsSaltedPBKDF2Hashes() throws {
        let store = try makeStore()
        try store.addAccount(kate, password: "P@ssw0rd!")
        try store.addAccount(ben, password: "P@ssw0rd!")
        XCTAssertEqual(try store.accounts(), [kate, ben])

        let kateHash = try XCTUnwrap(try store.passwordHash(userPrincipalName: "kate@contoso.test"))
        let benHash = try XCTUnwrap(try store.passwordHash(userPrincipalName: "BEN@contoso.test"))
        for hash in [kateHash, benHash] {
            let parts = hash.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
            XCTAssertEqual(parts.count, 4, hash)
            XCTAssertEqual(parts[0], "pbkdf2-sha512")
            XCTAssertEqual(parts[1], "210000")
            XCTAssertEqual(Data(base64Encoded: parts[2])?.count, 16, "16-byte salt")
            XCTAssertEqual(Data(base64Encoded: parts[3])?.count, 64, "SHA-512-sized hash")
            XCTAssertFalse(hash.contains("P@ssw0rd"))
        }
        let kateSalt = kateHash.split(separator: "$")[2], benSalt = benHash.split(separator: "$")[2]
        XCTAssertNotEqual(kateSalt, benSalt, "the same password gets a different salt")
        XCTAssertNotEqual(kateHash.split(separator: "$")[3], benHash.split(separator: "$")[3])

        // Nothing about the password reaches the change log.
        XCTAssertEqual(try store.changes(since: 0).map(\.summary), ["New-Mailbox kate@contoso.test", "New-Mailbox ben@contoso.test"])
    }

    func testAuthenticateByEverySignInName() throws {
        let store = try makeStore()
        try store.addAccount(ben, password: "correct horse")
        for login in ["ben@contoso.test", "BEN@CONTOSO.TEST", "ben.smith@contoso.test", "CONTOSO\\bens"] {
            XCTAssertEqual(try store.authenticate(login: login, password: "correct horse"), ben, login)
        }
        XCTAssertNil(try store.authenticate(login: "ben@contoso.test", password: "Correct horse"))
        XCTAssertNil(try store.authenticate(login: "ben@contoso.test", password: ""))
        XCTAssertNil(try store.authenticate(login: "nobody@contoso.test", password: "correct horse"))
    }

    func testAccountRefusalsAndRemoval() throws {
        let store = try makeStore()
        try store.addAccount(kate, password: "one")
        guard
            case .alreadyExists = storeError({
                try store.addAccount(MailboxAccount(name: "K", userPrincipalName: "KATE@contoso.test"), password: "two")
            })
        else { return XCTFail() }
        guard
            case .alreadyExists = storeError({
                try store.addAccount(
                    MailboxAccount(name: "K2", userPrincipalName: "k2@contoso.test", primarySmtpAddress: "kate@contoso.test"), password: "two")
            })
        else { return XCTFail() }
        guard
            case .alreadyExists = storeError({
                try store.addAccount(MailboxAccount(name: "K3", userPrincipalName: "k3@contoso.test"), password: "two")
                try store.addAccount(
                    MailboxAccount(name: "K4", userPrincipalName: "K3@contoso.test", primarySmtpAddress: "k4@contoso.test"), password: "two")
            })
        else { return XCTFail() }
        let empty = storeError { try store.addAccount(MailboxAccount(name: "Empty", userPrincipalName: "empty@contoso.test"), password: "") }
        guard case .refused(let message) = empty else { return XCTFail("\(String(describing: empty))") }
        XCTAssertTrue(message.contains("password"), message)
        guard case .refused = storeError({ try store.addAccount(MailboxAccount(name: "X", userPrincipalName: "no-at-sign"), password: "x") }) else {
            return XCTFail()
        }
        XCTAssertEqual(try store.generation(), 2)

        try store.removeAccount(userPrincipalName: "Kate@Contoso.test")
        XCTAssertEqual(try store.accounts().map(\.userPrincipalName), ["k3@contoso.test"])
        guard case .notFound = storeError({ try store.removeAccount(userPrincipalName: "kate@contoso.test") }) else { return XCTFail() }
        XCTAssertEqual(try store.changes(since: 2).map(\.summary), ["Remove-Mailbox kate@contoso.test"])
    }

    func testHasherVerifiesAndRefusesMalformedHashes() throws {
        let hash = try PasswordHasher.hash(password: "secret")
        XCTAssertTrue(PasswordHasher.verify(password: "secret", against: hash))
        XCTAssertFalse(PasswordHasher.verify(password: "Secret", against: hash))
        XCTAssertFalse(PasswordHasher.verify(password: "secret", against: "plain:secret"))
        XCTAssertFalse(PasswordHasher.verify(password: "secret", against: "pbkdf2-sha512$x$AAAA$AAAA"))
        XCTAssertFalse(PasswordHasher.constantTimeEqual([1, 2, 3], [1, 2]))
        XCTAssertTrue(PasswordHasher.constantTimeEqual([1, 2, 3], [1, 2, 3]))
    }

    func testEmailAddressesAreKeptUpdatedAndLeadToOneMailbox() throws {
        let store = try makeStore()
        var k = kate
        k.emailAddresses = ["k.hall@contoso.test"]
        try store.addAccount(k, password: "P@ssw0rd!")
        XCTAssertEqual(try store.accounts().first?.emailAddresses, ["k.hall@contoso.test"])
        let generation = try store.generation()

        k.emailAddresses.append("kate.hall@contoso.test")
        k.alias = "katehall"
        try store.updateAccount(k)
        XCTAssertEqual(try store.accounts(), [k])
        XCTAssertEqual(try store.generation(), generation + 1)
        XCTAssertNotNil(try store.authenticate(login: "kate@contoso.test", password: "P@ssw0rd!"), "the password stays")

        // An address belongs to one mailbox: another mailbox can't take one of kate's, in any case.
        var b = ben
        b.emailAddresses = ["K.Hall@contoso.test"]
        guard case .alreadyExists = storeError({ try store.addAccount(b, password: "P@ssw0rd!") }) else { return XCTFail() }
        try store.addAccount(ben, password: "P@ssw0rd!")
        guard case .alreadyExists = storeError({ try store.updateAccount(b) }) else { return XCTFail() }
        var bad = ben
        bad.emailAddresses = ["not an address"]
        guard case .refused = storeError({ try store.updateAccount(bad) }) else { return XCTFail() }
        guard case .notFound = storeError({ try store.updateAccount(MailboxAccount(name: "x", userPrincipalName: "x@contoso.test")) }) else {
            return XCTFail()
        }
        XCTAssertEqual(try store.accounts(), [k, ben], "refused changes wrote nothing")
    }

    func testAStoreOfSchemaV1IsUpgradedAndKeepsItsAccounts() throws {
        do {
            let store = try makeStore()
            try store.addAccount(kate, password: "P@ssw0rd!")
        }
        // Back to v1 as an earlier Receptor left it: no email_addresses column, no v2 migration recorded (and
        // none of v3's control endpoint columns).
        let queue = try DatabaseQueue(path: storePath)
        try queue.write { db in
            try ListenerTests.undoV3(db)
            try db.execute(sql: "ALTER TABLE accounts DROP COLUMN email_addresses")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v2'")
        }
        try queue.close()
        let store = try SQLiteConfigStore.open(path: storePath, create: false)
        XCTAssertEqual(try store.appliedMigrations(), ["v1", "v2", "v3", "v4"])
        XCTAssertEqual(try store.accounts(), [kate])
        XCTAssertEqual(try store.accounts().first?.emailAddresses, [])
    }

    func testRecipientFilterConfigValidatesByDefault() throws {
        let store = try makeStore()
        XCTAssertEqual(try store.recipientFilterConfig(), RecipientFilterConfig(recipientValidationEnabled: true))
        XCTAssertTrue(try store.snapshot().recipientFilterConfig.recipientValidationEnabled)
        let generation = try store.generation()
        try store.setRecipientFilterConfig(RecipientFilterConfig(recipientValidationEnabled: false))
        XCTAssertFalse(try SQLiteConfigStore.open(path: storePath, create: false).snapshot().recipientFilterConfig.recipientValidationEnabled)
        XCTAssertEqual(try store.generation(), generation + 1, "listeners hear of it")
    }
}
