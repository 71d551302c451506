/// Every bound the protocol engine enforces, in one place. Connector settings (MaxMessageSize, MaxHeaderSize,
/// MaxRecipientsPerMessage, …) come from the connector; these are the fixed ones that keep memory bounded
/// whatever a client sends.
public enum SMTPLimits {
    /// Longest command line, in bytes, not counting its CRLF (or bare LF). Longer lines are answered with
    /// `500 5.5.2 Line too long` and discarded up to the next LF, never buffered.
    public static let maxCommandLineLength = 2048
    /// The command line bound when the connector has LongAddressesEnabled (reference §3c: lines up to 8,000).
    public static let maxLongCommandLineLength = 8000
    /// Longest address (local@domain) accepted in MAIL FROM / RCPT TO (reference §3c).
    public static let maxAddressLength = 571
    /// The address bound with LongAddressesEnabled (X.400 IMCEA addresses, reference §3c).
    public static let maxLongAddressLength = 1860
    /// The most message bytes a session ever holds, even for a session with Bypass-Message-Size-Limit:
    /// the top of MaxMessageSize's range (reference §3d). Bytes past it are counted, not stored.
    public static let maxMessageSizeCeiling: Int64 = 2_147_483_647
    /// Longest domain name (RFC 1035).
    public static let maxDomainLength = 255
    /// Longest DNS label (RFC 1035).
    public static let maxLabelLength = 63
    /// The longest value of an ESMTP parameter we keep (ENVID, ORCPT, AUTH=); RFC 3461 allows 100 for ENVID.
    public static let maxParameterValueLength = 1000
    /// Largest decimal number read from SIZE= or BDAT (18 digits fit an Int64).
    public static let maxDecimalDigits = 18

    /// The command line bound for a connector.
    public static func commandLineLength(longAddresses: Bool) -> Int {
        longAddresses ? maxLongCommandLineLength : maxCommandLineLength
    }

    /// The address length bound for a connector.
    public static func addressLength(longAddresses: Bool) -> Int {
        longAddresses ? maxLongAddressLength : maxAddressLength
    }
}

extension SMTPLimits {
    /// Unprocessed input a connection holds while its session waits (for a delivery result, say) before the
    /// I/O layer should stop reading from the socket.
    public static let maxPendingInput = 256 * 1024
}
