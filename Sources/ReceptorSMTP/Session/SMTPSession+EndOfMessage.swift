import Foundation
import ReceptorCore

/// The parts of a message's end (`SMTPSession.finishMessage`): the checks that refuse it, the header firewall,
/// the fields this server prepends. None of them changes the session; `finishMessage` strings them together
/// and records the outcome.
extension SMTPSession {
    /// Why a finished message is refused: the reply, what the protocol log says first (if anything), and
    /// whether the session ends with it.
    struct MessageRefusal {
        var reply: SMTPReply
        var logText: String? = nil
        var closesSession = false
    }

    // MARK: Checks

    /// MaxMessageSize (a message the framer had to cut short is too large whatever the limit) and, for DATA,
    /// bare line feeds on a connector that rejects them. Checked before the header is scanned.
    func sizeRefusal(size: Int64, keptBytes: Int64, sawBareLF: Bool, transport: Envelope.Transport) -> MessageRefusal? {
        if (size > maxMessageSize && !bypassesSizeLimit) || size > keptBytes {
            return MessageRefusal(reply: .messageTooLarge)
        }
        if transport == .data && sawBareLF && connector.bareLinefeedRejectionEnabled {
            return MessageRefusal(reply: .bareLinefeedsRejected)
        }
        return nil
    }

    /// MaxHeaderSize (the session ends too), MaxHopCount, and MaxLocalHopCount (Received fields whose `by`
    /// names this server).
    func headerRefusal(_ headers: MessageHeaders, in bytes: [UInt8]) -> MessageRefusal? {
        if Int64(headers.size) > connector.maxHeaderSize.bytes {
            return MessageRefusal(
                reply: .headerTooLarge,
                logText: "Header size \(headers.size) bytes exceeds MaxHeaderSize \(connector.maxHeaderSize.bytes)",
                closesSession: true)
        }
        let received = headers.fields(named: "received")
        if received.count > connector.maxHopCount {
            return MessageRefusal(
                reply: .hopCountExceeded,
                logText: "\(received.count) Received headers; MaxHopCount is \(connector.maxHopCount)")
        }
        if connector.maxLocalHopCount > 0 {
            let local = received.filter { namesThisServer(headers.value(of: $0, in: bytes)) }.count
            if local > connector.maxLocalHopCount {
                return MessageRefusal(
                    reply: .hopCountExceeded,
                    logText: "\(local) local Received headers; MaxLocalHopCount is \(connector.maxLocalHopCount)")
            }
        }
        return nil
    }

    /// Does a Received field's `by` clause name this server?
    func namesThisServer(_ received: String) -> Bool {
        let words = received.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == ";" })
        let ours: Set<String> = [configuration.fqdn.lowercased(), configuration.server.fqdn.lowercased()]
        for (i, w) in words.enumerated() where w == "by" && i + 1 < words.count {
            if ours.contains(String(words[i + 1])) { return true }
        }
        return false
    }

    // MARK: Header firewall

    /// The header firewall (reference §9c): routing fields (Received, Resent-*), organization fields
    /// (X-MS-Exchange-Organization-*, X-Receptor-*) and forest fields (X-MS-Exchange-Forest-*) are removed
    /// unless the session has the right to send them. Returns the message without them and their names.
    func applyingHeaderFirewall(_ headers: MessageHeaders, to bytes: [UInt8]) -> (message: [UInt8], stripped: [String]) {
        let keepRouting = rights.contains(.acceptHeadersRouting)
        let keepOrganization = rights.contains(.acceptHeadersOrganization)
        let keepForest = rights.contains(.acceptHeadersForest)
        let (message, stripped) = headers.removing(in: bytes) { name in
            if !keepRouting && (name == "received" || name.hasPrefix("resent-")) { return true }
            if !keepOrganization && (name.hasPrefix("x-ms-exchange-organization-") || name.hasPrefix("x-receptor-")) { return true }
            if !keepForest && name.hasPrefix("x-ms-exchange-forest-") { return true }
            return false
        }
        return (message, stripped)
    }

    // MARK: Prepended fields

    /// How the session authenticated, as `X-Receptor-AuthAs` and `X-Receptor-AuthMechanism` say it.
    var authenticationIdentity: (authAs: String, mechanism: String) {
        switch authentication {
        case .anonymous: ("Anonymous", "None")
        case .externallySecured: ("Internal", "ExternalAuthoritative")
        case .exchangeServer: ("Internal", "ExchangeServer")
        case .partner: ("Partner", "Tls")
        case .account: (account?.userPrincipalName ?? "Anonymous", authMechanismUsed == .login ? "Login" : "Plain")
        }
    }

    /// The fields put in front of the message: Received, the X-Receptor fields (AuthDomain for a partner),
    /// and a Message-ID when the message has no usable one of its own. Returns them with the message's id.
    func fieldsToPrepend(
        existingMessageID: String?, identity: (authAs: String, mechanism: String),
        transactionNumber: Int
    ) -> (fields: [HeaderField], messageID: String) {
        var prepend: [HeaderField] = []
        prepend.reserveCapacity(6)  // Received, three X-Receptor fields, perhaps AuthDomain and Message-ID
        prepend.append(receivedHeader())
        prepend.append(HeaderField(name: "X-Receptor-AuthAs", value: identity.authAs))
        prepend.append(HeaderField(name: "X-Receptor-AuthMechanism", value: identity.mechanism))
        prepend.append(HeaderField(name: "X-Receptor-Connector", value: configuration.connectorID))
        if case .partner(let domain) = authentication { prepend.append(HeaderField(name: "X-Receptor-AuthDomain", value: domain)) }
        let messageID: String
        if let id = existingMessageID, id.hasPrefix("<"), id.hasSuffix(">"), id.count > 2 {
            messageID = id
        } else {
            messageID = "<\(configuration.sessionID)-\(transactionNumber)@\(configuration.fqdn)>"
            prepend.append(HeaderField(name: "Message-ID", value: messageID))
        }
        return (prepend, messageID)
    }

    /// `Received: from <helo> (<client IP>) by <fqdn> (<local IP>) with ESMTPS (version=…, cipher=…)
    /// via <connector>; <date>`, folded before `by`, `with` and `via`. The protocol name follows RFC 3848.
    func receivedHeader() -> HeaderField {
        var proto = hello?.extended == false && tls == nil && account == nil ? "SMTP" : "ESMTP"
        if proto == "ESMTP" {
            if tls != nil { proto += "S" }
            if account != nil { proto += "A" }
        }
        let client = configuration.remoteEndpoint.displayAddress
        // One string, appended in place (this runs for every message; `+` would copy at every step).
        var value = ""
        value.reserveCapacity(256)
        value += "from "
        if let name = hello?.name { value += name } else { value += "["; value += client; value += "]" }
        value += " ("; value += client; value += ")\r\n by "
        value += configuration.fqdn; value += " ("; value += configuration.localEndpoint.displayAddress; value += ")\r\n with "
        value += proto
        if let tls { value += " (version="; value += tls.version; value += ", cipher="; value += tls.cipher; value += ")" }
        value += "\r\n via "; value += configuration.connectorID; value += "; "
        value += DateText.rfc5322(now, utcOffsetSeconds: configuration.utcOffsetSeconds)
        return HeaderField(name: "Received", value: value)
    }
}
