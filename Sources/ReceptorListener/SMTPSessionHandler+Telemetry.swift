import Foundation
import NIOCore
import ReceptorCore
import ReceptorSMTP
import ReceptorControl

/// What the session tells the world: its registry entry (what the monitor and `status` show), the monitor's
/// events and counters, the protocol log and the live transcript, and MessageRateLimit's count.
extension SMTPSessionHandler {
    /// The protocol log file's writer, when the connector logs (ProtocolLoggingLevel Verbose).
    var protocolLog: ProtocolLogWriter? {
        configuration.connector.protocolLoggingLevel == .verbose ? services.protocolLog(service: configuration.connector.transportServiceName) : nil
    }

    /// Enters the session in the registry and announces it.
    func register(context: ChannelHandlerContext) {
        let loop = context.eventLoop
        let channel = context.channel
        let info = LiveSession(
            id: configuration.sessionID, connector: configuration.connectorID,
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
        services.events.count(configuration.connectorID) {
            $0.connectionsNow += 1; $0.connectionsTotal += 1
        }
        services.events.publish(ListenerEvent(type: "sessionOpened", session: info, connector: configuration.connectorID))
    }

    /// Takes the ended session out of the registry and announces it.
    func unregister() {
        // Connector usage: one row update when the session ends (its counts were kept in the session), so the
        // message path pays nothing for it.
        let tally = usageTally
        recordUsage { row, session in
            row.sessions += 1
            row.messages += session.messagesAccepted
            row.relayed += tally.relayed
            row.rejected += tally.rejected
            if session.tls != nil { row.tlsSessions += 1 }
            ConnectorUsage.remember(session.heloName, in: &row.heloNames)
            ConnectorUsage.remember(session.account?.userPrincipalName, in: &row.accounts)
        }
        let final = services.sessions.session(configuration.sessionID)
        services.sessions.remove(configuration.sessionID)
        services.events.count(configuration.connectorID) {
            $0.connectionsNow -= 1; $0.bytes += bytesIn
        }
        services.events.publish(ListenerEvent(type: "sessionClosed", session: final, connector: configuration.connectorID))
    }

    /// One protocol log record: to the file when the connector logs, and to the monitor's live transcript
    /// (whatever ProtocolLoggingLevel says) when one watches; the text is built only if one of them wants it.
    func record(_ event: ProtocolLogEvent, protocolLog: ProtocolLogWriter?, watched: Bool, transcript: inout [TranscriptLine]) {
        guard protocolLog != nil || watched else { return }
        let entry = ProtocolLogLine(
            time: event.time, connectorID: event.connectorID, sessionID: event.sessionID,
            sequence: event.sequenceNumber, localEndpoint: event.localEndpoint,
            remoteEndpoint: event.remoteEndpoint,
            event: ProtocolLogLine.Event(rawValue: event.kind.rawValue) ?? .information,
            data: event.data, context: event.context)
        let text = entry.text
        protocolLog?.append(text: text)
        // The transcript goes out as one event per burst of work (an EHLO reply is a dozen lines).
        if watched {
            transcript.append(
                TranscriptLine(
                    time: String(text.prefix(24)), sequence: event.sequenceNumber,
                    event: event.kind.rawValue, data: event.data, context: event.context, text: text))
        }
    }

    /// Sends a burst of work's transcript lines to the monitor.
    func publish(_ transcript: [TranscriptLine]) {
        guard !transcript.isEmpty else { return }
        services.events.publish(
            ListenerEvent(
                type: "transcript", connector: configuration.connectorID,
                sessionID: configuration.sessionID, lines: transcript))
    }

    /// A message was queued: counted, remembered for the monitor, and counted for MessageRateLimit. Returns
    /// the engine's actions when this message takes the source over its rate (usually none).
    func messageAccepted(_ accepted: AcceptedMessage) -> [SessionAction] {
        services.events.count(configuration.connectorID) { $0.messagesAccepted += 1 }
        let summary = pendingSummary.first
        pendingSummary = []
        if let summary { services.events.remember(summary) }
        services.events.publish(
            ListenerEvent(
                type: "messageAccepted", connector: configuration.connectorID,
                detail:
                    "\(accepted.messageID) from \(accepted.sender?.description ?? "<>") to \(accepted.recipientCount) recipient(s), \(accepted.size) bytes, AuthAs \(accepted.account ?? "Anonymous")",
                message: summary))
        // MessageRateLimit counts per source (the address; the account when MessageRateSource is User).
        let source = rateSource
        let limit = configuration.connector.messageRateLimit
        _ = services.tracker.recordMessage(source: source, limit: limit)
        guard services.tracker.wouldExceedRate(source: source, limit: limit) else { return [] }
        return connection.handle(.rateLimit(exceeded: true), at: Date())
    }

    func messageRejected(_ reply: SMTPReply) {
        let text = reply.textLines().joined(separator: " ")
        services.events.count(configuration.connectorID) { $0.messagesRejected += 1 }
        usageTally.rejected += 1
        services.events.publish(ListenerEvent(type: "messageRejected", connector: configuration.connectorID, detail: text))
    }

    /// Keeps the registry's view of this session current, and tells subscribers when its state changes.
    /// Updates the session's registry entry (what the monitor and `status` show). Runs after every burst of
    /// work, so it reads the engine's fields in place rather than copying the session.
    func publishState() {
        let state = connection.session.activity
        let messages = connection.session.messagesAccepted
        let lastActivity = connection.session.lastActivity
        let bytes = bytesIn
        let changed = state != lastState
        let tls = connection.session.tls.map { "\($0.version) \($0.cipher)" }
        let authAs =
            connection.session.account?.userPrincipalName
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
            services.events.publish(
                ListenerEvent(
                    type: "sessionState", session: services.sessions.info(of: registrySlot),
                    connector: configuration.connectorID))
        }
    }

    var rateSource: String {
        switch configuration.connector.messageRateSource {
        case .user: connection.session.account?.userPrincipalName ?? configuration.remoteEndpoint.displayAddress
        default: configuration.remoteEndpoint.displayAddress
        }
    }

    /// Counts the replies the monitor cares about: refused relay and failed authentication.
    func count(_ reply: SMTPReply) {
        if reply.code == 550, reply.lines.first?.contains("Unable to relay") == true {
            services.events.count(configuration.connectorID) { $0.relayDenied += 1 }
            usageTally.rejected += 1
            services.events.publish(
                ListenerEvent(
                    type: "relayDenied", connector: configuration.connectorID,
                    detail: configuration.remoteText))
        } else if reply.code == 535 {
            services.events.count(configuration.connectorID) { $0.authFailures += 1 }
            services.events.publish(
                ListenerEvent(
                    type: "authenticationFailed", connector: configuration.connectorID,
                    detail: configuration.remoteText))
        }
    }
}

// Connector usage (`ConnectorUsageRecorder`): one row update per session end and per message.
extension SMTPSessionHandler {
    func recordUsage(_ update: (inout ConnectorUsageRow, SMTPSession) -> Void) {
        let usage = services.usage
        guard usage.isEnabled else { return }
        let session = connection.session
        usage.record(
            connector: configuration.connector.guid, identity: configuration.connectorID,
            remote: configuration.remoteEndpoint.displayAddress
        ) { update(&$0, session) }
    }
}
