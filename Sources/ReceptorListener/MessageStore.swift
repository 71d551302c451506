import Foundation
import NIOConcurrencyHelpers
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

        public init(messageID: String, mailFrom: String, recipients: [String], connector: String, clientAddress: String,
                    heloName: String, authenticatedAs: String?, receivedAt: Date, dsn: [String: String] = [:]) {
            self.messageID = messageID; self.mailFrom = mailFrom; self.recipients = recipients; self.connector = connector
            self.clientAddress = clientAddress; self.heloName = heloName; self.authenticatedAs = authenticatedAs
            self.receivedAt = receivedAt; self.dsn = dsn
        }
    }

    public let dataDirectory: String
    private let hostTag: String
    /// Folders known to exist, so a busy mailbox costs no stat calls per message.
    private let knownFolders = NIOLockedValueBox<Set<String>>([])
    private let committer: GroupCommit

    public init(dataDirectory: String, sync: GroupCommit.Mode = .fileSystem) {
        self.dataDirectory = dataDirectory
        committer = GroupCommit(mode: sync)
        hostTag = ProcessInfo.processInfo.hostName.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: ":", with: "_")
    }

    public var mailboxesFolder: String { dataDirectory + "/mailboxes" }
    public var relayQueueFolder: String { dataDirectory + "/queue/relay" }
    public var syncMode: GroupCommit.Mode { committer.mode }

    /// A Maildir-safe unique name: time, pid, a sequence and the host, as the Maildir spec suggests.
    private func uniqueName(_ id: String) -> String {
        let now = Date().timeIntervalSince1970
        // Only letters and digits of the id: message ids hold <, >, @ and worse.
        let tag = String(decoding: id.utf8.lazy.filter { ($0 >= 0x30 && $0 <= 0x39) || (($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A) }.prefix(40), as: UTF8.self)
        return "\(Int(now)).M\(Int((now - floor(now)) * 1_000_000))P\(getpid())Q\(tag).\(hostTag)"
    }

    /// Writes the message for every recipient; `isLocal` says which recipients are in accepted domains.
    /// `done` hears once every copy is durable and visible (group commit: see `GroupCommit`), or why not.
    public func deliver(envelope: Envelope, headers: [UInt8], body: [UInt8], isLocal: (String) -> Bool,
                        done: @escaping GroupCommit.Completion) {
        committer.submit(stage: staging(envelope, headers, body, isLocal), done: done)
    }

    /// `deliver`, returning only when every copy is durable.
    public func deliver(envelope: Envelope, headers: [UInt8], body: [UInt8], isLocal: (String) -> Bool) throws {
        try committer.commit(stage: staging(envelope, headers, body, isLocal))
    }

    /// The committer's work for one message: which recipients are local is decided here, on the caller's
    /// thread (`isLocal` need not be thread-safe); the files are written later, on the writer thread.
    private func staging(_ envelope: Envelope, _ headers: [UInt8], _ body: [UInt8], _ isLocal: (String) -> Bool) -> () throws -> StagedMessage {
        let local = Set(envelope.recipients.filter(isLocal).map { $0.lowercased() }).sorted()
        let relayed = envelope.recipients.filter { !isLocal($0) }
        return { [self] in try stage(envelope: envelope, headers: headers, body: body, local: local, relayed: relayed) }
    }

    /// Writes the message's files (one Maildir copy, linked for further local recipients; the relay queue's
    /// message and envelope) without naming them yet.
    private func stage(envelope: Envelope, headers: [UInt8], body: [UInt8], local: [String], relayed: [String]) throws -> StagedMessage {
        let name = uniqueName(envelope.messageID)
        var staged = StagedMessage()
        do {
            var firstCopy: String?
            for recipient in local {
                let (user, domain) = Self.split(recipient)
                let maildir = "\(mailboxesFolder)/\(Self.safe(domain))/\(Self.safe(user))/Maildir"
                try ensureFolders(["\(maildir)/tmp", "\(maildir)/new", "\(maildir)/cur"])
                let final = "\(maildir)/new/\(name)"
                staged.folders.insert("\(maildir)/new")
                if let first = firstCopy {
                    staged.steps.append(.link(first, as: final))
                    continue
                }
                if let fd = try DurableFile.openUnnamed(in: "\(maildir)/tmp") {
                    staged.files.append((fd, final))
                    try DurableFile.writeAll(fd, [headers, body], what: final)
                    staged.steps.append(.linkUnnamed(staged.files.count - 1, as: final))
                } else {
                    let scratch = "\(maildir)/tmp/\(name)"
                    staged.files.append((try DurableFile.create(scratch), final))
                    staged.scratch.append(scratch)
                    try DurableFile.writeAll(staged.files.last!.fd, [headers, body], what: scratch)
                    staged.steps.append(.rename(scratch, to: final))
                }
                firstCopy = final
            }
            if !relayed.isEmpty {
                try ensureFolders([relayQueueFolder + "/tmp"])
                var relayEnvelope = envelope
                relayEnvelope.recipients = relayed
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                encoder.dateEncodingStrategy = .iso8601
                let envelopeBytes = Array(try encoder.encode(relayEnvelope))
                // The message first, then its envelope: a queue runner treats an envelope as the commit record.
                for (suffix, parts) in [("eml", [headers, body]), ("json", [envelopeBytes])] {
                    let scratch = "\(relayQueueFolder)/tmp/\(name).\(suffix)"
                    staged.files.append((try DurableFile.create(scratch), scratch))
                    staged.scratch.append(scratch)
                    try DurableFile.writeAll(staged.files.last!.fd, parts, what: scratch)
                    staged.steps.append(.rename(scratch, to: "\(relayQueueFolder)/\(name).\(suffix)"))
                }
                staged.folders.insert(relayQueueFolder)
            }
            return staged
        } catch {
            staged.close()
            staged.discardScratch()
            throw error
        }
    }

    private func ensureFolders(_ paths: [String]) throws {
        for path in paths where !knownFolders.withLockedValue({ $0.contains(path) }) {
            try DurableFile.makeFolder(path)
            knownFolders.withLockedValue { _ = $0.insert(path) }
        }
    }

    static func split(_ address: String) -> (String, String) {
        guard let at = address.lastIndex(of: "@") else { return (address, "localhost") }
        return (String(address[..<at]), String(address[address.index(after: at)...]))
    }

    /// A path component that can't climb out of its folder.
    static func safe(_ part: String) -> String {
        let cleaned = part.lowercased().map { ch -> Character in
            ch == "/" || ch == "\0" || ch.isNewline ? "_" : ch
        }
        let text = String(cleaned)
        return text == "." || text == ".." || text.isEmpty ? "_" + text : text
    }
}
