import Foundation
import PostgresNIO
import ReceptorCore
import ReceptorStore

/// The PostgreSQL schema, as versioned migrations with the same content as SQLite's (`Schema.swift`): v1, then
/// v2 (accounts.email_addresses), v3 (control endpoints and the control secret), v4 (connectors' routing columns). Applied versions are rows of `receptor_schema`; a migration, once shipped,
/// never changes. Names compare without regard to case through unique indexes on lower(…), as SQLite's
/// COLLATE NOCASE does; times are bigint milliseconds; `data` columns hold the domain value as JSON text.
enum PostgresSchema {
    static let migrations: [(version: String, statements: [String])] = [
        (
            "v1",
            [
                "CREATE TABLE receptor_schema (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
                "CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL)",
                "CREATE TABLE store_generation (id integer PRIMARY KEY CHECK (id = 1), generation bigint NOT NULL)",
                "INSERT INTO store_generation (id, generation) VALUES (1, 0)",
                """
                CREATE TABLE servers (seq bigserial NOT NULL, name text PRIMARY KEY, role text NOT NULL, fqdn text NOT NULL,
                                      domain text NOT NULL, data text NOT NULL)
                """,
                "CREATE UNIQUE INDEX servers_name_nocase ON servers (lower(name))",
                """
                CREATE TABLE connectors (seq bigserial NOT NULL, guid text PRIMARY KEY,
                                         server text NOT NULL REFERENCES servers(name) ON DELETE RESTRICT ON UPDATE CASCADE,
                                         name text NOT NULL, revision integer NOT NULL CHECK (revision >= 1), data text NOT NULL,
                                         created_at bigint NOT NULL, changed_at bigint NOT NULL)
                """,
                "CREATE UNIQUE INDEX connectors_server_name_nocase ON connectors (lower(server), lower(name))",
                """
                CREATE TABLE permissions (id bigserial PRIMARY KEY, connector text NOT NULL REFERENCES connectors(guid) ON DELETE CASCADE,
                                          principal text NOT NULL, rights text NOT NULL, deny boolean NOT NULL)
                """,
                "CREATE UNIQUE INDEX permissions_principal_nocase ON permissions (connector, lower(principal), deny)",
                """
                CREATE TABLE accepted_domains (id bigserial PRIMARY KEY, name text NOT NULL, domain_name text NOT NULL,
                                               type text NOT NULL, is_default boolean NOT NULL)
                """,
                "CREATE UNIQUE INDEX accepted_domains_name_nocase ON accepted_domains (lower(name))",
                "CREATE UNIQUE INDEX accepted_domains_domain_nocase ON accepted_domains (lower(domain_name))",
                "CREATE UNIQUE INDEX accepted_domains_one_default ON accepted_domains (is_default) WHERE is_default",
                """
                CREATE TABLE accounts (id bigserial PRIMARY KEY, user_principal_name text NOT NULL, name text NOT NULL,
                                       alias text NOT NULL, primary_smtp_address text NOT NULL, password_hash text NOT NULL,
                                       created_at bigint NOT NULL)
                """,
                "CREATE UNIQUE INDEX accounts_upn_nocase ON accounts (lower(user_principal_name))",
                """
                CREATE TABLE listeners (id text PRIMARY KEY, server text NOT NULL, pid integer NOT NULL, host text NOT NULL,
                                        control_socket text NOT NULL, started_at bigint NOT NULL, heartbeat_at bigint NOT NULL,
                                        status_json text NOT NULL)
                """,
                "CREATE TABLE change_log (generation bigint PRIMARY KEY, at bigint NOT NULL, summary text NOT NULL)",
            ]
        ),
        (
            "v2",
            [
                "ALTER TABLE accounts ADD COLUMN email_addresses text NOT NULL DEFAULT '[]'"
            ]
        ),
        (
            // TCP control endpoints: a listener's endpoint and its certificate's SHA-256 (NULL: none), and the
            // organization's control secret (one row; a table of its own, so a DBA can keep it from roles that
            // only read the configuration).
            "v3",
            [
                "ALTER TABLE listeners ADD COLUMN control_endpoint text",
                "ALTER TABLE listeners ADD COLUMN control_fingerprint text",
                "CREATE TABLE control_secret (id integer PRIMARY KEY CHECK (id = 1), secret text NOT NULL, created_at bigint NOT NULL)",
            ]
        ),
        (
            // A connector's routing beside its JSON (`RouteColumns`), so reading every connector's routing selects
            // only these columns; filled from each row's JSON after the statements (`dataSteps`), NULL where it
            // doesn't read (the route read then reads that row in full, with the full reader's errors).
            "v4",
            [
                """
                ALTER TABLE connectors ADD COLUMN enabled boolean, ADD COLUMN transport_role text, ADD COLUMN bindings text,
                                       ADD COLUMN remote_ip_ranges text
                """
            ]
        ),
    ]

    /// What a migration does in Swift after its statements, in the same transaction.
    static func dataSteps(of version: String, _ session: PostgresConfigStore.Session) throws {
        switch version {
        case "v4": try PGRecords.fillRouteColumns(session)
        default: break
        }
    }

    static var latestVersion: String { migrations.last!.version }
}

extension PostgresConfigStore {
    /// Brings the database up to the latest schema, in one transaction under an advisory lock, so several
    /// processes opening it at once are safe. Refuses a database that holds other tables (not a Receptor
    /// store) or a newer schema; an empty database without `create` is `storeMissing`.
    func migrate(create: Bool) throws {
        try guarded {
            try transaction("BEGIN") { session in
                try session.query("SELECT pg_advisory_xact_lock(7246518)")
                let tables = try session.rows(
                    """
                    SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()
                    """
                ).map { try $0.decode(String.self) }
                if tables.isEmpty {
                    guard create else { throw StoreError.storeMissing(path: path) }
                } else if !tables.contains("receptor_schema") {
                    throw StoreError.refused(
                        "The database at \(path) is not a Receptor store (it has other tables); give another database with --store.")
                }
                let applied = tables.isEmpty ? [] : try session.rows("SELECT version FROM receptor_schema").map { try $0.decode(String.self) }
                let known = PostgresSchema.migrations.map(\.version)
                if let newer = applied.first(where: { !known.contains($0) }) {
                    throw StoreError.refused(
                        "The store at \(path) was written by a newer version of Receptor (its schema has \(newer), this one knows up to \(PostgresSchema.latestVersion)); use that version."
                    )
                }
                for migration in PostgresSchema.migrations where !applied.contains(migration.version) {
                    for statement in migration.statements { try session.query(PostgresQuery(unsafeSQL: statement)) }
                    try PostgresSchema.dataSteps(of: migration.version, session)
                    try session.query("INSERT INTO receptor_schema (version) VALUES (\(migration.version))")
                }
            }
        }
    }

    /// The migrations applied to this store, in order (for tests and diagnostics).
    public func appliedMigrations() throws -> [String] {
        try read { try $0.rows("SELECT version FROM receptor_schema ORDER BY version").map { try $0.decode(String.self) } }
    }
}
