import Foundation
import ReceptorCore
import ReceptorStore

/// One server of the organization as the organization view lists it: its role, how many connectors it has,
/// and its registered listeners (alive or not, as `ListenerLiveness` decides for `receptor status`).
struct ServerSummary: Equatable {
    var server: Server
    var connectors: Int
    var enabledConnectors: Int
    var listeners: [ListenerPresence]

    var alive: Int { listeners.filter(\.isAlive).count }

    /// The LISTENERS column: "2 of 2 alive", "1 of 2 alive, 1 not responding", "none registered".
    var listenersText: String {
        guard !listeners.isEmpty else { return "none registered" }
        let silent = listeners.count - alive
        return "\(alive) of \(listeners.count) alive" + (silent > 0 ? ", \(silent) not responding" : "")
    }

    /// A registered listener in `receptor status`'s words ("running", "not responding (last heartbeat 40 s ago;
    /// forgotten 120 s after it)"), at `now`.
    static func describe(_ listener: ListenerPresence, now: Date) -> String {
        let state: ListenerLiveness.State =
            listener.silentSince.map { .notResponding(silentFor: max(0, now.timeIntervalSince($0))) } ?? .running
        return "pid \(listener.pid) on \(listener.host): \(ListenerLiveness.describe(state))"
    }
}

extension ConsoleSnapshot {
    /// Every server of the store, in the store's order, with its connectors counted in one pass.
    func serverSummaries() -> [ServerSummary] {
        var counts: [String: (all: Int, enabled: Int)] = [:]
        for c in connectors {
            let key = c.connector.server.lowercased()
            counts[key, default: (0, 0)].all += 1
            if c.connector.enabled { counts[key, default: (0, 0)].enabled += 1 }
        }
        return servers.map { s in
            let key = s.name.lowercased()
            return ServerSummary(
                server: s, connectors: counts[key]?.all ?? 0, enabledConnectors: counts[key]?.enabled ?? 0,
                listeners: presence.filter { $0.server.lowercased() == key })
        }
    }
}

/// The organization view's own state: which server is selected (by name, so the selection follows its server
/// when servers come and go) and where the list is scrolled.
final class OrganizationView {
    var selectedName: String?
    var scrollTop = 0

    init(selectedName: String?) { self.selectedName = selectedName }

    /// The selected row among `servers`, or the first when the selected server is gone.
    func selectedIndex(in servers: [Server]) -> Int? {
        guard !servers.isEmpty else { return nil }
        return servers.firstIndex { $0.name.caseInsensitiveCompare(selectedName ?? "") == .orderedSame } ?? 0
    }

    func move(_ delta: Int, in servers: [Server]) {
        guard let i = selectedIndex(in: servers) else { return }
        selectedName = servers[max(0, min(servers.count - 1, i + delta))].name
    }
}

extension ConsoleApp {
    /// `s`: the organization view, starting on the server shown now.
    func openOrganization() {
        mode = .servers(OrganizationView(selectedName: serverName))
    }

    func handleOrganization(_ view: OrganizationView, _ event: KeyEvent) -> [ConsoleEffect] {
        let servers = snapshot.servers
        switch KeyTable.action(for: event, in: .servers) {
        case .help?: underlying = mode; mode = .help
        case .quit?: return [.quit]
        case .cancel?: mode = .main
        case .showServer?:
            if let i = view.selectedIndex(in: servers) { selectServer(servers[i].name) }
        case .refresh?:
            reload()
            return [.refreshNow]
        case .up?: view.move(-1, in: servers)
        case .down?: view.move(1, in: servers)
        case .pageUpList?: view.move(-10, in: servers)
        case .pageDownList?: view.move(10, in: servers)
        case .home?: view.move(-servers.count, in: servers)
        case .end?: view.move(servers.count, in: servers)
        default: break
        }
        return []
    }

    /// Organization › Servers: one row per server (name, role, connectors, listeners alive of registered), the
    /// selected server's listeners in the pane below, each in `receptor status`'s words.
    func drawOrganization(_ canvas: Canvas, _ view: OrganizationView) {
        let cols = canvas.columns, rows = canvas.rows
        drawTitleBar(canvas)
        let crumb = canvas.unicode ? "Organization › Servers" : "Organization > Servers"
        canvas.text(crumb, row: 1, column: 1, style: CellStyle(.header, bold: true))
        let summaries = snapshot.serverSummaries()
        let nameW = 26, roleW = 8, countW = 10
        let listenersW = cols - 5 - nameW - roleW - countW
        func row(_ a: String, _ b: String, _ c: String, _ d: String) -> String {
            " " + Canvas.pad(a, nameW) + " " + Canvas.pad(b, roleW) + " " + Canvas.pad(c, countW) + " " + Canvas.pad(d, listenersW)
        }
        canvas.text(row("NAME", "ROLE", "CONNECTORS", "LISTENERS"), row: 2, column: 0, style: CellStyle(.header, underline: true))
        let detailsHeight = rows >= 36 ? 12 : 10
        let listTop = 3
        let listRows = max(1, rows - 2 - detailsHeight - listTop)
        let selected = view.selectedIndex(in: snapshot.servers)
        if let selected {
            if selected < view.scrollTop { view.scrollTop = selected }
            if selected >= view.scrollTop + listRows { view.scrollTop = selected - listRows + 1 }
        } else {
            canvas.text("The store has no server. Add one with: receptor init --server NAME", row: listTop + 1, column: 2, style: CellStyle(.dim))
        }
        for (offset, (index, s)) in summaries.enumerated().dropFirst(view.scrollTop).prefix(listRows).enumerated() {
            let isSelected = index == selected
            let isShown = s.server.name.caseInsensitiveCompare(serverName ?? "") == .orderedSame
            let line = row(
                s.server.name + (isShown ? " (shown)" : ""), s.server.role.rawValue, String(s.connectors), s.listenersText)
            let r = listTop + offset
            let style: CellStyle =
                isSelected ? CellStyle(.selection, bold: true, reverse: true) : s.alive < s.listeners.count ? CellStyle(.warning) : .normal
            canvas.text((isSelected ? ">" : " ") + String(line.dropFirst()), row: r, column: 0, width: cols, style: style, pad: isSelected)
            let name = s.server.name
            hits.add(row: r, column: 0, width: cols) { [unowned self] in
                // A click selects a server; a click on the selected one shows its connectors.
                if isSelected { self.selectServer(name) } else { view.selectedName = name }
                return []
            }
        }
        if summaries.count > listRows {
            canvas.text(
                "\(view.scrollTop + 1)-\(min(summaries.count, view.scrollTop + listRows)) of \(summaries.count)", row: listTop + listRows - 1,
                column: cols - 14, width: 14, style: CellStyle(.dim))
        }
        let top = rows - 2 - detailsHeight
        if let selected { drawServerDetails(canvas, summaries[selected], top: top, height: detailsHeight) }
        let statusRow = rows - 2
        if let statusMessage {
            canvas.text(
                " " + statusMessage.text, row: statusRow, column: 0, width: cols,
                style: CellStyle(statusMessage.error ? .error : .success, bold: statusMessage.error))
        } else if let selected {
            let back = serverName.map { "; Esc goes back to \($0)'s" } ?? ""
            canvas.text(
                " Enter shows \(summaries[selected].server.name)'s receive connectors\(back).", row: statusRow, column: 0, width: cols)
        }
    }

    func drawServerDetails(_ canvas: Canvas, _ s: ServerSummary, top: Int, height: Int) {
        let cols = canvas.columns
        canvas.box(row: top, column: 0, width: cols, height: height, title: "\(s.server.name) - \(s.server.role.rawValue), \(s.server.fqdn)")
        let labelW = 12, x = 2, valueW = cols - 4 - labelW
        var items: [(String, String)] = [
            ("Connectors", "\(s.connectors) (\(s.enabledConnectors) enabled)")
        ]
        if s.listeners.isEmpty {
            items.append(
                ("Listeners", "none registered; on the server's host: receptor listen --store \(dataSource.storePath) --server \(s.server.name)"))
        } else {
            items.append(("Listeners", s.listenersText))
            if let status = snapshot.listener(for: s.server.name) {
                let failed = status.bindings.values.filter { if case .failed = $0 { true } else { false } }.count
                items.append(("Endpoints", "\(status.bindings.count - failed) listening, \(failed) failed"))
            }
            for l in s.listeners { items.append(("", ServerSummary.describe(l, now: now()))) }
        }
        var r = top + 1
        for (label, value) in items {
            for (i, line) in Canvas.wrap(value, valueW).enumerated() where r < top + height - 1 {
                let shownLabel = i == 0 && !label.isEmpty ? label + ":" : ""
                canvas.text(Canvas.pad(shownLabel, labelW), row: r, column: x, style: CellStyle(.header))
                canvas.text(line, row: r, column: x + labelW, width: valueW)
                r += 1
            }
        }
    }
}
