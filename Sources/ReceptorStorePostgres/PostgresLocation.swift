import EMSLanguage
import Foundation
import ReceptorStore

/// Where a PostgreSQL store is: parsed from a libpq-style URI (`postgresql://user[:password]@host[:port]/db?…`,
/// or `postgresql:///db?host=/run/postgresql` for a Unix socket folder). The password may come from the URI,
/// `PGPASSWORD`, or `~/.pgpass` / `PGPASSFILE`, as libpq users expect; `display` never contains it.
///
/// For a replicated PostgreSQL the URI may name several hosts, as libpq reads it
/// (`postgresql://pg1,pg2:5433/receptor?target_session_attrs=read-write`, or `?host=pg1,pg2&port=5432,5433`):
/// they are tried in order, and `target_session_attrs` says which server will do, so a store follows a
/// failover by itself when it reconnects.
public struct PostgresLocation: Sendable, Equatable {
    /// One server to try: a TCP host and port, or a Unix socket folder and port.
    public struct Endpoint: Sendable, Equatable {
        public var host: String?
        public var socketFolder: String?
        public var port: Int

        public init(host: String?, socketFolder: String?, port: Int) {
            self.host = host
            self.socketFolder = socketFolder
            self.port = port
        }
    }

    public var user: String
    public var password: String?
    /// The first endpoint's host (nil for a Unix socket: then `socketFolder` is set) and port.
    public var host: String?
    public var socketFolder: String?
    public var port: Int
    /// Every server to try, in order (the first is `host`/`socketFolder` and `port`).
    public var endpoints: [Endpoint]
    /// libpq's `target_session_attrs`: any, read-write, read-only, primary, standby.
    public var targetSessionAttrs: String
    public var database: String
    public var sslMode: String
    public var sslRootCert: String?
    /// The URI with the password removed: for errors, status and logs.
    public var display: String
    /// The password came from the URI or PGPASSWORD (then every host gets it), not from a .pgpass line.
    var passwordIsExplicit = false

    static let knownParameters: [String] = [
        "host", "port", "sslmode", "sslrootcert", "user", "dbname", "password", "application_name", "connect_timeout",
        "target_session_attrs",
    ]
    static let sslModes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]
    static let sessionAttributes = ["any", "read-write", "read-only", "primary", "standby"]

    /// True for the strings `--store` should treat as PostgreSQL rather than an SQLite path.
    public static func isPostgresURI(_ text: String) -> Bool { StoreLocation.isDatabaseURI(text) }

    /// True for anything of the form `scheme://…`: never an SQLite path. One that is not PostgreSQL's is a typo
    /// (`postgresq://`) or another database, and is refused rather than created as a file of that name.
    public static func looksLikeURI(_ text: String) -> Bool {
        guard let range = text.range(of: "://") else { return false }
        let scheme = text[..<range.lowerBound]
        return !scheme.isEmpty && scheme.first!.isLetter && scheme.allSatisfy { $0.isLetter || $0.isNumber || "+.-".contains($0) }
    }

    /// `text` with any password removed (`user:secret@` → `user@`, `password=…` dropped): safe to print.
    public static func redacted(_ text: String) -> String {
        var out = text
        if let scheme = out.range(of: "://") {
            let authorityEnd = out[scheme.upperBound...].firstIndex { $0 == "/" || $0 == "?" } ?? out.endIndex
            if let at = out[scheme.upperBound..<authorityEnd].lastIndex(of: "@"),
                let colon = out[scheme.upperBound..<at].firstIndex(of: ":")
            {
                out.removeSubrange(colon..<at)
            }
        }
        if let question = out.firstIndex(of: "?") {
            let items = out[out.index(after: question)...].split(separator: "&", omittingEmptySubsequences: false)
            let kept = items.filter { !$0.lowercased().hasPrefix("password=") }
            out = String(out[..<question]) + (kept.isEmpty ? "" : "?" + kept.joined(separator: "&"))
        }
        return out
    }

    /// The one-line refusal for a `scheme://` store that is not PostgreSQL's.
    public static func notAStoreURI(_ text: String) -> StoreError {
        let scheme = String(text[..<(text.range(of: "://")?.lowerBound ?? text.endIndex)])
        let hint = Suggestions.closest(to: scheme, among: ["postgresql", "postgres"]).map { " Did you mean \($0)://?" } ?? ""
        return .refused(
            "The store \(redacted(text)) is neither a file path nor a postgresql:// URI (\(scheme):// is not a kind of store Receptor knows).\(hint)"
        )
    }

    public static func parse(_ uri: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PostgresLocation {
        // Never echo `uri` itself: it may hold a password.
        guard isPostgresURI(uri), let schemeEnd = uri.range(of: "://") else { throw notAStoreURI(uri) }
        // Several hosts (`pg1,pg2:5433`) are more than URLComponents reads: it gets the URI with the first
        // host only, and the authority's host list is read here.
        let rest = uri[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let userInfo = authority.lastIndex(of: "@").map { authority[..<$0] }
        let hostList = authority.lastIndex(of: "@").map { authority[authority.index(after: $0)...] } ?? authority
        let hostItems = hostList.isEmpty ? [] : hostList.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let single = uri[..<schemeEnd.upperBound] + (userInfo.map { $0 + "@" } ?? "") + (hostItems.first ?? "") + rest[authorityEnd...]
        guard let components = URLComponents(string: String(single)) else {
            throw StoreError.refused(
                "The store URI \(redacted(uri)) is not a valid postgresql:// URI (expected postgresql://user@host:5432/database).")
        }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] { query[item.name.lowercased()] = item.value ?? "" }
        if let unknown = query.keys.sorted().first(where: { !knownParameters.contains($0) }) {
            let hint = Suggestions.closest(to: unknown, among: knownParameters).map { " Did you mean \($0)?" } ?? ""
            throw StoreError.refused(
                "The store URI has the unknown parameter \"\(unknown)\".\(hint) Known: \(knownParameters.sorted().joined(separator: ", ")).")
        }
        func oneOf(_ name: String, _ value: String, _ allowed: [String]) throws -> String {
            let value = value.lowercased()
            guard allowed.contains(value) else {
                let hint = Suggestions.closest(to: value, among: allowed).map { " Did you mean \($0)?" } ?? ""
                throw StoreError.refused("The store URI's \(name) \"\(value)\" is not one of \(allowed.joined(separator: ", ")).\(hint)")
            }
            return value
        }
        let user = query["user"] ?? components.user ?? environment["PGUSER"] ?? environment["USER"] ?? "postgres"
        let defaultPort = environment["PGPORT"] ?? "5432"

        // The hosts and their ports: from ?host=&port= (comma lists), else from the authority.
        var pairs: [(host: String, port: String)] = []
        if let hosts = query["host"] {
            let names = hosts.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let ports = (query["port"] ?? "").split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            for (i, name) in names.enumerated() {
                let port = ports.count == names.count ? ports[i] : (ports.count == 1 && !ports[0].isEmpty ? ports[0] : defaultPort)
                pairs.append((name, port.isEmpty ? defaultPort : port))
            }
        } else if !hostItems.isEmpty && !(hostItems.count == 1 && hostItems[0].isEmpty) {
            for item in hostItems {
                var name = item, port = query["port"] ?? defaultPort
                if item.hasPrefix("["), let close = item.firstIndex(of: "]") {
                    name = String(item[item.index(after: item.startIndex)..<close])
                    let after = item[item.index(after: close)...]
                    if after.hasPrefix(":") { port = String(after.dropFirst()) }
                } else if let colon = item.lastIndex(of: ":") {
                    name = String(item[..<colon]); port = String(item[item.index(after: colon)...])
                }
                pairs.append((name.removingPercentEncoding ?? name, port))
            }
        } else {
            pairs.append((environment["PGHOST"] ?? "/run/postgresql", query["port"] ?? defaultPort))
        }
        var endpoints: [Endpoint] = []
        for (name, portText) in pairs {
            guard !name.isEmpty else { throw StoreError.refused("The store URI \(redacted(uri)) names an empty host.") }
            guard let port = Int(portText), (1...65535).contains(port) else {
                throw StoreError.refused("The store URI's port \"\(portText)\" is not a port number.")
            }
            let isSocket = name.hasPrefix("/")
            endpoints.append(Endpoint(host: isSocket ? nil : name, socketFolder: isSocket ? name : nil, port: port))
        }
        var path = components.path
        if path.hasPrefix("/") { path.removeFirst() }
        let database = query["dbname"] ?? (path.isEmpty ? (environment["PGDATABASE"] ?? user) : path)
        let sslMode = try oneOf("sslmode", query["sslmode"] ?? environment["PGSSLMODE"] ?? "prefer", sslModes)
        let attributes = try oneOf(
            "target_session_attrs", query["target_session_attrs"] ?? environment["PGTARGETSESSIONATTRS"] ?? "any", sessionAttributes)

        let first = endpoints[0]
        var location = PostgresLocation(
            user: user, password: nil, host: first.host, socketFolder: first.socketFolder, port: first.port,
            endpoints: endpoints, targetSessionAttrs: attributes, database: database,
            sslMode: sslMode, sslRootCert: query["sslrootcert"], display: redacted(uri))
        let explicit = query["password"] ?? components.password ?? environment["PGPASSWORD"]
        location.passwordIsExplicit = explicit != nil
        location.password =
            explicit
            ?? PgPass.lookup(host: first.host ?? "localhost", port: first.port, database: database, user: user, environment: environment)
        return location
    }

    /// The `.pgpass` password for another endpoint of the same URI (libpq looks each host up on its own).
    public func password(for endpoint: Endpoint, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if passwordIsExplicit || endpoint == endpoints[0] { return password }
        return PgPass.lookup(
            host: endpoint.host ?? "localhost", port: endpoint.port, database: database, user: user, environment: environment) ?? password
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
