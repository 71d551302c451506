import Foundation
import ReceptorStore

/// Where a PostgreSQL store is: parsed from a libpq-style URI (`postgresql://user[:password]@host[:port]/db?…`,
/// or `postgresql:///db?host=/run/postgresql` for a Unix socket folder). The password may come from the URI,
/// `PGPASSWORD`, or `~/.pgpass` / `PGPASSFILE`, as libpq users expect; `display` never contains it.
public struct PostgresLocation: Sendable, Equatable {
    public var user: String
    public var password: String?
    /// A TCP host, or nil for a Unix socket (then `socketFolder` is set).
    public var host: String?
    public var socketFolder: String?
    public var port: Int
    public var database: String
    public var sslMode: String
    public var sslRootCert: String?
    /// The URI with the password removed: for errors, status and logs.
    public var display: String

    /// True for the strings `--store` should treat as PostgreSQL rather than an SQLite path.
    public static func isPostgresURI(_ text: String) -> Bool { StoreLocation.isDatabaseURI(text) }

    public static func parse(_ uri: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PostgresLocation {
        // Never echo `uri` itself: it may hold a password.
        guard isPostgresURI(uri), let components = URLComponents(string: uri) else {
            throw StoreError.refused("The store URI is not a valid postgresql:// URI (expected postgresql://user@host:5432/database).")
        }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] { query[item.name.lowercased()] = item.value ?? "" }
        let known: Set<String> = ["host", "port", "sslmode", "sslrootcert", "user", "dbname", "password", "application_name", "connect_timeout"]
        if let unknown = query.keys.sorted().first(where: { !known.contains($0) }) {
            throw StoreError.refused("The store URI has the unknown parameter \"\(unknown)\"; known: \(known.sorted().joined(separator: ", ")).")
        }
        let user = query["user"] ?? components.user ?? environment["PGUSER"] ?? environment["USER"] ?? "postgres"
        let hostText = query["host"] ?? (components.host.flatMap { $0.isEmpty ? nil : $0 }) ?? environment["PGHOST"] ?? "/run/postgresql"
        let portText = query["port"] ?? components.port.map(String.init) ?? environment["PGPORT"] ?? "5432"
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw StoreError.refused("The store URI's port \"\(portText)\" is not a port number.")
        }
        var path = components.path
        if path.hasPrefix("/") { path.removeFirst() }
        let database = query["dbname"] ?? (path.isEmpty ? (environment["PGDATABASE"] ?? user) : path)
        let sslMode = (query["sslmode"] ?? environment["PGSSLMODE"] ?? "prefer").lowercased()
        let modes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]
        guard modes.contains(sslMode) else {
            throw StoreError.refused("The store URI's sslmode \"\(sslMode)\" is not one of \(modes.joined(separator: ", ")).")
        }
        let isSocket = hostText.hasPrefix("/")

        var shown = components
        shown.password = nil
        shown.queryItems = components.queryItems?.filter { $0.name.lowercased() != "password" }
        if shown.queryItems?.isEmpty == true { shown.queryItems = nil }
        var location = PostgresLocation(
            user: user, password: nil, host: isSocket ? nil : hostText,
            socketFolder: isSocket ? hostText : nil, port: port, database: database,
            sslMode: sslMode, sslRootCert: query["sslrootcert"],
            display: shown.string ?? "postgresql://\(user)@\(hostText):\(port)/\(database)")
        location.password =
            query["password"] ?? components.password ?? environment["PGPASSWORD"]
            ?? PgPass.lookup(host: isSocket ? "localhost" : hostText, port: port, database: database, user: user, environment: environment)
        return location
    }
}

/// `~/.pgpass` (or `PGPASSFILE`): `host:port:database:user:password` lines, `*` matching anything, `\:` and
/// `\\` escaped. As libpq, a file readable by group or others is ignored.
enum PgPass {
    static func lookup(host: String, port: Int, database: String, user: String, environment: [String: String]) -> String? {
        let path = environment["PGPASSFILE"] ?? environment["HOME"].map { $0 + "/.pgpass" }
        guard let path, let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let mode = attributes[.posixPermissions] as? Int, mode & 0o077 == 0,
            let text = try? String(contentsOfFile: path, encoding: .utf8)
        else { return nil }
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let fields = split(String(line))
            guard fields.count == 5 else { continue }
            let wanted = [host, String(port), database, user]
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }

    static func split(_ line: String) -> [String] {
        var fields: [String] = [], current = "", escaped = false
        for ch in line {
            if escaped {
                current.append(ch); escaped = false
            } else if ch == "\\" {
                escaped = true
            } else if ch == ":" && fields.count < 4 {
                fields.append(current); current = ""
            } else {
                current.append(ch)
            }
        }
        fields.append(current)
        return fields
    }
}
