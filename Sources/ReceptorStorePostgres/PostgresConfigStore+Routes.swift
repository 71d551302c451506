import Foundation
import PostgresNIO
import ReceptorCore
import ReceptorStore

extension PGRecords {
    /// As the SQLite store's: the routing from the columns beside the JSON (`RouteColumns`, schema v4), only
    /// those selected; a row whose columns are NULL or don't read is read in full, with the full reader's errors.
    static func connectorRoutes(_ s: Session, server: String) throws -> [ConnectorRoute] {
        let rows = try s.rows(
            """
            SELECT name, guid, server, enabled, transport_role, bindings, remote_ip_ranges FROM connectors
            WHERE lower(server) = lower(\(server)) ORDER BY seq
            """)
        var reader = RouteColumns.Reader()
        return try rows.map { row in
            let (name, guid, server, enabled, role, bindings, ranges) = try row.decode(
                (String, String, String, Bool?, String?, String?, String?).self, context: .default)
            if let route = reader.route(
                name: name, server: server, guid: guid, enabled: enabled, transportRole: role, bindings: bindings, remoteIPRanges: ranges)
            {
                return route
            }
            guard let full = try s.rows("SELECT guid, revision, data, created_at, changed_at FROM connectors WHERE guid = \(guid)").first else {
                throw StoreError.database("Receive connector \(guid) went from the store while it was read.")
            }
            return ConnectorRoute(try connector(from: full).connector)
        }
    }

    /// Schema v4: the routing columns of every row, from its JSON; a row whose JSON doesn't read keeps NULL.
    static func fillRouteColumns(_ s: Session) throws {
        for row in try s.rows("SELECT guid, revision, data, created_at, changed_at FROM connectors ORDER BY seq") {
            guard let stored = try? connector(from: row) else { continue }
            let guid = try row.decode(String.self, context: .default)
            let route = RouteColumns(stored.connector)
            try s.query(
                """
                UPDATE connectors SET enabled = \(route.enabled), transport_role = \(route.transportRole), bindings = \(route.bindings),
                       remote_ip_ranges = \(route.remoteIPRanges)
                WHERE guid = \(guid)
                """)
        }
    }
}

extension PostgresConfigStore {
    public func connectorRoutes(server: String) throws -> [ConnectorRoute] {
        try read { try PGRecords.connectorRoutes($0, server: server) }
    }
}
