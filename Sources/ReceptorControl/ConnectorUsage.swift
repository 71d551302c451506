import Foundation

/// Who used a receive connector, one row per connector, day (UTC) and remote address: what answers "is anyone
/// still sending through this relay connector?" without protocol logs. The listener records it (off the SMTP
/// hot path, bounded) into `usage/` in the data directory, one JSON file per day; `Get-ReceiveConnectorUsage`
/// reads the files. The files are the listener's, not configuration: they are not in the store.
public struct ConnectorUsageRow: Codable, Hashable, Sendable {
    /// The connector's GUID (its name may change; the row stays its).
    public var connectorGUID: String
    /// `SERVER\Name` when the row was last written.
    public var connector: String
    /// `yyyy-mm-dd` (UTC).
    public var day: String
    /// The client's address, or `(other addresses)` for the sessions past a day's bound of rows.
    public var remoteAddress: String
    /// HELO/EHLO names seen (at most `ConnectorUsage.namesKept`).
    public var heloNames: [String]
    /// Accounts that authenticated (at most `ConnectorUsage.namesKept`).
    public var accounts: [String]
    public var sessions: Int
    public var tlsSessions: Int
    public var messages: Int
    /// Messages with at least one recipient outside the organization's mailboxes (relayed).
    public var relayed: Int
    /// Messages refused, and relay attempts denied.
    public var rejected: Int
    public var firstSeen: Date
    public var lastSeen: Date

    public init(connectorGUID: String, connector: String, day: String, remoteAddress: String, at: Date) {
        self.connectorGUID = connectorGUID; self.connector = connector; self.day = day; self.remoteAddress = remoteAddress
        heloNames = []; accounts = []; sessions = 0; tlsSessions = 0; messages = 0; relayed = 0; rejected = 0
        firstSeen = at; lastSeen = at
    }

    /// Adds another row's counts (the same address on another day, say).
    public mutating func merge(_ other: ConnectorUsageRow) {
        for name in other.heloNames { ConnectorUsage.remember(name, in: &heloNames) }
        for name in other.accounts { ConnectorUsage.remember(name, in: &accounts) }
        sessions += other.sessions; tlsSessions += other.tlsSessions; messages += other.messages
        relayed += other.relayed; rejected += other.rejected
        firstSeen = min(firstSeen, other.firstSeen); lastSeen = max(lastSeen, other.lastSeen)
        if other.lastSeen >= lastSeen { connector = other.connector }
    }
}

public enum ConnectorUsage {
    /// Distinct HELO names and accounts kept per row.
    public static let namesKept = 5
    /// Rows (distinct connector and remote address) kept per day; sessions past it count in one
    /// `(other addresses)` row per connector, so a flood of sources can't grow memory or files without bound.
    public static let rowsPerDay = 20_000
    public static let otherAddresses = "(other addresses)"
    /// Days of usage kept by default (`receptor listen --usage-days`).
    public static let defaultRetentionDays = 30

    public static func folder(dataDirectory: String) -> String { dataDirectory + "/usage" }
    public static func fileName(day: String) -> String { "usage-\(day).json" }

    /// `yyyy-mm-dd` in UTC.
    public static func day(_ date: Date) -> String { dayText(dayNumber(date)) }

    /// Days since 1970-01-01 (UTC).
    public static func dayNumber(_ date: Date) -> Int { Int((date.timeIntervalSince1970 / 86400).rounded(.down)) }

    /// The day number of a `yyyy-mm-dd` text (`dayText`'s inverse), or nil when it isn't one.
    public static func dayNumber(text: String) -> Int? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[1].count == 2, parts[2].count == 2,
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), (1...12).contains(m), (1...31).contains(d)
        else { return nil }
        // Days from civil (Howard Hinnant's algorithm), the inverse of `dayText`.
        let yy = m <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let number = era * 146_097 + doe - 719_468
        return dayText(number) == text ? number : nil
    }

    public static func dayText(_ daysSinceEpoch: Int) -> String {
        // Civil date from days (Howard Hinnant's algorithm): no Calendar, no locale.
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(y)-\(two(m))-\(two(d))"
    }

    /// Adds a HELO name or account to a row's list (bounded, no repeats).
    public static func remember(_ name: String?, in names: inout [String]) {
        guard let name, !name.isEmpty, names.count < namesKept, !names.contains(name) else { return }
        names.append(name)
    }

    /// One row per connector and remote address over the given rows (days merged), only the connectors in
    /// `connectors` (lowercased GUIDs; all when empty), newest first: what `Get-ReceiveConnectorUsage`, the
    /// listener's control socket and the console show.
    public static func merged(_ rows: [ConnectorUsageRow], connectors: Set<String> = []) -> [ConnectorUsageRow] {
        var merged: [String: ConnectorUsageRow] = [:]
        for row in rows where connectors.isEmpty || connectors.contains(row.connectorGUID) {
            let key = row.connectorGUID + " " + row.remoteAddress
            if merged[key] == nil { merged[key] = row } else { merged[key]!.merge(row) }
        }
        return merged.values.sorted { ($0.lastSeen, $0.remoteAddress) > ($1.lastSeen, $1.remoteAddress) }
    }

    /// Every row of the files from `days` days ago (UTC) up to today; unreadable files are skipped.
    public static func read(dataDirectory: String, days: Int, now: Date = Date()) -> [ConnectorUsageRow] {
        let folder = folder(dataDirectory: dataDirectory)
        let today = Int((now.timeIntervalSince1970 / 86400).rounded(.down))
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        var rows: [ConnectorUsageRow] = []
        for offset in 0..<max(1, days) {
            let path = folder + "/" + fileName(day: dayText(today - offset))
            guard let data = FileManager.default.contents(atPath: path),
                let day = try? decoder.decode([ConnectorUsageRow].self, from: data)
            else { continue }
            rows += day
        }
        return rows
    }
}
