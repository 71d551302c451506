import Foundation
import NIOConcurrencyHelpers
import ReceptorControl

/// Records who uses each connector (`ConnectorUsageRow`: per connector, UTC day and remote address) and writes
/// it to `usage/usage-<day>.json` in the data directory. Sessions update rows in memory under a lock (a
/// dictionary update per session and per message: no I/O on the event loops); a background queue writes the
/// days that changed at most every `flushDelay`, and at stop. At start today's file is read back, so the
/// counts go on across restarts; files older than the retention are removed. Memory and files are bounded by
/// `ConnectorUsage.rowsPerDay` (past it, one `(other addresses)` row per connector).
public final class ConnectorUsageRecorder: @unchecked Sendable {
    /// A row's key; the day as days since 1970 (UTC), so a session's update hashes no day text.
    struct Key: Hashable {
        var connector: UUID
        var day: Int
        var remote: String
    }

    private let folder: String
    private let retentionDays: Int
    private let flushDelay: TimeInterval
    private let queue = DispatchQueue(label: "receptor.usage")
    private let state = NIOLockedValueBox(State())
    private struct State {
        var rows: [Key: ConnectorUsageRow] = [:]
        var rowsPerDay: [Int: Int] = [:]
        var dirtyDays: Set<Int> = []
        var flushScheduled = false
        /// The last day's `yyyy-mm-dd`, made once a day rather than once a session.
        var dayText: (day: Int, text: String) = (Int.min, "")

        mutating func text(ofDay day: Int) -> String {
            if dayText.day != day { dayText = (day, ConnectorUsage.dayText(day)) }
            return dayText.text
        }
    }

    /// `retentionDays` 0 turns recording off.
    public init(dataDirectory: String, retentionDays: Int = ConnectorUsage.defaultRetentionDays, flushDelay: TimeInterval = 2) {
        folder = ConnectorUsage.folder(dataDirectory: dataDirectory)
        self.retentionDays = retentionDays
        self.flushDelay = flushDelay
        if retentionDays > 0 { loadToday() }
    }

    public var isEnabled: Bool { retentionDays > 0 }

    /// What one session did, recorded when it ends (and messages as they are accepted or refused). Called on
    /// the event loops: one lock, and for an address already seen today one dictionary lookup.
    public func record(
        connector: UUID, identity: String, remote: String, at now: Date = Date(),
        _ update: (inout ConnectorUsageRow) -> Void
    ) {
        guard isEnabled else { return }
        let day = ConnectorUsage.dayNumber(now)
        let schedule = state.withLockedValue { s -> Bool in
            var key = Key(connector: connector, day: day, remote: remote)
            var index = s.rows.index(forKey: key)
            if index == nil {
                if s.rowsPerDay[day, default: 0] >= ConnectorUsage.rowsPerDay {
                    key.remote = ConnectorUsage.otherAddresses
                    index = s.rows.index(forKey: key)
                }
                if index == nil {
                    s.rows[key] = ConnectorUsageRow(
                        connectorGUID: connector.uuidString.lowercased(), connector: identity, day: s.text(ofDay: day),
                        remoteAddress: key.remote, at: now)
                    s.rowsPerDay[day, default: 0] += 1
                    index = s.rows.index(forKey: key)
                }
            }
            Self.apply(update, at: now, identity: identity, to: &s.rows.values[index!])
            s.dirtyDays.insert(day)
            if s.flushScheduled { return false }
            s.flushScheduled = true
            return true
        }
        if schedule { queue.asyncAfter(deadline: .now() + flushDelay) { [self] in flush() } }
    }

    private static func apply(_ update: (inout ConnectorUsageRow) -> Void, at now: Date, identity: String, to row: inout ConnectorUsageRow) {
        update(&row)
        row.lastSeen = now
        if row.connector != identity { row.connector = identity }
    }

    /// The rows of the last `days` days as they are now: the files, with the days this recorder holds in
    /// memory (today's, and any not yet written) taken from memory. Reads files: call it off the event loops.
    public func rows(days: Int, now: Date = Date()) -> [ConnectorUsageRow] {
        guard isEnabled else { return [] }
        let oldest = ConnectorUsage.day(now.addingTimeInterval(-Double(max(1, days) - 1) * 86400))
        let held = state.withLockedValue { s in s.rows.values.filter { $0.day >= oldest } }
        let heldKeys = Set(held.map { $0.connectorGUID + " " + $0.day + " " + $0.remoteAddress })
        let stored = ConnectorUsage.read(dataDirectory: (folder as NSString).deletingLastPathComponent, days: days, now: now)
        return held + stored.filter { !heldKeys.contains($0.connectorGUID + " " + $0.day + " " + $0.remoteAddress) }
    }

    /// Writes the days that changed (and forgets days before today from memory once written).
    public func flush() {
        let (days, snapshot) = state.withLockedValue { s -> (Set<String>, [ConnectorUsageRow]) in
            defer { s.dirtyDays = []; s.flushScheduled = false }
            let days = Set(s.dirtyDays.map(ConnectorUsage.dayText))
            return (days, s.rows.values.filter { days.contains($0.day) })
        }
        guard !days.isEmpty else { return }
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        for day in days {
            let rows = snapshot.filter { $0.day == day }.sorted { ($0.connector, $0.remoteAddress) < ($1.connector, $1.remoteAddress) }
            guard let data = try? encoder.encode(rows) else { continue }
            let path = folder + "/" + ConnectorUsage.fileName(day: day)
            let temporary = path + ".tmp"
            if FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]) {
                _ = rename(temporary, path)
            }
        }
        let today = ConnectorUsage.dayNumber(Date())
        state.withLockedValue { s in
            for key in s.rows.keys where key.day < today && !s.dirtyDays.contains(key.day) { s.rows[key] = nil }
            for day in s.rowsPerDay.keys where day < today { s.rowsPerDay[day] = nil }
        }
        prune()
    }

    /// Removes the files of days past the retention.
    func prune(now: Date = Date()) {
        let oldest = ConnectorUsage.day(now.addingTimeInterval(-Double(retentionDays - 1) * 86400))
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
            guard name.hasPrefix("usage-"), name.hasSuffix(".json") else { continue }
            let day = String(name.dropFirst(6).dropLast(5))
            if day < oldest { try? FileManager.default.removeItem(atPath: folder + "/" + name) }
        }
    }

    /// Today's rows from an earlier run, so counting goes on after a restart.
    private func loadToday() {
        let rows = ConnectorUsage.read(dataDirectory: (folder as NSString).deletingLastPathComponent, days: 1)
        state.withLockedValue { s in
            for row in rows {
                guard let guid = UUID(uuidString: row.connectorGUID), let day = ConnectorUsage.dayNumber(text: row.day) else { continue }
                s.rows[Key(connector: guid, day: day, remote: row.remoteAddress)] = row
                s.rowsPerDay[day, default: 0] += 1
            }
        }
        prune()
    }
}
