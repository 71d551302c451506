import Foundation

/// A framer and a session wired together: what the I/O layer drives for one connection. Bytes in, actions
/// out. It pumps framed input into the session while the session accepts input, applies the session's
/// framer directives (DATA, BDAT), drops input pipelined after STARTTLS and any that arrives before the
/// handshake completes (RFC 3207), and resumes the buffered input when the I/O layer reports a result the
/// session was waiting for.
///
/// The I/O layer's loop:
/// ```
/// execute(connection.start(at: now))
/// on bytes:  execute(connection.receive(bytes, at: now))
/// on result: execute(connection.handle(.deliveryResult(.queued(internalID: id)), at: now))
/// on timer:  execute(connection.handle(.timer, at: now))
/// ```
/// and it stops reading while `wantsInput` is false.
public struct SMTPConnection: Sendable {
    public private(set) var session: SMTPSession
    public private(set) var framer: SMTPInputFramer

    /// `spillThreshold`: DATA bodies and messages sent in BDAT chunks past this size go to the I/O layer in
    /// `.spillBody` actions as they arrive (`SMTPInputFramer.spillThreshold`); nil keeps every body in memory.
    public init(configuration: SessionConfiguration, spillThreshold: Int? = nil) {
        session = SMTPSession(configuration: configuration)
        framer = SMTPInputFramer(maxLineLength: configuration.maxCommandLineLength)
        framer.spillThreshold = spillThreshold
    }

    public var isClosed: Bool { session.isClosed }
    /// Read more from the socket only while this holds (backpressure while the session waits).
    public var wantsInput: Bool { !session.isClosed && framer.bufferedByteCount < SMTPLimits.maxPendingInput }
    public var nextDeadline: Date? { session.nextDeadline }

    /// The connection was accepted: the banner.
    public mutating func start(at now: Date) -> [SessionAction] {
        handle(.connected, at: now)
    }

    /// Bytes from the client (after TLS decryption once TLS is on), copied into the framer's buffer (which
    /// keeps its capacity between reads: what the listener passes, straight from its network buffer).
    public mutating func receive<C: Collection>(_ bytes: C, at now: Date) -> [SessionAction] where C.Element == UInt8 {
        guard !session.isClosed else { return [] }
        // Bytes that reach the engine after STARTTLS was accepted and before the handshake completed are not
        // commands, whatever held them back on the way (a tarpit, a password check, a delivery): they are
        // dropped, never kept to be answered inside TLS (RFC 3207; the CVE-2011-0411 class).
        guard !session.isAwaitingTLS else { return [] }
        if !bytes.isEmpty { session.noteActivity(at: now) }
        framer.append(bytes)
        var out: [SessionAction] = []
        pump(at: now, into: &out)
        return out
    }

    /// Any other event (TLS, authentication and delivery results, timers, shutdown, remote close). Buffered
    /// input the session could not take while it waited is processed afterwards.
    public mutating func handle(_ event: SessionEvent, at now: Date) -> [SessionAction] {
        var out: [SessionAction] = []
        // TLS starts with a clean slate: nothing buffered from before the handshake is read inside it.
        if case .tlsEstablished = event { framer.discardBufferedInput() }
        apply(session.handle(event, at: now), into: &out)
        pump(at: now, into: &out)
        return out
    }

    private mutating func pump(at now: Date, into out: inout [SessionAction]) {
        while session.acceptsInput, let event = framer.next() {
            let sessionEvent: SessionEvent
            switch event {
            case .line(let bytes): sessionEvent = .line(bytes)
            case .lineTooLong(let length): sessionEvent = .lineTooLong(length: length)
            case .message(let data): sessionEvent = .messageData(data)
            case .spill(let bytes, let first):
                out.append(.spillBody(bytes, first: first))
                continue
            }
            apply(session.handle(sessionEvent, at: now), into: &out)
        }
        if session.isClosed { framer.discardBufferedInput() }
    }

    private mutating func apply(_ actions: [SessionAction], into out: inout [SessionAction]) {
        for action in actions {
            switch action {
            case .expectData(let maxBytes):
                framer.beginData(maxBytes: maxBytes)
            case .expectChunk(let size, let last, let maxBytes, let inMemory, let spilled):
                framer.beginChunk(size: size, last: last, maxBytes: maxBytes, inMemory: inMemory, spilled: spilled)
            case .startTLS:
                framer.discardBufferedInput()
                out.append(action)
            default:
                out.append(action)
            }
        }
    }
}
