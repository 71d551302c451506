import Foundation
import EMSLanguage
import ReceptorStore
import ReceptorShell

/// The interactive prompt: `[PS] MBX01>`, a line editor with history (kept in the data directory) and Tab
/// completion, and errors that never end the session.
struct InteractiveShell {
    let session: PSSession
    let context: ShellContext

    func loop() throws {
        let current = try? context.currentServer().name
        let dataDirectory = context.dataDirectory(server: current)
        try? StoreLocation.createFolder(dataDirectory)
        let historyPath = (dataDirectory as NSString).appendingPathComponent("shell_history")
        let completer = TabCompleter(source: ShellCompletionSource(session: session, context: context))
        let editor = LineEditor(historyPath: historyPath, completer: completer)
        // Without libedit (it failed to start), lines are read plainly.
        let read: (String, String) -> LineEditor.Input = { prompt, earlier in
            if let editor { return editor.readLine(prompt: prompt, continuing: earlier) }
            print(prompt, terminator: "")
            fflush(nil)
            return Swift.readLine().map(LineEditor.Input.line) ?? .end
        }
        let server = current ?? "Receptor"
        print("Receptor shell \(ReceptorVersion.string) — Exchange Management Shell commands. Type help for the list, exit to leave.")
        reading: while true {
            var line: String
            switch read("[PS] \(server)> ", "") {
            case .line(let text): line = text
            case .interrupted: continue reading
            case .end: break reading
            }
            // A command left open (a trailing backtick, an open bracket or string) continues at `>> `.
            continuing: while ScriptInput.needsMoreInput(line) {
                switch read(">> ", line) {
                case .line(let more) where more.isEmpty: break continuing
                case .line(let more): line += "\n" + more
                case .interrupted: continue reading  // Ctrl-C abandons the whole command
                case .end: break reading
                }
            }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            if ["exit", "quit"].contains(trimmed.lowercased()) { break }
            do {
                session.width = Terminal.width
                // `help` alone, as PowerShell has it: the list of cmdlets (Get-Help).
                for out in try session.run(trimmed.lowercased() == "help" ? "Get-Help" : line) { print(out) }
            } catch {
                Terminal.error("\(error)")
            }
        }
    }
}
