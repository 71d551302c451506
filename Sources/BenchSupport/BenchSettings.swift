import Foundation
import ReceptorCore
import ReceptorSMTP

/// What bench/common.sh's `bench_store` sets up, for the benchmark programs that run Receptor's engine
/// without a store (enginebench, niosink): server BENCH, accepted domain example.com, Default Frontend
/// without tarpit or protocol log, and its rights before authentication resolved once, as the listener's
/// snapshot resolves them.
public struct BenchSettings: Sendable {
    public let server = Server(name: "BENCH", role: .mailbox, fqdn: "bench.example.com")
    public let domains = [AcceptedDomain(name: "example.com", domainName: "example.com", domainType: .authoritative, isDefault: true)]
    public let frontend: ReceiveConnector
    public let rights: Set<ExtendedRight>

    public init() {
        var connector = ConnectorDefaults.setupConnectors(for: server).first { $0.name.hasPrefix("Default Frontend") }!
        connector.tarpitInterval = .zero
        frontend = connector
        rights = PermissionModel.effectiveRights(connector: connector, explicitEntries: [], authentication: .anonymous, domain: server.name)
    }

    /// A session's settings, made per connection as the listener makes them.
    public func configuration(local: SMTPEndpoint, remote: SMTPEndpoint) -> SessionConfiguration {
        SessionConfiguration(
            connector: frontend, server: server, acceptedDomains: domains, certificateAvailable: true,
            localEndpoint: local, remoteEndpoint: remote, sessionID: "08DC3C1A2B4F5E61", connectedAt: Date(),
            protocolLogging: false, initialRights: rights)
    }
}
