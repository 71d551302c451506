import Foundation
import GRDB
import ReceptorCore

extension Records {
    /// The routing of a server's connectors, in the order `connectors` gives them (rowid), from the routing
    /// columns beside the JSON (`RouteColumns`, schema v4) through the index that covers them, so the rows
    /// themselves, JSON and all, are never read; a row whose columns are NULL or don't read is read in full,
    /// with the full reader's errors.
    static func connectorRoutes(_ db: Database, server: String) throws -> [ConnectorRoute] {
        let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM connectors WHERE server = ?", arguments: [server]) ?? 0
        let rows = try Row.fetchCursor(db, sql: routeQuery, arguments: [server])
        var result: [ConnectorRoute] = []
        result.reserveCapacity(count)
        var reader = RouteColumns.Reader()
        while let row = try rows.next() {
            let name: String = row[0], guid: String = row[1], server: String = row[2]
            if let route = reader.route(
                name: name, server: server, guid: guid, enabled: row[3], transportRole: row[4], bindings: row[5], remoteIPRanges: row[6])
            {
                result.append(route)
                continue
            }
            guard let full = try Row.fetchOne(db, sql: "SELECT \(connectorColumns) FROM connectors WHERE guid = ?", arguments: [guid]) else {
                throw StoreError.database("Receive connector \(guid) went from the store while it was read.")
            }
            result.append(ConnectorRoute(try connector(from: full).connector))
        }
        return result
    }

    /// The route read: only columns of the `connectors_routes` index (EXPLAIN QUERY PLAN: USING COVERING INDEX).
    static let routeQuery = """
        SELECT name, guid, server, enabled, transport_role, bindings, remote_ip_ranges FROM connectors INDEXED BY connectors_routes
        WHERE server = ? ORDER BY rowid
        """

    /// Schema v4: the routing columns of every row, from its JSON; a row whose JSON doesn't read keeps NULL.
    static func fillRouteColumns(_ db: Database) throws {
        var filled: [(guid: String, route: RouteColumns)] = []
        let rows = try Row.fetchCursor(db, sql: "SELECT \(connectorColumns) FROM connectors ORDER BY rowid")
        while let row = try rows.next() {
            guard let stored = try? connector(from: row) else { continue }
            filled.append((row[0], RouteColumns(stored.connector)))
        }
        let update = try db.makeStatement(
            sql: "UPDATE connectors SET enabled = ?, transport_role = ?, bindings = ?, remote_ip_ranges = ? WHERE guid = ?")
        for (guid, route) in filled {
            try update.execute(arguments: [route.enabled, route.transportRole, route.bindings, route.remoteIPRanges, guid])
        }
    }
}

extension SQLiteConfigStore {
    public func connectorRoutes(server: String) throws -> [ConnectorRoute] {
        try read { try Records.connectorRoutes($0, server: server) }
    }
}
