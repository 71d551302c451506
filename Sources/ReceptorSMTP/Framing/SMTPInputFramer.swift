/// Splits the bytes a client sends into SMTP units: command lines, DATA bodies and BDAT chunks.
///
/// Restartable and bounded. `append` adds bytes in any chunking; `next()` returns the next complete unit or
/// nil ("need more bytes"), keeping whatever it has not finished. The events are the same however the input
/// was split. Memory stays bounded: a command line longer than `maxLineLength` is discarded up to the next LF
/// and reported as `.lineTooLong`; a DATA body or BDAT chunk keeps at most the maximum it was given and only
/// counts the rest.
///
/// The session decides what comes next: after it accepts DATA it calls `beginData`, after a BDAT command
/// `beginChunk`; both apply to the bytes not yet returned, so pipelined input is framed correctly.
public struct SMTPInputFramer: Sendable {
    public enum Event: Hashable, Sendable {
        /// A command line (or AUTH response line) without its CRLF or bare LF.
        case line([UInt8])
        /// A line longer than the limit, with its full length (without terminator); its bytes were dropped.
        case lineTooLong(length: Int)
        /// The end of a DATA body or of a BDAT chunk. The framer is back in command mode.
        case message(MessageData)
        /// Bytes of a DATA body (or of a message sent in BDAT chunks) past `spillThreshold`, in order, for the
        /// I/O layer to store outside memory (the spool); `first` starts a new body. The `.message` that ends
        /// such a body keeps only the first `spillThreshold` bytes and counts the rest in `spilledByteCount`.
        case spill([UInt8], first: Bool)
    }

    public enum Mode: Hashable, Sendable { case command, data, chunk }

    public let maxLineLength: Int
    /// A DATA body keeps this many bytes in memory (the header section and the start of the body); past
    /// `spillThreshold + spillChunk` the rest goes out in `.spill` events. Nil: every body stays in memory.
    public var spillThreshold: Int?
    /// The least a `.spill` event carries (but the one that ends a body).
    public var spillChunk = 1 << 20

    private var buffer: [UInt8] = []
    private var start = 0
    /// Command mode: bytes from `start` up to here hold no LF.
    private var scanned = 0
    /// Command mode: an over-long line is being dropped; its length so far and whether its last byte was CR.
    private var discarding: (length: Int, lastWasCR: Bool)?
    private var data: DataBody?
    private var chunk: Chunk?
    /// The end of a spilled body, returned after its last `.spill`.
    private var pendingMessage: MessageData?

    public init(maxLineLength: Int = SMTPLimits.maxCommandLineLength) {
        self.maxLineLength = maxLineLength
    }

    public var mode: Mode { data != nil ? .data : chunk != nil ? .chunk : .command }

    /// Bytes received and not yet returned as events. Callers stop reading from the network while this is
    /// above `SMTPLimits.maxPendingInput` (backpressure: a paused session never buffers without bound).
    public var bufferedByteCount: Int { buffer.count - start }

    /// Copies `bytes` into the framer's buffer, which keeps its capacity between reads (see `compact`), so a
    /// session's reads cost no allocation once the buffer has grown to their size.
    public mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        buffer.append(contentsOf: bytes)
    }

    /// The bytes that follow the current position are a DATA body, ended by `CRLF . CRLF`.
    /// `maxBytes` is how much of the body to keep; beyond it bytes are counted only.
    /// Ignored (an assertion in debug builds) unless the framer is in command mode.
    public mutating func beginData(maxBytes: Int64) {
        guard mode == .command else { assertionFailure("beginData while not in command mode"); return }
        data = DataBody(cap: max(0, maxBytes))
    }

    /// The next `size` bytes are a BDAT chunk; `maxBytes` of them are kept.
    /// A message sent in chunks spills as a DATA body does: `inMemory` and `spilled` say what the message's
    /// earlier chunks left in memory and in `.spill` events. Its first `spillThreshold` bytes stay in memory;
    /// every kept byte after them goes out in `.spill` events (the first of a message with `first`), and the
    /// `.message` that ends the chunk counts this chunk's share in `spilledByteCount`.
    /// Ignored (an assertion in debug builds) unless the framer is in command mode.
    public mutating func beginChunk(size: Int64, last: Bool, maxBytes: Int64, inMemory: Int64 = 0, spilled: Int64 = 0) {
        guard mode == .command else { assertionFailure("beginChunk while not in command mode"); return }
        let size = max(0, size)
        // Once a message has spilled, all of the rest follows its spill (order is kept).
        let memoryRoom = spillThreshold.map { spilled > 0 ? 0 : max(0, Int64($0) - inMemory) } ?? Int64.max
        chunk = Chunk(
            remaining: size, size: size, last: last, cap: max(0, min(maxBytes, size)), memoryRoom: memoryRoom,
            spillStarted: spilled > 0)
    }

    /// Drops everything buffered and not yet returned (RFC 3207: input pipelined after STARTTLS is
    /// discarded). Returns how many bytes were dropped.
    @discardableResult
    public mutating func discardBufferedInput() -> Int {
        let dropped = bufferedByteCount
        buffer.removeAll(keepingCapacity: false)
        start = 0
        scanned = 0
        discarding = nil
        data = nil
        chunk = nil
        pendingMessage = nil
        return dropped
    }

    public mutating func next() -> Event? {
        if let message = pendingMessage {
            pendingMessage = nil
            return .message(message)
        }
        let event: Event?
        if data != nil {
            event = nextData()
        } else if chunk != nil {
            event = nextChunk()
        } else {
            event = nextLine()
        }
        compact()
        return event
    }

    private mutating func compact() {
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 65536)
            start = 0
            scanned = 0
        } else if start > 4096 && start * 2 > buffer.count {
            buffer.removeFirst(start)
            scanned -= start
            start = 0
        }
    }

    // MARK: Command lines

    private mutating func nextLine() -> Event? {
        let from = max(start, scanned)
        guard let lf = buffer[from...].firstIndex(of: 10) else {
            scanned = buffer.count
            if var d = discarding {
                // Still inside an over-long line: drop what came, remember only its length.
                d.length += buffer.count - start
                if buffer.count > start { d.lastWasCR = buffer[buffer.count - 1] == 13 }
                discarding = d
                start = buffer.count
            } else if buffer.count - start > maxLineLength + 1 {
                // Longer than the limit whatever the terminator turns out to be: stop buffering it.
                discarding = (buffer.count - start, buffer[buffer.count - 1] == 13)
                start = buffer.count
            }
            return nil
        }
        let lineStart = start
        start = lf + 1
        scanned = start
        if let d = discarding {
            discarding = nil
            let crBefore = lf > lineStart ? buffer[lf - 1] == 13 : d.lastWasCR
            return .lineTooLong(length: d.length + (lf - lineStart) - (crBefore ? 1 : 0))
        }
        let end = lf > lineStart && buffer[lf - 1] == 13 ? lf - 1 : lf
        let length = end - lineStart
        if length > maxLineLength { return .lineTooLong(length: length) }
        return .line(Array(buffer[lineStart..<end]))
    }

    // MARK: BDAT chunks

    private struct Chunk: Sendable {
        var remaining: Int64
        let size: Int64
        let last: Bool
        /// Bytes of the chunk kept at most (in memory and spilled).
        let cap: Int64
        /// Bytes of the chunk that may stay in `bytes`; the kept bytes past them are spilled.
        let memoryRoom: Int64
        /// A `.spill` of this message went out already (the next is not `first`).
        var spillStarted: Bool
        var bytes: [UInt8] = []
        /// Kept bytes past `memoryRoom` waiting for a `.spill` event, and those handed out already.
        var unspilled: [UInt8] = []
        var spilled: Int64 = 0

        var kept: Int64 { Int64(bytes.count) + Int64(unspilled.count) + spilled }
    }

    private mutating func nextChunk() -> Event? {
        // Take the chunk out while it grows, so its bytes are not copied on write.
        guard var c = chunk else { return nil }
        chunk = nil
        let available = Int64(buffer.count - start)
        let take = min(available, c.remaining)
        if take > 0 {
            var keep = Int(min(max(0, c.cap - c.kept), take))
            let inMemory = Int(min(Int64(keep), max(0, c.memoryRoom - Int64(c.bytes.count))))
            if inMemory > 0 { c.bytes.append(contentsOf: buffer[start..<(start + inMemory)]) }
            keep -= inMemory
            if keep > 0 { c.unspilled.append(contentsOf: buffer[(start + inMemory)..<(start + inMemory + keep)]) }
            start += Int(take)
            c.remaining -= take
        }
        if !c.unspilled.isEmpty && (c.remaining == 0 || c.unspilled.count >= spillChunk) {
            let tail = c.unspilled
            let first = !c.spillStarted
            c.unspilled = []
            c.spilled += Int64(tail.count)
            c.spillStarted = true
            if c.remaining == 0 {
                pendingMessage = MessageData(kind: .chunk(last: c.last), bytes: c.bytes, size: c.size, spilledByteCount: c.spilled)
            } else {
                chunk = c
            }
            return .spill(tail, first: first)
        }
        guard c.remaining == 0 else { chunk = c; return nil }
        return .message(MessageData(kind: .chunk(last: c.last), bytes: c.bytes, size: c.size, spilledByteCount: c.spilled))
    }

    // MARK: DATA bodies

    private struct DataBody: Sendable {
        enum Phase: Sendable { case lineStart, normal, dot, dotCR }
        var phase: Phase = .lineStart
        /// The line before this one ended with CRLF (the DATA command's own CRLF counts at the start).
        var lastLineEndedCRLF = true
        var previousByte: UInt8 = 10
        var sawBareLF = false
        var size: Int64 = 0
        let cap: Int64
        var bytes: [UInt8] = []
        /// Bytes handed out in `.spill` events (kept, but not in `bytes`).
        var spilled: Int64 = 0

        init(cap: Int64) { self.cap = cap }

        mutating func emit(_ b: UInt8) {
            if size < cap { bytes.append(b) }
            size += 1
            previousByte = b
        }

        mutating func emit(_ slice: ArraySlice<UInt8>) {
            guard let last = slice.last else { return }
            let room = cap - size
            if room > 0 {
                bytes.append(contentsOf: Int64(slice.count) <= room ? slice : slice.prefix(Int(room)))
            }
            size += Int64(slice.count)
            previousByte = last
        }

        /// An LF was emitted: note how the line ended.
        mutating func endLine(crlf: Bool) {
            if !crlf { sawBareLF = true }
            lastLineEndedCRLF = crlf
            phase = .lineStart
        }
    }

    private mutating func nextData() -> Event? {
        // Take the body out while it grows, so its bytes are not copied on write.
        guard var d = data else { return nil }
        data = nil
        var i = start
        let end = buffer.count
        // Room for what this read brought, at once (appending byte runs would regrow the body several times
        // per message); doubling, so a body arriving in many reads is not copied again and again.
        let wanted = d.bytes.count + min(end - i, Int(clamping: max(0, d.cap - d.size)))
        if d.bytes.capacity < wanted {
            var grown = max(wanted, d.bytes.capacity * 2)
            // A body that spills never needs more than its head, a spill's worth and this read.
            if let threshold = spillThreshold { grown = min(grown, max(wanted, threshold + spillChunk + (end - i))) }
            d.bytes.reserveCapacity(grown)
        }
        var finished = false
        scan: while i < end {
            switch d.phase {
            case .normal:
                if let lf = buffer[i..<end].firstIndex(of: 10) {
                    d.emit(buffer[i..<lf])
                    let crlf = d.previousByte == 13
                    d.emit(10)
                    d.endLine(crlf: crlf)
                    i = lf + 1
                } else {
                    d.emit(buffer[i..<end])
                    i = end
                }
            case .lineStart:
                if buffer[i] == UInt8(ascii: ".") {
                    d.phase = .dot
                    i += 1
                } else {
                    d.phase = .normal
                }
            case .dot:
                let b = buffer[i]
                if b == 13 {
                    d.phase = .dotCR
                    i += 1
                } else if b == 10 {
                    // "." ended by a bare LF: content, not the end (only CRLF.CRLF ends DATA).
                    d.emit(UInt8(ascii: "."))
                    d.emit(10)
                    d.endLine(crlf: false)
                    i += 1
                } else {
                    // A stuffed dot: drop it, the rest of the line is content.
                    d.phase = .normal
                }
            case .dotCR:
                let b = buffer[i]
                if b == 10 {
                    i += 1
                    if d.lastLineEndedCRLF {
                        finished = true
                        break scan
                    }
                    // ".\r\n" after a bare-LF line: content (no smuggled end of data).
                    d.emit(UInt8(ascii: "."))
                    d.emit(13)
                    d.emit(10)
                    d.endLine(crlf: true)
                } else {
                    // ".\r" and more: a stuffed dot followed by a bare CR.
                    d.emit(13)
                    d.phase = .normal
                }
            }
        }
        start = i
        if let threshold = spillThreshold, d.bytes.count > threshold,
            finished ? d.spilled > 0 || d.bytes.count >= threshold + spillChunk : d.bytes.count >= threshold + spillChunk
        {
            // Past the threshold: everything after the kept head goes out; the head keeps its capacity.
            let first = d.spilled == 0
            let tail = Array(d.bytes[threshold...])
            d.bytes.removeSubrange(threshold...)
            d.spilled += Int64(tail.count)
            if finished {
                pendingMessage = MessageData(
                    kind: .data, bytes: d.bytes, size: d.size, sawBareLineFeed: d.sawBareLF,
                    spilledByteCount: d.spilled)
            } else {
                data = d
            }
            return .spill(tail, first: first)
        }
        if finished {
            return .message(
                MessageData(
                    kind: .data, bytes: d.bytes, size: d.size, sawBareLineFeed: d.sawBareLF,
                    spilledByteCount: d.spilled))
        }
        data = d
        return nil
    }
}
