/// What a key handler asks the main loop to do (htop): the loop decides how. Redrawing is implied after
/// every event; these are the extras.
public enum ConsoleEffect: Hashable, Sendable {
    /// Leave the console (the loop restores the terminal).
    case quit
    /// Re-read the store and the listener status now (the loop calls `ConsoleApp.reload()` or `refresh(from:)`).
    case refreshNow
    /// Start the bundled listener for this server in the background, its log in the data directory.
    case startListener(server: String)
    /// Ring the terminal bell (an unavailable action; the reason is on the status line).
    case bell
}
