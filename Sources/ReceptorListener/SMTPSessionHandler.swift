import Foundation
import Logging
import NIOCore
import NIOSSL
import NIOTLS
import ReceptorCore
import ReceptorSMTP
import ReceptorStore
import ReceptorControl

/// Carries bytes between a TCP connection and one `SMTPConnection` (the pure protocol engine), and carries
/// out its actions: write replies, start TLS, check a password, store a message, log, wait, close.
/// Everything runs on the channel's event loop; blocking work (password hashing, fsync) goes to the thread
/// pool and comes back as an event.
extension ByteBuffer: SMTPByteSink {
    public mutating func appendByte(_ byte: UInt8) { writeInteger(byte) }
    public mutating func appendBytes(_ bytes: String.UTF8View) { writeBytes(bytes) }
}

final class SMTPSessionHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let services: ListenerServices
    private let tls: ListenerTLS?
    private let onClose: @Sendable () -> Void
    private var connection: SMTPConnection
    private var context: ChannelHandlerContext?
    /// Actions waiting behind a tarpit delay, and input that arrived meanwhile.
    private var delayedActions: [SessionAction] = []
    private var delayedInput: [UInt8] = []
    private var delaying = false
    private var deadlineTimer: Scheduled<Void>?
    /// When `deadlineTimer` fires.
    private var timerDue: Date?
    private var closing = false
    private var closed = false
    private var bytesIn: Int64 = 0
    private var lastState = "Connected"
    /// The message being queued, as the monitor will list it once the engine accepts it. An array, not an
    /// optional: an empty array is one word in each of 10,000 idle sessions, an optional struct a dozen.
    private var pendingSummary: [MessageSummary] = []
    /// This session's entry in the registry (set when the handler is added).
    private var registrySlot: SessionRegistry.Slot?

    init(services: ListenerServices, configuration: SessionConfiguration, tls: ListenerTLS?, onClose: @escaping @Sendable () -> Void) {
        self.services = services
        self.tls = tls
        self.onClose = onClose
        connection = SMTPConnection(configuration: configuration)
    }

    /// The session's settings, kept once, in the engine: a copy here too cost 712 bytes per session, 7 MB of
    /// the 10,000 idle sessions' memory.
    private var configuration: SessionConfiguration { connection.session.configuration }

    private var log: ProtocolLogWriter? {
        configuration.connector.protocolLoggingLevel == .verbose ? services.protocolLog(service: configuration.connector.transportServiceName) : nil
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let loop = context.eventLoop
        let channel = context.channel
        let info = LiveSession(id: configuration.sessionID, connector: configuration.connectorID,
                               remote: configuration.remoteText, local: configuration.localText,
                               state: "Connected", tls: nil, authenticatedAs: nil, messages: 0, bytes: 0,
                               startedAt: configuration.connectedAt, lastActivity: configuration.connectedAt)
        // The registry calls from any thread; the session is only touched on its own event loop.
        let handler = NIOLoopBound(self, eventLoop: loop)
        registrySlot = services.sessions.add(info, connectorGUID: configuration.connector.guid) { _ in
            loop.execute {
                let session = handler.value
                guard channel.isActive, !session.closed else { return }
                session.run(session.connection.handle(.shutdown, at: Date()))
            }
        }
        services.events.count(configuration.connectorID) { $0.connectionsNow += 1; $0.connectionsTotal += 1 }
        services.events.publish(ListenerEvent(type: "sessionOpened", session: info, connector: configuration.connectorID))
    }

    /// NIO's context keeps its handler, and this handler keeps its context and its registry entry (whose
    /// callback keeps the handler): both cycles are broken here, when the closed channel's pipeline lets go
    /// of its handlers. Without this every connection's session, buffers included, stayed in memory.
    func handlerRemoved(context: ChannelHandlerContext) {
        finish()
        self.context = nil
        registrySlot = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        run(connection.start(at: Date()))
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        guard !closing else { return }
        if delaying {
            delayedInput += buffer.readableBytesView
            return
        }
        bytesIn += Int64(buffer.readableBytes)
        // The engine copies the bytes into its own buffer, which keeps its capacity between reads: no array
        // is made per read.
        let actions = buffer.withUnsafeReadableBytes { bytes in connection.receive(bytes, at: Date()) }
        run(actions)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A reset or a TLS failure ends the session; the engine logs the disconnect.
        if case .some = error as? NIOSSLError {
            run(connection.handle(.tlsFailed(reason: "\(error)"), at: Date()))
        }
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tls = event as? TLSUserEvent, case .handshakeCompleted = tls {
            tlsHandshakeCompleted(context: context)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func finish() {
        guard !closed else { return }
        closed = true
        deadlineTimer?.cancel()
        if !connection.isClosed { run(connection.handle(.remoteClosed, at: Date())) }
        let final = services.sessions.session(configuration.sessionID)
        services.sessions.remove(configuration.sessionID)
        services.events.count(configuration.connectorID) { $0.connectionsNow -= 1; $0.bytes += bytesIn }
        services.events.publish(ListenerEvent(type: "sessionClosed", session: final, connector: configuration.connectorID))
        onClose()
    }

    // MARK: Carrying out actions

    private func run(_ actions: [SessionAction]) {
        var actions = actions[...]
        var wrote = false
        let watched = services.events.hasSubscribers
        let protocolLog = log
        var transcript: [TranscriptLine] = []
        defer {
            if !transcript.isEmpty {
                services.events.publish(ListenerEvent(type: "transcript", connector: configuration.connectorID,
                                                      sessionID: configuration.sessionID, lines: transcript))
            }
        }
        while let action = actions.popFirst() {
            guard let context else { return }
            switch action {
            case .reply(let reply):
                count(reply)
                var buffer = context.channel.allocator.buffer(capacity: reply.lines.reduce(0) { $0 + $1.utf8.count + 16 })
                reply.encode(enhanced: true, into: &buffer)
                context.write(wrapOutboundOut(buffer), promise: nil)
                wrote = true
            case .startTLS:
                context.flush()
                wrote = false
                startTLS(context: context)
            case .authenticate(let credentials):
                authenticate(credentials, context: context)
            case .deliver(let envelope):
                deliver(envelope, context: context)
            case .close:
                closing = true
                let channel = context.channel
                context.writeAndFlush(wrapOutboundOut(channel.allocator.buffer(capacity: 0))).whenComplete { _ in
                    channel.close(promise: nil)
                }
                wrote = false
            case .delay(let seconds):
                services.events.count(configuration.connectorID) { $0.tarpitted += 1 }
                if wrote { context.flush(); wrote = false }
                delaying = true
                delayedActions = Array(actions)
                actions = []
                context.eventLoop.scheduleTask(in: .seconds(Int64(seconds))) { [weak self] in self?.endDelay() }
            case .log(let event):
                let entry = ProtocolLogLine(time: event.time, connectorID: event.connectorID, sessionID: event.sessionID,
                                            sequence: event.sequenceNumber, localEndpoint: event.localEndpoint,
                                            remoteEndpoint: event.remoteEndpoint,
                                            event: ProtocolLogLine.Event(rawValue: event.kind.rawValue) ?? .information,
                                            data: event.data, context: event.context)
                guard protocolLog != nil || watched else { break }
                let text = entry.text
                protocolLog?.append(text: text)
                // The monitor's live transcript, whatever ProtocolLoggingLevel says; built only when one watches,
                // and sent as one event per burst of work (an EHLO reply is a dozen lines).
                if watched {
                    transcript.append(TranscriptLine(time: String(text.prefix(24)), sequence: event.sequenceNumber,
                                                     event: event.kind.rawValue, data: event.data, context: event.context, text: text))
                }
            case .messageAccepted(let accepted):
                services.events.count(configuration.connectorID) { $0.messagesAccepted += 1 }
                let summary = pendingSummary.first
                pendingSummary = []
                if let summary { services.events.remember(summary) }
                services.events.publish(ListenerEvent(type: "messageAccepted", connector: configuration.connectorID,
                                                      detail: "\(accepted.messageID) from \(accepted.sender?.description ?? "<>") to \(accepted.recipientCount) recipient(s), \(accepted.size) bytes, AuthAs \(accepted.account ?? "Anonymous")",
                                                      message: summary))
                // MessageRateLimit counts per source (the address; the account when MessageRateSource is User).
                let source = rateSource
                let limit = configuration.connector.messageRateLimit
                _ = services.tracker.recordMessage(source: source, limit: limit)
                if services.tracker.wouldExceedRate(source: source, limit: limit) {
                    actions.append(contentsOf: connection.handle(.rateLimit(exceeded: true), at: Date()))
                }
            case .messageRejected(let reply):
                let text = reply.textLines().joined(separator: " ")
                services.events.count(configuration.connectorID) { $0.messagesRejected += 1 }
                services.events.publish(ListenerEvent(type: "messageRejected", connector: configuration.connectorID, detail: text))
            case .expectData, .expectChunk:
                break
            }
        }
        if wrote { context?.flush() }
        scheduleDeadline()
        publishState()
    }

    /// Keeps the registry's view of this session current, and tells subscribers when its state changes.
    /// Updates the session's registry entry (what the monitor and `status` show). Runs after every burst of
    /// work, so it reads the engine's fields in place rather than copying the session.
    private func publishState() {
        let state = connection.session.activity
        let messages = connection.session.messagesAccepted
        let lastActivity = connection.session.lastActivity
        let bytes = bytesIn
        let changed = state != lastState
        let tls = connection.session.tls.map { "\($0.version) \($0.cipher)" }
        let authAs = connection.session.account?.userPrincipalName
            ?? (connection.session.authentication == .anonymous ? nil : "\(connection.session.authentication)")
        guard let registrySlot else { return }
        services.sessions.update(registrySlot) { info in
            info.state = state
            info.tls = tls
            info.authenticatedAs = authAs
            info.messages = messages
            info.bytes = bytes
            info.lastActivity = lastActivity
        }
        if changed {
            lastState = state
            services.events.publish(ListenerEvent(type: "sessionState", session: services.sessions.info(of: registrySlot),
                                                  connector: configuration.connectorID))
        }
    }

    private var rateSource: String {
        switch configuration.connector.messageRateSource {
        case .user: connection.session.account?.userPrincipalName ?? configuration.remoteEndpoint.displayAddress
        default: configuration.remoteEndpoint.displayAddress
        }
    }

    /// Counts the replies the monitor cares about: refused relay and failed authentication.
    private func count(_ reply: SMTPReply) {
        if reply.code == 550, reply.lines.first?.contains("Unable to relay") == true {
            services.events.count(configuration.connectorID) { $0.relayDenied += 1 }
            services.events.publish(ListenerEvent(type: "relayDenied", connector: configuration.connectorID,
                                                  detail: configuration.remoteText))
        } else if reply.code == 535 {
            services.events.count(configuration.connectorID) { $0.authFailures += 1 }
            services.events.publish(ListenerEvent(type: "authenticationFailed", connector: configuration.connectorID,
                                                  detail: configuration.remoteText))
        }
    }

    private func endDelay() {
        delaying = false
        let pending = delayedActions
        delayedActions = []
        run(pending)
        if !delaying, !delayedInput.isEmpty {
            let input = delayedInput
            delayedInput = []
            run(connection.receive(input, at: Date()))
        }
    }

    /// Timeouts (ConnectionTimeout, ConnectionInactivityTimeout) come from the engine's next deadline.
    /// Keeps one timer for the session's next deadline. A pending timer due no later than the deadline is
    /// kept: the inactivity deadline moves later with every command, and a timer that fires early finds
    /// nothing due in the engine and schedules the next one, so most commands schedule nothing.
    private func scheduleDeadline() {
        guard let context, !connection.isClosed else {
            deadlineTimer?.cancel()
            deadlineTimer = nil
            return
        }
        // No deadline while the session waits on this layer (a delivery, a password check): a pending timer
        // stays rather than being cancelled and scheduled again around every message; should it fire
        // meanwhile, the session ignores it and the next burst of work arms the next one.
        guard let deadline = connection.nextDeadline else { return }
        if deadlineTimer != nil, let pending = timerDue, pending <= deadline { return }
        deadlineTimer?.cancel()
        timerDue = deadline
        let delay = max(0, deadline.timeIntervalSinceNow)
        deadlineTimer = context.eventLoop.scheduleTask(in: .milliseconds(Int64(delay * 1000) + 5)) { [weak self] in
            guard let self else { return }
            self.deadlineTimer = nil
            guard !self.closed else { return }
            self.run(self.connection.handle(.timer, at: Date()))
        }
    }

    // MARK: Work off the event loop

    private func authenticate(_ credentials: Credentials, context: ChannelHandlerContext) {
        let store = services.store
        let loop = context.eventLoop
        services.threadPool.runIfActive(eventLoop: loop) { () -> MailboxAccount? in
            try store.authenticate(login: credentials.login, password: credentials.password)
        }.whenComplete { [weak self] result in
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

    private func deliver(_ envelope: Envelope, context: ChannelHandlerContext) {
        let messages = services.messages
        let internalID = services.nextInternalID()
        let sender = envelope.sender?.description
        let recipients = envelope.recipients.map(\.address.description)
        // The engine decided which recipients are relayed (outside the accepted domains).
        var local: [String] = [], relayed: [String] = []
        for (recipient, address) in zip(envelope.recipients, recipients) {
            if let mailbox = recipient.mailbox { local.append(mailbox) } else { relayed.append(address) }
        }
        let record = MessageStore.Envelope(
            messageID: envelope.messageID, mailFrom: sender ?? "", recipients: recipients, connector: envelope.connectorID,
            clientAddress: envelope.clientAddress.description, heloName: envelope.heloName ?? "",
            authenticatedAs: envelope.account?.userPrincipalName, receivedAt: envelope.receivedAt)
        let prepended = envelope.prependedHeaderBytes
        pendingSummary = [MessageSummary(
            messageID: envelope.messageID, sessionID: envelope.sessionID, connector: envelope.connectorID,
            from: sender ?? "<>", recipients: recipients,
            authAs: envelope.authAs, authMechanism: envelope.authMechanism, size: envelope.size,
            receivedAt: envelope.receivedAt, headers: Self.headerSection(prepended: prepended, message: envelope.message))]
        let loop = context.eventLoop
        let session = NIOLoopBound(self, eventLoop: loop)
        let messageID = envelope.messageID
        // The committer reports on the session's event loop, one hop per loop and round (no promise per message).
        messages.deliver(envelope: record, headers: prepended, body: envelope.message, local: local, relayed: relayed,
                         on: loop) { result in
            session.value.delivered(messageID, internalID: internalID, result)
        }
    }

    /// Also when the client has gone meanwhile: the engine still records the outcome (protocol log, counters,
    /// the monitor's recent messages); replies to a closed channel go nowhere.
    private func delivered(_ messageID: String, internalID: Int64, _ result: Result<Void, Error>) {
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
        } else if let blank = scan.indices.dropLast(3).first(where: { scan[$0] == 13 && scan[$0 + 1] == 10 && scan[$0 + 2] == 13 && scan[$0 + 3] == 10 }) {
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

    // MARK: TLS

    private func startTLS(context: ChannelHandlerContext) {
        let observer = ServerHelloObserver()
        // The 220 reply is already flushed in plain text; TLS starts with the next byte (RFC 3207).
        do {
            guard let tls else { throw ListenerTLSError(description: "no certificate") }
            let handler = try tls.makeHandler(for: configuration.connector)
            try context.pipeline.syncOperations.addHandler(observer, position: .first)
            try context.pipeline.syncOperations.addHandler(handler, position: .after(observer))
        } catch {
            run(connection.handle(.tlsFailed(reason: "\(error)"), at: Date()))
        }
    }

    private func tlsHandshakeCompleted(context: ChannelHandlerContext) {
        let ssl = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)
        let observer = try? context.pipeline.syncOperations.handler(type: ServerHelloObserver.self)
        let version = ssl?.tlsVersion.map(TLSNames.version) ?? observer?.version ?? "TLS"
        let cipher = observer?.cipherName ?? "unknown"
        let partner = tls?.partnerDomain(ssl?.peerCertificate, connector: configuration.connector)
        run(connection.handle(.tlsEstablished(TLSInfo(version: version, cipher: cipher, partnerDomain: partner)), at: Date()))
    }
}
