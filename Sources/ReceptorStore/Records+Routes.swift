import Foundation
import GRDB
import ReceptorCore

extension Records {
    /// The routing of a server's connectors, in the order `connectors` gives them: each row's JSON read in
    /// place (not copied into a `String`) and only the routing built (`ConnectorRoute(storedJSONBytes:)`); a
    /// row it doesn't take is read in full, with the full reader's errors.
    static func connectorRoutes(_ db: Database, server: String) throws -> [ConnectorRoute] {
        let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM connectors WHERE server = ?", arguments: [server]) ?? 0
        let rows = try Row.fetchCursor(
            db, sql: "SELECT \(connectorColumns) FROM connectors NOT INDEXED WHERE server = ? ORDER BY rowid", arguments: [server])
        var result: [ConnectorRoute] = []
        result.reserveCapacity(count)
        while let row = try rows.next() {
            let route = try row.withUnsafeData(atIndex: 2) { data in
                data?.withUnsafeBytes { ConnectorRoute(storedJSONBytes: $0.assumingMemoryBound(to: UInt8.self)) }
            }
            result.append(try route ?? ConnectorRoute(connector(from: row).connector))
        }
        return result
    }
}

extension SQLiteConfigStore {
    public func connectorRoutes(server: String) throws -> [ConnectorRoute] {
        try read { try Records.connectorRoutes($0, server: server) }
    }
}
