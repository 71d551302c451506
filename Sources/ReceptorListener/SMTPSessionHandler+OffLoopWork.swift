import Foundation
import Logging
import NIOCore
import ReceptorCore
import ReceptorSMTP
import ReceptorStore
import ReceptorControl

/// The work a session hands to other threads and waits for: password checks (PBKDF2, on the thread pool)
/// and deliveries (the group commit's writer and syncer). Each result comes back on the session's event loop
/// as an event for the engine.
extension SMTPSessionHandler {
    /// A password check on the thread pool, within `AuthenticationLimits`: past the concurrent checks, or
    /// for a source with too many recent failures, the engine hears `.unavailable` (454 4.7.0) at once.
    func authenticate(_ credentials: Credentials, context: ChannelHandlerContext) {
        let store = services.store
        let loop = context.eventLoop
        let limits = services.authLimits
        let source = configuration.remoteEndpoint.displayAddress
        let admission = limits.admit(source: source)
        switch admission {
        case .admitted:
            break
        case .busy, .sourceBlocked:
            let reason =
                admission == .sourceBlocked
                ? "\(source) failed \(limits.failuresPerSource) logons within \(Int(limits.failureWindow)) s"
                : "\(limits.maximumConcurrentChecks) password checks are running"
            services.logger.notice("AUTH from \(source) answered 454 without a check: \(reason)")
            run(connection.handle(.authenticationResult(.unavailable), at: Date()))
            return
        }
        services.threadPool.runIfActive(eventLoop: loop) { () -> MailboxAccount? in
            try store.authenticate(login: credentials.login, password: credentials.password)
        }.whenComplete { [weak self] result in
            if case .success(nil) = result { limits.finish(source: source, failed: true) } else { limits.finish(source: source, failed: false) }
            guard let self, !self.closed else { return }
            let outcome: AuthenticationResult
            switch result {
            case .success(let account?): outcome = .accepted(account)
            case .success(nil): outcome = .rejected
            case .failure(let error):
                self.services.logger.error("authentication failed to run: \(error)")
                outcome = .unavailable
            }
            self.run(self.connection.handle(.authenticationResult(outcome), at: Date()))
        }
    }

    /// Part of a large DATA body (`BodySpool`): written to the session's spool file at once, on the event
    /// loop (a megabyte into the page cache; reading waits meanwhile, which is the backpressure).
    func spill(_ bytes: [UInt8], first: Bool) {
        if first {
            discardSpool()
            do {
                spool = try BodySpool(
                    folder: services.messages.spoolFolder,
                    name: BodySpool.name(pid: getpid(), session: configuration.sessionID))
            } catch {
                services.logger.error("can't spool a message body: \(error)")
                return
            }
        }
        spool?.append(bytes)
    }

    func discardSpool() {
        spool?.discard()
        spool = nil
    }

    func deliver(_ envelope: Envelope, context: ChannelHandlerContext) {
        var spooled: String?
        if envelope.spilledSize > 0 {
            let spool = self.spool
            self.spool = nil
            guard let spool, spool.size == envelope.spilledSize, let path = spool.handOver() else {
                services.logger.error("the spooled body of \(envelope.messageID) is missing or incomplete")
                spool?.discard()
                run(connection.handle(.deliveryResult(.failed(nil)), at: Date()))
                return
            }
            spooled = path
        }
        let messages = services.messages
        let internalID = services.nextInternalID()
        let sender = envelope.sender?.description
        let recipients = envelope.recipients.map(\.address.description)
        // The engine decided at RCPT which mailbox gets each recipient's copy, and which are relayed
        // (RecipientDirectory).
        var local: [String] = [], relayed: [String] = []
        for (recipient, address) in zip(envelope.recipients, recipients) {
            if let mailbox = recipient.mailbox { local.append(mailbox) } else { relayed.append(address) }
        }
        if !relayed.isEmpty { usageTally.relayed += 1 }
        let record = MessageStore.Envelope(
            messageID: envelope.messageID, mailFrom: sender ?? "", recipients: recipients, connector: envelope.connectorID,
            clientAddress: envelope.clientAddress.description, heloName: envelope.heloName ?? "",
            authenticatedAs: envelope.account?.userPrincipalName, receivedAt: envelope.receivedAt)
        let prepended = envelope.prependedHeaderBytes
        pendingSummary = [
            MessageSummary(
                messageID: envelope.messageID, sessionID: envelope.sessionID, connector: envelope.connectorID,
                from: sender ?? "<>", recipients: recipients,
                authAs: envelope.authAs, authMechanism: envelope.authMechanism, size: envelope.size,
                receivedAt: envelope.receivedAt, headers: Self.headerSection(prepended: prepended, message: envelope.message))
        ]
        let loop = context.eventLoop
        let session = NIOLoopBound(self, eventLoop: loop)
        let messageID = envelope.messageID
        // The committer reports on the session's event loop, one hop per loop and round (no promise per message).
        messages.deliver(
            envelope: record, headers: prepended, body: envelope.message, spool: spooled, local: local, relayed: relayed,
            on: loop
        ) { result in
            session.value.delivered(messageID, internalID: internalID, result)
        }
    }

    /// Also when the client has gone meanwhile: the engine still records the outcome (protocol log, counters,
    /// the monitor's recent messages); replies to a closed channel go nowhere.
    func delivered(_ messageID: String, internalID: Int64, _ result: Result<Void, Error>) {
        switch result {
        case .success:
            run(connection.handle(.deliveryResult(.queued(internalID: internalID)), at: Date()))
        case .failure(let error):
            services.logger.error("delivery of \(messageID) failed: \(error)")
            run(connection.handle(.deliveryResult(.failed(nil)), at: Date()))
        }
    }

    /// The header section as stored: the prepended fields, then the message's own up to the empty line
    /// (bounded; a message without one is all header as far as the monitor is concerned).
    static func headerSection(prepended: [UInt8], message: [UInt8]) -> String {
        let limit = MessageSummary.maximumHeaderBytes
        let scan = message.prefix(limit)
        var end = scan.count
        if scan.starts(with: [13, 10]) {
            end = 0
        } else if let blank = scan.indices.dropLast(3).first(where: {
            scan[$0] == 13 && scan[$0 + 1] == 10 && scan[$0 + 2] == 13 && scan[$0 + 3] == 10
        }) {
            end = blank + 2
        }
        // Both parts written straight into the string's storage, up to the limit (no joined array first).
        let own = message[..<end].prefix(max(0, limit - prepended.count))
        let head = prepended.prefix(limit)
        return String(unsafeUninitializedCapacity: head.count + own.count) { buffer in
            let afterHead = buffer.initialize(fromContentsOf: head)
            let afterOwn = buffer[afterHead...].initialize(fromContentsOf: own)
            return afterOwn
        }
    }
}
