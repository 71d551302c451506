/// Where a recipient in an accepted domain goes, decided once at RCPT (Exchange's recipient filter and its
/// categorizer in one rule, used by the listener's session and its message store):
///
/// - **Authoritative** domains hold the organization's mailboxes. A recipient that is a mailbox (its UPN, its
///   primary SMTP address or one of its EmailAddresses) is delivered to that mailbox's folder; any other is
///   refused with `550 5.1.1 User unknown` while recipient validation is on (the default), and given a folder
///   of its own while it is off (the catch-all Exchange's later bounce would replace).
/// - **InternalRelay** domains are shared with another system: a mailbox is delivered here, anything else is
///   passed to the relay queue.
/// - **ExternalRelay** domains are relayed, always.
///
/// Addresses are compared as one mailbox: the domain without case and without a trailing dot, the local part
/// without case and, when quoted, unquoted if it is a plain dot-atom (`"kate"@contoso.test` is kate's).
public struct RecipientDirectory: Sendable {
    public enum Route: Hashable, Sendable {
        /// Deliver to the mailbox folder of this address (the mailbox's primary address, normalized:
        /// `kate@contoso.test`, whichever of its addresses the sender wrote).
        case mailbox(String)
        case relay
        /// Validation is on and no mailbox has this address.
        case unknownUser
        /// The local part can't name a mailbox folder (too long, or nothing but dots).
        case unusableLocalPart
    }

    public let validationEnabled: Bool
    /// Every address of every mailbox, normalized, and the route to the mailbox's primary address (worked
    /// out once here: RCPT is on the message path).
    private let addresses: [String: Route]

    public init(accounts: [MailboxAccount], config: RecipientFilterConfig) {
        validationEnabled = config.recipientValidationEnabled
        var addresses: [String: Route] = [:]
        for account in accounts {
            guard let primary = Self.normalized(account.primarySmtpAddress) else { continue }
            let route = Self.mailboxRoute(primary)
            for address in account.allAddresses {
                if let normalized = Self.normalized(address) { addresses[normalized] = route }
            }
        }
        self.addresses = addresses
    }

    private static func normalized(_ address: String) -> String? {
        guard let at = address.lastIndex(of: "@") else { return nil }
        return normalized(local: String(address[..<at]), domain: String(address[address.index(after: at)...]))
    }

    /// The route of `local@domain`, whose domain is `accepted`.
    public func route(local: String, domain: String, accepted: AcceptedDomain) -> Route {
        let address = Self.normalized(local: local, domain: domain)
        if accepted.domainType == .externalRelay { return .relay }
        if let route = addresses[address] { return route }
        switch accepted.domainType {
        case .internalRelay, .externalRelay: return .relay
        case .authoritative: return validationEnabled ? .unknownUser : Self.mailboxRoute(address)
        }
    }

    /// A mailbox whose folders can be made: its local part and domain must be file names.
    private static func mailboxRoute(_ address: String) -> Route {
        guard let at = address.lastIndex(of: "@"), folderName(String(address[..<at])) != nil,
            folderName(String(address[address.index(after: at)...])) != nil
        else { return .unusableLocalPart }
        return .mailbox(address)
    }

    // MARK: Normal forms

    /// `local@domain` as one mailbox: lower case, the domain without a trailing dot, a quoted local part
    /// unquoted when it is a dot-atom.
    public static func normalized(local: String, domain: String) -> String {
        // The common case, a plain dot-atom and a domain without a trailing dot: one string, lowered once.
        if local.utf8.first != UInt8(ascii: "\""), domain.utf8.last != UInt8(ascii: ".") {
            return (local + "@" + domain).lowercased()
        }
        var domain = domain.lowercased()
        while domain.hasSuffix(".") { domain.removeLast() }
        return unquoted(local).lowercased() + "@" + domain
    }

    /// `"kate"` → `kate`, `"a.b"` → `a.b`; a quoted string that needs its quotes (`"a b"`) keeps them.
    public static func unquoted(_ local: String) -> String {
        guard local.count >= 2, local.hasPrefix("\""), local.hasSuffix("\"") else { return local }
        let inner = local.dropFirst().dropLast()
        guard !inner.isEmpty, !inner.hasPrefix("."), !inner.hasSuffix("."), !inner.contains(".."),
            inner.allSatisfy({ $0 == "." || isAtext($0) })
        else { return local }
        return String(inner)
    }

    private static func isAtext(_ c: Character) -> Bool {
        guard let ascii = c.asciiValue else { return !c.isWhitespace }  // SMTPUTF8 letters
        return (ascii >= 0x30 && ascii <= 0x39) || (ascii | 0x20 >= 0x61 && ascii | 0x20 <= 0x7A) || "!#$%&'*+-/=?^_`{|}~".utf8.contains(ascii)
    }

    /// The folder a local part (or a domain) names under `mailboxes/`: lower case, `/`, NUL and line breaks
    /// made `_` so that it can't climb out of its folder, `.` and `..` prefixed with `_`. Nil when it can't be
    /// a file name at all (longer than a file name may be: 255 bytes).
    public static func folderName(_ part: String) -> String? {
        let cleaned = String(
            part.lowercased().map { ch -> Character in
                ch == "/" || ch == "\0" || ch.isNewline ? "_" : ch
            })
        let name = cleaned == "." || cleaned == ".." || cleaned.isEmpty ? "_" + cleaned : cleaned
        return name.utf8.count <= 255 ? name : nil
    }
}
