import Foundation
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
        guard case .alreadyExists = storeError({ try store.addAccount(MailboxAccount(name: "K", userPrincipalName: "KATE@contoso.test"), password: "two") }) else { return XCTFail() }
        guard case .alreadyExists = storeError({
            try store.addAccount(MailboxAccount(name: "K2", userPrincipalName: "k2@contoso.test", primarySmtpAddress: "kate@contoso.test"), password: "two")
        }) else { return XCTFail() }
        guard case .alreadyExists = storeError({
            try store.addAccount(MailboxAccount(name: "K3", userPrincipalName: "k3@contoso.test"), password: "two")
            try store.addAccount(MailboxAccount(name: "K4", userPrincipalName: "K3@contoso.test", primarySmtpAddress: "k4@contoso.test"), password: "two")
        }) else { return XCTFail() }
        let empty = storeError { try store.addAccount(MailboxAccount(name: "Empty", userPrincipalName: "empty@contoso.test"), password: "") }
        guard case .refused(let message) = empty else { return XCTFail("\(String(describing: empty))") }
        XCTAssertTrue(message.contains("password"), message)
        guard case .refused = storeError({ try store.addAccount(MailboxAccount(name: "X", userPrincipalName: "no-at-sign"), password: "x") }) else { return XCTFail() }
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
}
