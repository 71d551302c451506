import Foundation
import ReceptorSMTP

/// One line of Exchange's SMTP receive protocol log (reference §8): nine comma-separated fields.
public struct ProtocolLogLine: Sendable, Equatable {
    public enum Event: String, Sendable { case connect = "+", disconnect = "-", send = ">", receive = "<", information = "*" }

    public var time: Date
    public var connectorID: String
    public var sessionID: String
    public var sequence: Int
    public var localEndpoint: String
    public var remoteEndpoint: String
    public var event: Event
    public var data: String
    public var context: String

    public init(
        time: Date, connectorID: String, sessionID: String, sequence: Int, localEndpoint: String,
        remoteEndpoint: String, event: Event, data: String = "", context: String = ""
    ) {
        self.time = time; self.connectorID = connectorID; self.sessionID = sessionID; self.sequence = sequence
        self.localEndpoint = localEndpoint; self.remoteEndpoint = remoteEndpoint; self.event = event
        self.data = data; self.context = context
    }

    /// The CSV text of the line, without the line break. Fields holding a comma, a quote or a line break
    /// are quoted, with quotes doubled (RFC 4180), which is how Exchange's logs read in Excel and Log Parser.
    public var text: String {
        [
            ProtocolLogFormat.timestamp(time), connectorID, sessionID, String(sequence), localEndpoint, remoteEndpoint,
            event.rawValue, data, context,
        ].map(ProtocolLogFormat.field).joined(separator: ",")
    }
}

public enum ProtocolLogFormat {
    public static let fields = "date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context"

    /// The header every file starts with (§8e).
    public static func header(created: Date, version: String) -> String {
        """
        #Software: Receptor
        #Version: \(version)
        #Log-type: SMTP Receive Protocol Log
        #Date: \(timestamp(created))
        #Fields: \(fields)

        """
    }

    /// `RECVyyyymmdd-N.log`, with the UTC date of creation and an instance number from 1 each day (§8d).
    public static func fileName(date: Date, instance: Int) -> String {
        "RECV\(day(date))-\(instance).log"
    }

    /// `yyyymmdd` in UTC.
    public static func day(_ date: Date) -> String { DateText.compactDay(date) }

    /// `yyyy-mm-ddThh:mm:ss.fffZ` in UTC: the engine's date text (no Calendar or String(format:), which
    /// cost more than the rest of a protocol-log line).
    public static func timestamp(_ date: Date) -> String { DateText.iso8601(date) }

    /// One CSV field. Control characters a client sent (ESC, BEL, BS, …: every Unicode control, C0, DEL and
    /// C1) are written as escapes — `\r`, `\n`, `\t`, `\0`, else `\x1B` or `\u{9B}` — so that reading a log
    /// with `tail` or `less -R` never replays a client's terminal sequences. A field holding a comma, a quote
    /// or a line break is quoted, with quotes doubled (RFC 4180).
    static func field(_ value: String) -> String {
        var needsQuotes = false
        var hasControls = false
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: ","), UInt8(ascii: "\""): needsQuotes = true
            case UInt8(ascii: "\r"), UInt8(ascii: "\n"): needsQuotes = true; hasControls = true
            case 0..<0x20, 0x7F, 0xC2: hasControls = true  // 0xC2 leads U+0080–U+00BF, where C1 lives
            default: break
            }
        }
        guard needsQuotes || hasControls else { return value }
        var text = hasControls ? escapingControls(value) : value
        if needsQuotes { text = "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        return text
    }

    static func escapingControls(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count + 8)
        for scalar in value.unicodeScalars {
            switch scalar.value {
            case 0x0D: out += "\\r"
            case 0x0A: out += "\\n"
            case 0x09: out += "\\t"
            case 0x00: out += "\\0"
            case 0x01..<0x20, 0x7F: out += "\\x" + hex(scalar.value)
            case 0x80..<0xA0: out += "\\u{" + hex(scalar.value) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return digits.count == 1 ? "0" + digits : digits
    }
}
