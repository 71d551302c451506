import Foundation

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

    public init(time: Date, connectorID: String, sessionID: String, sequence: Int, localEndpoint: String,
                remoteEndpoint: String, event: Event, data: String = "", context: String = "") {
        self.time = time; self.connectorID = connectorID; self.sessionID = sessionID; self.sequence = sequence
        self.localEndpoint = localEndpoint; self.remoteEndpoint = remoteEndpoint; self.event = event
        self.data = data; self.context = context
    }

    /// The CSV text of the line, without the line break. Fields holding a comma, a quote or a line break
    /// are quoted, with quotes doubled (RFC 4180), which is how Exchange's logs read in Excel and Log Parser.
    public var text: String {
        [ProtocolLogFormat.timestamp(time), connectorID, sessionID, String(sequence), localEndpoint, remoteEndpoint,
         event.rawValue, data, context].map(ProtocolLogFormat.field).joined(separator: ",")
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
    public static func day(_ date: Date) -> String {
        let (t, _) = utc(date)
        var out: [UInt8] = []
        out.reserveCapacity(8)
        digits(&out, Int(t.tm_year) + 1900, 4); digits(&out, Int(t.tm_mon) + 1, 2); digits(&out, Int(t.tm_mday), 2)
        return String(decoding: out, as: UTF8.self)
    }

    /// `yyyy-mm-ddThh:mm:ss.fffZ` in UTC. Every protocol-log line and monitor transcript line has one, so
    /// it is formatted by hand (Calendar and String(format:) cost more than the rest of the line).
    public static func timestamp(_ date: Date) -> String {
        let (t, ms) = utc(date)
        var out: [UInt8] = []
        out.reserveCapacity(24)
        digits(&out, Int(t.tm_year) + 1900, 4); out.append(UInt8(ascii: "-"))
        digits(&out, Int(t.tm_mon) + 1, 2); out.append(UInt8(ascii: "-"))
        digits(&out, Int(t.tm_mday), 2); out.append(UInt8(ascii: "T"))
        digits(&out, Int(t.tm_hour), 2); out.append(UInt8(ascii: ":"))
        digits(&out, Int(t.tm_min), 2); out.append(UInt8(ascii: ":"))
        digits(&out, Int(t.tm_sec), 2); out.append(UInt8(ascii: "."))
        digits(&out, ms, 3); out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    /// The broken-down UTC time and the milliseconds of a date (milliseconds rounded down, as before).
    static func utc(_ date: Date) -> (tm, Int) {
        let totalMilliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(totalMilliseconds >= 0 ? totalMilliseconds / 1000 : (totalMilliseconds - 999) / 1000)
        let ms = Int(totalMilliseconds - Int64(seconds) * 1000)
        var t = tm()
        gmtime_r(&seconds, &t)
        return (t, ms)
    }

    private static func digits(_ out: inout [UInt8], _ value: Int, _ width: Int) {
        let start = out.count
        var v = value
        for _ in 0..<width {
            out.append(UInt8(ascii: "0") + UInt8(v % 10))
            v /= 10
        }
        out[start...].reverse()
    }

    static func field(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"").replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\n", with: "\\n") + "\""
    }
}
