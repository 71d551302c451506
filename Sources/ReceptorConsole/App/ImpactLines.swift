import ReceptorControl
import ReceptorCore

/// An impact preview: the traffic a change moves (files that must not import ReceptorControl, whose
/// `ConnectorUsage` would hide the domain's, name it by this).
typealias TrafficPreview = [TrafficChange]

/// How the console draws an impact preview (ImpactReport's sentences, the shell's -WhatIf wording): each
/// move wrapped to the width, its evidence under it; a move that leaves clients with no connector in the
/// error colour and bold, so it can't be missed.
enum ImpactLines {
    static let heading = "Traffic that changes hands:"

    static func lines(_ changes: [TrafficChange], width: Int) -> [(String, CellStyle)] {
        guard !changes.isEmpty else { return [(ImpactReport.nothingMoves, CellStyle(.dim))] }
        var out: [(String, CellStyle)] = []
        for change in changes {
            let style = change.isLoud ? CellStyle(.error, bold: true) : .normal
            out += Canvas.wrap(change.sentence, width).map { ($0, style) }
            if let evidence = change.evidence {
                out += Canvas.wrap(evidence, width - 2).map { ("  " + $0, change.isLoud ? style : CellStyle(.success)) }
            }
        }
        return out
    }
}
