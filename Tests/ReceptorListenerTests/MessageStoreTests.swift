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
        DurableFile.directLinkSupported.withLockedValue { $0 = true }
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

    func testDeliveryThroughUnnamedFilesLinkedThroughProc() throws {
        DurableFile.directLinkSupported.withLockedValue { $0 = false }
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

/// The group committer on its own: batching, failures that stay with their message, both sync modes.
final class GroupCommitTests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "receptor-commit-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/new", withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// A message of one named file: written into tmp (a scratch name), renamed into new/.
    func stage(_ name: String, _ text: String) throws -> StagedMessage {
        var staged = StagedMessage()
        let scratch = "\(dir!)/\(name).tmp"
        staged.files.append((try DurableFile.create(scratch), scratch))
        staged.scratch.append(scratch)
        try DurableFile.writeAll(staged.files[0].fd, [Array(text.utf8)], what: scratch)
        staged.steps.append(.rename(scratch, to: "\(dir!)/new/\(name)"))
        staged.folders.insert("\(dir!)/new")
        return staged
    }

    final class Results: @unchecked Sendable {
        let lock = NSLock()
        var outcomes: [String: Bool] = [:]
        let group = DispatchGroup()
        func done(_ name: String) -> GroupCommit.Completion {
            group.enter()
            return { result in
                self.lock.withLock { self.outcomes[name] = (try? result.get()) != nil }
                self.group.leave()
            }
        }
    }

    func commitWhileTheFirstIsWriting(mode: GroupCommit.Mode) throws {
        let committer = GroupCommit(mode: mode)
        let started = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let results = Results()
        committer.submit(stage: { [self] in started.signal(); release.wait(); return try stage("m0", "first") }, done: results.done("m0"))
        XCTAssertEqual(started.wait(timeout: .now() + 10), .success, "the committer took the first message")
        for i in 1...20 {
            committer.submit(stage: { [self] in try stage("m\(i)", "message \(i)") }, done: results.done("m\(i)"))
        }
        committer.submit(stage: { throw DurableFile.Failure(description: "no room") }, done: results.done("bad"))
        release.signal()
        XCTAssertEqual(results.group.wait(timeout: .now() + 20), .success)
        XCTAssertEqual(results.outcomes["bad"], false, "a message that can't be written fails")
        XCTAssertEqual(results.outcomes.filter(\.value).count, 21, "and only that one: \(results.outcomes)")
        XCTAssertEqual(try String(contentsOfFile: dir + "/new/m7", encoding: .utf8), "message 7")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".tmp") }, [], "no scratch left")
        let counts = committer.counts
        XCTAssertEqual(counts.messages, 22)
        XCTAssertEqual(counts.batches, 2, "the 21 messages that waited while the first was written share one commit")
    }

    func testMessagesThatWaitShareOneCommit() throws {
        try commitWhileTheFirstIsWriting(mode: .fileSystem)
    }

    func testPerFileModeCommitsTheSame() throws {
        try commitWhileTheFirstIsWriting(mode: .perFile)
    }

    /// The crash-safety order: no name before a sync has covered the contents, and no success before a
    /// second sync has covered the name.
    func testNamesAppearOnlyAfterTheirContentsAreSyncedAndSuccessFollowsTheNamesSync() throws {
        for mode in GroupCommit.Mode.allCases {
            let committer = GroupCommit(mode: mode)
            final class Log: @unchecked Sendable {
                let lock = NSLock()
                var entries: [String] = []
                func add(_ s: String) { lock.withLock { entries.append(s) } }
            }
            let log = Log()
            let newFolder = dir + "/new"
            committer.beforeSync = { contents, names in
                let visible = (try? FileManager.default.contentsOfDirectory(atPath: newFolder))?.filter { $0.hasPrefix("order-") } ?? []
                log.add("sync contents=\(contents) names=\(names) visible=\(visible.count)")
            }
            try committer.commit { [self] in try stage("order-\(mode.rawValue)", "x") }
            log.add("done")
            XCTAssertEqual(log.entries, ["sync contents=1 names=0 visible=0", "sync contents=0 names=1 visible=1", "done"], "\(mode)")
            try FileManager.default.removeItem(atPath: newFolder + "/order-\(mode.rawValue)")
        }
    }

    func testMoreMessagesThanARoundHoldsAllLandInBoundedRounds() throws {
        let committer = GroupCommit()
        let results = Results()
        for i in 0..<600 {
            committer.submit(stage: { [self] in try stage("many\(i)", "m\(i)") }, done: results.done("many\(i)"))
        }
        XCTAssertEqual(results.group.wait(timeout: .now() + 60), .success)
        XCTAssertEqual(results.outcomes.values.filter { $0 }.count, 600)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir + "/new").filter { $0.hasPrefix("many") }.count, 600)
        XCTAssertGreaterThanOrEqual(committer.counts.batches, 3, "at most \(GroupCommit.maximumBatch) messages a round")
    }

    func testAMessageThatCannotBeNamedFailsAloneAndLeavesNoScratch() throws {
        let committer = GroupCommit()
        try "taken".write(toFile: dir + "/new/clash", atomically: false, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: dir + "/new/clash-dir", withIntermediateDirectories: false)
        XCTAssertNoThrow(try committer.commit { [self] in try stage("fine", "ok") })
        // Renaming a file onto a folder fails: that message fails, its scratch file goes.
        XCTAssertThrowsError(try committer.commit { [self] in try stage("clash-dir", "no") })
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/clash-dir.tmp"))
        XCTAssertEqual(try String(contentsOfFile: dir + "/new/fine", encoding: .utf8), "ok")
    }
}
