import Foundation
import ReceptorCore
@testable import ReceptorSMTP

/// The little organisation every test uses: server MBX01 (mbx01.contoso.test), accepted domain contoso.test,
/// the five default connectors setup creates, one account, fixed endpoints and a fixed clock.
enum TestWorld {
    static let server = Server(name: "MBX01", role: .mailbox, fqdn: "mbx01.contoso.test")
    static let edge = Server(name: "EDGE01", role: .edge, fqdn: "edge01.contoso.test")
    static let acceptedDomains = [
        AcceptedDomain(name: "contoso.test", domainName: "contoso.test", domainType: .authoritative, isDefault: true),
        AcceptedDomain(name: "relay", domainName: "relay.contoso.test", domainType: .internalRelay),
    ]
    static let kate = MailboxAccount(name: "Kate", userPrincipalName: "kate@contoso.test")
    static let password = "Pa55word!"
    /// 2026-11-29T10:00:00Z, a Sunday.
    static let start = Date(timeIntervalSince1970: 1_795_946_400)
    static let sessionID = "08DC3C1A2B4F5E61"
    static let local = SMTPEndpoint(address: try! IPAddress(parsing: "10.0.0.5"), port: 25)
    static let remote = SMTPEndpoint(address: try! IPAddress(parsing: "203.0.113.7"), port: 51234)
    static let tls = TLSInfo(version: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384")

    static var defaultConnectors: [ReceiveConnector] { ConnectorDefaults.setupConnectors(for: server) }

    static func connector(_ prefix: String) -> ReceiveConnector {
        guard let c = (defaultConnectors + ConnectorDefaults.setupConnectors(for: edge)).first(where: { $0.name.hasPrefix(prefix) }) else {
            fatalError("no default connector named \(prefix)…")
        }
        return c
    }

    static var defaultFrontend: ReceiveConnector { connector("Default Frontend") }
    static var clientFrontend: ReceiveConnector { connector("Client Frontend") }

    /// A Custom connector as the relay article makes it (§7), before either method is applied.
    static func customRelayConnector() -> ReceiveConnector {
        var c = ConnectorDefaults.base(name: "Anonymous Relay", server: server, transportRole: .frontendTransport)
        ConnectorDefaults.apply(.custom, to: &c, serverRole: .mailbox)
        c.bindings = [try! IPBinding(parsing: "10.0.0.5:25")]
        c.remoteIPRanges = [try! IPRange(parsing: "203.0.113.0/24")]
        return c
    }

    static func configuration(
        _ connector: ReceiveConnector, entries: [PermissionEntry] = [], certificate: Bool = true,
        server: Server = TestWorld.server, remote: SMTPEndpoint = TestWorld.remote,
        logging: Bool? = true, rateLimited: Bool = false
    ) -> SessionConfiguration {
        SessionConfiguration(
            connector: connector, server: server, acceptedDomains: acceptedDomains, permissionEntries: entries,
            certificateAvailable: certificate, localEndpoint: local, remoteEndpoint: remote,
            sessionID: sessionID, connectedAt: start, protocolLogging: logging, rateLimited: rateLimited)
    }
}
