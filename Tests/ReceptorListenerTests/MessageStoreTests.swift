import XCTest
import Foundation
@testable import ReceptorListener

/// Durable delivery on a real (temporary) file system: where copies land, their modes, that nothing is left
/// half-written, and that both ways of writing (unnamed file then link, and tmp/ then rename) agree.
final class MessageStoreTests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "receptor-store-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        DurableFile.tmpFileSupported.withLockedValue { $0 = true }
        try? FileManager.default.removeItem(atPath: dir)
    }

    func envelope(_ recipients: [String]) -> MessageStore.Envelope {
        MessageStore.Envelope(messageID: "<abc@mbx01.contoso.test>", mailFrom: "ben@fabrikam.test", recipients: recipients,
                              connector: "MBX01\\Default Frontend MBX01", clientAddress: "192.0.2.10", heloName: "mail.fabrikam.test",
                              authenticatedAs: nil, receivedAt: Date(timeIntervalSince1970: 1_800_000_000))
    }

    func files(_ folder: String) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted() }

    func deliverAndCheck() throws {
        let store = MessageStore(dataDirectory: dir)
        let headers = Array("Received: from mail.fabrikam.test\r\n".utf8)
        let body = Array("Subject: hi\r\n\r\nhello\r\n".utf8)
        try store.deliver(envelope: envelope(["kate@contoso.test", "Ben@Contoso.test", "x@elsewhere.test"]), headers: headers, body: body,
                          isLocal: { $0.lowercased().hasSuffix("@contoso.test") })
        for user in ["kate", "ben"] {
            let maildir = "\(dir!)/mailboxes/contoso.test/\(user)/Maildir"
            let new = files(maildir + "/new")
            XCTAssertEqual(new.count, 1, user)
            XCTAssertEqual(files(maildir + "/tmp"), [], "nothing left in tmp/")
            let path = "\(maildir)/new/\(new[0])"
            XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "Received: from mail.fabrikam.test\r\nSubject: hi\r\n\r\nhello\r\n")
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            XCTAssertEqual(mode, 0o600, "mail is private")
        }
        // One copy on disk for both local recipients.
        let kate = "\(dir!)/mailboxes/contoso.test/kate/Maildir/new/" + files("\(dir!)/mailboxes/contoso.test/kate/Maildir/new")[0]
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: kate)[.referenceCount] as? Int, 2)
        // The relayed recipient: the message and its envelope in the relay queue.
        let queued = files("\(dir!)/queue/relay").filter { $0 != "tmp" }
        XCTAssertEqual(queued.map { ($0 as NSString).pathExtension }.sorted(), ["eml", "json"])
        let json = try String(contentsOfFile: "\(dir!)/queue/relay/" + queued.first { $0.hasSuffix(".json") }!, encoding: .utf8)
        XCTAssertTrue(json.contains("\"x@elsewhere.test\""), json)
        XCTAssertFalse(json.contains("kate@contoso.test"), "only the relayed recipients: \(json)")
    }

    func testDeliveryThroughUnnamedFiles() throws {
        try deliverAndCheck()
    }

    func testDeliveryThroughTmpAndRename() throws {
        DurableFile.tmpFileSupported.withLockedValue { $0 = false }
        try deliverAndCheck()
    }

    func testAddressesCannotClimbOutOfTheMailboxesFolder() throws {
        let store = MessageStore(dataDirectory: dir)
        try store.deliver(envelope: envelope(["../../etc@contoso.test"]), headers: [], body: Array("x\r\n".utf8), isLocal: { _ in true })
        XCTAssertEqual(files("\(dir!)/mailboxes/contoso.test"), [".._.._etc"])
    }
}
