import NIOCore
import ReceptorSMTP

/// Replies are encoded straight into NIO's buffer (no intermediate array per reply).
extension ByteBuffer: SMTPByteSink {
    public mutating func appendByte(_ byte: UInt8) { writeInteger(byte) }
    public mutating func appendBytes(_ bytes: String.UTF8View) { writeBytes(bytes) }
}
