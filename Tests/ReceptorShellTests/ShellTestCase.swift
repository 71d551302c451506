import XCTest
import EMSLanguage
import ReceptorCore
import ReceptorStore
@testable import ReceptorShell

/// A shell session over a temporary store with one Mailbox server (MBX01) and its default connectors.
class ShellTestCase: XCTestCase {
    var folder: URL!
    var store: SQLiteConfigStore!
    var warnings: [String] = []
    var said: [String] = []
    var session: PSSession!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("receptor-shell-\(UUID().uuidString)")
        store = try SQLiteConfigStore.open(path: folder.appendingPathComponent("receptor.sqlite").path, create: true)
        try addServer(name: "MBX01", role: .mailbox)
        session = makeSession()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func addServer(name: String, role: ServerRole) throws {
        let server = Server(name: name, role: role, fqdn: "\(name.lowercased()).contoso.test")
        let domains = try store.acceptedDomains().isEmpty ? [AcceptedDomain(name: "contoso.test", domainName: "contoso.test", isDefault: true)] : []
        try store.addServer(server, connectors: ConnectorDefaults.setupConnectors(for: server), acceptedDomains: domains)
    }

    func makeSession(server: String? = nil) -> PSSession {
        let context = ShellContext(
            store: store, requestedServer: server, hostName: "testhost",
            warn: { [unowned self] in warnings.append($0) }, confirm: nil,
            localAddresses: { [try! IPAddress(parsing: "127.0.0.1"), try! IPAddress(parsing: "::1")] })
        context.say = { [unowned self] in said.append($0) }
        return PSSession(host: ReceptorHost(context: context), width: 120)
    }

    @discardableResult
    func run(_ line: String, file: StaticString = #filePath, line number: UInt = #line) throws -> String {
        try session.run(line).joined(separator: "\n")
    }

    func refuse(_ line: String, containing text: String, file: StaticString = #filePath, line number: UInt = #line) {
        XCTAssertThrowsError(try session.run(line), file: file, line: number) { error in
            XCTAssertTrue("\(error)".contains(text), "\"\(error)\" does not contain \"\(text)\"", file: file, line: number)
        }
    }

    func connector(_ name: String) throws -> ReceiveConnector {
        try XCTUnwrap(store.connectors(server: nil).first { $0.connector.name == name }?.connector)
    }
}
