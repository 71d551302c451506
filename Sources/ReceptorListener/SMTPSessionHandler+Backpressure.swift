import NIOCore
import ReceptorSMTP

/// Bounded memory per session: reading from the socket stops while input waits that the session cannot take
/// yet (what arrives during a tarpit, or queues in the engine's framer during a password check or a delivery,
/// past `SMTPLimits.maxPendingInput`) or while the client does not take its replies (the channel is not
/// writable), and resumes once both have drained. Without this, a client could make the listener hold any
/// amount: what it sends during a tarpit, or the replies to what it sends when it never reads them.
extension SMTPSessionHandler {
    /// Checks after each burst of work; changes the channel's autoRead only when the answer changes.
    func updateReading() {
        guard let context, !closed else { return }  // nothing to read on a connection that has gone
        let pause =
            !context.channel.isWritable
            || delayedInput.count >= SMTPLimits.maxPendingInput
            || connection.framer.bufferedByteCount >= SMTPLimits.maxPendingInput
        guard pause != readingPaused else { return }
        readingPaused = pause
        context.channel.setOption(ChannelOptions.autoRead, value: !pause).whenFailure { _ in }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        updateReading()
        context.fireChannelWritabilityChanged()
    }
}
