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
    public static func day(_ date: Date) -> String { DateText.compactDay(date) }

    /// `yyyy-mm-ddThh:mm:ss.fffZ` in UTC: the engine's date text (no Calendar or String(format:), which
    /// cost more than the rest of a protocol-log line).
    public static func timestamp(_ date: Date) -> String { DateText.iso8601(date) }

    static func field(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"").replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\n", with: "\\n") + "\""
    }
}
