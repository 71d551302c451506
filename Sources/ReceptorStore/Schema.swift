import Foundation
import GRDB

/// The store's schema, as versioned migrations ("v1", "v2", …). A migration, once shipped, never changes:
/// a new version of the schema is a new migration appended to the list.
///
/// Conventions: times are INTEGER milliseconds since 1970 (UTC); names compare without regard to case, as
/// Exchange's do; `data` columns hold the domain value as JSON with sorted keys (the columns beside it are
/// copies for uniqueness and lookups, written in the same statement).
enum Schema {
    static let latestVersion = "v4"

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE meta (
                        key   TEXT PRIMARY KEY NOT NULL,
                        value NOT NULL
                    );
                    INSERT INTO meta (key, value) VALUES ('generation', 0);

                    CREATE TABLE servers (
                        name   TEXT PRIMARY KEY NOT NULL COLLATE NOCASE,
                        role   TEXT NOT NULL,
                        fqdn   TEXT NOT NULL,
                        domain TEXT NOT NULL,
                        data   TEXT NOT NULL
                    );

                    CREATE TABLE connectors (
                        guid       TEXT PRIMARY KEY NOT NULL,
                        server     TEXT NOT NULL COLLATE NOCASE REFERENCES servers(name) ON DELETE RESTRICT,
                        name       TEXT NOT NULL COLLATE NOCASE,
                        revision   INTEGER NOT NULL CHECK (revision >= 1),
                        data       TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        changed_at INTEGER NOT NULL,
                        UNIQUE (server, name)
                    );

                    CREATE TABLE permissions (
                        id        INTEGER PRIMARY KEY,
                        connector TEXT NOT NULL REFERENCES connectors(guid) ON DELETE CASCADE,
                        principal TEXT NOT NULL COLLATE NOCASE,
                        rights    TEXT NOT NULL,
                        deny      INTEGER NOT NULL,
                        UNIQUE (connector, principal, deny)
                    );

                    CREATE TABLE accepted_domains (
                        id          INTEGER PRIMARY KEY,
                        name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
                        domain_name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                        type        TEXT NOT NULL,
                        is_default  INTEGER NOT NULL
                    );
                    CREATE UNIQUE INDEX accepted_domains_one_default ON accepted_domains (is_default) WHERE is_default;

                    CREATE TABLE accounts (
                        id                   INTEGER PRIMARY KEY,
                        user_principal_name  TEXT NOT NULL UNIQUE COLLATE NOCASE,
                        name                 TEXT NOT NULL,
                        alias                TEXT NOT NULL,
                        primary_smtp_address TEXT NOT NULL COLLATE NOCASE,
                        password_hash        TEXT NOT NULL,
                        created_at           INTEGER NOT NULL
                    );

                    CREATE TABLE listeners (
                        id             TEXT PRIMARY KEY NOT NULL,
                        server         TEXT NOT NULL COLLATE NOCASE,
                        pid            INTEGER NOT NULL,
                        host           TEXT NOT NULL,
                        control_socket TEXT NOT NULL,
                        started_at     INTEGER NOT NULL,
                        heartbeat_at   INTEGER NOT NULL,
                        status_json    TEXT NOT NULL
                    );

                    CREATE TABLE change_log (
                        generation INTEGER PRIMARY KEY NOT NULL,
                        at         INTEGER NOT NULL,
                        summary    TEXT NOT NULL
                    );
                    """)
        }
        // v2: a mailbox's further addresses (EmailAddresses), for recipient validation.
        migrator.registerMigration("v2") { db in
            try db.execute(sql: "ALTER TABLE accounts ADD COLUMN email_addresses TEXT NOT NULL DEFAULT '[]'")
        }
        // v3: TCP control endpoints. A listener's endpoint and its certificate's SHA-256 (NULL: none), and the
        // organization's control secret (one row).
        migrator.registerMigration("v3") { db in
            try db.execute(
                sql: """
                    ALTER TABLE listeners ADD COLUMN control_endpoint TEXT;
                    ALTER TABLE listeners ADD COLUMN control_fingerprint TEXT;
                    CREATE TABLE control_secret (
                        id         INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
                        secret     TEXT NOT NULL,
                        created_at INTEGER NOT NULL
                    );
                    """)
        }
        // v4: a connector's routing beside its JSON (`RouteColumns`), so reading every connector's routing touches
        // only these columns, through an index that covers them. NULL where a row's JSON doesn't read: the route
        // read then reads that row in full, with the full reader's errors.
        migrator.registerMigration("v4") { db in
            try db.execute(
                sql: """
                    ALTER TABLE connectors ADD COLUMN enabled INTEGER;
                    ALTER TABLE connectors ADD COLUMN transport_role TEXT;
                    ALTER TABLE connectors ADD COLUMN bindings TEXT;
                    ALTER TABLE connectors ADD COLUMN remote_ip_ranges TEXT;
                    """)
            try Records.fillRouteColumns(db)
            try db.execute(
                sql: "CREATE INDEX connectors_routes ON connectors (server, name, guid, enabled, transport_role, bindings, remote_ip_ranges)")
        }
        return migrator
    }

    /// Brings the database up to the latest schema. Safe to call on every open, from several processes at once.
    static func migrate(_ queue: DatabaseQueue, path: String, create: Bool) throws {
        let migrator = self.migrator
        let state: (superseded: Bool, foreign: Bool, empty: Bool, complete: Bool) = try queue.read { db in
            let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            let ours = tables.contains("grdb_migrations")
            return (
                ours ? try migrator.hasBeenSuperseded(db) : false,
                !ours && !tables.isEmpty,
                tables.isEmpty,
                ours ? try migrator.hasCompletedMigrations(db) : false
            )
        }
        if state.foreign {
            throw StoreError.refused("\(path) is an SQLite database but not a Receptor store; give another path with --store.")
        }
        if state.superseded {
            throw StoreError.refused(
                "The store at \(path) was written by a newer version of Receptor (its schema is newer than \(latestVersion)); use that version.")
        }
        if state.empty && !create {
            throw StoreError.storeMissing(path: path)
        }
        if state.complete { return }
        do {
            try migrator.migrate(queue)
        } catch {
            // Another process may have migrated between our check and our write; then all is well.
            if try queue.read({ try migrator.hasCompletedMigrations($0) }) { return }
            throw error
        }
    }
}
