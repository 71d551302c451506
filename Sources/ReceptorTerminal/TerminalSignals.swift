#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import CNCursesShim
import Synchronization

/// Restores the terminal on the ways out that bypass `CursesTerminal.stop()`.
///
/// - SIGINT, SIGTERM, SIGHUP, SIGQUIT: `endwin()`, then the signal is raised again with its default action, so
///   the process ends as the signal says (a shell sees 130 for SIGINT). One the process started with
///   ignored (`nohup`, `&`) stays ignored.
/// - SIGTSTP (Ctrl-Z in cbreak mode, or `CursesTerminal.suspend()`): `endwin()`, then SIGTSTP with the default
///   action stops the process; when it continues, the handler is put back.
/// - SIGCONT: marks a resume; the driver's next `nextEvent` repaints (and takes a size change made while
///   stopped) and returns `.resize` so the app redraws.
/// - SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGABRT (crashes; Swift's `fatalError` and failed
///   preconditions trap as SIGILL on x86-64 and SIGTRAP on arm64): `endwin()`, then the action that was
///   there before (Swift's backtracer, or the default) takes the signal.
/// - `atexit`: `endwin()` if curses is still active when the process exits without `stop()`.
///
/// `endwin()` is not async-signal-safe by POSIX; ncurses' own handlers call it the same way and in practice it
/// only writes the terminal's reset strings and restores the saved termios. If a signal arrives while the
/// main thread is inside curses, the screen may be left half-drawn; the terminal modes are still restored.
/// On a crash, Swift's backtracer (the action saved before ours) prints its report after the restore, on
/// the normal screen (seen with tmux); but the one-line "Fatal error: …" message that the runtime prints
/// *before* trapping goes to the alternate screen and is lost when `endwin()` leaves it: run with
/// `2>file` to keep it. SIGKILL cannot be caught (`reset` or `stty sane` then).
enum TerminalSignals {
    /// Curses is initialised and not stopped: the handlers restore only then.
    static let cursesActive = Atomic<Bool>(false)
    /// Set by SIGCONT (and after a SIGTSTP stop): the driver repaints and reports `.resize`.
    static let resumePending = Atomic<Bool>(false)
    private static let installed = Atomic<Bool>(false)
    /// The actions the handlers replaced, by signal number (allocated once, before any handler runs; read
    /// in handlers without retain or allocation).
    nonisolated(unsafe) fileprivate static var savedActions: UnsafeMutablePointer<sigaction>?
    fileprivate static let signalSlots = 65

    static let exitSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]
    static let crashSignals: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGABRT]

    /// Installs the handlers and the atexit hook, once per process.
    static func install() {
        // Touch the atomics first: their lazy initialisation must not happen inside a handler.
        _ = cursesActive.load(ordering: .relaxed)
        _ = resumePending.load(ordering: .relaxed)
        guard !installed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let saved = UnsafeMutablePointer<sigaction>.allocate(capacity: signalSlots)
        saved.initialize(repeating: sigaction(), count: signalSlots)
        savedActions = saved
        // A signal the process was started with ignored (nohup, `&`) stays ignored.
        for signal in exitSignals + [SIGTSTP] {
            if shim_install_handler(signal, handleTerminalSignal, saved + Int(signal)) == 0,
                shim_action_ignores(saved + Int(signal)) != 0
            {
                _ = shim_set_action(signal, saved + Int(signal))
            }
        }
        for signal in [SIGCONT] + crashSignals {
            _ = shim_install_handler(signal, handleTerminalSignal, saved + Int(signal))
        }
        atexit {
            restoreTerminalIfActive()
        }
    }
}

/// `endwin()` if curses is active and not already ended; SIGTTOU is blocked meanwhile, so this works even
/// when a wrapper shell has taken the terminal back already (it saw its script stop or die first).
private func restoreTerminalIfActive() {
    if TerminalSignals.cursesActive.load(ordering: .relaxed) && !isendwin() {
        _ = shim_endwin_from_anywhere()
    }
}

/// The one handler for every signal above (a C function pointer: no captures, no allocation).
private func handleTerminalSignal(_ signal: Int32) {
    switch signal {
    case SIGTSTP:
        restoreTerminalIfActive()
        shim_set_default_handler(SIGTSTP)
        shim_unblock_signal(SIGTSTP)  // blocked while its handler runs; the default action must act now
        raise(SIGTSTP)  // stops here until SIGCONT
        _ = shim_install_handler(SIGTSTP, handleTerminalSignal, nil)
        TerminalSignals.resumePending.store(true, ordering: .relaxed)
    case SIGCONT:
        TerminalSignals.resumePending.store(true, ordering: .relaxed)
    case SIGINT, SIGTERM, SIGHUP, SIGQUIT:
        restoreTerminalIfActive()
        shim_set_default_handler(signal)
        raise(signal)  // delivered when the handler returns: the process ends with this signal
    default:
        // A crash: restore, then let the previous action take it. A fault re-executes the faulting
        // instruction when the handler returns; abort() has to be raised again.
        restoreTerminalIfActive()
        if let saved = TerminalSignals.savedActions, signal < TerminalSignals.signalSlots {
            _ = shim_set_action(signal, saved + Int(signal))
        } else {
            shim_set_default_handler(signal)
        }
        if signal == SIGABRT { raise(signal) }
    }
}
