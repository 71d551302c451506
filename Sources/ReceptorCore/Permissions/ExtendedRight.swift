/// Exchange's extended rights on a receive connector (reference §5b). Names are compared case-insensitively
/// (the docs write `Ms-Exch-SMTP-Accept-Any-Recipient` too).
public enum ExtendedRight: String, CaseIterable, Hashable, Sendable, CustomStringConvertible, Codable {
    case acceptHeadersForest = "ms-Exch-Accept-Headers-Forest"
    case acceptHeadersOrganization = "ms-Exch-Accept-Headers-Organization"
    case acceptHeadersRouting = "ms-Exch-Accept-Headers-Routing"
    case bypassAntiSpam = "ms-Exch-Bypass-Anti-Spam"
    case bypassMessageSizeLimit = "ms-Exch-Bypass-Message-Size-Limit"
    case acceptAnyRecipient = "ms-Exch-SMTP-Accept-Any-Recipient"
    case acceptAnySender = "ms-Exch-SMTP-Accept-Any-Sender"
    case acceptAuthenticationFlag = "ms-Exch-SMTP-Accept-Authentication-Flag"
    case acceptAuthoritativeDomainSender = "ms-Exch-SMTP-Accept-Authoritative-Domain-Sender"
    case acceptExch50 = "ms-Exch-SMTP-Accept-Exch50"
    case submit = "ms-Exch-SMTP-Submit"
    case acceptXattr = "ms-Exch-SMTP-Accept-Xattr"
    case acceptXProxyFrom = "ms-Exch-SMTP-Accept-XProxyFrom"
    case acceptXSessionParams = "ms-Exch-SMTP-Accept-XSessionParams"
    case acceptXShadow = "ms-Exch-SMTP-Accept-XShadow"
    case acceptXSysProbe = "ms-Exch-SMTP-Accept-XSysProbe"
    case sendXMessageContextADRecipientCache = "ms-Exch-SMTP-Send-XMessageContext-ADRecipientCache"
    case sendXMessageContextExtendedProperties = "ms-Exch-SMTP-Send-XMessageContext-ExtendedProperties"
    case sendXMessageContextFastIndex = "ms-Exch-SMTP-Send-XMessageContext-FastIndex"

    public var description: String { rawValue }

    public init(parsing input: String) throws(ValueError) {
        let text = input.trimmingCharacters(in: .whitespaces)
        // The 2013 docs spell one right without "SMTP-"; accept that spelling too.
        let aliases = ["ms-exch-accept-exch50": ExtendedRight.acceptExch50]
        if let match = Self.allCases.first(where: { $0.rawValue.caseInsensitiveCompare(text) == .orderedSame }) {
            self = match
        } else if let alias = aliases[text.lowercased()] {
            self = alias
        } else {
            throw ValueError(
                "\"\(input)\" is not an extended right of a receive connector, such as ms-Exch-SMTP-Submit or ms-Exch-SMTP-Accept-Any-Recipient.")
        }
    }

    /// What the right lets a session do, for help screens (§5b).
    public var effect: String {
        switch self {
        case .submit: "may submit messages (without it MAIL FROM and AUTH fail)"
        case .acceptAnyRecipient: "may relay to recipients outside the accepted domains"
        case .acceptAnySender: "skips the sender-spoofing check"
        case .acceptAuthoritativeDomainSender: "may use senders in the organization's authoritative domains"
        case .acceptAuthenticationFlag: "messages are treated as authenticated (internal)"
        case .acceptHeadersRouting: "keeps Received: and Resent-* headers"
        case .acceptHeadersOrganization: "keeps X-MS-Exchange-Organization-* headers"
        case .acceptHeadersForest: "keeps X-MS-Exchange-Forest-* headers"
        case .bypassAntiSpam: "skips antispam filtering"
        case .bypassMessageSizeLimit: "may exceed the connector's MaxMessageSize"
        case .acceptExch50: "may send XEXCH50"
        default: "reserved for Exchange's internal use"
        }
    }
}
