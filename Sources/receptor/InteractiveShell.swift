import Foundation
import EMSLanguage
import ReceptorStore
import ReceptorShell

/// The interactive prompt: `[PS] MBX01>`, a line editor with history (kept in the data directory), and
/// errors that never end the session.
struct InteractiveShell {
    let session: PSSession
    let store: any ConfigStore
    let context: ShellContext

    func loop() throws {
        let current = try? context.currentServer().name
        let dataDirectory = context.dataDirectory(server: current)
        try? StoreLocation.createFolder(dataDirectory)
        let editor = LineEditor(historyPath: "\(dataDirectory)/shell_history")
        let server = current ?? "Receptor"
        print("Receptor shell \(ReceptorVersion.string) — Exchange Management Shell commands. Type help for the list, exit to leave.")
        while var line = editor.readLine(prompt: "[PS] \(server)> ") {
            // A command left open (a trailing backtick, an open bracket or string) continues at `>> `.
            while ScriptInput.needsMoreInput(line), let more = editor.readLine(prompt: ">> ") {
                if more.isEmpty { break }
                line += "\n" + more
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
