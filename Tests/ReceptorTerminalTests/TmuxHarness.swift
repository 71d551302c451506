import Foundation
import XCTest

/// Drives a program in a detached tmux session for end-to-end tests of the real curses path.
///
/// Each harness uses its own tmux server socket (`tmux -L`) and an empty configuration, so tests never meet
/// another tmux user's sessions or settings. The pane runs bash with a clean environment and a small rc
/// file; the program is started from it and `report` then prints `DEMO-EXIT rc=<status> tty=<restored|changed>`
/// (comparing `stty -g` with the shell's modes). `close()` stops the program by its PID if it still runs,
/// then kills the session by name.
final class TmuxHarness {
    let socket: String
    let session: String
    let directory: URL
    var pidFile: URL { directory.appendingPathComponent("termdemo.pid") }
    var eventLog: URL { directory.appendingPathComponent("events.log") }
    private var closed = false

    /// The format `flags()` reads: what a curses program changes in the terminal and must put back.
    static let terminalFlags =
        "alternate=#{alternate_on} cursor=#{cursor_flag} keypad=#{keypad_flag} "
        + "keypadCursor=#{keypad_cursor_flag} mouse=#{mouse_any_flag}"

    init(name: String, columns: Int = 100, rows: Int = 30, environment: [String: String]) throws {
        let unique = "\(getpid())-\(name)"
        socket = "receptor-termtest-\(unique)"
        session = "termtest-\(name)"
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("receptor-termtest-\(unique)")
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // bash runs the program itself (no wrapper process in the job, so on Ctrl-Z bash sees the program
        // stop, after it has restored the terminal); `report` compares the tty modes with the shell's.
        let rcFile = directory.appendingPathComponent("bashrc")
        try """
        PS1='$ '
        unset HISTFILE
        shell_modes=$(stty -g)
        report() {
            if [ "$shell_modes" = "$(stty -g)" ]; then tty=restored; else tty=changed; fi
            echo "DEMO-EXIT rc=$1 tty=$tty"
        }

        """.write(to: rcFile, atomically: true, encoding: .utf8)

        var variables = [
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": directory.path,
            "TERM": "tmux-256color",
            "LANG": "C.UTF-8",
        ]
        variables.merge(environment) { _, new in new }
        let assignments = variables.keys.sorted().map { "\($0)=\(Self.shellQuoted(variables[$0]!))" }
        let command = "env -i \(assignments.joined(separator: " ")) bash --noprofile --rcfile \(Self.shellQuoted(rcFile.path)) -i"
        _ = try tmux(["new-session", "-d", "-s", session, "-x", "\(columns)", "-y", "\(rows)", command])
        try waitFor("the shell prompt") { try self.capture().contains("$") }
    }

    /// Starts the program from the pane's shell; when it ends (or stops), the shell prints
    /// `DEMO-EXIT rc=<status> tty=<restored|changed>`.
    func launch(_ executable: String, arguments: [String] = []) throws {
        let words = [executable, "--pid-file", pidFile.path, "--event-log", eventLog.path] + arguments
        try sendLiteral(words.map(Self.shellQuoted).joined(separator: " ") + "; report $?")
        try sendKeys("Enter")
    }

    /// Types a shell command and Enter.
    func type(_ command: String) throws {
        try sendLiteral(command)
        try sendKeys("Enter")
    }

    /// tmux key names: "Down", "C-z", "F5", "Enter".
    func sendKeys(_ keys: String...) throws {
        _ = try tmux(["send-keys", "-t", session] + keys)
    }

    /// Text typed as is (UTF-8, or escape sequences such as a mouse report).
    func sendLiteral(_ text: String) throws {
        _ = try tmux(["send-keys", "-t", session, "-l", text])
    }

    /// The pane's text; with `escapes`, with its colours and attributes as SGR sequences.
    func capture(escapes: Bool = false) throws -> String {
        try tmux(["capture-pane", "-t", session, "-p"] + (escapes ? ["-e"] : []))
    }

    func lines() throws -> [String] {
        try capture().components(separatedBy: "\n")
    }

    func display(_ format: String) throws -> String {
        try tmux(["display-message", "-t", session, "-p", format]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func flags() throws -> String {
        try display(Self.terminalFlags)
    }

    func resize(columns: Int, rows: Int) throws {
        _ = try tmux(["resize-window", "-t", session, "-x", "\(columns)", "-y", "\(rows)"])
    }

    /// The program's PID (from its --pid-file), once it has written it.
    func programPID() throws -> pid_t {
        var pid: pid_t = 0
        try waitFor("the pid file") {
            let text = (try? String(contentsOf: self.pidFile, encoding: .utf8)) ?? ""
            pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            return pid > 0
        }
        return pid
    }

    func events() -> [String] {
        let text = (try? String(contentsOf: eventLog, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    /// Polls until `condition` holds (the pane has settled), failing after `timeout` seconds with the pane.
    func waitFor(
        _ what: String, timeout: TimeInterval = 10, file: StaticString = #filePath, line: UInt = #line,
        _ condition: () throws -> Bool
    ) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            usleep(30_000)
        }
        let pane = (try? capture()) ?? "(no pane)"
        XCTFail("timed out waiting for \(what); pane:\n\(pane)\nevents: \(events())", file: file, line: line)
        throw HarnessError.timeout(what)
    }

    func waitForText(_ text: String, timeout: TimeInterval = 10, file: StaticString = #filePath, line: UInt = #line) throws {
        try waitFor("\"\(text)\"", timeout: timeout, file: file, line: line) { try self.capture().contains(text) }
    }

    func waitForEvent(_ event: String, file: StaticString = #filePath, line: UInt = #line) throws {
        try waitFor("event \(event)", file: file, line: line) { self.events().last == event }
    }

    /// Stops the program if it still runs (by PID), then kills the session (by name) and its files.
    func close() {
        guard !closed else { return }
        closed = true
        if let text = try? String(contentsOf: pidFile, encoding: .utf8),
            let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0, kill(pid, 0) == 0
        {
            kill(pid, SIGCONT)
            kill(pid, SIGKILL)
        }
        _ = try? tmux(["kill-session", "-t", session])
        // The pane's shell may still be exiting; retry until its files are gone.
        for _ in 0..<20 {
            try? FileManager.default.removeItem(at: directory)
            if !FileManager.default.fileExists(atPath: directory.path) { break }
            usleep(50_000)
        }
    }

    deinit {
        close()
    }

    enum HarnessError: Error {
        case timeout(String)
        case tmuxFailed([String], Int32, String)
        case spawnFailed(String, Int32)
    }

    /// Runs one tmux command, its output through files. Not Foundation's `Process`: on Linux its
    /// `waitUntilExit` can miss the exit of a client that has just forked the tmux server (the server
    /// inherits the descriptors), so this spawns and waits itself.
    @discardableResult
    private func tmux(_ arguments: [String]) throws -> String {
        let outputFile = directory.appendingPathComponent("tmux.out").path
        let errorFile = directory.appendingPathComponent("tmux.err").path
        let status = try Self.spawnAndWait(
            ["tmux", "-L", socket, "-f", "/dev/null"] + arguments,
            output: outputFile, errors: errorFile)
        let text = (try? String(contentsOfFile: outputFile, encoding: .utf8)) ?? ""
        guard status == 0 else {
            let message = (try? String(contentsOfFile: errorFile, encoding: .utf8)) ?? ""
            throw HarnessError.tmuxFailed(arguments, status, message)
        }
        return text
    }

    /// posix_spawnp with stdin from /dev/null and stdout/stderr to files; returns the exit status.
    private static func spawnAndWait(_ arguments: [String], output: String, errors: String) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errors, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let environment = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, arguments[0], &actions, nil, argv, envp)
        guard spawned == 0 else { throw HarnessError.spawnFailed(arguments[0], spawned) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { throw HarnessError.spawnFailed(arguments[0], errno) }
        }
        // WIFEXITED / WEXITSTATUS, spelled out (macros do not import).
        return status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }

    static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
