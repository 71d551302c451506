import Foundation
import ReceptorControl
import ReceptorCore
import ReceptorStore

/// The console's whole state: the Mail flow › Receive connectors page, its dialogs and the wizard. Pure:
/// keys in, effects out, drawing on a `Screen`; all I/O goes through the `ConsoleDataSource`.
public final class ConsoleApp {
    enum Mode {
        case main, help, monitor, filter
        /// The organization view: every server of the store (`s`).
        case servers(OrganizationView)
        case confirmDelete(ConsoleConnector, ConfirmPrompt)
        /// Enable or disable, asked first when it moves traffic.
        case confirmToggle(ConsoleConnector, ConfirmPrompt)
        case usage(UsageController)
        case confirmQuit
        case wizard(WizardController)
        case edit(EditController)
        case explain(ExplainController)
    }

    public let dataSource: ConsoleDataSource
    public private(set) var snapshot: ConsoleSnapshot { didSet { visibleCache = nil } }
    public private(set) var serverName: String? { didSet { visibleCache = nil } }
    public private(set) var selectedGUID: UUID?
    public private(set) var filterText = "" { didSet { visibleCache = nil } }
    /// The sorted, filtered list is asked for many times per frame; with 10,000 connectors it must be
    /// computed once per change of snapshot, server or filter, not per call.
    private var visibleCache: [ConsoleConnector]?
    var mode: Mode = .main
    /// What to go back to after a confirmation or help.
    var underlying: Mode = .main
    /// Where Esc in the Explain view goes: the list, or the monitor it was opened from.
    var explainReturn: Mode = .main
    var filterField = TextField()
    var statusMessage: (text: String, error: Bool)?
    var scrollTop = 0
    var listRows = 10
    var helpScroll = 0
    let hits = HitMap()
    /// Makes the GUID of a new connector (tests pin it).
    public var makeGUID: () -> UUID = { UUID() }
    /// The clock the monitor uses (tests pin it).
    public var now: () -> Date = { Date() }
    /// The host's own addresses, read when the wizard or the edit dialog opens, so a binding on an address
    /// the host doesn't have is noted as the shell notes it. The executable gives the shell's own function
    /// (ReceptorShell's LocalInterfaces); nil, the default, means unknown and skips the note.
    public var localAddresses: () -> [IPAddress]? = { nil }
    /// The session monitor pane, and where its updates come from (the loop sets the real feed; tests a fake).
    public let monitor = MonitorController()
    public var monitorFeed: MonitorFeed?
    /// --data-dir / RECEPTOR_DATA_DIR, when given (else `StoreLocation.dataDirectory`'s default for the store).
    public var explicitDataDirectory: String?
    /// The feed is only connected once the monitor has been opened.
    private var monitorStarted = false
    /// Where connector usage is read (the listener, else the usage files); nil: no usage, no evidence.
    public var usageSource: UsageSource?
    /// Every connector's usage in brief (the details pane), read in the background.
    let usageBriefs = UsageBriefs()
    /// The usage behind the impact preview's evidence, read at most every `evidenceUsageLifetime`.
    var evidenceCache: (server: String, at: Date, rows: [ConnectorUsageRow])?
    /// The unreachable connectors of a server at a store generation, and the warnings worked out so far.
    var reachabilityCache: (generation: Int64, server: String, unreachable: Set<UUID>, shadows: [UUID: String])?

    public init(dataSource: ConsoleDataSource, server: String? = nil) throws {
        self.dataSource = dataSource
        snapshot = try dataSource.snapshot()
        serverName = server ?? snapshot.servers.first?.name
        selectedGUID = visibleConnectors.first?.connector.guid
    }

    // MARK: Derived state

    public var server: Server? { serverName.flatMap { n in snapshot.servers.first { $0.name.caseInsensitiveCompare(n) == .orderedSame } } }

    /// The selected server's connectors in list order (by name), filtered.
    public var visibleConnectors: [ConsoleConnector] {
        if let cached = visibleCache { return cached }
        let computed = computeVisibleConnectors()
        visibleCache = computed
        return computed
    }

    private func computeVisibleConnectors() -> [ConsoleConnector] {
        guard let serverName else { return [] }
        let all = snapshot.connectors(on: serverName).sorted { $0.connector.name.localizedStandardCompare($1.connector.name) == .orderedAscending }
        let f = filterText.trimmingCharacters(in: .whitespaces).lowercased()
        guard !f.isEmpty else { return all }
        return all.filter { c in
            c.connector.name.lowercased().contains(f) || c.connector.roleLabel.lowercased().contains(f)
                || c.connector.bindings.contains { $0.description.contains(f) }
        }
    }

    public var selected: ConsoleConnector? { visibleConnectors.first { $0.connector.guid == selectedGUID } }
    var selectedIndex: Int? { visibleConnectors.firstIndex { $0.connector.guid == selectedGUID } }

    /// Whether a dialog holds changes not yet saved (quit asks first).
    public var hasUnsavedChanges: Bool {
        switch mode {
        case .wizard(let w): w.dirty
        case .edit(let e): e.isDirty
        case .confirmQuit: true
        default: false
        }
    }

    /// Why an action cannot run now, or nil if it can (shown on the status line and in help).
    public func unavailableReason(_ action: ConsoleAction) -> String? {
        switch action {
        case .new where server == nil, .explain where server == nil: return "there is no server in the store"
        case .usage where usageSource == nil: return "this console has no usage source"
        case .edit, .delete, .toggle, .usage:
            if selected == nil {
                return visibleConnectors.isEmpty
                    ? (filterText.isEmpty ? "the server has no connectors" : "no connector matches the filter") : "no connector is selected"
            }
            return nil
        case .startListener:
            guard let s = serverName else { return "there is no server in the store" }
            return snapshot.listener(for: s) != nil ? "a listener is already running for \(s)" : nil
        case .server where snapshot.servers.isEmpty: return "there is no server in the store"
        default: return nil
        }
    }

    // MARK: Live changes

    /// Takes a new snapshot (from the loop's poll or after a write). The selection follows its connector's GUID.
    public func refresh(from newSnapshot: ConsoleSnapshot) {
        let oldIndex = selectedIndex
        snapshot = newSnapshot
        if server == nil { serverName = snapshot.servers.first?.name }
        let visible = visibleConnectors
        if !visible.contains(where: { $0.connector.guid == selectedGUID }) {
            selectedGUID = visible.isEmpty ? nil : visible[min(oldIndex ?? 0, visible.count - 1)].connector.guid
        }
        if case .edit(let e) = mode { e.noticeSnapshot(newSnapshot) }
        if case .explain(let x) = mode { x.update(connectors: newSnapshot.connectors(on: x.server.name).map(\.connector)) }
        if monitorStarted { followListeners() }
    }

    // MARK: Monitor

    /// Points the feed at every running listener of the store and tells the monitor what to say without one.
    func followListeners() {
        let running = snapshot.listeners
        monitorFeed?.follow(running.compactMap { l in l.control.map { MonitorEndpoint(server: l.server, target: $0) } })
        var known: [String: [String]] = [:]
        for l in running { known[l.server] = snapshot.connectors(on: l.server).filter(\.connector.enabled).map(\.connector.identity.description) }
        monitor.knownConnectors = known
        if running.isEmpty {
            let dataDirectory = StoreLocation.dataDirectory(
                store: dataSource.storePath, server: serverName, explicit: explicitDataDirectory, environment: ProcessInfo.processInfo.environment)
            let target = serverName.map { " for \($0)" } ?? ""
            monitor.noListenerHint =
                "No listener is running for this store, so there are no sessions to show. Press l to start the bundled listener\(target) in the background (its log: \(dataDirectory)/listener.log), or run: receptor listen --store \(dataSource.storePath)"
        } else {
            // Running, but not reachable from here: on another host, without a TCP control endpoint.
            let unreachable = running.filter { $0.control == nil }.map { l in
                "The listener for \(l.server)\(l.host.map { " runs on \($0) and" } ?? "") has no control endpoint this console can reach, so its sessions can't be shown here: start it with receptor listen --control-port PORT."
            }
            monitor.noListenerHint = unreachable.isEmpty ? nil : unreachable.joined(separator: " ")
        }
    }

    /// Takes what the feed has (never waits). The loop calls it every frame; it returns quickly when idle.
    /// Also starts the background read of the usage briefs the details pane shows, when they are stale.
    public func pumpMonitor() {
        if let usageSource, let s = serverName {
            usageBriefs.refreshIfStale(source: usageSource, server: s, control: snapshot.listener(for: s)?.control, now: now())
        }
        // The details pane shows the selected connector's live sessions: the feed connects as soon as a
        // listener runs, not only once the monitor is opened.
        if !monitorStarted, monitorFeed != nil, !snapshot.listeners.isEmpty {
            monitorStarted = true
            followListeners()
        }
        guard monitorStarted, let feed = monitorFeed else { return }
        monitor.receive(feed.drain(), now: now())
    }

    public var isMonitorOpen: Bool { if case .monitor = mode { true } else { false } }

    func openMonitor() {
        mode = .monitor
        if !monitorStarted { monitorStarted = true }
        followListeners()
    }

    /// Re-reads the data source; a failure is shown on the status line and the old snapshot kept.
    public func reload() {
        do { refresh(from: try dataSource.snapshot()) } catch {
            statusMessage = ("Couldn't read the store: \(error.consoleMessage)", true)
        }
    }

    // MARK: Keys

    public func handle(_ event: KeyEvent) -> [ConsoleEffect] {
        if case .mouse(let row, let column) = event {
            return hits.target(row: row, column: column)?.perform() ?? []
        }
        if case .resize = event { return [] }
        switch mode {
        case .main: return handleMain(event)
        case .filter:
            if event == .enter { mode = .main; return [] }
            if event == .escape { filterField = TextField(); filterText = ""; mode = .main; keepSelectionVisible(); return [] }
            if filterField.handle(event) { filterText = filterField.text; keepSelectionVisible() }
            return []
        case .help:
            switch event {
            case .down: helpScroll += 1
            case .up: helpScroll = max(0, helpScroll - 1)
            default: mode = underlying; helpScroll = 0
            }
            return []
        case .monitor:
            switch KeyTable.action(for: event, in: .monitor) {
            case .help? where !monitor.isFiltering: underlying = mode; mode = .help; return []
            case .quit? where !monitor.isFiltering: return [.quit]
            default: break
            }
            switch monitor.handle(event, now: now()) {
            case .none: return []
            case .close: mode = .main; return []
            case .startListener:
                if let reason = unavailableReason(.startListener) { monitor.noteStatus("Listener: \(reason).", now: now()); return [.bell] }
                guard let s = serverName else { return [] }
                monitor.noteStatus("Starting the listener for \(s) in the background…", now: now())
                return [.startListener(server: s)]
            case .explain(let server, let remote, let local):
                openExplain(server: server, remote: remote, local: local)
                return []
            }
        case .servers(let view):
            return handleOrganization(view, event)
        case .confirmDelete(let c, _):
            switch ConfirmPrompt.answer(to: event) {
            case .confirm?: return performDelete(c)
            case .decline?: mode = .main; statusMessage = ("Nothing was deleted.", false)
            case nil: break
            }
            return []
        case .confirmToggle(let c, _):
            switch ConfirmPrompt.answer(to: event) {
            case .confirm?: mode = .main; return toggle(c)
            case .decline?: mode = .main; statusMessage = ("Nothing was changed.", false)
            case nil: break
            }
            return []
        case .usage(let u):
            switch KeyTable.action(for: event, in: .usage) {
            case .help?: underlying = mode; mode = .help
            case .quit?: return [.quit]
            case .cancel?: mode = .main
            case .refresh?: u.reading = readUsage(u.connector); usageBriefs.invalidate()
            case .up?: u.move(-1)
            case .down?: u.move(1)
            case .pageUpList?: u.move(-10)
            case .pageDownList?: u.move(10)
            default: break
            }
            return []
        case .confirmQuit:
            switch ConfirmPrompt.answer(to: event) {
            case .confirm?: return [.quit]
            case .decline?: mode = underlying
            case nil: break
            }
            return []
        case .wizard(let w):
            if KeyTable.action(for: event, in: .dialog) == .help { underlying = mode; mode = .help; return [] }
            return wizardOutcome(w.handle(event))
        case .edit(let e):
            if KeyTable.action(for: event, in: .dialog) == .help { underlying = mode; mode = .help; return [] }
            return editOutcome(e.handle(event))
        case .explain(let x):
            switch KeyTable.action(for: event, in: .explain) {
            case .help?: underlying = mode; mode = .help; return []
            case .quit?: return [.quit]
            default: break
            }
            if x.handle(event) == .closed { mode = explainReturn; explainReturn = .main }
            return []
        }
    }

    func handleMain(_ event: KeyEvent) -> [ConsoleEffect] {
        guard let action = KeyTable.action(for: event, in: .main) else { return [] }
        return perform(action)
    }

    /// Runs a main-screen action, or says why it cannot run.
    public func perform(_ action: ConsoleAction) -> [ConsoleEffect] {
        if let reason = unavailableReason(action) {
            let title = KeyTable.binding(action, in: .main)?.hint ?? action.rawValue
            statusMessage = ("\(title) is unavailable: \(reason).", true)
            return [.bell]
        }
        statusMessage = nil
        let visible = visibleConnectors
        switch action {
        case .up, .down, .pageUpList, .pageDownList, .home, .end:
            guard !visible.isEmpty else { return [] }
            let i = selectedIndex ?? 0
            let target: Int
            switch action {
            case .up: target = i - 1
            case .down: target = i + 1
            case .pageUpList: target = i - max(1, listRows - 1)
            case .pageDownList: target = i + max(1, listRows - 1)
            case .home: target = 0
            default: target = visible.count - 1
            }
            selectedGUID = visible[max(0, min(visible.count - 1, target))].connector.guid
            keepSelectionVisible()
        case .new: openWizard()
        case .edit: if let c = selected { openEdit(c) }
        case .delete:
            if let c = selected { mode = .confirmDelete(c, .delete(c.connector, impact: trafficChanges(removing: c.connector))) }
        case .toggle:
            guard let c = selected else { return [] }
            var changed = c.connector
            changed.enabled.toggle()
            let impact = trafficChanges(replacing: changed)
            if impact.isEmpty { return toggle(c) }
            mode = .confirmToggle(c, .toggle(c.connector, impact: impact))
        case .usage: if let c = selected { openUsage(c.connector) }
        case .refresh: reload(); statusMessage = ("Refreshed (store generation \(snapshot.generation)).", false); return [.refreshNow]
        case .filter: filterField = TextField(filterText); mode = .filter
        case .server: openOrganization()
        case .startListener:
            guard let s = serverName else { return [] }
            statusMessage = ("Starting the listener for \(s) in the background…", false)
            return [.startListener(server: s)]
        case .monitor: openMonitor()
        case .explain: openExplain()
        case .help: underlying = .main; mode = .help
        case .quit:
            if hasUnsavedChanges { underlying = mode; mode = .confirmQuit; return [] }
            return [.quit]
        default: break
        }
        return []
    }

    func keepSelectionVisible() {
        let visible = visibleConnectors
        if !visible.contains(where: { $0.connector.guid == selectedGUID }) { selectedGUID = visible.first?.connector.guid }
        guard let i = selectedIndex else { scrollTop = 0; return }
        if i < scrollTop { scrollTop = i }
        if i >= scrollTop + listRows { scrollTop = i - listRows + 1 }
    }

    public func selectServer(_ name: String) {
        serverName = name
        mode = .main
        filterText = ""; filterField = TextField()
        selectedGUID = visibleConnectors.first?.connector.guid
        scrollTop = 0
    }

    /// Selects a connector by GUID (tests and the mouse).
    public func select(guid: UUID) { selectedGUID = guid; keepSelectionVisible() }

    // MARK: Writes

    func toggle(_ c: ConsoleConnector) -> [ConsoleEffect] {
        var changed = c.connector
        let enabled = !changed.enabled
        do {
            try ConnectorParameters.named("Enabled")!.apply(.bool(enabled), to: &changed)
            try dataSource.update(changed, expectedRevision: c.revision)
            statusMessage = (
                "\(enabled ? "Enabled" : "Disabled") \"\(c.connector.name)\" (\(Self.enableCommand(c.connector, enabled: enabled))).", false
            )
        } catch {
            statusMessage = (
                error.isRevisionConflict
                    ? "Not changed: \(c.connector.name) was changed elsewhere meanwhile; the list now shows the current state. \(error.consoleMessage)"
                    : "Not changed: \(error.consoleMessage)", true
            )
        }
        reload()
        return [.refreshNow]
    }

    func performDelete(_ c: ConsoleConnector) -> [ConsoleEffect] {
        mode = .main
        do {
            try dataSource.remove(guid: c.connector.guid, expectedRevision: c.revision)
            statusMessage = ("Deleted \"\(c.connector.name)\" (\(Self.removeCommand(c.connector))).", false)
        } catch {
            statusMessage = ("Not deleted: \(error.consoleMessage)", true)
        }
        reload()
        return [.refreshNow]
    }

    /// The shell's equivalent of Space: what the status line shows after it.
    static func enableCommand(_ c: ReceiveConnector, enabled: Bool) -> String {
        "Set-ReceiveConnector \(c.identity.commandText) -Enabled \(enabled ? "$true" : "$false")"
    }

    /// The shell's equivalent of Delete: what the prompt and then the status line show.
    static func removeCommand(_ c: ReceiveConnector) -> String {
        "Remove-ReceiveConnector \(c.identity.commandText)"
    }

    func siblings(of server: Server) -> [ReceiveConnector] { snapshot.connectors(on: server.name).map(\.connector) }

    func openWizard() {
        guard let server else { return }
        let draft = WizardDraft(server: server, guid: makeGUID())
        let w = WizardController(
            draft: draft, siblings: siblings(of: server), includeServerInCommand: snapshot.servers.count > 1,
            localAddresses: localAddresses(), impact: { [unowned self] c in self.trafficChanges(adding: c) }
        ) { [unowned self] c in
            try self.dataSource.insert(c)
        }
        mode = .wizard(w)
    }

    func wizardOutcome(_ outcome: WizardController.Outcome) -> [ConsoleEffect] {
        switch outcome {
        case .none: return []
        case .cancelled: mode = .main; statusMessage = ("The new connector was discarded; nothing was written.", false); return []
        case .quit: underlying = mode; mode = .confirmQuit; return []
        case .created(let stored):
            mode = .main
            reload()
            filterText = ""; filterField = TextField()
            select(guid: stored.connector.guid)
            statusMessage = ("Created \"\(stored.connector.name)\".", false)
            return [.refreshNow]
        }
    }

    /// The Explain view over the server's connectors (all of them, whatever the filter: the listener sees all).
    func openExplain() {
        guard let server else { return }
        explainReturn = .main
        mode = .explain(makeExplain(server))
    }

    private func makeExplain(_ server: Server) -> ExplainController {
        ExplainController(server: server, connectors: snapshot.connectors(on: server.name).map(\.connector)) { [unowned self] guid in
            try self.dataSource.permissions(connector: guid)
        }
    }

    /// From the monitor: the Explain view filled in with a session's endpoints (`192.0.2.10:40000`,
    /// `127.0.0.1:25`) and answered at once; Esc goes back to the monitor.
    func openExplain(server name: String, remote: String, local: String) {
        guard let server = snapshot.servers.first(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame }) else {
            monitor.noteStatus("Explain: the server \(name) is not in the store.", now: now())
            return
        }
        let x = makeExplain(server)
        x.remote = TextField((try? IPBinding(parsing: remote))?.address.description ?? remote)
        x.endpoint = TextField(local)
        x.run()
        explainReturn = .monitor
        mode = .explain(x)
    }

    /// The usage view of a connector: who used it over the retention, newest first.
    func openUsage(_ c: ReceiveConnector) {
        mode = .usage(UsageController(connector: c, reading: readUsage(c)))
        usageBriefs.invalidate()
    }

    func readUsage(_ c: ReceiveConnector) -> UsageReading? {
        usageSource?.usage(
            connector: c.guid, days: ReceptorControl.ConnectorUsage.defaultRetentionDays,
            control: snapshot.listener(for: c.server)?.control)
    }

    func openEdit(_ c: ConsoleConnector) {
        guard let server else { return }
        mode = .edit(
            EditController(
                original: c, server: server, siblings: siblings(of: server), localAddresses: localAddresses(),
                impact: { [unowned self] connector in self.trafficChanges(replacing: connector) }
            ) {
                [unowned self] connector, revision in
                try self.dataSource.update(connector, expectedRevision: revision)
            })
    }

    func editOutcome(_ outcome: EditController.Outcome) -> [ConsoleEffect] {
        switch outcome {
        case .none: return []
        case .closed: mode = .main; return []
        case .quit: underlying = mode; mode = .confirmQuit; return []
        case .reload(let guid):
            reload()
            if let fresh = snapshot.connectors.first(where: { $0.connector.guid == guid }) {
                openEdit(fresh)
            } else {
                mode = .main; statusMessage = ("The connector no longer exists.", true)
            }
            return [.refreshNow]
        case .saved(let stored, let command):
            mode = .main
            reload()
            select(guid: stored.connector.guid)
            statusMessage = ("Saved \"\(stored.connector.name)\"\(command.map { " (\($0))" } ?? "").", false)
            return [.refreshNow]
        }
    }
}
