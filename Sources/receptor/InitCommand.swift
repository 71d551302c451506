import ArgumentParser
import Foundation
import ReceptorCore
import ReceptorListener
import ReceptorStore

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create the store, a server and its default receive connectors, as Exchange setup does.",
        discussion: """
            A Mailbox server gets the five default connectors (Default, Client Proxy, Default Frontend, \
            Outbound Proxy Frontend, Client Frontend); an Edge server gets Default internal receive connector. \
            On an existing store, init adds the server, or says it exists; it never removes or changes anything.
            --port-offset 10000 shifts every default port (25 → 10025, 587 → 10587, …) so that a user without \
            root can run the listener.
            """)

    @OptionGroup var options: StoreOptions

    @Option(help: ArgumentHelp("The server's role.", valueName: "role"))
    var role: ServerRole = .mailbox

    @Option(help: ArgumentHelp("The server's fully qualified name (default: the server name under the first accepted domain).", valueName: "name"))
    var fqdn: String?

    @Option(
        name: .customLong("accepted-domain"),
        help: ArgumentHelp("An accepted domain (authoritative); repeat for more. The first is the default.", valueName: "domain"))
    var acceptedDomains: [String] = []

    @Option(name: .customLong("port-offset"), help: ArgumentHelp("Add N to every default connector's port.", valueName: "N"))
    var portOffset: Int = 0

    func run() throws {
        try refusing {
            let role = self.role
            guard (0...55_000).contains(portOffset) else { throw Failure("--port-offset must be 0 to 55000, so that every port stays below 65536.") }
            let name = options.serverName ?? Terminal.hostName
            do { try Server.validateName(name) } catch { throw Failure("--server: \(error)") }
            for d in acceptedDomains {
                do { try AcceptedDomain.validateDomainName(d) } catch { throw Failure("--accepted-domain: \(error)") }
            }
            let fqdn = self.fqdn ?? defaultFqdn(name)
            do { try DomainName.validate(fqdn, what: "FQDN") } catch { throw Failure("--fqdn: \(error)") }

            let path = options.storeDisplay
            let fileExisted = FileManager.default.fileExists(atPath: options.storePath)
            let store: any ConfigStore
            do { store = try StoreOptions.open(options.storePath, create: true) } catch { throw Failure("\(error)") }

            // A database store exists before init; it is "created" when it held no server yet.
            let existed = try fileExisted || !store.servers().isEmpty
            let existingDomains = try store.acceptedDomains()
            let newDomains = acceptedDomains.enumerated().compactMap { index, d -> AcceptedDomain? in
                existingDomains.contains { $0.domainName.caseInsensitiveCompare(d) == .orderedSame }
                    ? nil
                    : AcceptedDomain(name: d, domainName: d, isDefault: existingDomains.isEmpty && index == 0)
            }
            if let existing = try store.servers().first(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame }) {
                for d in newDomains { try store.addAcceptedDomain(d) }
                print(
                    "Server \(existing.name) (\(existing.role.rawValue)) already exists in \(path); nothing was changed\(newDomains.isEmpty ? "" : " except the new accepted domains \(newDomains.map(\.domainName).joined(separator: ", "))")."
                )
                return
            }
            let server = Server(name: name, role: role, fqdn: fqdn)
            let connectors = ConnectorDefaults.setupConnectors(for: server, portOffset: portOffset)
            do { try store.addServer(server, connectors: connectors, acceptedDomains: newDomains) } catch { throw Failure("\(error)") }
            print("\(existed ? "Added to" : "Created") store \(path)")
            // A self-signed certificate for the server's FQDN, as Exchange setup makes one.
            let certificates = CertificateStore(dataDirectory: options.dataDirectory(server: server.name), serverFqdn: fqdn)
            do {
                let identity = try certificates.ensureServerCertificate(fqdn: fqdn)
                print("Certificate \(identity.tlsCertificateName) in \(certificates.certificatesDirectory)")
            } catch {
                Terminal.error("WARNING: no TLS certificate was created (\(error)); STARTTLS stays off until one is installed.")
            }
            print("Server \(server.name) (\(role.rawValue)), FQDN \(fqdn)")
            for c in connectors {
                print("  \(c.identity)  \(c.bindings.map(\.description).joined(separator: ", "))  \(c.roleLabel)")
            }
            if !newDomains.isEmpty { print("Accepted domains: \(newDomains.map(\.domainName).joined(separator: ", "))") }
            if portOffset == 0 && getuid() != 0 {
                print("Note: ports below 1024 need root or CAP_NET_BIND_SERVICE; use --port-offset 10000 to run unprivileged.")
            }
        }
    }

    func defaultFqdn(_ name: String) -> String {
        if let first = acceptedDomains.first { return "\(name.lowercased()).\(first.lowercased())" }
        let host = ProcessInfo.processInfo.hostName
        if host.contains("."), (try? DomainName.validate(host, what: "FQDN")) != nil { return host.lowercased() }
        return "\(name.lowercased()).localdomain"
    }
}
