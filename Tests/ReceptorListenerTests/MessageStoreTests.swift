import XCTest
import Foundation
@testable import ReceptorListener

/// Durable delivery on a real (temporary) file system: where copies land, their modes, that nothing is left
/// half-written, and recovery after a crash.
final class MessageStoreTests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "receptor-store-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    func envelope(_ recipients: [String]) -> MessageStore.Envelope {
        MessageStore.Envelope(
            messageID: "<abc@mbx01.contoso.test>", mailFrom: "ben@fabrikam.test", recipients: recipients,
            connector: "MBX01\\Default Frontend MBX01", clientAddress: "192.0.2.10", heloName: "mail.fabrikam.test",
            authenticatedAs: nil, receivedAt: Date(timeIntervalSince1970: 1_800_000_000))
    }

    func files(_ folder: String) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted() }

    /// The scratch names go after the sync that follows the `250`: wait for it.
    func waitUntilEmpty(_ folder: String, file: StaticString = #filePath, line: UInt = #line) {
        let deadline = Date().addingTimeInterval(10)
        while !files(folder).isEmpty && Date() < deadline { usleep(5_000) }
        XCTAssertEqual(files(folder), [], "nothing left in \(folder)", file: file, line: line)
    }

    /// A spooled body (`BodySpool`): copied after the headers and the head into every copy (Maildir and relay
    /// queue), sealed over the whole, and removed once staged.
    func testASpooledBodyFollowsTheHeadAndIsRemoved() throws {
        let store = MessageStore(dataDirectory: dir)
        let headers = Array("Received: from mail.fabrikam.test\r\n".utf8)
        let head = Array("Subject: big\r\n\r\n".utf8)
        let rest = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 11) }
        try FileManager.default.createDirectory(atPath: store.spoolFolder, withIntermediateDirectories: true)
        let spool = store.spoolFolder + "/1-test.body"
        XCTAssertTrue(FileManager.default.createFile(atPath: spool, contents: Data(rest)))
        let whole = headers + head + rest
        XCTAssertEqual(try ScratchSeal(finalName: "n", parts: [headers, head], file: spool), ScratchSeal(finalName: "n", parts: [whole]))
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var outcome: Result<Void, Error>?
        store.deliver(
            envelope: envelope(["kate@contoso.test", "x@elsewhere.test"]), headers: headers, body: head, spool: spool,
            local: ["kate@contoso.test"], relayed: ["x@elsewhere.test"]
        ) { result in
            outcome = result
            done.signal()
        }
        XCTAssertEqual(done.wait(timeout: .now() + 30), .success)
        if case .failure(let error)? = outcome { XCTFail("\(error)") }
        let maildir = "\(dir!)/mailboxes/contoso.test/kate/Maildir"
        let new = files(maildir + "/new")
        XCTAssertEqual(new.count, 1)
        XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: "\(maildir)/new/\(new[0])"))), whole)
        let eml = files("\(dir!)/queue/relay").first { $0.hasSuffix(".eml") }
        XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: "\(dir!)/queue/relay/\(eml ?? "-")"))), whole)
        XCTAssertFalse(FileManager.default.fileExists(atPath: spool), "the spool goes once staged")
        waitUntilEmpty(maildir + "/tmp")
    }

    func testDeliveryThroughSealedScratchFiles() throws {
        let store = MessageStore(dataDirectory: dir)
        let headers = Array("Received: from mail.fabrikam.test\r\n".utf8)
        let body = Array("Subject: hi\r\n\r\nhello\r\n".utf8)
        try store.deliver(
            envelope: envelope(["kate@contoso.test", "Ben@Contoso.test", "x@elsewhere.test"]), headers: headers, body: body,
            isLocal: { $0.lowercased().hasSuffix("@contoso.test") })
        for user in ["kate", "ben"] {
            let maildir = "\(dir!)/mailboxes/contoso.test/\(user)/Maildir"
            let new = files(maildir + "/new")
            XCTAssertEqual(new.count, 1, user)
            waitUntilEmpty(maildir + "/tmp")
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
        waitUntilEmpty("\(dir!)/queue/relay/tmp")
    }

    /// What a crash can leave in tmp/, and what recovery at the next start makes of it.
    /// Maildir folders are remembered per recipient (no stat per message), yet a mailbox removed by hand meanwhile
    /// gets its folders again with the next message; a large message goes out whole (one writev, or several).
    func testAMailboxRemovedMeanwhileIsMadeAgain() throws {
        let store = MessageStore(dataDirectory: dir)
        let maildir = "\(dir!)/mailboxes/contoso.test/kate/Maildir"
        let headers = Array("Received: x\r\n".utf8)
        try store.deliver(envelope: envelope(["kate@contoso.test"]), headers: headers, body: Array("one\r\n".utf8), isLocal: { _ in true })
        XCTAssertEqual(files(maildir + "/new").count, 1)
        try FileManager.default.removeItem(atPath: "\(dir!)/mailboxes/contoso.test/kate")
        let big = [UInt8](repeating: UInt8(ascii: "x"), count: 3_000_000) + Array("\r\n".utf8)
        try store.deliver(envelope: envelope(["kate@contoso.test"]), headers: headers, body: big, isLocal: { _ in true })
        let new = files(maildir + "/new")
        XCTAssertEqual(new.count, 1)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: "\(maildir)/new/\(new[0])")), Data(headers + big))
        for folder in ["tmp", "cur"] { XCTAssertTrue(FileManager.default.fileExists(atPath: "\(maildir)/\(folder)"), folder) }
    }

    func testRecoveryFinishesWhatACrashInterrupted() throws {
        let store = MessageStore(dataDirectory: dir)
        let maildir = "\(dir!)/mailboxes/contoso.test/kate/Maildir"
        for sub in ["tmp", "new", "cur"] { try FileManager.default.createDirectory(atPath: "\(maildir)/\(sub)", withIntermediateDirectories: true) }
        try FileManager.default.createDirectory(atPath: "\(dir!)/queue/relay/tmp", withIntermediateDirectories: true)
        func name(_ n: Int, pid: Int32 = getpid()) -> String { "1800000000.M\(n)P\(pid)Qabc.\(store.hostTag)" }
        func scratch(_ folder: String, _ final: String, _ text: String, writtenOnly prefix: Int? = nil) throws {
            let bytes = Array(text.utf8)
            let seal = ScratchSeal(finalName: final, parts: [bytes])
            let written = prefix.map { Array(bytes.prefix($0)) } ?? bytes
            try Data(written).write(to: URL(fileURLWithPath: "\(folder)/\(seal.scratchName)"))
        }
        // Acknowledged, and the crash took the final name: named again.
        try scratch(maildir + "/tmp", name(1), "Subject: one\r\n\r\nlost name\r\n")
        // Cut short by the crash (never acknowledged): removed.
        try scratch(maildir + "/tmp", name(2), "Subject: two\r\n\r\nwhole text\r\n", writtenOnly: 9)
        // Named before the crash, the scratch name not yet removed: only the scratch goes.
        try scratch(maildir + "/tmp", name(3), "three")
        try "three".write(toFile: "\(maildir)/new/\(name(3))", atomically: false, encoding: .utf8)
        // Already seen by a mail reader (moved to cur/ with flags): no second copy.
        try scratch(maildir + "/tmp", name(4), "four")
        try "four".write(toFile: "\(maildir)/cur/\(name(4)):2,S", atomically: false, encoding: .utf8)
        // A relayed message and its envelope.
        try scratch(dir + "/queue/relay/tmp", name(5) + ".eml", "five")
        try scratch(dir + "/queue/relay/tmp", name(5) + ".json", "{}")
        // A relayed message whose envelope the crash cut short: never acknowledged, both go.
        try scratch(dir + "/queue/relay/tmp", name(7) + ".eml", "seven")
        try scratch(dir + "/queue/relay/tmp", name(7) + ".json", "{\"recipients\":[]}", writtenOnly: 3)
        // Another listener on this data folder is still writing this one (pid 1 is alive): not ours.
        try scratch(maildir + "/tmp", name(6, pid: 1), "six", writtenOnly: 2)
        // Another program's file in tmp/.
        try "other".write(toFile: "\(maildir)/tmp/1800000000.123.otherhost", atomically: false, encoding: .utf8)

        let report = try store.recoverInterruptedDeliveries()
        XCTAssertEqual(report, MessageStore.Recovery(restored: 3, cleared: 2, discarded: 3, skipped: 1))
        XCTAssertEqual(try String(contentsOfFile: "\(maildir)/new/\(name(1))", encoding: .utf8), "Subject: one\r\n\r\nlost name\r\n")
        XCTAssertEqual(files(maildir + "/new"), [name(1), name(3)].sorted(), "no partial message, no second copy of a seen one")
        XCTAssertEqual(files(maildir + "/cur"), [name(4) + ":2,S"])
        XCTAssertEqual(files(dir + "/queue/relay").filter { $0 != "tmp" }, [name(5) + ".eml", name(5) + ".json"])
        XCTAssertEqual(
            files(maildir + "/tmp"),
            ["1800000000.123.otherhost", ScratchSeal(finalName: name(6, pid: 1), parts: [Array("six".utf8)]).scratchName].sorted())
        XCTAssertEqual(files(dir + "/queue/relay/tmp"), [])
        XCTAssertEqual(try store.recoverInterruptedDeliveries(), MessageStore.Recovery(skipped: 1), "a second run finds nothing more to do")
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
        for sub in ["tmp", "new"] { try FileManager.default.createDirectory(atPath: "\(dir!)/\(sub)", withIntermediateDirectories: true) }
    }

    func scratchFiles() -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: dir + "/tmp")) ?? [] }

    /// The scratch names go after the sync that follows the `250`.
    func waitForNoScratch(file: StaticString = #filePath, line: UInt = #line) {
        let deadline = Date().addingTimeInterval(10)
        while !scratchFiles().isEmpty && Date() < deadline { usleep(5_000) }
        XCTAssertEqual(scratchFiles(), [], "no scratch left", file: file, line: line)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// A message of one file: written under a scratch name in tmp/, then linked into new/ (as `MessageStore`
    /// does; `extraNames` are more final names for the same file, like further local recipients).
    func stage(_ name: String, _ text: String, extraNames: [String] = []) throws -> StagedMessage {
        var staged = StagedMessage()
        let scratch = "\(dir!)/tmp/\(name).scratch"
        staged.files.append((try DurableFile.create(scratch), scratch))
        staged.scratch.append(scratch)
        try DurableFile.writeAll(staged.files[0].fd, [Array(text.utf8)], what: scratch)
        for final in [name] + extraNames { staged.links.append((scratch, "\(dir!)/new/\(final)")) }
        staged.scratchFolders.insert("\(dir!)/tmp")
        staged.finalFolders.insert("\(dir!)/new")
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
        committer.submit(
            stage: { [self] in
                started.signal(); release.wait(); return try stage("m0", "first")
            }, done: results.done("m0"))
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
        waitForNoScratch()
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

    /// The crash-safety order: no final name before a sync has covered the contents and the scratch name;
    /// success as soon as the final name is given (one sync per message); the scratch name removed only after
    /// a second sync has covered the final name.
    func testFinalNamesAppearOnlyAfterASyncAndScratchNamesGoOnlyAfterTheNext() throws {
        for mode in GroupCommit.Mode.allCases {
            let committer = GroupCommit(mode: mode)
            final class Log: @unchecked Sendable {
                let lock = NSLock()
                var entries: [String] = []
                func add(_ s: String) { lock.withLock { entries.append(s) } }
                var count: Int { lock.withLock { entries.count } }
            }
            let log = Log()
            let newFolder = dir + "/new", tmpFolder = dir + "/tmp"
            @Sendable func state() -> String {
                let visible = (try? FileManager.default.contentsOfDirectory(atPath: newFolder))?.filter { $0.hasPrefix("order-") } ?? []
                let scratch = (try? FileManager.default.contentsOfDirectory(atPath: tmpFolder))?.filter { $0.hasPrefix("order-") } ?? []
                return "visible=\(visible.count) scratch=\(scratch.count)"
            }
            committer.beforeSync = { contents, names in log.add("sync contents=\(contents) names=\(names) \(state())") }
            // Long enough that the second message always comes before the first's names get a sync of their own.
            committer.namesDelay = 1
            let done = DispatchSemaphore(value: 0)
            for n in 1...2 {
                committer.submit(stage: { [self] in try stage("order-\(mode.rawValue)-\(n)", "x") }) { result in
                    log.add("done \((try? result.get()) != nil ? "ok" : "failed") \(state())")
                    done.signal()
                }
                XCTAssertEqual(done.wait(timeout: .now() + 10), .success)
            }
            waitForNoScratch()
            XCTAssertEqual(
                log.entries,
                [
                    "sync contents=1 names=0 visible=0 scratch=1",
                    "done ok visible=1 scratch=1",
                    // The first message's final name rides on the second one's sync…
                    "sync contents=1 names=1 visible=1 scratch=2",
                    "done ok visible=2 scratch=2",  // the 250 before the old scratch name goes
                    // …and with no third message, the second's gets a sync of its own.
                    "sync contents=0 names=1 visible=2 scratch=1",
                ], "\(mode)")
            for n in 1...2 { try FileManager.default.removeItem(atPath: newFolder + "/order-\(mode.rawValue)-\(n)") }
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
        XCTAssertNoThrow(try committer.commit { [self] in try stage("fine", "ok") })
        // A final name that exists already can't be given: that message fails, its scratch file goes, and
        // a name it was given before the clash is taken back (no copy for one recipient and not another).
        XCTAssertThrowsError(try committer.commit { [self] in try stage("first-of-two", "no", extraNames: ["clash"]) })
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/new/first-of-two"), "the name given before the clash is taken back")
        XCTAssertEqual(try String(contentsOfFile: dir + "/new/clash", encoding: .utf8), "taken")
        XCTAssertEqual(try String(contentsOfFile: dir + "/new/fine", encoding: .utf8), "ok")
        waitForNoScratch()
    }

    /// What `receptor status` reports about durable delivery: every message and failure counted once, the syncs
    /// that carried them, and waits and syncs that took time.
    func testStatisticsCountMessagesFailuresAndSyncs() throws {
        let committer = GroupCommit()
        XCTAssertEqual(committer.statistics.summary, "no message delivered yet (filesystem sync)")
        for i in 0..<5 { try committer.commit { [self] in try stage("counted\(i)", "m\(i)") } }
        XCTAssertThrowsError(try committer.commit { throw DurableFile.Failure(description: "no room") })
        let statistics = committer.statistics
        XCTAssertEqual(statistics.messages, 5)
        XCTAssertEqual(statistics.failures, 1)
        // One at a time: each message had a sync of its own (names-only syncs may follow, never fewer).
        XCTAssertGreaterThanOrEqual(statistics.syncs, 5)
        XCTAssertLessThanOrEqual(statistics.messagesPerSync, 1)
        XCTAssertGreaterThan(statistics.meanSync, 0)
        XCTAssertGreaterThanOrEqual(statistics.longestSync, statistics.meanSync)
        XCTAssertGreaterThan(statistics.meanWait, 0)
        XCTAssertGreaterThanOrEqual(statistics.longestWait, statistics.meanWait)
        XCTAssertTrue(statistics.summary.hasPrefix("5 messages durable in "), statistics.summary)
        XCTAssertTrue(statistics.summary.contains(", 1 failed; sync "), statistics.summary)
    }
}
