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
    func render(_ canvas: Canvas, hits: HitMap) {
        hits.reset()
        let text = lines + ["", keysLine]
        let w = min(70, canvas.columns - 4), h = text.count + 4
        let left = (canvas.columns - w) / 2, top = max(0, (canvas.rows - h) / 2)
        canvas.box(row: top, column: left, width: w, height: h, title: title)
        for (i, line) in text.enumerated() { canvas.text(line, row: top + 2 + i, column: left + 2, width: w - 4) }
    }

    // MARK: The four questions

    static func delete(_ c: ReceiveConnector) -> ConfirmPrompt {
        ConfirmPrompt(
            title: "Delete receive connector",
            lines: [
                "Delete \"\(c.name)\" from \(c.server)? This can't be undone.",
                "Shell: " + ConsoleApp.removeCommand(c),
            ],
            confirmLabel: "delete", declineLabel: "keep it")
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
