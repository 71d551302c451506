import Foundation
import ReceptorControl

/// Hand-written JSON for the control socket's events. With a monitor attached every protocol-log line
/// becomes an event, and Foundation's JSONEncoder cost more per event than the SMTP work that produced it
/// (a quarter of the listener's CPU under load). The output is what JSONEncoder with `.iso8601` dates would
/// give, minus key order (a test compares the two).
enum EventJSON {
    struct Object {
        private(set) var bytes: [UInt8] = [UInt8(ascii: "{")]
        private var first = true

        private mutating func key(_ name: String) {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            EventJSON.string(name, into: &bytes)
            bytes.append(UInt8(ascii: ":"))
        }

        mutating func add(_ name: String, _ value: String) { key(name); EventJSON.string(value, into: &bytes) }
        mutating func add(_ name: String, _ value: String?) { if let value { add(name, value) } }
        mutating func add(_ name: String, _ value: Int) { key(name); bytes.append(contentsOf: String(value).utf8) }
        mutating func add(_ name: String, _ value: Int64) { key(name); bytes.append(contentsOf: String(value).utf8) }
        mutating func add(_ name: String, _ value: Int32) { key(name); bytes.append(contentsOf: String(value).utf8) }
        mutating func add(_ name: String, _ value: Date) { key(name); EventJSON.string(EventJSON.date(value), into: &bytes) }
        mutating func add(_ name: String, _ value: Date?) { if let value { add(name, value) } }
        mutating func add(_ name: String, json: [UInt8]?) { if let json { key(name); bytes.append(contentsOf: json) } }
        mutating func add(_ name: String, strings: [String]) {
            key(name)
            bytes.append(
                contentsOf: EventJSON.array(
                    strings.map {
                        var b: [UInt8] = []; EventJSON.string($0, into: &b); return b
                    }))
        }

        func closed() -> [UInt8] { bytes + [UInt8(ascii: "}")] }
    }

    static func array(_ items: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (i, item) in items.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: item)
        }
        out.append(UInt8(ascii: "]"))
        return out
    }

    /// A JSON string (RFC 8259): quotes, backslashes and control characters escaped, everything else as UTF-8.
    static func string(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [
                    UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 15)],
                ])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// `yyyy-mm-ddThh:mm:ssZ`, as JSONEncoder's `.iso8601` writes it (whole seconds).
    static func date(_ date: Date) -> String {
        String(ProtocolLogFormat.timestamp(date).prefix(19)) + "Z"
    }
}

extension LiveSession {
    var json: [UInt8] {
        var o = EventJSON.Object()
        o.add("id", id); o.add("connector", connector); o.add("remote", remote); o.add("local", local); o.add("state", state)
        o.add("tls", tls); o.add("authenticatedAs", authenticatedAs); o.add("messages", messages); o.add("bytes", bytes)
        o.add("startedAt", startedAt); o.add("lastActivity", lastActivity)
        return o.closed()
    }
}

extension TranscriptLine {
    var json: [UInt8] {
        var o = EventJSON.Object()
        o.add("time", time); o.add("sequence", sequence); o.add("event", event); o.add("data", data); o.add("context", context); o.add("text", text)
        return o.closed()
    }
}

extension ConnectorCounters {
    var json: [UInt8] {
        var o = EventJSON.Object()
        o.add("connectionsNow", connectionsNow); o.add("connectionsTotal", connectionsTotal); o.add("messagesAccepted", messagesAccepted)
        o.add("messagesRejected", messagesRejected); o.add("relayDenied", relayDenied); o.add("authFailures", authFailures)
        o.add("tarpitted", tarpitted); o.add("bytes", bytes)
        return o.closed()
    }
}

extension MessageSummary {
    var json: [UInt8] {
        var o = EventJSON.Object()
        o.add("messageID", messageID); o.add("sessionID", sessionID); o.add("connector", connector); o.add("from", from)
        o.add("recipients", strings: recipients); o.add("authAs", authAs); o.add("authMechanism", authMechanism); o.add("size", size)
        o.add("receivedAt", receivedAt); o.add("headers", headers)
        return o.closed()
    }
}

extension ListenerEvent {
    /// The event as one line of the control socket (without the line break).
    var json: [UInt8] {
        var o = EventJSON.Object()
        o.add("type", type); o.add("time", time)
        o.add("session", json: session?.json)
        o.add("connector", connector); o.add("detail", detail); o.add("sessionID", sessionID)
        o.add("line", json: line?.json)
        o.add("lines", json: lines.map { EventJSON.array($0.map(\.json)) })
        o.add("message", json: message?.json)
        if let counters {
            var c = EventJSON.Object()
            for (name, value) in counters.sorted(by: { $0.key < $1.key }) { c.add(name, json: value.json) }
            o.add("counters", json: c.closed())
        }
        o.add("sessions", json: sessions.map { EventJSON.array($0.map(\.json)) })
        return o.closed()
    }
}
