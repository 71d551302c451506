import Foundation

/// One record of the SMTP receive protocol log (reference §8f). The session fills every field; the log
/// writer only chooses the file. Nothing secret is ever put here: AUTH lines arrive as `AUTH PLAIN ****`,
/// AUTH responses as `****`.
public struct ProtocolLogEvent: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable {
        case connect = "+", disconnect = "-", send = ">", receive = "<", information = "*"
    }

    public var time: Date
    public var connectorID: String
    public var sessionID: String
    public var sequenceNumber: Int
    public var localEndpoint: String
    public var remoteEndpoint: String
    public var kind: Kind
    public var data: String
    public var context: String

    public init(
        time: Date, connectorID: String, sessionID: String, sequenceNumber: Int, localEndpoint: String,
        remoteEndpoint: String, kind: Kind, data: String, context: String = ""
    ) {
        self.time = time
        self.connectorID = connectorID
        self.sessionID = sessionID
        self.sequenceNumber = sequenceNumber
        self.localEndpoint = localEndpoint
        self.remoteEndpoint = remoteEndpoint
        self.kind = kind
        self.data = data
        self.context = context
    }

    /// The nine CSV fields of §8e/§8f, without a line terminator. Fields holding a comma, quote or
    /// line break are quoted, with quotes doubled.
    public var csvLine: String {
        [
            DateText.iso8601(time), connectorID, sessionID, String(sequenceNumber), localEndpoint, remoteEndpoint,
            kind.rawValue, data, context,
        ].map(Self.csvField).joined(separator: ",")
    }

    static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
