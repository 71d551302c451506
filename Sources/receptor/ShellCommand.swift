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
        With -c, runs one command line (pipelines included). Otherwise reads one command a line from standard \
        input and stops at the first failure, naming its line; on a terminal it is an interactive prompt with \
        history. Cmdlets: \(ReceptorHost.commandSummaries.map(\.name).joined(separator: ", ")); and Where-Object \
        (where, ?), ForEach-Object, Select-Object, Sort-Object, Format-List (fl), Format-Table (ft), \
        ConvertTo-Json, ConvertTo-SecureString, Measure-Object.
        """)

    @OptionGroup var options: StoreOptions

    @Option(name: .customShort("c"), help: ArgumentHelp("The command line to run.", valueName: "line"))
    var command: String?

    func run() throws {
        try refusing {
            let store = try options.openStore()
            let interactive = command == nil && Terminal.isInteractive(STDIN_FILENO)
            let ask: ((String) -> Bool)? = interactive ? { Shell.askYesNo($0) } : nil
            let context = ShellContext(
                store: store, requestedServer: options.serverName, hostName: Terminal.hostName,
                warn: { Terminal.error("WARNING: \($0)") }, confirm: ask)
            if let ms = ProcessInfo.processInfo.environment["RECEPTOR_TEST_WRITE_DELAY_MS"].flatMap(Int.init), ms > 0 {
                context.beforeSave = {
                    Terminal.error("test: read, saving in \(ms) ms")
                    Thread.sleep(forTimeInterval: Double(ms) / 1000)
                }
            }
            let session = PSSession(host: ReceptorHost(context: context), width: Terminal.width)

            if let command {
                try runLine(command, in: session, label: nil)
            } else if interactive {
                try InteractiveShell(session: session, store: store, context: context).loop()
            } else {
                var number = 0
                while let line = readLine(strippingNewline: true) {
                    number += 1
                    if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
                    try runLine(line, in: session, label: "line \(number)")
                }
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
