import ReceptorControl
import ReceptorCore

/// The console's one yes/no question, asked before something that loses work or data: deleting a connector,
/// discarding a new connector or a dialog's changes, quitting with a dialog unsaved. The same keys
/// everywhere: `y` does what the question names; Enter, `n` and Esc give the safe answer, the one that loses
/// nothing. Other keys are ignored while it shows, and clicks do not reach what it covers.
struct ConfirmPrompt: Hashable {
    enum Answer: Hashable { case confirm, decline }

    let title: String
    /// What is about to happen, one line each.
    let lines: [String]
    /// What `y` does ("delete") and what the safe answer does ("keep it"), for the keys line.
    let confirmLabel: String
    let declineLabel: String
    /// The traffic the action moves (the impact preview), shown under the lines; nil: not about traffic.
    var impact: [TrafficChange]? = nil

    /// The keys line, the same in every prompt but for the two labels.
    var keysLine: String { "y = \(confirmLabel); Enter, n or Esc = \(declineLabel)" }

    /// The answer a key gives, or nil for a key the prompt ignores.
    static func answer(to event: KeyEvent) -> Answer? {
        switch event {
        case .character("y"), .character("Y"): .confirm
        case .character("n"), .character("N"), .enter, .escape: .decline
        default: nil
        }
    }

    /// Draws the prompt in a box in the middle of the screen (above the hint bar) and takes the clicks from
    /// what it covers.
    /// An impact preview longer than the screen is cut, with a line saying how much more there is.
    func render(_ canvas: Canvas, hits: HitMap) {
        hits.reset()
        let w = min(impact == nil ? 70 : 76, canvas.columns - 4)
        var body: [(String, CellStyle)] = lines.flatMap { Canvas.wrap($0, w - 4).map { ($0, CellStyle.normal) } }
        if let impact {
            body.append(("", .normal))
            body.append((ImpactLines.heading, CellStyle(.header, bold: true)))
            body += ImpactLines.lines(impact, width: w - 6).map { ("  " + $0.0, $0.1) }
        }
        // The box fits above the hint bar: borders and margins take four rows, the keys line two.
        let room = max(1, canvas.rows - 1 - 4 - 2)
        if body.count > room {
            let more = body.count - (room - 1)
            body = Array(body.prefix(room - 1))
            body.append(("… \(more) more line\(more == 1 ? "" : "s") (the shell's -WhatIf lists every move)", CellStyle(.dim)))
        }
        let text = body + [("", .normal), (keysLine, CellStyle.normal)]
        let h = text.count + 4
        let left = (canvas.columns - w) / 2, top = max(0, (canvas.rows - h) / 2)
        canvas.box(row: top, column: left, width: w, height: h, title: title)
        for (i, line) in text.enumerated() { canvas.text(line.0, row: top + 2 + i, column: left + 2, width: w - 4, style: line.1) }
    }

    // MARK: The four questions

    static func delete(_ c: ReceiveConnector, impact: [TrafficChange]) -> ConfirmPrompt {
        ConfirmPrompt(
            title: "Delete receive connector",
            lines: [
                "Delete \"\(c.name)\" from \(c.server)? This can't be undone.",
                "Shell: " + ConsoleApp.removeCommand(c),
            ],
            confirmLabel: "delete", declineLabel: "keep it", impact: impact)
    }

    /// Enabling or disabling a connector, asked when it moves traffic.
    static func toggle(_ c: ReceiveConnector, impact: [TrafficChange]) -> ConfirmPrompt {
        let verb = c.enabled ? "disable" : "enable"
        return ConfirmPrompt(
            title: c.enabled ? "Disable receive connector" : "Enable receive connector",
            lines: [
                "\(verb.capitalized) \"\(c.name)\" on \(c.server)?",
                "Shell: " + ConsoleApp.enableCommand(c, enabled: !c.enabled),
            ],
            confirmLabel: verb, declineLabel: "leave it \(c.enabled ? "enabled" : "disabled")", impact: impact)
    }

    /// Saving the edit dialog, asked when the change moves traffic.
    static func save(_ c: ReceiveConnector, command: String?, impact: [TrafficChange]) -> ConfirmPrompt {
        ConfirmPrompt(
            title: "Save receive connector",
            lines: ["Save your changes to \"\(c.name)\"?"] + (command.map { ["Shell: " + $0] } ?? []),
            confirmLabel: "save", declineLabel: "keep editing", impact: impact)
    }

    static let discardNewConnector = ConfirmPrompt(
        title: "Cancel", lines: ["Discard this new connector? Nothing has been written yet."],
        confirmLabel: "discard it", declineLabel: "keep editing")

    static let discardChanges = ConfirmPrompt(
        title: "Cancel", lines: ["Discard your changes to this connector?"],
        confirmLabel: "discard them", declineLabel: "keep editing")

    static let quit = ConfirmPrompt(
        title: "Quit", lines: ["A dialog has unsaved changes. Quit anyway and discard them?"],
        confirmLabel: "quit", declineLabel: "go back")
}
