import Foundation
import ReceptorCore
import ReceptorSMTP

/// The settings a session runs with: Client Frontend (AUTH, STARTTLS, protocol log on) or Default Frontend
/// (anonymous, tarpit off), chosen by the input's first byte.
private let server = Server(name: "FUZZ", role: .mailbox, fqdn: "fuzz.contoso.test")
private let domains = [AcceptedDomain(name: "contoso.test", domainName: "contoso.test", domainType: .authoritative, isDefault: true)]
private let connectors: [ReceiveConnector] = {
    let all = ConnectorDefaults.setupConnectors(for: server)
    var client = all.first { $0.name.hasPrefix("Client Frontend") }!
    client.protocolLoggingLevel = .verbose
    var frontend = all.first { $0.name.hasPrefix("Default Frontend") }!
    frontend.tarpitInterval = .zero
    return [client, frontend]
}()
private let local = SMTPEndpoint(address: try! IPAddress(parsing: "10.0.0.5"), port: 587)
private let remote = SMTPEndpoint(address: try! IPAddress(parsing: "203.0.113.7"), port: 51234)

private func configuration(_ connector: ReceiveConnector) -> SessionConfiguration {
    let rights = PermissionModel.effectiveRights(connector: connector, explicitEntries: [], authentication: .anonymous, domain: server.name)
    return SessionConfiguration(
        connector: connector, server: server, acceptedDomains: domains, certificateAvailable: true,
        localEndpoint: local, remoteEndpoint: remote, sessionID: "08DC3C1A2B4F5E61", connectedAt: Date(),
        protocolLogging: connector.protocolLoggingLevel == .verbose, initialRights: rights)
}

/// Input layout: byte 0 picks the connector and how the I/O layer answers (TLS, AUTH, delivery succeed or
/// fail); byte 1 the chunk size the rest is fed in (1 to 256 bytes, as reads arrive).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSMTP(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: start, count: count)
    guard bytes.count >= 2 else { return 0 }
    let mode = bytes[0]
    let chunk = Int(bytes[1]) + 1
    var connection = SMTPConnection(configuration: configuration(connectors[Int(mode & 1)]))
    var now = Date(timeIntervalSince1970: 1_800_000_000)
    var pending = connection.start(at: now)
    var offset = 2
    var steps = 0
    while steps < 100_000 {
        steps += 1
        // Carry out what the session asked for, as the listener would.
        var events: [SessionEvent] = []
        for action in pending {
            switch action {
            case .startTLS:
                events.append(
                    mode & 2 == 0 ? .tlsEstablished(TLSInfo(version: "TLSv1.3", cipher: "TLS_AES_128_GCM_SHA256")) : .tlsFailed(reason: "fuzz"))
            case .authenticate:
                events.append(
                    mode & 4 == 0
                        ? .authenticationResult(.accepted(MailboxAccount(name: "kate", userPrincipalName: "kate@contoso.test")))
                        : .authenticationResult(mode & 8 == 0 ? .rejected : .unavailable))
            case .deliver:
                events.append(.deliveryResult(mode & 16 == 0 ? .queued(internalID: Int64(steps)) : .failed(nil)))
            case .delay:
                now = now.addingTimeInterval(5)
                events.append(.timer)
            case .reply(let reply):
                var encoded: [UInt8] = []
                reply.encode(enhanced: true, into: &encoded)
                precondition(encoded.last == UInt8(ascii: "\n"), "a reply must end its line")
            default:
                break
            }
        }
        pending = []
        for event in events { pending += connection.handle(event, at: now) }
        if !pending.isEmpty { continue }
        if connection.isClosed || offset >= bytes.count { break }
        let end = min(bytes.count, offset + chunk)
        pending = connection.receive(bytes[offset..<end], at: now)
        offset = end
    }
    if !connection.isClosed { _ = connection.handle(mode & 32 == 0 ? .remoteClosed : .shutdown, at: now) }
    return 0
}
