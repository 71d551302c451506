import Foundation
import ReceptorControl
#if canImport(Glibc)
    import Glibc
#endif
import NIOConcurrencyHelpers
import NIOCore
import ReceptorCore

/// Where accepted messages go (product.md, Listener): recipients in accepted domains to Maildir
/// (`mailboxes/<domain>/<local>/Maildir/new/`), the others to the relay queue (`queue/relay/`), one
/// message file plus an envelope file per relayed message. Every file is durable before `deliver` reports
/// success.
public final class MessageStore: Sendable {
    public struct Envelope: Sendable, Codable, Equatable {
        public var messageID: String
        public var mailFrom: String
        public var recipients: [String]
        public var connector: String
        public var clientAddress: String
        public var heloName: String
        public var authenticatedAs: String?
        public var receivedAt: Date
        /// DSN parameters as given (RET, ENVID, per-recipient NOTIFY/ORCPT), recorded but not acted on.
        public var dsn: [String: String]

        public init(
            messageID: String, mailFrom: String, recipients: [String], connector: String, clientAddress: String,
            heloName: String, authenticatedAs: String?, receivedAt: Date, dsn: [String: String] = [:]
        ) {
            self.messageID = messageID; self.mailFrom = mailFrom; self.recipients = recipients; self.connector = connector
            self.clientAddress = clientAddress; self.heloName = heloName; self.authenticatedAs = authenticatedAs
            self.receivedAt = receivedAt; self.dsn = dsn
        }
    }

    public let dataDirectory: String
    /// This host in unique names (and how recovery tells its own scratch files from another host's).
    let hostTag: String
    /// This process in unique names (getpid is a system call: not one per message).
    private let pid = getpid()
    /// The Maildir of each recipient seen lately, its folders known to exist, so a busy mailbox costs no path
    /// building and no stat calls per message. Forgotten wholesale past `maildirMemory` recipients, and a
    /// recipient's entry when writing there fails (its folders may have been removed).
    private let maildirs = NIOLockedValueBox<[String: MaildirFolders]>([:])
    private static let maildirMemory = 10_000
    /// The relay queue's tmp/ exists.
    private let relayQueueReady = NIOLockedValueBox(false)

    private struct MaildirFolders {
        let tmp: String
        let new: String
    }
    private let committer: GroupCommit

    public init(dataDirectory: String, sync: GroupCommit.Mode = .fileSystem) {
        self.dataDirectory = dataDirectory
        committer = GroupCommit(mode: sync)
        hostTag = ProcessInfo.processInfo.hostName.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: ":", with: "_")
    }

    public var mailboxesFolder: String { dataDirectory + "/mailboxes" }
    public var relayQueueFolder: String { dataDirectory + "/queue/relay" }
    public var syncMode: GroupCommit.Mode { committer.mode }
    /// Durable delivery so far (`GroupCommit.statistics`).
    public var deliveryStatistics: DeliveryStatistics { committer.statistics }

    /// A Maildir-safe unique name: time, pid, a sequence and the host, as the Maildir spec suggests.
    private func uniqueName(_ id: String) -> String {
        let now = Date().timeIntervalSince1970
        // Only letters and digits of the id: message ids hold <, >, @ and worse.
        let tag = String(
            decoding: id.utf8.lazy.filter { ($0 >= 0x30 && $0 <= 0x39) || (($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A) }.prefix(40), as: UTF8.self)
        return "\(Int(now)).M\(Int((now - floor(now)) * 1_000_000))P\(pid)Q\(tag).\(hostTag)"
    }

    /// Writes the message for every recipient: a Maildir copy for each of `local` (the recipients in accepted
    /// domains, in lower case), the relay queue for `relayed`. `done` hears once every copy is durable and
    /// visible (group commit: see `GroupCommit`), or why not. With `loop`, `done` runs on that event loop.
    /// `spool`: a file (`BodySpool`) holding the rest of the message after `body`; it is copied into the
    /// scratch file and removed once staged, whatever the outcome.
    public func deliver(
        envelope: Envelope, headers: [UInt8], body: [UInt8], spool: String? = nil, local: [String], relayed: [String],
        on loop: EventLoop? = nil, done: @escaping GroupCommit.Completion
    ) {
        committer.submit(stage: staging(envelope, headers, body, local, relayed, spool: spool), on: loop, done: done)
    }

    /// Where sessions spool large DATA bodies while they arrive (`BodySpool`).
    public var spoolFolder: String { dataDirectory + "/spool" }

    /// `deliver`, returning only when every copy is durable; `isLocal` says which of the envelope's recipients
    /// are in accepted domains.
    public func deliver(envelope: Envelope, headers: [UInt8], body: [UInt8], isLocal: (String) -> Bool) throws {
        let (local, relayed) = Self.split(envelope.recipients, isLocal)
        try committer.commit(stage: staging(envelope, headers, body, local, relayed))
    }

    private static func split(_ recipients: [String], _ isLocal: (String) -> Bool) -> (local: [String], relayed: [String]) {
        var local: [String] = [], relayed: [String] = []
        for recipient in recipients {
            if isLocal(recipient) { local.append(recipient.lowercased()) } else { relayed.append(recipient) }
        }
        return (local, relayed)
    }

    /// The committer's work for one message (the files are written later, on the writer thread). A recipient
    /// named twice gets one copy.
    private func staging(
        _ envelope: Envelope, _ headers: [UInt8], _ body: [UInt8], _ local: [String], _ relayed: [String],
        spool: String? = nil
    ) -> () throws -> StagedMessage {
        let local = local.count > 1 ? Set(local).sorted() : local
        guard let spool else {
            return { [self] in try stage(envelope: envelope, headers: headers, body: body, local: local, relayed: relayed) }
        }
        return { [self] in
            defer { unlink(spool) }
            return try stage(envelope: envelope, headers: headers, body: body, local: local, relayed: relayed, spool: spool)
        }
    }

    /// Writes the message's files under sealed scratch names (one Maildir copy in the first recipient's tmp/,
    /// linked into the tmp/ of the other local recipients; the relay queue's message and envelope in its
    /// tmp/), and says which final name each gets once they are durable.
    private func stage(
        envelope: Envelope, headers: [UInt8], body: [UInt8], local: [String], relayed: [String],
        spool: String? = nil
    ) throws -> StagedMessage {
        let name = uniqueName(envelope.messageID)
        var staged = StagedMessage()
        do {
            var firstCopy: String?
            let seal =
                try spool.map { try ScratchSeal(finalName: name, parts: [headers, body], file: $0) }
                ?? ScratchSeal(finalName: name, parts: [headers, body])
            for recipient in local {
                let copy: (folders: MaildirFolders, scratch: String)
                do {
                    copy = try placeCopy(for: recipient, seal: seal, firstCopy: firstCopy, parts: [headers, body], spool: spool, into: &staged)
                } catch {
                    // The folders may have gone since they were made (a mailbox removed by hand): make them again, once.
                    forgetMaildir(of: recipient)
                    copy = try placeCopy(for: recipient, seal: seal, firstCopy: firstCopy, parts: [headers, body], spool: spool, into: &staged)
                }
                if firstCopy == nil { firstCopy = copy.scratch }
                staged.links.append((copy.scratch, "\(copy.folders.new)/\(name)"))
                staged.scratchFolders.insert(copy.folders.tmp)
                staged.finalFolders.insert(copy.folders.new)
            }
            if !relayed.isEmpty {
                if !relayQueueReady.withLockedValue({ $0 }) {
                    try DurableFile.makeFolder(relayQueueFolder + "/tmp")
                    relayQueueReady.withLockedValue { $0 = true }
                }
                var relayEnvelope = envelope
                relayEnvelope.recipients = relayed
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                encoder.dateEncodingStrategy = .iso8601
                let envelopeBytes = Array(try encoder.encode(relayEnvelope))
                // The message first, then its envelope: a queue runner treats an envelope as the commit record.
                for (suffix, parts, file) in [("eml", [headers, body], spool), ("json", [envelopeBytes], nil)] {
                    let seal =
                        try file.map { try ScratchSeal(finalName: "\(name).\(suffix)", parts: parts, file: $0) }
                        ?? ScratchSeal(finalName: "\(name).\(suffix)", parts: parts)
                    let scratch = "\(relayQueueFolder)/tmp/\(seal.scratchName)"
                    try write(parts, spool: file, to: scratch, into: &staged)
                    staged.links.append((scratch, "\(relayQueueFolder)/\(name).\(suffix)"))
                }
                staged.scratchFolders.insert(relayQueueFolder + "/tmp")
                staged.finalFolders.insert(relayQueueFolder)
            }
            return staged
        } catch {
            staged.close()
            staged.discardScratch()
            throw error
        }
    }

    /// A recipient's copy under its scratch name: the first copy written, the others links to it (one copy on
    /// disk for every local recipient).
    private func placeCopy(
        for recipient: String, seal: ScratchSeal, firstCopy: String?, parts: [[UInt8]], spool: String?,
        into staged: inout StagedMessage
    ) throws -> (folders: MaildirFolders, scratch: String) {
        let folders = try maildirFolders(for: recipient)
        let scratch = "\(folders.tmp)/\(seal.scratchName)"
        if let firstCopy {
            try DurableFile.link(firstCopy, as: scratch)
            staged.scratch.append(scratch)
        } else {
            try write(parts, spool: spool, to: scratch, into: &staged)
        }
        return (folders, scratch)
    }

    /// Creates a scratch file (remembered at once, so that a failed write removes it) and writes it.
    /// With `spool`, that file's contents follow the parts.
    private func write(_ parts: [[UInt8]], spool: String? = nil, to scratch: String, into staged: inout StagedMessage) throws {
        let fd = try DurableFile.create(scratch)
        staged.files.append((fd, scratch))
        staged.scratch.append(scratch)
        try DurableFile.writeAll(fd, parts, what: scratch)
        if let spool { try DurableFile.append(contentsOf: spool, to: fd, what: scratch) }
    }

    /// What `recoverInterruptedDeliveries` found.
    public struct Recovery: Equatable, Sendable {
        /// Messages whose final name a crash took after their `250`: named again.
        public var restored = 0
        /// Scratch files of messages that had their final names: removed.
        public var cleared = 0
        /// Scratch files a crash cut short (their `250` was never sent): removed.
        public var discarded = 0
        /// Scratch files of another listener that is still running, or of another host: left alone.
        public var skipped = 0

        public init(restored: Int = 0, cleared: Int = 0, discarded: Int = 0, skipped: Int = 0) {
            self.restored = restored; self.cleared = cleared; self.discarded = discarded; self.skipped = skipped
        }
    }

    /// Finishes the deliveries a crash interrupted (`GroupCommit`): every sealed scratch file in a Maildir's
    /// tmp/ or the relay queue's tmp/ either gets its final name again (a whole message that was, or may have
    /// been, acknowledged), or is removed (its message has its final name, also in cur/, or the crash cut it
    /// short). The listener runs this at start, before it accepts a connection.
    public func recoverInterruptedDeliveries() throws -> Recovery {
        var report = Recovery()
        var finished: [String] = []  // scratch files to remove once the final names are durable
        var touched: Set<String> = []  // folders that got final names
        for (tmp, final, cur) in scratchLocations() {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: tmp))?.sorted() ?? []  // .eml before .json
            var curNames: [String]?
            for name in names {
                guard let seal = ScratchSeal(scratchName: name) else { continue }
                guard !isAnotherRunningDelivery(seal.finalName) else { report.skipped += 1; continue }
                let scratch = "\(tmp)/\(name)"
                if curNames == nil, let cur { curNames = (try? FileManager.default.contentsOfDirectory(atPath: cur)) ?? [] }
                let delivered =
                    FileManager.default.fileExists(atPath: "\(final)/\(seal.finalName)")
                    || (curNames ?? []).contains { $0 == seal.finalName || $0.hasPrefix(seal.finalName + ":") }
                if delivered {
                    report.cleared += 1
                    finished.append(scratch)
                    touched.insert(final)
                } else if seal.matches(fileAt: scratch) && envelopeIsWhole(forQueued: seal.finalName, in: tmp, final: final, names: names) {
                    try DurableFile.link(scratch, as: "\(final)/\(seal.finalName)")
                    report.restored += 1
                    finished.append(scratch)
                    touched.insert(final)
                } else {
                    unlink(scratch)
                    report.discarded += 1
                }
            }
        }
        // The final names durable before the scratch names go: a crash now must not lose both.
        for folder in touched {
            let fd = try DurableFile.openFolder(folder)
            defer { Glibc.close(fd) }
            try DurableFile.syncFileSystem(fd, what: folder)
        }
        for scratch in finished { unlink(scratch) }
        removeDeadSpools()
        return report
    }

    /// Spooled bodies (`BodySpool`) a listener that is gone left behind: never messages, removed.
    private func removeDeadSpools() {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: spoolFolder)) ?? [] {
            guard name.hasSuffix(".body"), let dash = name.firstIndex(of: "-"), let pid = Int32(name[..<dash]) else { continue }
            if pid != getpid() && kill(pid, 0) != 0 && errno != EPERM { unlink("\(spoolFolder)/\(name)") }
        }
    }

    /// A relayed message (`.eml`) is named again only with its envelope (`.json`, the queue's commit record,
    /// written in the same round): already final, or a whole scratch file. Without it the message was never
    /// acknowledged. Anything that is not a queued message passes.
    private func envelopeIsWhole(forQueued finalName: String, in tmp: String, final: String, names: [String]) -> Bool {
        guard final == relayQueueFolder, finalName.hasSuffix(".eml") else { return true }
        let envelope = String(finalName.dropLast(4)) + ".json"
        if FileManager.default.fileExists(atPath: "\(final)/\(envelope)") { return true }
        return names.contains { name in
            guard let seal = ScratchSeal(scratchName: name), seal.finalName == envelope else { return false }
            return seal.matches(fileAt: "\(tmp)/\(name)")
        }
    }

    /// Every tmp/ folder that can hold scratch files, with the folder its final names go to and, for a
    /// Maildir, its cur/ (where a mail reader moves what it has seen).
    private func scratchLocations() -> [(tmp: String, final: String, cur: String?)] {
        var found: [(String, String, String?)] = []
        let fm = FileManager.default
        for domain in (try? fm.contentsOfDirectory(atPath: mailboxesFolder)) ?? [] {
            for user in (try? fm.contentsOfDirectory(atPath: "\(mailboxesFolder)/\(domain)")) ?? [] {
                let maildir = "\(mailboxesFolder)/\(domain)/\(user)/Maildir"
                if fm.fileExists(atPath: maildir + "/tmp") { found.append((maildir + "/tmp", maildir + "/new", maildir + "/cur")) }
            }
        }
        if fm.fileExists(atPath: relayQueueFolder + "/tmp") { found.append((relayQueueFolder + "/tmp", relayQueueFolder, nil)) }
        return found
    }

    /// A scratch file written by another listener that still runs (sharing this data folder), or on another
    /// host: not ours to finish. The unique name says which process on which host wrote it (`uniqueName`).
    private func isAnotherRunningDelivery(_ finalName: String) -> Bool {
        let parts = finalName.split(separator: ".", maxSplits: 2)
        guard parts.count == 3, parts[2].hasPrefix(hostTag),
            let p = parts[1].firstIndex(of: "P"), let q = parts[1][p...].firstIndex(of: "Q"),
            let pid = Int32(parts[1][parts[1].index(after: p)..<q])
        else { return true }
        if pid == getpid() { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }

    /// A recipient's Maildir folders, made if missing.
    private func maildirFolders(for recipient: String) throws -> MaildirFolders {
        if let known = maildirs.withLockedValue({ $0[recipient] }) { return known }
        let (user, domain) = Self.split(recipient)
        let maildir = "\(mailboxesFolder)/\(Self.safe(domain))/\(Self.safe(user))/Maildir"
        for folder in ["tmp", "new", "cur"] { try DurableFile.makeFolder("\(maildir)/\(folder)") }
        let folders = MaildirFolders(tmp: maildir + "/tmp", new: maildir + "/new")
        maildirs.withLockedValue {
            if $0.count >= Self.maildirMemory { $0.removeAll() }
            $0[recipient] = folders
        }
        return folders
    }

    private func forgetMaildir(of recipient: String) {
        _ = maildirs.withLockedValue { $0.removeValue(forKey: recipient) }
    }

    static func split(_ address: String) -> (String, String) {
        guard let at = address.lastIndex(of: "@") else { return (address, "localhost") }
        return (String(address[..<at]), String(address[address.index(after: at)...]))
    }

    /// A path component that can't climb out of its folder.
    /// The session refused at RCPT what can't be a folder name (`RecipientDirectory`); a name cut to a file
    /// name's length is the last resort of a caller that did not ask.
    static func safe(_ part: String) -> String {
        RecipientDirectory.folderName(part) ?? RecipientDirectory.folderName(String(part.prefix(60))) ?? "_"
    }
}
