import XCTest
import Foundation
@testable import ReceptorConsole
import ReceptorCore

/// A minimal in-memory screen until the shared MemoryScreen arrives: characters only, dumped as text.
final class TestScreen: Screen {
    var size: ScreenSize
    var unicode: Bool
    var color = false
    var cells: [[Character]]
    var cursor: (Int, Int)?

    init(columns: Int = 80, rows: Int = 24, unicode: Bool = true) {
        size = ScreenSize(columns: columns, rows: rows); self.unicode = unicode
        cells = Array(repeating: Array(repeating: " ", count: columns), count: rows)
    }
    func clear() { cells = Array(repeating: Array(repeating: " ", count: size.columns), count: size.rows) }
    func put(_ text: String, row: Int, column: Int, style: CellStyle) {
        guard row >= 0, row < size.rows else { return }
        var c = column
        for ch in text { if c >= 0 && c < size.columns { cells[row][c] = ch }; c += 1 }
    }
    func setCursor(row: Int, column: Int) { cursor = (row, column) }
    func hideCursor() { cursor = nil }
    func present() {}
    var text: String {
        cells.map { String($0).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }.joined(separator: "\n") + "\n"
    }
}

/// The console's data source over memory, validating like the store does.
final class FakeDataSource: ConsoleDataSource {
    var storePath = "/var/lib/receptor/receptor.db"
    var generationValue: Int64 = 1
    var servers: [Server]
    var connectors: [ConsoleConnector]
    var listeners: [ListenerStatus] = []
    /// Every registered listener, alive or not (the organization view).
    var presence: [ListenerPresence] = []
    var writes = 0
    /// Explicit Add-ADPermission entries per connector; `permissionsError` makes reading them fail.
    var permissionEntries: [UUID: [PermissionEntry]] = [:]
    var permissionsError: ConsoleDataError?

    init(servers: [Server], connectors: [ReceiveConnector]) {
        self.servers = servers
        self.connectors = connectors.map { ConsoleConnector(connector: $0, revision: 1) }
    }
    func snapshot() throws -> ConsoleSnapshot {
        ConsoleSnapshot(generation: generationValue, servers: servers, connectors: connectors, listeners: listeners, presence: presence)
    }
    func generation() throws -> Int64 { generationValue }
    func permissions(connector guid: UUID) throws -> [PermissionEntry] {
        if let permissionsError { throw permissionsError }
        return permissionEntries[guid] ?? []
    }
    func validate(_ c: ReceiveConnector) throws {
        let server = servers.first { $0.name == c.server }!
        let report = ConnectorValidator.validate(
            c, in: ValidationContext(server: server, siblings: connectors.map(\.connector).filter { $0.server == c.server }))
        if let e = report.errors.first { throw ConsoleDataError(.refused, e.message) }
    }
    func insert(_ connector: ReceiveConnector) throws -> ConsoleConnector {
        try validate(connector)
        let stored = ConsoleConnector(connector: connector, revision: 1)
        connectors.append(stored); generationValue += 1; writes += 1
        return stored
    }
    func update(_ connector: ReceiveConnector, expectedRevision: Int) throws -> ConsoleConnector {
        guard let i = connectors.firstIndex(where: { $0.connector.guid == connector.guid }) else {
            throw ConsoleDataError(.notFound, "No such connector.")
        }
        guard connectors[i].revision == expectedRevision else {
            throw ConsoleDataError(
                .revisionConflict,
                "Receive connector \"\(connector.identity)\" was changed by someone else (revision \(connectors[i].revision), you started from \(expectedRevision))."
            )
        }
        try validate(connector)
        connectors[i] = ConsoleConnector(connector: connector, revision: expectedRevision + 1); generationValue += 1; writes += 1
        return connectors[i]
    }
    func remove(guid: UUID, expectedRevision: Int) throws {
        connectors.removeAll { $0.connector.guid == guid }; generationValue += 1; writes += 1
    }
    /// A change made elsewhere (the shell): bumps the revision.
    func outsideChange(_ name: String, _ change: (inout ReceiveConnector) -> Void) {
        let i = connectors.firstIndex { $0.connector.name == name }!
        change(&connectors[i].connector); connectors[i].revision += 1; generationValue += 1
    }
}

enum Fixture {
    static let mailbox = Server(name: "MBX01", role: .mailbox, fqdn: "mbx01.contoso.test")
    static let edge = Server(name: "EDGE01", role: .edge, fqdn: "edge01.contoso.test")

    /// Deterministic GUIDs so goldens and equality are stable.
    static func guid(_ n: Int) -> UUID { UUID(uuidString: String(format: "00000000-0000-0000-0000-%012d", n))! }

    static func defaults(_ server: Server) -> [ReceiveConnector] {
        ConnectorDefaults.setupConnectors(for: server).enumerated().map { i, c in
            var c = c; c.guid = guid(100 + i); return c
        }
    }

    static func app(_ server: Server = mailbox, columns: Int = 80, rows: Int = 24) throws -> (ConsoleApp, FakeDataSource) {
        let ds = FakeDataSource(servers: [server], connectors: defaults(server))
        let app = try ConsoleApp(dataSource: ds)
        app.makeGUID = { guid(1) }
        return (app, ds)
    }
}

extension ConsoleApp {
    @discardableResult
    func keys(_ events: KeyEvent...) -> [ConsoleEffect] { events.flatMap { handle($0) } }
    func type(_ text: String) { for ch in text { _ = handle(.character(ch)) } }
    func screenText(columns: Int = 80, rows: Int = 24, unicode: Bool = true) -> String {
        let s = TestScreen(columns: columns, rows: rows, unicode: unicode)
        render(on: s)
        return s.text
    }
}

/// Golden screens: compare with Fixtures/<name>.txt; RECEPTOR_UPDATE_GOLDEN=1 rewrites them.
func assertGolden(_ text: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) {
    let dir = URL(fileURLWithPath: "\(file)").deletingLastPathComponent().appendingPathComponent("Fixtures")
    let url = dir.appendingPathComponent(name + ".txt")
    if ProcessInfo.processInfo.environment["RECEPTOR_UPDATE_GOLDEN"] == "1" {
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try! text.write(to: url, atomically: true, encoding: .utf8)
        return
    }
    guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
        XCTFail("Missing golden \(name).txt; run with RECEPTOR_UPDATE_GOLDEN=1", file: file, line: line); return
    }
    if expected != text {
        XCTFail("Screen differs from \(name).txt:\n\(text)", file: file, line: line)
    }
}
