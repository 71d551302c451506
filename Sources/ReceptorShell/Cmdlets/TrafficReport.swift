import Foundation
import ReceptorControl
import ReceptorCore

/// How the shell shows `ImpactPreview` (ImpactReport's wording, the console's too): every move under -WhatIf,
/// with the evidence of the usage the listeners recorded in the data directory; after a real change, a
/// warning for the clients that no connector takes any more (they will be refused).
enum TrafficReport {
    static func say(_ moves: [ImpactPreview.Move], before: [some ConnectorRouting], context: ShellContext, whatIf: Bool) {
        if whatIf {
            if moves.isEmpty { context.say("What if:   \(ImpactReport.nothingMoves)") }
            let dataDirectory = (context.store.path as NSString).deletingLastPathComponent
            let usage = moves.isEmpty ? [] : ReceptorControl.ConnectorUsage.read(dataDirectory: dataDirectory, days: ImpactReport.evidenceDays)
            for change in ImpactReport.changes(moves, connectors: before, usage: usage) {
                for line in change.lines { context.say("What if:   \(line)") }
            }
        } else {
            let refused = moves.filter(\.losesService)
            for change in ImpactReport.changes(refused, connectors: before, usage: []) { context.warn(change.sentence) }
        }
    }
}
