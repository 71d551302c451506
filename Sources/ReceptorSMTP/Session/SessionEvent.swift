import ReceptorCore

/// What happens to a session. Framed input (`line`, `lineTooLong`, `messageData`) comes from
/// `SMTPInputFramer` (`SMTPConnection` wires the two); the rest comes from the I/O layer. Every event is
/// handled with the time it happened (`SMTPSession.handle(_:at:)`).
public enum SessionEvent: Hashable, Sendable {
    /// The connection was accepted: log `+` and send the banner.
    case connected
    /// A command line (or an AUTH response) without its terminator.
    case line([UInt8])
    /// A command line longer than the limit; its bytes were dropped.
    case lineTooLong(length: Int)
    /// The end of a DATA body, or one BDAT chunk.
    case messageData(MessageData)
    /// The STARTTLS handshake finished.
    case tlsEstablished(TLSInfo)
    /// The STARTTLS handshake failed; the connection cannot continue.
    case tlsFailed(reason: String)
    /// The answer to `.authenticate`.
    case authenticationResult(AuthenticationResult)
    /// The answer to `.deliver`: the `250` after the final dot waits for it.
    case deliveryResult(DeliveryResult)
    /// The listener's MessageRateLimit count for this source changed.
    case rateLimit(exceeded: Bool)
    /// The connector was disabled or removed: finish the message in flight, then `421 4.3.2` and close.
    case shutdown
    /// A timer the I/O layer armed for `nextDeadline` fired.
    case timer
    /// The client closed the connection.
    case remoteClosed
}

/// The account store's verdict on `.authenticate`.
public enum AuthenticationResult: Hashable, Sendable {
    /// The credentials are right: the session now acts as this account.
    case accepted(MailboxAccount)
    /// Wrong name or password.
    case rejected
    /// The store could not be asked (454 4.7.0; not a logon failure).
    case unavailable
}

/// The spool's verdict on `.deliver`.
public enum DeliveryResult: Hashable, Sendable {
    /// The message and its envelope are on disk and fsynced; `internalID` is the queue's id for it.
    case queued(internalID: Int64)
    /// Not stored. nil gives `451 4.3.0 Temporary server error. Please try again later`.
    case failed(SMTPReply?)
}
