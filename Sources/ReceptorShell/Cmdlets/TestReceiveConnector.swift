import Foundation
import EMSLanguage
import ReceptorCore
import ReceptorSMTP
import ReceptorStore

/// `Test-ReceiveConnector -RemoteIPAddress 17.17.17.5 -LocalEndPoint 10.10.1.1:25 [-Server MBX01]
/// [-AuthenticatedAs kate@contoso.test]`: which receive connector takes a connection from an address, why
/// the others don't, and what a session may do there. Exchange has no such cmdlet; this one answers with the
/// listener's own code: the selection (`ConnectionExplainer` over `ConnectorSelector`), the rights
/// (`PermissionModel` with the connector's explicit entries) and what is offered (the SMTP engine itself,
/// run in memory: its banner, and its EHLO before and after STARTTLS).
///
/// `-RemoteIPRange 10.0.0.0/16` instead of an address splits the range by the connector that takes each part.
struct TestReceiveConnector: Cmdlet {
    static let name = "Test-ReceiveConnector"
    static let parameters = ["RemoteIPAddress", "RemoteIPRange", "LocalEndPoint", "Server", "AuthenticatedAs", "DomainController"]
    static let positional = ["RemoteIPAddress"]
    static let changesState = false
    static let synopsis =
        "Explains which receive connector takes a connection: -RemoteIPAddress 17.17.17.5 -LocalEndPoint 10.10.1.1:25 (or -RemoteIPRange 10.0.0.0/16)."

    static func run(_ inv: CmdletInvocation, input: [PSValue], context: ShellContext) throws -> [PSValue] {
        let server = try inv.string("Server").map { try context.server(named: $0) } ?? context.currentServer()
        let (localAddress, localPort) = try endpoint(try inv.string("LocalEndPoint") ?? "25")
        if let rangeText = try inv.string("RemoteIPRange") {
            let connectors = try context.connectorRoutes(server: server.name)
            guard !inv.has("RemoteIPAddress") else { throw ShellError("\(name): give -RemoteIPAddress or -RemoteIPRange, not both.") }
            let range: IPRange
            do { range = try IPRange(parsing: rangeText) } catch { throw ShellError("\(name): -RemoteIPRange: \(error.description)") }
            return ConnectionExplainer.split(range, connectors: connectors, localAddress: localAddress, localPort: localPort).map { share in
                var o = PSObject(
                    typeName: "ReceiveConnectorRangeShare",
                    properties: [
                        PSProperty("RemoteIPRange", .string(share.text)),
                        PSProperty("Connector", share.connector.map { .string($0.identity.description) } ?? .null),
                    ])
                o.defaultDisplayProperties = ["RemoteIPRange", "Connector"]
                return .object(o)
            }
        }

        let addressText = try inv.requiredString("RemoteIPAddress")
        let remote: IPAddress
        do { remote = try IPAddress(parsing: addressText) } catch { throw ShellError("\(name): -RemoteIPAddress: \(error.description)") }
        // Choosing reads only the routing of each connector; the winner alone is read in full (its rights,
        // banner, AUTH and size limit).
        let routes = try context.connectorRoutes(server: server.name)
        let explanation = ConnectionExplainer.explain(connectors: routes, localAddress: localAddress, localPort: localPort, remoteAddress: remote)
        let winner = try explanation.selected.map { route in
            guard let stored = try context.store.connector(guid: route.guid) else {
                throw ShellError("\(name): \(route.identity) was removed while it was read; run the command again.")
            }
            return stored.connector
        }
        var account: MailboxAccount?
        if let login = try inv.string("AuthenticatedAs") {
            guard let found = try context.store.accounts().first(where: { $0.answers(to: login) }) else {
                throw ShellError("\(name): -AuthenticatedAs: no mailbox signs in as \"\(login)\".")
            }
            account = found
        }
        return [.object(try result(explanation, winner: winner, server: server, remote: remote, account: account, context: context))]
    }

    /// `25`, `0.0.0.0:25` or `[::]:25` (an address of the server no connector binds specifically: nil), or a
    /// specific `10.10.1.1:25` / `[2001:db8::1]:25` (the console's Explain view reads it the same way).
    static func endpoint(_ text: String) throws -> (IPAddress?, Int) {
        do { return try ConnectionExplainer.localEndpoint(parsing: text) } catch {
            throw ShellError("\(name): -LocalEndPoint: \(error.description)")
        }
    }

    /// What a candidate shows by default (one array for all: a server may have thousands of candidates).
    private static let candidateDisplay = ["Identity", "Outcome"]

    private static func result(
        _ e: ConnectionExplanation<ConnectorRoute>, winner: ReceiveConnector?, server: Server, remote: IPAddress, account: MailboxAccount?,
        context: ShellContext
    ) throws -> PSObject {
        var properties: [PSProperty] = [
            PSProperty("RemoteIPAddress", .string(remote.description)),
            PSProperty("Connector", e.selected.map { .string($0.identity.description) } ?? .null),
            PSProperty("Reason", .string(e.reason)),
            PSProperty("MatchedBinding", e.matchedBinding.map { .string($0.description) } ?? .null),
            PSProperty("MatchedRemoteIPRange", e.matchedRange.map { .string($0.description) } ?? .null),
            PSProperty(
                "Candidates",
                .array(
                    e.candidates.map { c in
                        var o = PSObject(
                            typeName: "ReceiveConnectorCandidate",
                            properties: [
                                PSProperty("Identity", .string(c.connector.identity.description)),
                                PSProperty("Outcome", .string(c.outcome.rawValue)),
                                PSProperty("Detail", .string(c.detail)),
                            ])
                        o.defaultDisplayProperties = candidateDisplay
                        return .object(o)
                    })),
        ]
        if let connector = winner {
            let entries = try context.store.permissions(connector: connector.guid)
            let principals = account.map { [SecurityPrincipal($0.userPrincipalName), SecurityPrincipal("\(server.domain)\\\($0.alias)")] } ?? []
            let rights = SessionRights(connector: connector, explicitEntries: entries, domain: server.domain, accountPrincipals: principals)
            let offered = Offered(connector: connector, server: server, remote: remote, context: context)
            func names(_ set: Set<ExtendedRight>) -> PSValue { .array(SessionRights.names(set).map { .string($0) }) }
            properties += [
                PSProperty("AnonymousRights", names(rights.anonymous)),
                PSProperty("AuthenticatedRights", names(rights.authenticated)),
                PSProperty("PartnerRights", names(rights.partner)),
                PSProperty("CanRelayAnonymously", .bool(rights.canRelayAnonymously)),
                PSProperty("RequiresAuthentication", .bool(rights.requiresAuthentication)),
                PSProperty("RequiresTls", .bool(rights.requiresTls)),
                PSProperty("AuthMechanismsOffered", .string(offered.authBeforeTLS.isEmpty ? "None" : offered.authBeforeTLS)),
                PSProperty("AuthMechanismsOfferedAfterStartTls", .string(offered.authAfterTLS.isEmpty ? "None" : offered.authAfterTLS)),
                PSProperty("StartTlsOffered", .bool(offered.startTLS)),
                PSProperty("Banner", .string(offered.banner)),
                PSProperty("MaxMessageSize", .string(connector.maxMessageSize.description)),
            ]
            if let account { properties.append(PSProperty("AuthenticatedAs", .string(account.userPrincipalName))) }
        }
        var o = PSObject(typeName: "ReceiveConnectorTestResult", properties: properties)
        o.defaultDisplayProperties = ["Connector", "MatchedBinding", "MatchedRemoteIPRange", "Reason"]
        return o
    }

    /// What the SMTP engine offers on the connector, run in memory exactly as the listener runs it (with a
    /// certificate available, as `receptor init` makes one): the banner, and the AUTH mechanisms advertised
    /// before and after STARTTLS.
    private struct Offered {
        var banner = ""
        var startTLS = false
        var authBeforeTLS = ""
        var authAfterTLS = ""

        init(connector: ReceiveConnector, server: Server, remote: IPAddress, context: ShellContext) {
            let domains = (try? context.store.acceptedDomains()) ?? []
            let config = SessionConfiguration(
                connector: connector, server: server, acceptedDomains: domains, certificateAvailable: true,
                localEndpoint: SMTPEndpoint(address: connector.bindings.first?.address ?? .anyV4, port: connector.bindings.first?.port ?? 25),
                remoteEndpoint: SMTPEndpoint(address: remote, port: 50000), sessionID: "TEST", connectedAt: Date(), protocolLogging: false)
            var connection = SMTPConnection(configuration: config)
            let now = Date()
            banner = Self.lines(connection.start(at: now)).first ?? ""
            let before = Self.lines(connection.receive(Array("EHLO test.invalid\r\n".utf8), at: now))
            startTLS = before.contains { $0.dropFirst(4) == "STARTTLS" }
            authBeforeTLS = Self.auth(in: before)
            guard startTLS else { authAfterTLS = authBeforeTLS; return }
            _ = connection.receive(Array("STARTTLS\r\n".utf8), at: now)
            _ = connection.handle(.tlsEstablished(TLSInfo(version: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384")), at: now)
            authAfterTLS = Self.auth(in: Self.lines(connection.receive(Array("EHLO test.invalid\r\n".utf8), at: now)))
        }

        static func lines(_ actions: [SessionAction]) -> [String] {
            actions.flatMap { action -> [String] in
                if case .reply(let reply) = action { return reply.textLines() }
                return []
            }
        }

        /// `LOGIN PLAIN` from `250-AUTH LOGIN PLAIN`, or empty.
        static func auth(in lines: [String]) -> String {
            lines.first { $0.dropFirst(4).hasPrefix("AUTH ") }.map { String($0.dropFirst(9)) } ?? ""
        }
    }
}
