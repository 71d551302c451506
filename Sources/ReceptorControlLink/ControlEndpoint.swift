import Foundation
import ReceptorStore

/// Where a listener's control protocol is reached: its Unix socket on this host, or its TCP endpoint (TLS with
/// the certificate the store names, and the organization's secret) from anywhere else.
public enum ControlEndpoint: Hashable, Sendable, CustomStringConvertible {
    case local(socketPath: String)
    /// `fingerprint`: the SHA-256 of the certificate the store registered for the endpoint (lower-case hex).
    case remote(host: String, port: Int, fingerprint: String)

    public var description: String {
        switch self {
        case .local(let path): "control socket \(path)"
        case .remote(let host, let port, _): "control endpoint \(Self.text(host: host, port: port))"
        }
    }

    /// How a console or `receptor status` on this host reaches a registered listener: its Unix socket when the
    /// listener runs here (and the socket is there), else its TCP endpoint when it registered one, else nil.
    public static func route(
        to registration: ListenerRegistration, localHost: String = ListenerLiveness.localHost,
        socketExists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }
    ) -> ControlEndpoint? {
        if registration.host == localHost, socketExists(registration.controlSocket) { return .local(socketPath: registration.controlSocket) }
        guard let text = registration.controlEndpoint, let parsed = parse(text),
            let fingerprint = registration.controlFingerprint, Hex.bytes(fingerprint)?.count == 32
        else { return nil }
        return .remote(host: parsed.host, port: parsed.port, fingerprint: fingerprint.lowercased())
    }

    /// `host:port`, with an IPv6 address in brackets (`[2001:db8::1]:8725`).
    public static func text(host: String, port: Int) -> String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Reads `host:port` or `[v6]:port`; nil for anything else.
    public static func parse(_ text: String) -> (host: String, port: Int)? {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, let port = Int(portText), (1...65535).contains(port) else { return nil }
        return (String(host), port)
    }
}

/// A listener's control endpoint and, for a TCP one, the organization's secret that opens it: all a client
/// needs to attach.
public struct ControlTarget: Hashable, Sendable, CustomStringConvertible {
    public var endpoint: ControlEndpoint
    public var secret: ControlSecret?

    public init(_ endpoint: ControlEndpoint, secret: ControlSecret? = nil) { self.endpoint = endpoint; self.secret = secret }

    /// A listener's Unix socket on this host (no secret: the socket's mode 0600 is its lock).
    public static func local(_ socketPath: String) -> ControlTarget { ControlTarget(.local(socketPath: socketPath)) }

    public var description: String { endpoint.description }
}
