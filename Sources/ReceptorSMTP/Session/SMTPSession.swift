import Foundation
import ReceptorCore

/// The SMTP receive session of one connection, as a value: events in, actions out (`handle(_:at:)`).
/// It never touches sockets, files or clocks. It enforces the connector it was given and the rights
/// `PermissionModel.effectiveRights` resolves for the session's authentication state.
///
/// Organised by SMTP stage, like Postfix's restrictions: connect (banner), HELO/EHLO, AUTH/STARTTLS,
/// MAIL (submit right, rate limit, size, sender), RCPT (count, reserved domains, relay), DATA/BDAT (size,
/// bare LF, header size, hop counts, header firewall), then delivery.
public struct SMTPSession: Sendable {
    public enum Phase: Hashable, Sendable { case notConnected, open, closed }

    public let configuration: SessionConfiguration
    public private(set) var phase: Phase = .notConnected
    public private(set) var tls: TLSInfo?
    public private(set) var authentication: PermissionModel.SessionAuthentication
    public private(set) var account: MailboxAccount?
    public private(set) var rights: Set<ExtendedRight>
    public private(set) var protocolErrorCount = 0
    public private(set) var logonFailureCount = 0
    public private(set) var messagesAccepted = 0
    public private(set) var lastActivity: Date
    public private(set) var isDraining = false
    public private(set) var isRateLimited: Bool

    struct Hello: Sendable {
        var extended: Bool
        var name: String?
    }

    struct Transaction: Sendable {
        var mail: MailFromCommand
        var recipients: [EnvelopeRecipient] = []
        var usedBDAT = false
        /// The chunks so far: the part kept in memory, their full size, and the kept bytes after the part in
        /// memory that went to the I/O layer in `.spillBody` actions (a large message).
        var chunkBytes: [UInt8] = []
        var chunkSize: Int64 = 0
        var chunkSpilled: Int64 = 0
        /// A BDAT chunk failed: later chunks get this reply until LAST ends the transaction.
        var failure: SMTPReply?
    }

    enum AuthStep: Sendable { case plain, loginUsername, loginPassword(String) }

    struct PendingChunk: Sendable {
        var size: Int64
        var last: Bool
        var failure: SMTPReply?
        var failureIsProtocolError: Bool
    }

    enum Waiting: Sendable {
        /// The next line is an AUTH response, not a command.
        case authResponse(AuthStep)
        case authResult(Credentials.Mechanism)
        case tls
        case data
        case chunk(PendingChunk)
        case delivery(Envelope)
    }

    private(set) var hello: Hello?
    private(set) var authMechanismUsed: Credentials.Mechanism?
    private var transaction: Transaction?
    private var waiting: Waiting?
    private var transactionCounter = 0
    private var logSequence = 0
    private var out: [SessionAction] = []
    /// The time of the event being handled.
    private(set) var now: Date

    public init(configuration: SessionConfiguration) {
        self.configuration = configuration
        let auth = PermissionModel.initialAuthentication(for: configuration.connector)
        authentication = auth
        rights = configuration.initialRights ?? Self.rights(for: auth, configuration)
        lastActivity = configuration.connectedAt
        now = configuration.connectedAt
        isRateLimited = configuration.rateLimited
    }

    static func rights(for auth: PermissionModel.SessionAuthentication, _ c: SessionConfiguration) -> Set<ExtendedRight> {
        PermissionModel.effectiveRights(
            connector: c.connector, explicitEntries: c.permissionEntries,
            authentication: auth, domain: c.server.domain)
    }

    var connector: ReceiveConnector { configuration.connector }

    // MARK: - Public state

    public var isClosed: Bool { phase == .closed }

    /// The session takes framed input now. False while it waits for the I/O layer (an authentication
    /// verdict, the TLS handshake, a delivery result) or once closed: input stays buffered meanwhile.
    public var acceptsInput: Bool {
        guard phase == .open else { return false }
        switch waiting {
        case .authResult, .tls, .delivery: return false
        default: return true
        }
    }

    /// The HELO/EHLO name, once given.
    public var heloName: String? { hello?.name }
    public var hasGreeted: Bool { hello != nil }
    public var isInMailTransaction: Bool { transaction != nil }

    /// STARTTLS was accepted and the TLS handshake has not completed: nothing the client sends meanwhile is
    /// input for the session (RFC 3207; `SMTPConnection` discards it).
    public var isAwaitingTLS: Bool {
        guard phase == .open, case .tls = waiting else { return false }
        return true
    }

    /// When the I/O layer should deliver `.timer`: the earlier of ConnectionTimeout (from the connect time)
    /// and ConnectionInactivityTimeout (from the last input), in every state the client owes something in:
    /// the banner, commands, an AUTH exchange, DATA and BDAT, and the STARTTLS handshake (NIOSSL has no
    /// deadline of its own). While a password check runs the client waits on us and is not idle: only
    /// ConnectionTimeout applies. While a delivery waits for its sync there is none: a `421` then could make
    /// the client send again a message already stored; the deadline is back as soon as the result is in.
    public var nextDeadline: Date? {
        guard phase == .open else { return nil }
        switch waiting {
        case .delivery: return nil
        case .authResult: return connectionDeadline
        default: return min(connectionDeadline, inactivityDeadline)
        }
    }

    private var connectionDeadline: Date {
        configuration.connectedAt.addingTimeInterval(TimeInterval(connector.connectionTimeout.seconds))
    }

    private var inactivityDeadline: Date {
        lastActivity.addingTimeInterval(TimeInterval(connector.connectionInactivityTimeout.seconds))
    }

    /// The session's state in the monitor's words (issue 5): where it is in the SMTP dialogue.
    public var activity: String {
        switch phase {
        case .notConnected: return "Connecting"
        case .closed: return "Closed"
        case .open: break
        }
        switch waiting {
        case .authResponse, .authResult: return "AUTH"
        case .tls: return "STARTTLS"
        case .data, .chunk: return "DATA"
        case .delivery: return "Queueing"
        case nil:
            if let transaction { return transaction.recipients.isEmpty ? "MAIL" : "RCPT" }
            return hello != nil ? "EHLO" : "Connected"
        }
    }

    /// Input arrived (even a partial line): the inactivity timer restarts.
    public mutating func noteActivity(at now: Date) {
        if now > lastActivity { lastActivity = now }
    }

    // MARK: - Events

    public mutating func handle(_ event: SessionEvent, at now: Date) -> [SessionAction] {
        self.now = now
        out = []
        switch event {
        case .connected:
            guard phase == .notConnected else { break }
            phase = .open
            lastActivity = max(lastActivity, now)
            log(.connect, "")
            logPermissions()
            send(
                connector.banner.map(SMTPReply.customBanner)
                    ?? .banner(
                        fqdn: configuration.fqdn, date: DateText.rfc5322(configuration.connectedAt, utcOffsetSeconds: configuration.utcOffsetSeconds))
            )
        case .line(let bytes):
            guard phase == .open, acceptsInput else { break }
            noteActivity(at: now)
            handleLine(bytes)
        case .lineTooLong(let length):
            guard phase == .open, acceptsInput else { break }
            noteActivity(at: now)
            if case .authResponse = waiting { waiting = nil }
            log(.receive, "<line of \(length) bytes discarded>")
            protocolError(.lineTooLong)
        case .messageData(let data):
            guard phase == .open else { break }
            noteActivity(at: now)
            switch waiting {
            case .data:
                waiting = nil
                if configuration.protocolLogging { log(.information, "\(data.size) bytes received", "DATA") }
                finishMessage(
                    bytes: data.bytes, size: data.size, sawBareLF: data.sawBareLineFeed, transport: .data,
                    spilled: data.spilledByteCount)
            case .chunk(let pending):
                waiting = nil
                handleChunk(pending, data)
            default:
                break
            }
        case .tlsEstablished(let info):
            guard phase == .open, case .tls = waiting else { break }
            waiting = nil
            tlsEstablished(info)
        case .tlsFailed(let reason):
            guard phase == .open else { break }
            log(.information, "TLS negotiation failed: \(reason)")
            close()
        case .authenticationResult(let result):
            guard phase == .open, case .authResult(let mechanism) = waiting else { break }
            waiting = nil
            authenticationResult(result, mechanism: mechanism)
        case .deliveryResult(let result):
            guard phase == .open, case .delivery(let envelope) = waiting else { break }
            waiting = nil
            deliveryResult(result, envelope: envelope)
        case .rateLimit(let exceeded):
            isRateLimited = exceeded
        case .shutdown:
            guard phase == .open else { break }
            isDraining = true
        case .timer:
            timer()
        case .remoteClosed:
            guard phase == .open else { break }
            phase = .closed
            waiting = nil
            log(.disconnect, "", "Remote")
        }
        if isDraining && phase == .open && idleForDrain {
            send(.serviceNotAvailable)
            close()
        }
        let actions = out
        out = []
        return actions
    }

    /// Draining closes the session once no message is in flight: a transaction that has begun (MAIL was
    /// accepted) may finish, so a reload never cuts a sender off between RCPT and the final dot.
    private var idleForDrain: Bool {
        switch waiting {
        case nil, .authResponse: return transaction == nil
        default: return false
        }
    }

    // MARK: - Output helpers

    /// Appends a protocol log record when the connector logs (callers skip costly texts otherwise).
    private mutating func log(_ kind: ProtocolLogEvent.Kind, _ data: String, _ context: String = "") {
        guard configuration.protocolLogging else { return }
        out.append(
            .log(
                ProtocolLogEvent(
                    time: now, connectorID: configuration.connectorID, sessionID: configuration.sessionID,
                    sequenceNumber: logSequence, localEndpoint: configuration.localText,
                    remoteEndpoint: configuration.remoteText,
                    kind: kind, data: data, context: context)))
        logSequence += 1
    }

    private mutating func logPermissions() {
        guard configuration.protocolLogging else { return }  // not even the text, on every session
        let names = ExtendedRight.allCases.filter(rights.contains).map(\.rawValue)
        log(.information, names.isEmpty ? "None" : names.joined(separator: " "), "Set Session Permissions")
    }

    private var isAnonymous: Bool { authentication == .anonymous }

    /// Sends a reply: enhanced codes dropped when the connector disables them, and a tarpit delay before
    /// a 5xx to an unauthenticated session (TarpitInterval; authenticated sessions are never tarpitted).
    private mutating func send(_ reply: SMTPReply, tarpit: Bool = true) {
        var r = reply
        if !connector.enhancedStatusCodesEnabled { r.enhancedCode = nil }
        if tarpit && r.code >= 500 && isAnonymous && connector.tarpitInterval.seconds > 0 {
            out.append(.delay(seconds: connector.tarpitInterval.seconds))
        }
        out.append(.reply(r))
        if configuration.protocolLogging { for line in r.textLines() { log(.send, line) } }
    }

    /// A syntax or sequence error: answered, counted, and past MaxProtocolErrors the session ends with 421.
    private mutating func protocolError(_ reply: SMTPReply) {
        protocolErrorCount += 1
        send(reply)
        if let limit = connector.maxProtocolErrors.limit, protocolErrorCount > limit {
            log(.information, "\(protocolErrorCount) protocol errors; MaxProtocolErrors is \(limit)")
            send(.tooManyErrors)
            close()
        }
    }

    private mutating func close() {
        guard phase == .open else { return }
        out.append(.close)
        phase = .closed
        waiting = nil
        log(.disconnect, "", "Local")
    }

    // MARK: - Command lines

    static func redactedLogText(_ bytes: [UInt8]) -> String {
        // Control characters (NUL among them) are escaped where the line is written (ProtocolLogFormat).
        let text = String(decoding: bytes, as: UTF8.self)
        let words = text.split(separator: " ")
        if words.count >= 3, words[0].uppercased() == "AUTH" { return "AUTH \(words[1]) ****" }
        return text
    }

    private var postmasterDomain: String {
        configuration.acceptedDomains.first(where: \.isDefault)?.domainName
            ?? configuration.acceptedDomains.first(where: { !$0.domainName.hasPrefix("*.") })?.domainName
            ?? configuration.fqdn
    }

    private mutating func handleLine(_ bytes: [UInt8]) {
        if case .authResponse(let step) = waiting {
            waiting = nil
            let text = String(decoding: bytes, as: UTF8.self)
            log(.receive, text == "*" ? "*" : "****")
            authResponse(step, text)
            return
        }
        if configuration.protocolLogging { log(.receive, Self.redactedLogText(bytes)) }
        let parser = SMTPCommandParser(
            maxAddressLength: configuration.maxAddressLength, defaultDomain: connector.defaultDomain,
            postmasterDomain: postmasterDomain, utf8Recipients: transaction?.mail.smtpUTF8 ?? false)
        let command: SMTPCommand
        do {
            command = try parser.parse(bytes)
        } catch {
            if let verb = error.verb, Self.needsHello(verb), hello == nil {
                protocolError(.sendHelloFirst)
            } else {
                protocolError(error.reply)
            }
            return
        }
        switch command {
        case .ehlo(let name): greet(extended: true, name: name)
        case .helo(let name): greet(extended: false, name: name)
        case .mail(let mail): mailFrom(mail)
        case .rcpt(let rcpt): rcptTo(rcpt)
        case .data: dataCommand()
        case .bdat(let size, let last): bdat(size: size, last: last)
        case .rset:
            transaction = nil
            send(.resetting)
        case .noop: send(.ok)
        case .vrfy:
            guard tlsSatisfied() else { return }
            send(.cannotVerify)
        case .expn:
            guard tlsSatisfied() else { return }
            send(.expnNotImplemented)
        case .help: send(.help)
        case .quit:
            send(.closing)
            close()
        case .starttls: startTLS()
        case .auth(let mechanism, let initial): auth(mechanism: mechanism, initialResponse: initial)
        }
    }

    static func needsHello(_ verb: SMTPVerb) -> Bool {
        [.mail, .rcpt, .data, .bdat, .auth, .starttls].contains(verb)
    }

    private mutating func helloGiven() -> Bool {
        if hello == nil { protocolError(.sendHelloFirst); return false }
        return true
    }

    /// RequireTLS: only EHLO/HELO, STARTTLS, NOOP, RSET, HELP and QUIT work before TLS.
    private mutating func tlsSatisfied() -> Bool {
        if connector.requireTLS && tls == nil { send(.mustStartTLS); return false }
        return true
    }

    // MARK: HELO / EHLO

    var offersStartTLS: Bool {
        connector.authMechanism.contains(.tls) && configuration.certificateAvailable && tls == nil
    }

    var offersAuth: Bool {
        connector.authMechanism.contains(.basicAuth) && (!connector.authMechanism.contains(.basicAuthRequireTLS) || tls != nil)
    }

    /// The EHLO keywords in the order of reference §9b.
    public var ehloKeywords: [String] {
        var k: [String] = []
        switch connector.sizeEnabled {
        case .enabled: k.append("SIZE \(connector.maxMessageSize.bytes)")
        case .enabledWithoutValue: k.append("SIZE")
        case .disabled: break
        }
        if connector.pipeliningEnabled { k.append("PIPELINING") }
        if connector.deliveryStatusNotificationEnabled { k.append("DSN") }
        if connector.enhancedStatusCodesEnabled { k.append("ENHANCEDSTATUSCODES") }
        if offersStartTLS { k.append("STARTTLS") }
        if offersAuth { k.append("AUTH LOGIN PLAIN") }
        if connector.eightBitMimeEnabled { k.append("8BITMIME") }
        if connector.binaryMimeEnabled && connector.chunkingEnabled { k.append("BINARYMIME") }
        if connector.chunkingEnabled { k.append("CHUNKING") }
        if connector.longAddressesEnabled { k.append("XLONGADDR") }
        if connector.orarEnabled { k.append("XORAR") }
        if connector.smtpUtf8Enabled { k.append("SMTPUTF8") }
        return k
    }

    private mutating func greet(extended: Bool, name: String?) {
        guard let name else {
            if connector.requireEHLODomain {
                send(.invalidDomainName)
                log(.information, "RequireEHLODomain: \(extended ? "EHLO" : "HELO") without a domain")
                close()
                return
            }
            accept(Hello(extended: extended, name: nil))
            return
        }
        guard HeloName.isValid(name) else { protocolError(.invalidDomainName); return }
        accept(Hello(extended: extended, name: name))
    }

    private mutating func accept(_ h: Hello) {
        hello = h
        transaction = nil
        let client = configuration.remoteEndpoint.displayAddress
        if h.extended {
            send(.ehlo(fqdn: configuration.fqdn, clientAddress: client, keywords: ehloKeywords))
        } else {
            send(.helo(fqdn: configuration.fqdn, clientAddress: client))
        }
    }

    // MARK: STARTTLS

    private mutating func startTLS() {
        guard helloGiven() else { return }
        guard tls == nil else { protocolError(.tlsAlreadyActive); return }
        guard connector.authMechanism.contains(.tls) else { protocolError(.unrecognizedCommand); return }
        guard configuration.certificateAvailable else { send(.tlsNotAvailable); return }
        send(.readyToStartTLS)
        out.append(.startTLS)
        waiting = .tls
    }

    /// RFC 3207: after the handshake the session forgets what the client said before (HELO, AUTH,
    /// transaction) and starts over at EHLO. A domain-secure connector turns a proven partner domain into
    /// the Partners principal.
    private mutating func tlsEstablished(_ info: TLSInfo) {
        tls = info
        hello = nil
        transaction = nil
        account = nil
        authMechanismUsed = nil
        var auth = PermissionModel.initialAuthentication(for: connector)
        if connector.domainSecureEnabled, auth == .anonymous, let domain = info.partnerDomain, !domain.isEmpty {
            auth = .partner(domain: domain)
        }
        authentication = auth
        rights = Self.rights(for: auth, configuration)
        log(
            .information,
            "TLS protocol \(info.version) negotiated, cipher \(info.cipher)"
                + (info.partnerDomain.map { ", certificate domain \($0)" } ?? ""))
        logPermissions()
    }

    // MARK: AUTH

    private mutating func auth(mechanism: String, initialResponse: String?) {
        guard helloGiven() else { return }
        if case .account = authentication { protocolError(.alreadyAuthenticated); return }
        guard transaction == nil else { protocolError(.authDuringTransaction); return }
        guard connector.authMechanism.contains(.basicAuth) else { protocolError(.unrecognizedAuthType); return }
        if tls == nil && (connector.requireTLS || connector.authMechanism.contains(.basicAuthRequireTLS)) {
            send(.mustStartTLS)
            return
        }
        switch mechanism {
        case "PLAIN":
            if let initial = initialResponse {
                authResponse(.plain, initial == "=" ? "" : initial)
            } else {
                waiting = .authResponse(.plain)
                send(SMTPReply(334, nil, ""))
            }
        case "LOGIN":
            if let initial = initialResponse {
                authResponse(.loginUsername, initial == "=" ? "" : initial)
            } else {
                waiting = .authResponse(.loginUsername)
                send(SMTPReply(334, nil, "VXNlcm5hbWU6"))
            }
        default:
            protocolError(.unrecognizedAuthType)
        }
    }

    static func base64(_ text: String) -> [UInt8]? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let data = Data(base64Encoded: trimmed) else { return nil }
        return Array(data)
    }

    /// The bytes as a string only if they are valid UTF-8 (no replacement characters in credentials).
    static func utf8(_ bytes: some Collection<UInt8>) -> String? {
        String(bytes: bytes, encoding: .utf8)
    }

    private mutating func authResponse(_ step: AuthStep, _ text: String) {
        if text == "*" { send(.authenticationAborted); return }
        guard let decoded = Self.base64(text) else { protocolError(.cannotDecodeResponse); return }
        switch step {
        case .plain:
            // authzid NUL authcid NUL passwd (RFC 4616)
            let parts = decoded.split(separator: 0, omittingEmptySubsequences: false)
            guard parts.count == 3, let authz = Self.utf8(parts[0]), let authc = Self.utf8(parts[1]),
                let password = Self.utf8(parts[2]), !authc.isEmpty, !password.isEmpty
            else {
                protocolError(.cannotDecodeResponse)
                return
            }
            // No acting on behalf of someone else.
            if !authz.isEmpty && authz.lowercased() != authc.lowercased() {
                authenticationFailed("authorization identity differs from the login")
                return
            }
            requestAuthentication(Credentials(login: authc, password: password, mechanism: .plain))
        case .loginUsername:
            guard let user = Self.utf8(decoded), !user.isEmpty else { protocolError(.cannotDecodeResponse); return }
            waiting = .authResponse(.loginPassword(user))
            send(SMTPReply(334, nil, "UGFzc3dvcmQ6"))
        case .loginPassword(let user):
            guard let password = Self.utf8(decoded), !password.isEmpty else { protocolError(.cannotDecodeResponse); return }
            requestAuthentication(Credentials(login: user, password: password, mechanism: .login))
        }
    }

    private mutating func requestAuthentication(_ credentials: Credentials) {
        waiting = .authResult(credentials.mechanism)
        out.append(.authenticate(credentials))
    }

    static func principals(of account: MailboxAccount, domain: String) -> [SecurityPrincipal] {
        [SecurityPrincipal(account.userPrincipalName), SecurityPrincipal("\(domain)\\\(account.alias)")]
    }

    private mutating func authenticationResult(_ result: AuthenticationResult, mechanism: Credentials.Mechanism) {
        switch result {
        case .accepted(let acct):
            let auth = PermissionModel.SessionAuthentication.account(principals: Self.principals(of: acct, domain: configuration.server.domain))
            let granted = Self.rights(for: auth, configuration)
            // Without ms-Exch-SMTP-Submit, AUTH fails (reference §5b).
            guard granted.contains(.submit) else {
                authenticationFailed("\(acct.userPrincipalName) has no ms-Exch-SMTP-Submit right on this connector")
                return
            }
            authentication = auth
            account = acct
            authMechanismUsed = mechanism
            rights = granted
            log(.information, acct.userPrincipalName, "authenticated")
            logPermissions()
            send(.authenticationSuccessful)
        case .rejected:
            authenticationFailed("wrong user name or password")
        case .unavailable:
            send(.temporaryAuthenticationFailure)
        }
    }

    /// A failed logon: AuthTarpitInterval delay, 535, and past MaxLogonFailures (0 = never) 421.
    private mutating func authenticationFailed(_ reason: String) {
        logonFailureCount += 1
        log(.information, "Inbound authentication failed: \(reason)")
        if connector.authTarpitInterval.seconds > 0 { out.append(.delay(seconds: connector.authTarpitInterval.seconds)) }
        send(.authenticationUnsuccessful, tarpit: false)
        if connector.maxLogonFailures > 0 && logonFailureCount >= connector.maxLogonFailures {
            log(.information, "\(logonFailureCount) logon failures; MaxLogonFailures is \(connector.maxLogonFailures)")
            send(.tooManyLogonFailures)
            close()
        }
    }

    // MARK: MAIL

    var bypassesSizeLimit: Bool { rights.contains(.bypassMessageSizeLimit) }
    var maxMessageSize: Int64 { connector.maxMessageSize.bytes }
    /// How much of a message to keep: the connector's limit, or the absolute ceiling with the bypass right.
    var storeLimit: Int64 { bypassesSizeLimit ? SMTPLimits.maxMessageSizeCeiling : maxMessageSize }

    private mutating func mailFrom(_ mail: MailFromCommand) {
        guard helloGiven(), tlsSatisfied() else { return }
        guard transaction == nil else { protocolError(.senderAlreadySpecified); return }
        if isRateLimited {
            log(.information, "MessageRateLimit exceeded")
            send(.rateLimitExceeded)
            close()
            return
        }
        guard rights.contains(.submit) else { send(.notAuthenticated); return }
        switch mail.body {
        case .eightBitMIME? where !connector.eightBitMimeEnabled,
            .binaryMIME? where !(connector.binaryMimeEnabled && connector.chunkingEnabled):
            protocolError(.unrecognizedParameter); return
        default: break
        }
        if (mail.ret != nil || mail.envelopeID != nil) && !connector.deliveryStatusNotificationEnabled {
            protocolError(.unrecognizedParameter); return
        }
        if mail.smtpUTF8 && !connector.smtpUtf8Enabled { protocolError(.unrecognizedParameter); return }
        if let size = mail.size, size > maxMessageSize, !bypassesSizeLimit { send(.messageTooLarge); return }
        guard senderAllowed(mail.sender) else { send(.cannotSendAsSender); return }
        transaction = Transaction(mail: mail)
        send(.senderOK)
    }

    /// The sender check (reference §5b). Accept-Any-Sender skips it. An account may send only as itself
    /// (its primary address or UPN). Other sessions may use a sender in an authoritative accepted domain
    /// only with Accept-Authoritative-Domain-Sender; other senders pass (a partner sends as its own domain).
    func senderAllowed(_ sender: MailAddress?) -> Bool {
        guard let sender else { return true }
        if rights.contains(.acceptAnySender) { return true }
        if case .account = authentication, let acct = account {
            return sender.matches(acct.primarySmtpAddress) || sender.matches(acct.userPrincipalName)
        }
        if let domain = configuration.acceptedDomain(for: sender.domain), domain.domainType == .authoritative {
            return rights.contains(.acceptAuthoritativeDomainSender)
        }
        return true
    }

    // MARK: RCPT

    static let reservedTopLevelDomains: Set<String> = ["test", "example", "invalid", "localhost"]
    static let reservedSecondLevelDomains = ["example.com", "example.net", "example.org"]

    private mutating func rcptTo(_ rcpt: RcptToCommand) {
        guard helloGiven(), tlsSatisfied() else { return }
        guard var t = transaction else { protocolError(.needMailCommand); return }
        guard !t.usedBDAT else { protocolError(.rcptAfterBDAT); return }
        if (rcpt.notify != nil || rcpt.originalRecipient != nil) && !connector.deliveryStatusNotificationEnabled {
            protocolError(.unrecognizedParameter); return
        }
        if rcpt.orar != nil && !connector.orarEnabled { protocolError(.unrecognizedParameter); return }
        if t.recipients.count >= connector.maxRecipientsPerMessage { send(.tooManyRecipients); return }
        let address = rcpt.recipient
        if !address.isDomainLiteral {
            var domain = address.normalizedDomain
            if domain.hasSuffix(".") { domain.removeLast() }
            let labels = domain.split(separator: ".")
            if connector.rejectReservedTopLevelRecipientDomains, let tld = labels.last, Self.reservedTopLevelDomains.contains(String(tld)) {
                send(.reservedTopLevelDomain); return
            }
            if connector.rejectReservedSecondLevelRecipientDomains,
                Self.reservedSecondLevelDomains.contains(where: { domain == $0 || domain.hasSuffix("." + $0) })
            {
                send(.reservedSecondLevelDomain); return
            }
            if connector.rejectSingleLabelRecipientDomains && labels.count == 1 { send(.singleLabelDomain); return }
        }
        let accepted = configuration.acceptedDomain(for: address.domain)
        if accepted == nil && !rights.contains(.acceptAnyRecipient) { send(.unableToRelay); return }
        // The recipient filter: which mailbox gets the copy, or relay, or no such user (RecipientDirectory).
        var mailbox: String?
        if let accepted {
            switch configuration.recipients.route(local: address.localPart, domain: address.domain, accepted: accepted) {
            case .mailbox(let name): mailbox = name
            case .relay: mailbox = nil
            case .unknownUser: send(.userUnknown); return
            case .unusableLocalPart: send(.invalidRecipientAddress); return
            }
        }
        t.recipients.append(
            EnvelopeRecipient(
                address: address, notify: rcpt.notify, originalRecipient: rcpt.originalRecipient,
                orar: rcpt.orar, acceptedDomain: accepted, mailbox: mailbox))
        transaction = t
        send(.recipientOK)
    }

    // MARK: DATA / BDAT

    private mutating func dataCommand() {
        guard helloGiven(), tlsSatisfied() else { return }
        guard let t = transaction else { protocolError(.needMailCommand); return }
        guard !t.usedBDAT else { protocolError(.dataAfterBDAT); return }
        guard !t.recipients.isEmpty else { protocolError(.needRcptCommand); return }
        guard t.mail.body != .binaryMIME else { protocolError(.binaryMimeNeedsBDAT); return }
        send(.startMailInput)
        out.append(.expectData(maxBytes: storeLimit))
        waiting = .data
    }

    /// BDAT's chunk follows the command whatever we think of it, so it is always consumed; the reply
    /// (success or the reason for refusal) comes after the chunk (RFC 3030).
    private mutating func bdat(size: Int64, last: Bool) {
        guard connector.chunkingEnabled else { protocolError(.unrecognizedCommand); return }
        var failure: SMTPReply?
        var isProtocolError = false
        if hello == nil {
            failure = .sendHelloFirst; isProtocolError = true
        } else if connector.requireTLS && tls == nil {
            failure = .mustStartTLS
        } else if let t = transaction {
            if let f = t.failure {
                failure = f
            } else if t.recipients.isEmpty {
                failure = .needRcptCommand; isProtocolError = true
            }
        } else {
            failure = .needMailCommand; isProtocolError = true
        }
        var keep: Int64 = 0
        if failure == nil, var t = transaction {
            t.usedBDAT = true
            transaction = t
            keep = max(0, storeLimit - t.chunkSize)
        }
        let (inMemory, spilled) = transaction.map { (Int64($0.chunkBytes.count), $0.chunkSpilled) } ?? (0, 0)
        out.append(.expectChunk(size: size, last: last, maxBytes: keep, inMemory: inMemory, spilled: spilled))
        waiting = .chunk(PendingChunk(size: size, last: last, failure: failure, failureIsProtocolError: isProtocolError))
    }

    private mutating func handleChunk(_ pending: PendingChunk, _ data: MessageData) {
        log(.information, "\(data.size) bytes received", pending.last ? "BDAT LAST" : "BDAT")
        if let failure = pending.failure {
            if pending.failureIsProtocolError { protocolError(failure) } else { send(failure) }
            if pending.last, transaction?.failure != nil { transaction = nil }
            return
        }
        guard var t = transaction else { return }
        transaction = nil  // take it out while its bytes grow (no copy on write)
        let room = max(0, storeLimit - Int64(t.chunkBytes.count) - t.chunkSpilled)
        t.chunkBytes.append(contentsOf: data.bytes.prefix(Int(min(room, Int64(data.bytes.count)))))
        t.chunkSpilled += data.spilledByteCount
        t.chunkSize += data.size
        transaction = t
        if (t.chunkSize > maxMessageSize && !bypassesSizeLimit) || t.chunkSize > SMTPLimits.maxMessageSizeCeiling {
            if pending.last {
                rejectMessage(.messageTooLarge)
            } else {
                t.failure = .messageTooLarge
                t.chunkBytes = []
                t.chunkSpilled = 0  // the I/O layer drops its spool on `.messageRejected`
                transaction = t
                send(.messageTooLarge)
                out.append(.messageRejected(.messageTooLarge))
            }
            return
        }
        guard pending.last else { send(.chunkReceived(octets: data.size)); return }
        finishMessage(bytes: t.chunkBytes, size: t.chunkSize, sawBareLF: false, transport: .bdat, spilled: t.chunkSpilled)
    }

    private mutating func rejectMessage(_ reply: SMTPReply) {
        transaction = nil
        send(reply)
        out.append(.messageRejected(reply))
    }

    /// The end of a message (DATA's final dot, BDAT LAST): the checks that may refuse it (size and bare LF
    /// before the header is scanned, then header size and hop counts), the header firewall, the fields this
    /// server prepends, then `.deliver`; the session waits for the delivery's result. The parts are in
    /// `SMTPSession+EndOfMessage.swift`.
    /// `spilled`: kept bytes that follow `bytes` and that the I/O layer holds (a large DATA body); the header
    /// section is looked for in `bytes` only.
    private mutating func finishMessage(
        bytes: [UInt8], size: Int64, sawBareLF: Bool, transport: Envelope.Transport,
        spilled: Int64 = 0
    ) {
        guard let t = transaction else { return }
        if let refusal = sizeRefusal(size: size, keptBytes: Int64(bytes.count) + spilled, sawBareLF: sawBareLF, transport: transport) {
            refuseMessage(refusal)
            return
        }
        let headers = MessageHeaders(scanning: bytes)
        if spilled > 0 && headers.size >= bytes.count {
            // The header section goes on past the head kept in memory: the header firewall can't see all of it.
            refuseMessage(
                MessageRefusal(
                    reply: .headerTooLarge,
                    logText: "Header section longer than the \(bytes.count) bytes kept in memory",
                    closesSession: true))
            return
        }
        if let refusal = headerRefusal(headers, in: bytes) {
            refuseMessage(refusal)
            return
        }
        let (message, stripped) = applyingHeaderFirewall(headers, to: bytes)
        if !stripped.isEmpty {
            log(.information, "Header firewall removed \(stripped.count) field(s): \(Set(stripped).sorted().joined(separator: " "))")
        }

        transactionCounter += 1
        let identity = authenticationIdentity
        let (prepend, messageID) = fieldsToPrepend(
            existingMessageID: headers.fields(named: "message-id").first.map { headers.value(of: $0, in: bytes) },
            identity: identity, transactionNumber: transactionCounter)
        let envelope = Envelope(
            sessionID: configuration.sessionID, transactionNumber: transactionCounter, connectorID: configuration.connectorID,
            messageID: messageID, mail: t.mail, recipients: t.recipients, heloName: hello?.name,
            clientAddress: configuration.remoteEndpoint.address.unmappedIPv4 ?? configuration.remoteEndpoint.address,
            localAddress: configuration.localEndpoint.address.unmappedIPv4 ?? configuration.localEndpoint.address,
            tls: tls, authAs: identity.authAs, authMechanism: identity.mechanism, account: account, receivedAt: now, transport: transport,
            headersToPrepend: prepend, message: message, size: size, strippedHeaders: stripped, sawBareLineFeed: sawBareLF,
            spilledSize: spilled)
        waiting = .delivery(envelope)
        out.append(.deliver(envelope))
    }

    /// A message refused at its end: logged, answered, reported, and the session closed if the refusal says so.
    private mutating func refuseMessage(_ refusal: MessageRefusal) {
        if let text = refusal.logText { log(.information, text) }
        rejectMessage(refusal.reply)
        if refusal.closesSession { close() }
    }

    private mutating func deliveryResult(_ result: DeliveryResult, envelope: Envelope) {
        transaction = nil
        switch result {
        case .queued(let internalID):
            messagesAccepted += 1
            send(.queued(messageId: envelope.messageID, internalId: internalID, fqdn: configuration.fqdn))
            out.append(
                .messageAccepted(
                    AcceptedMessage(
                        messageID: envelope.messageID, internalID: internalID, sender: envelope.sender,
                        account: account?.userPrincipalName, clientAddress: envelope.clientAddress,
                        recipientCount: envelope.recipients.count, size: envelope.size)))
        case .failed(let reply):
            let r = reply ?? .temporaryDeliveryFailure
            send(r)
            out.append(.messageRejected(r))
        }
    }

    // MARK: Timers

    /// Ends the session once `nextDeadline` has passed: `421 4.4.2`, or, while the TLS handshake is pending,
    /// no reply at all (the `220` went out and TLS has begun: plaintext can no longer follow).
    private mutating func timer() {
        guard phase == .open, let deadline = nextDeadline, now >= deadline else { return }
        let reason =
            now >= connectionDeadline
            ? "ConnectionTimeout \(connector.connectionTimeout) reached"
            : "ConnectionInactivityTimeout \(connector.connectionInactivityTimeout) reached"
        if isAwaitingTLS {
            log(.information, "TLS negotiation not completed: \(reason)")
            close()
            return
        }
        log(.information, reason)
        send(.connectionDropped(fqdn: configuration.fqdn))
        close()
    }
}
