import ArgumentParser
import Foundation
import EMSLanguage
import ReceptorCore
import ReceptorStore
import ReceptorShell

struct Shell: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run Exchange Management Shell commands against the store.",
        discussion: """
            With -c, runs one command line (pipelines included); with -File (or a script path) runs a .ps1 script: \
            comments, blank lines, variables, and commands continued on the next line (a trailing backtick, or an \
            open {, (, @( or @{), stopping at the first error as FILE:LINE. Otherwise reads commands from standard \
            input the same way, naming the line of a failure; on a terminal it is an interactive prompt with \
            history (>> continues a command). Cmdlets: \(ReceptorHost.commandSummaries.map(\.name).joined(separator: ", ")); and Where-Object \
            (where, ?), ForEach-Object, Select-Object, Sort-Object, Format-List (fl), Format-Table (ft), \
            ConvertTo-Json, ConvertTo-SecureString, Measure-Object.
            """)

    @OptionGroup var options: StoreOptions

    @Option(name: .customShort("c"), help: ArgumentHelp("The command line to run.", valueName: "line"))
    var command: String?

    @Option(name: [.customLong("File", withSingleDash: true), .customLong("file")], help: ArgumentHelp("A script to run (.ps1).", valueName: "path"))
    var file: String?

    @Argument(help: ArgumentHelp("A script to run, as with -File.", valueName: "script"))
    var script: String?

    func validate() throws {
        if file != nil && script != nil { throw ValidationError("Give the script once: -File PATH or PATH.") }
        if command != nil && (file ?? script) != nil { throw ValidationError("Give -c or a script, not both.") }
    }

    func run() throws {
        try refusing {
            let store = try options.openStore()
            let scriptPath = file ?? script
            let interactive = command == nil && scriptPath == nil && Terminal.isInteractive(STDIN_FILENO)
            let ask: ((String) -> Bool)? = interactive ? { Shell.askYesNo($0) } : nil
            let context = ShellContext(
                store: store, requestedServer: options.serverName, hostName: Terminal.hostName,
                warn: { Terminal.error("WARNING: \($0)") }, confirm: ask)
            context.explicitDataDirectory = options.explicitDataDirectory
            if let ms = ProcessInfo.processInfo.environment["RECEPTOR_TEST_WRITE_DELAY_MS"].flatMap(Int.init), ms > 0 {
                context.beforeSave = {
                    Terminal.error("test: read, saving in \(ms) ms")
                    Thread.sleep(forTimeInterval: Double(ms) / 1000)
                }
            }
            let session = PSSession(host: ReceptorHost(context: context), width: Terminal.width)

            if let command {
                try runLine(command, in: session, label: nil)
            } else if let scriptPath {
                let text: String
                do { text = try String(contentsOfFile: scriptPath, encoding: .utf8) } catch {
                    throw Failure("Cannot read the script \(scriptPath): \((error as NSError).localizedDescription)")
                }
                let name = (scriptPath as NSString).lastPathComponent
                for command in ScriptInput.commands(in: text) {
                    try runLine(command.text, in: session, label: "\(name):\(command.line)")
                }
            } else if interactive {
                try InteractiveShell(session: session, context: context).loop()
            } else {
                // Standard input, a command at a time; a command may continue on the lines after it.
                var number = 0, start = 0
                var pending: [String] = []
                while let line = readLine(strippingNewline: true) {
                    number += 1
                    if pending.isEmpty {
                        let trimmed = line.trimmingCharacters(in: .whitespaces)
                        if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
                        start = number
                    }
                    pending.append(line)
                    let text = pending.joined(separator: "\n")
                    if ScriptInput.needsMoreInput(text) { continue }
                    pending = []
                    try runLine(text, in: session, label: "line \(start)")
                }
                if !pending.isEmpty { try runLine(pending.joined(separator: "\n"), in: session, label: "line \(start)") }
            }
        }
    }

    func runLine(_ line: String, in session: PSSession, label: String?) throws {
        do {
            for out in try session.run(line) { print(out) }
        } catch {
            throw Failure(label.map { "\($0): \(error)" } ?? "\(error)")
        }
    }

    static func askYesNo(_ question: String) -> Bool {
        print("\nConfirm\n\(question)\n[Y] Yes  [N] No (default is \"N\"): ", terminator: "")
        fflush(nil)
        let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        return answer == "y" || answer == "yes"
    }
}
