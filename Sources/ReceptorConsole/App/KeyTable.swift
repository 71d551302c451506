/// Every user action is a named request in one table (tig, lazygit): the table feeds key dispatch, the
/// hint bar and the help screen. Where an action cannot run, the app says why (`ConsoleApp.unavailableReason`).
public enum ConsoleAction: String, CaseIterable, Sendable {
    // Main screen
    case new, edit, delete, toggle, refresh, filter, server, startListener, monitor, explain, usage, help, quit
    case up, down, pageUpList, pageDownList, home, end
    // Organization view
    case showServer
    // Wizard and dialogs
    case nextField, previousField, nextPage, previousPage, finish, cancel, add, editItem, removeItem, check, activate, reloadConnector
    // Session monitor
    // Explain view
    case explainRun
    case monitorBack, monitorSwitch, monitorOpen, monitorTranscript, monitorSort, monitorReverse, monitorPause, monitorFilter
}

public struct KeyBinding: Sendable {
    public let action: ConsoleAction
    public let keys: [KeyEvent]
    /// How the keys are written in the hint bar and help ("a Ins +").
    public let keyText: String
    /// The short name for the hint bar ("New"); nil keeps it out of the hint bar.
    public let hint: String?
    public let help: String

    init(_ action: ConsoleAction, _ keys: [KeyEvent], _ keyText: String, hint: String?, _ help: String) {
        self.action = action; self.keys = keys; self.keyText = keyText; self.hint = hint; self.help = help
    }
}

public enum KeyContext: String, Sendable, CaseIterable {
    case main = "Receive connectors"
    case servers = "Organization: servers"
    case dialog = "Wizard and dialogs"
    case monitor = "Session monitor"
    case explain = "Explain view"
    case usage = "Connector usage"
}

public enum KeyTable {
    public static let main: [KeyBinding] = [
        KeyBinding(.new, [.character("a"), .insert, .character("+")], "a Ins +", hint: "New", "New receive connector: opens the wizard."),
        KeyBinding(.edit, [.enter, .character("e")], "Enter e", hint: "Edit", "Edit the selected connector (General, Security, Scoping)."),
        KeyBinding(.delete, [.character("d"), .delete], "d Del", hint: "Delete", "Delete the selected connector (asks first)."),
        KeyBinding(.toggle, [.character(" ")], "Space", hint: "Enable/Disable", "Enable or disable the selected connector."),
        KeyBinding(.refresh, [.character("r"), .function(5)], "r F5", hint: nil, "Refresh now (changes made elsewhere also appear by themselves)."),
        KeyBinding(.filter, [.character("/")], "/", hint: "Filter", "Filter the list by name, role or binding; Esc clears."),
        KeyBinding(
            .server, [.character("s")], "s", hint: nil,
            "Every server of the organization with its role, connectors and listeners alive; Enter there shows its connectors (or click the title bar's [s])."
        ),
        KeyBinding(.startListener, [.character("l")], "l", hint: "Listener", "Start the bundled listener for this server in the background."),
        KeyBinding(.monitor, [.character("m")], "m", hint: "Monitor", "The live session monitor."),
        KeyBinding(.help, [.function(1), .character("?")], "F1 ?", hint: "Help", "This help."),
        KeyBinding(
            .quit, [.character("q"), .function(10), .control("q")], "q F10", hint: "Quit", "Quit (asks first if a dialog has unsaved changes)."),
        KeyBinding(
            .explain, [.character("x")], "x", hint: "Explain",
            "Explain which connector takes a connection from an address (and why the others don't), and what a session may do there."),
        KeyBinding(
            .usage, [.character("u")], "u", hint: "Usage",
            "Who used the selected connector over the retention (30 days): per remote address the HELO names, accounts, TLS, sessions, messages, relayed, rejected, first and last seen, newest first; from the listener, or the usage files when none runs."
        ),
        KeyBinding(.up, [.up, .character("k")], "Up k", hint: nil, "Previous connector."),
        KeyBinding(.down, [.down, .character("j")], "Down j", hint: nil, "Next connector."),
        KeyBinding(.pageUpList, [.pageUp], "PgUp", hint: nil, "Page up."),
        KeyBinding(.pageDownList, [.pageDown], "PgDn", hint: nil, "Page down."),
        KeyBinding(.home, [.home], "Home", hint: nil, "First connector."),
        KeyBinding(.end, [.end], "End", hint: nil, "Last connector."),
    ]

    public static let servers: [KeyBinding] = [
        KeyBinding(.showServer, [.enter], "Enter", hint: "Show connectors", "Show the selected server's receive connectors."),
        KeyBinding(.cancel, [.escape, .character("s"), .character("q")], "Esc s q", hint: "Back", "Back to the connector list as it was."),
        KeyBinding(
            .refresh, [.character("r"), .function(5)], "r F5", hint: nil, "Refresh now (changes made on any host also appear by themselves)."),
        KeyBinding(.help, [.function(1), .character("?")], "F1 ?", hint: "Help", "Help."),
        KeyBinding(.quit, [.function(10), .control("q")], "F10 C-q", hint: nil, "Quit Receptor."),
        KeyBinding(.up, [.up, .character("k")], "Up k", hint: nil, "Previous server (the pane below shows its listeners)."),
        KeyBinding(.down, [.down, .character("j")], "Down j", hint: nil, "Next server."),
        KeyBinding(.pageUpList, [.pageUp], "PgUp", hint: nil, "Page up."),
        KeyBinding(.pageDownList, [.pageDown], "PgDn", hint: nil, "Page down."),
        KeyBinding(.home, [.home], "Home", hint: nil, "First server."),
        KeyBinding(.end, [.end], "End", hint: nil, "Last server."),
    ]

    public static let dialog: [KeyBinding] = [
        KeyBinding(
            .reloadConnector, [.control("r")], "C-r", hint: "Reload",
            "In the edit dialog, when the connector was changed elsewhere: read it again (your changes are discarded)."),
        KeyBinding(.nextField, [.tab, .down], "Tab Down", hint: nil, "Next field (Down moves within a list or choice)."),
        KeyBinding(.previousField, [.backTab, .up], "S-Tab Up", hint: nil, "Previous field."),
        KeyBinding(.nextPage, [.pageDown], "PgDn", hint: "Next", "Next page (blocked, with the reason shown, while the page has errors)."),
        KeyBinding(.previousPage, [.pageUp], "PgUp", hint: "Back", "Previous page; in the edit dialog, the previous tab."),
        KeyBinding(.finish, [.control("s")], "C-s", hint: "Finish/Save", "Finish the wizard or save the dialog."),
        KeyBinding(.cancel, [.escape], "Esc", hint: "Cancel", "Cancel (asks first if something changed)."),
        KeyBinding(.add, [.character("a"), .insert], "a Ins", hint: "Add", "In a list: add an entry."),
        KeyBinding(.editItem, [.character("e")], "e Enter", hint: "Edit", "In a list: edit the selected entry."),
        KeyBinding(.removeItem, [.character("d"), .delete], "d Del", hint: "Remove", "In a list: remove the selected entry."),
        KeyBinding(.check, [.character(" ")], "Space", hint: nil, "Tick a check box or pick a choice."),
        KeyBinding(.activate, [.enter], "Enter", hint: nil, "Press the focused button; elsewhere, Next or Save."),
        KeyBinding(.quit, [.function(10), .control("q")], "F10 C-q", hint: nil, "Quit Receptor (asks first if something is unsaved)."),
        KeyBinding(.help, [.function(1)], "F1", hint: nil, "Help."),
    ]

    public static let monitor: [KeyBinding] = [
        KeyBinding(
            .monitorBack, [.escape, .character("m"), .character("q")], "Esc m q", hint: "Back",
            "Back: from a full-screen view to the table, from the table to the connector list."),
        KeyBinding(.monitorSwitch, [.tab, .backTab], "Tab", hint: "Sessions/Messages", "Switch between live sessions and recent messages."),
        KeyBinding(.monitorOpen, [.enter], "Enter", hint: "Open", "Open the selected session's transcript, or the selected message's headers."),
        KeyBinding(
            .monitorTranscript, [.character("t")], "t", hint: nil,
            "The transcript of the selected session, or of the session that sent the selected message."),
        KeyBinding(
            .monitorSort, [.character("o")], "o", hint: "Sort", "Sort sessions by the next column: started, connector, remote, state, idle, bytes."),
        KeyBinding(.monitorReverse, [.character("O")], "O", hint: nil, "Reverse the sort order."),
        KeyBinding(.monitorPause, [.character("p"), .character(" ")], "p Space", hint: "Pause", "Pause the screen (updates wait) or resume."),
        KeyBinding(.monitorFilter, [.character("/")], "/", hint: "Filter", "Filter sessions by connector, server or remote IP; Esc clears."),
        KeyBinding(
            .startListener, [.character("l")], "l", hint: "Listener",
            "Start the bundled listener for the selected server in the background (shown when none runs)."),
        KeyBinding(
            .explain, [.character("x")], "x", hint: nil,
            "Explain why the selected session landed on its connector: the Explain view for its remote address and local endpoint (under today's configuration)."
        ),
        KeyBinding(.help, [.function(1), .character("?")], "F1 ?", hint: "Help", "Help."),
        KeyBinding(.quit, [.function(10), .control("q")], "F10 C-q", hint: nil, "Quit Receptor."),
        KeyBinding(.up, [.up, .character("k")], "Up k", hint: nil, "Previous row; in a full-screen view, scroll up."),
        KeyBinding(.down, [.down, .character("j")], "Down j", hint: nil, "Next row; in a full-screen view, scroll down."),
        KeyBinding(.pageUpList, [.pageUp], "PgUp", hint: nil, "Page up."),
        KeyBinding(.pageDownList, [.pageDown], "PgDn", hint: nil, "Page down."),
        KeyBinding(.home, [.home], "Home", hint: nil, "First row; in a full-screen view, the top."),
        KeyBinding(.end, [.end], "End", hint: nil, "Last row; in a full-screen view, the end (follows new lines)."),
    ]

    public static let explain: [KeyBinding] = [
        KeyBinding(
            .explainRun, [.enter], "Enter", hint: "Explain",
            "Explain: the connector that takes a connection from the remote address on the local endpoint, why each other one bound there loses, and whether a session may submit, relay, must authenticate, must start TLS. A range (10.0.0.0/16) is split by the connector that takes each part."
        ),
        KeyBinding(
            .nextField, [.tab, .backTab], "Tab S-Tab", hint: "Next field",
            "Switch between the remote address and the local endpoint (25 means an address of the server no connector binds specifically; or 10.10.1.1:25)."
        ),
        KeyBinding(.cancel, [.escape], "Esc", hint: "Back", "Back to the connector list."),
        KeyBinding(.help, [.function(1)], "F1", hint: "Help", "Help."),
        KeyBinding(.quit, [.function(10), .control("q")], "F10 C-q", hint: nil, "Quit Receptor."),
        KeyBinding(.up, [.up], "Up", hint: nil, "Scroll the answer up."),
        KeyBinding(.down, [.down], "Down", hint: nil, "Scroll the answer down."),
        KeyBinding(.pageUpList, [.pageUp], "PgUp", hint: nil, "Page up."),
        KeyBinding(.pageDownList, [.pageDown], "PgDn", hint: nil, "Page down."),
    ]

    public static let usage: [KeyBinding] = [
        KeyBinding(.cancel, [.escape, .character("u"), .character("q")], "Esc u q", hint: "Back", "Back to the connector list."),
        KeyBinding(.refresh, [.character("r"), .function(5)], "r F5", hint: "Refresh", "Read the usage again."),
        KeyBinding(.help, [.function(1), .character("?")], "F1 ?", hint: "Help", "Help."),
        KeyBinding(.quit, [.function(10), .control("q")], "F10 C-q", hint: nil, "Quit Receptor."),
        KeyBinding(.up, [.up, .character("k")], "Up k", hint: nil, "Previous address (the line under the table shows it in full)."),
        KeyBinding(.down, [.down, .character("j")], "Down j", hint: nil, "Next address."),
        KeyBinding(.pageUpList, [.pageUp], "PgUp", hint: nil, "Page up."),
        KeyBinding(.pageDownList, [.pageDown], "PgDn", hint: nil, "Page down."),
    ]

    public static func table(_ context: KeyContext) -> [KeyBinding] {
        switch context {
        case .main: main
        case .servers: servers
        case .dialog: dialog
        case .monitor: monitor
        case .explain: explain
        case .usage: usage
        }
    }

    public static func action(for event: KeyEvent, in context: KeyContext) -> ConsoleAction? {
        table(context).first { $0.keys.contains(event) }?.action
    }

    public static func binding(_ action: ConsoleAction, in context: KeyContext) -> KeyBinding? {
        table(context).first { $0.action == action }
    }
}
