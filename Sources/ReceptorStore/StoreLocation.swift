import Foundation
#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where the store lives and how its files are made private: the folders Receptor creates are 0700, the
/// database file and SQLite's `-wal` / `-shm` companions 0600. Nothing here is ever group or world readable.
public enum StoreLocation {
    public static let folderMode: mode_t = 0o700
    public static let fileMode: mode_t = 0o600

    /// `$XDG_DATA_HOME/receptor/receptor.sqlite`, else `$HOME/.local/share/receptor/receptor.sqlite`.
    public static func defaultPath(environment: [String: String]) -> String {
        join(receptorDataHome(environment: environment), "receptor.sqlite")
    }

    /// `$XDG_DATA_HOME/receptor`, else `$HOME/.local/share/receptor`. As the XDG spec says, a relative or empty
    /// `XDG_DATA_HOME` is ignored.
    public static func receptorDataHome(environment: [String: String]) -> String {
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") {
            return join(xdg, "receptor")
        }
        let home: String
        if let h = environment["HOME"], !h.isEmpty {
            home = h
        } else {
            home = FileManager.default.homeDirectoryForCurrentUser.path
        }
        return join(home, ".local/share/receptor")
    }

    /// True for a store named by a database server's URI (`postgresql://…`, `postgres://…`) rather than an
    /// SQLite file path.
    public static func isDatabaseURI(_ store: String) -> Bool {
        let lower = store.lowercased()
        return lower.hasPrefix("postgresql://") || lower.hasPrefix("postgres://")
    }

    /// The data directory (certificates, protocol logs, mailboxes, relay queue, spool, usage, control sockets,
    /// shell history): `explicit` (--data-dir / RECEPTOR_DATA_DIR) when given; else the SQLite store's folder;
    /// else, for a store on a database server (a URI names no folder on this host), `receptor/<server>` in the
    /// XDG data home, one per server so that two servers' listeners on one host keep apart (without a server,
    /// the XDG folder itself).
    public static func dataDirectory(store: String, server: String?, explicit: String?, environment: [String: String]) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        guard isDatabaseURI(store) else { return (store as NSString).deletingLastPathComponent }
        let home = receptorDataHome(environment: environment)
        guard let server, !server.isEmpty else { return home }
        return join(home, server.lowercased())
    }

    /// The SQLite companion files of a database in WAL mode.
    public static func sidecarPaths(of path: String) -> [String] { [path + "-wal", path + "-shm"] }

    static func join(_ base: String, _ tail: String) -> String {
        base.hasSuffix("/") ? base + tail : base + "/" + tail
    }

    /// Creates the missing folders above `path`, each with mode 0700 (existing folders are left as they are).
    static func createParentFolders(of path: String) throws {
        let parent = (path as NSString).deletingLastPathComponent
        guard !parent.isEmpty else { return }
        var missing: [String] = []
        var cursor = parent
        while !cursor.isEmpty, cursor != "/", !FileManager.default.fileExists(atPath: cursor) {
            missing.append(cursor)
            cursor = (cursor as NSString).deletingLastPathComponent
        }
        for folder in missing.reversed() {
            if mkdir(folder, folderMode) != 0 && errno != EEXIST {
                throw StoreError.database("Can't create the folder \(folder) for the store: \(String(cString: strerror(errno))).")
            }
            // mkdir's mode passes through the umask; say exactly what we mean.
            _ = chmod(folder, folderMode)
        }
    }

    /// Creates `folder` and the missing folders above it, each with mode 0700 (existing ones are left alone).
    public static func createFolder(_ folder: String) throws {
        try createParentFolders(of: join(folder, "x"))
    }

    /// Creates an empty database file with mode 0600 before SQLite opens it, so it is never readable by others,
    /// not even for an instant. Returns false when someone else created it first.
    @discardableResult
    static func createPrivateFile(at path: String) throws -> Bool {
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, fileMode)
        if fd < 0 {
            if errno == EEXIST { return false }
            throw StoreError.database("Can't create the store file \(path): \(String(cString: strerror(errno))).")
        }
        defer { close(fd) }
        if fchmod(fd, fileMode) != 0 {
            throw StoreError.database("Can't set the permissions of \(path) to 0600: \(String(cString: strerror(errno))).")
        }
        return true
    }

    /// Makes the database and its companions 0600 (SQLite copies the database's mode to them, and this makes
    /// sure of it). Files owned by someone else are left alone: chmod fails there and that is fine.
    static func tightenPermissions(of path: String) {
        for file in [path] + sidecarPaths(of: path) {
            var info = stat()
            guard stat(file, &info) == 0 else { continue }
            if info.st_mode & 0o077 != 0 {
                _ = chmod(file, fileMode)
            }
        }
    }

    /// The permission bits of a file or folder, or nil when it does not exist.
    public static func permissionBits(of path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }
}
