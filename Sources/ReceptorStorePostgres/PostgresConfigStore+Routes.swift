import Foundation
import PostgresNIO
import ReceptorCore
import ReceptorStore

extension PGRecords {
    /// As the SQLite store's: only the routing built for each row; a row it doesn't take is read in full, with
    /// the full reader's errors.
    static func connectorRoutes(_ s: Session, server: String) throws -> [ConnectorRoute] {
        let rows = try s.rows(
            "SELECT guid, revision, data, created_at, changed_at FROM connectors WHERE lower(server) = lower(\(server)) ORDER BY seq")
        return try rows.map { row in
            let data = try row.decode((String, Int32, String, Int64, Int64).self, context: .default).2
            return try ConnectorRoute(storedJSON: data) ?? ConnectorRoute(connector(from: row).connector)
        }
    }
}

extension PostgresConfigStore {
    public func connectorRoutes(server: String) throws -> [ConnectorRoute] {
        try read { try PGRecords.connectorRoutes($0, server: server) }
    }
}
