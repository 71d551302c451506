/// A message body (DATA) or one BDAT chunk as the framer delivers it: the bytes it kept, the full size it
/// counted, and what it noticed on the way.
public struct MessageData: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// A DATA body, dot-stuffing undone, without the terminating `.` line.
        case data
        /// One BDAT chunk; `last` when the command said LAST.
        case chunk(last: Bool)
    }

    public var kind: Kind
    /// The bytes kept: at most the maximum the framer was given, so an oversize body costs no memory.
    public var bytes: [UInt8]
    /// Every byte of the body or chunk, kept or not (after dot-unstuffing for DATA).
    public var size: Int64
    /// DATA held an LF not preceded by CR (BareLinefeedRejectionEnabled). Always false for BDAT.
    public var sawBareLineFeed: Bool
    /// Kept bytes that follow `bytes` and went out in `.spill` events (the I/O layer holds them).
    public var spilledByteCount: Int64

    public init(kind: Kind, bytes: [UInt8], size: Int64, sawBareLineFeed: Bool = false, spilledByteCount: Int64 = 0) {
        self.kind = kind
        self.bytes = bytes
        self.size = size
        self.sawBareLineFeed = sawBareLineFeed
        self.spilledByteCount = spilledByteCount
    }

    /// Bytes were counted but not kept: the body went past the maximum.
    public var isTruncated: Bool { size > Int64(bytes.count) + spilledByteCount }
}
