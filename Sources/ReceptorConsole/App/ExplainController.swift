import Foundation
import ReceptorCore

/// The Explain view (x on the connector list): which connector takes a connection from a remote address on a
/// local endpoint, why each other connector bound there lost, and what a session may do on the winner. The
/// reasoning is the shell's Test-ReceiveConnector's, reused: `ConnectionExplainer` (the listener's own
/// selection) and `SessionRights` (the listener's permission model with the connector's explicit entries).
/// A range typed instead of an address is split by the connector that takes each part.
final class ExplainController {
    enum Focus { case remote, endpoint }
    enum Outcome: Equatable { case none, closed }

    /// One line of the answer before wrapping: a label column and its value, or (label nil) a full-width line.
    struct Row: Equatable {
        var label: String?
        var text: String
        var style: CellStyle = .normal
        var indent = 0
    }

    let server: Server
    /// The server's connectors; the app replaces them when the store changes, and the answer follows.
    private(set) var connectors: [ReceiveConnector] { didSet { routes = connectors.map(ConnectorRoute.init) } }
    /// Their routing, what the explainer reads: its candidates carry these, not copies of whole connectors.
    private var routes: [ConnectorRoute]
    private let permissions: (UUID) throws -> [PermissionEntry]
    var remote = TextField()
    var endpoint = TextField("25")
    var focus: Focus = .remote
    /// One line: what is wrong with the fields (nothing else is drawn then).
    private(set) var error: String?
    /// The answer to the last Enter; empty before the first one and after an error.
    private(set) var rows: [Row] = [] { didSet { wrapCache = nil } }
    /// The answer's candidates, drawn after `rows` (two rows each: the connector and its outcome, the detail).
    /// Their rows are made only as they scroll into view: with 10,000 candidates, making and wrapping 20,000
    /// rows on Enter took longer than the console's 10 ms a key.
    private(set) var candidates: [ConnectionExplanation<ConnectorRoute>.Candidate] = [] { didSet { wrapCache = nil } }
    /// One line of the answer as drawn (`wrapped(width:)`).
    typealias WrappedLine = (label: String, text: String, column: Int, style: CellStyle)
    /// The answer's lines for one width: `rows` wrapped, and where each candidate's lines start after them.
    struct WrappedAnswer {
        var head: [WrappedLine]
        /// The first line of each candidate, counted after `head`, and the total after the last one.
        var candidateStarts: [Int]
        var count: Int { head.count + (candidateStarts.last ?? 0) }
    }
    /// The answer wrapped for the last width drawn: once per answer, not on every key.
    var wrapCache: (width: Int, answer: WrappedAnswer)?
    var scroll = 0
    /// Answer lines visible at once (set when drawn; page keys move by it).
    var pageRows = 10

    init(server: Server, connectors: [ReceiveConnector], permissions: @escaping (UUID) throws -> [PermissionEntry]) {
        self.server = server
        self.connectors = connectors
        self.routes = connectors.map(ConnectorRoute.init)
        self.permissions = permissions
    }

    /// The store changed: explain the same question again over the new connectors.
    func update(connectors new: [ReceiveConnector]) {
        connectors = new
        if !rows.isEmpty { run(keepScroll: true) }
    }

    func handle(_ event: KeyEvent) -> Outcome {
        switch KeyTable.action(for: event, in: .explain) {
        case .cancel?: return .closed
        case .nextField?: focus = focus == .remote ? .endpoint : .remote; return .none
        case .explainRun?: run(); return .none
        case .up?: scroll = max(0, scroll - 1); return .none
        case .down?: scroll += 1; return .none
        case .pageUpList?: scroll = max(0, scroll - max(1, pageRows - 1)); return .none
        case .pageDownList?: scroll += max(1, pageRows - 1); return .none
        default: break
        }
        var field = focus == .remote ? remote : endpoint
        if field.handle(event) {
            if focus == .remote { remote = field } else { endpoint = field }
        }
        return .none
    }

    /// Reads both fields and answers, or sets the one-line error and draws no answer.
    func run(keepScroll: Bool = false) {
        rows = []
        candidates = []
        error = nil
        if !keepScroll { scroll = 0 }
        let local: (address: IPAddress?, port: Int)
        do { local = try ConnectionExplainer.localEndpoint(parsing: endpoint.text) } catch {
            self.error = "Local endpoint: \(error.description)"
            return
        }
        let text = remote.text.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else {
            error = "Remote address: type an IP address such as 17.17.17.5, or a range such as 10.0.0.0/16 to split."
            return
        }
        if let address = try? IPAddress(parsing: text) {
            explain(address, local)
            return
        }
        guard text.contains("/") || text.contains("-") else {
            do { _ = try IPAddress(parsing: text) } catch { self.error = "Remote address: \(error.description)" }
            return
        }
        do { split(try IPRange(parsing: text), local) } catch { self.error = "Remote address: \(error.description)" }
    }

    private func endpointText(_ local: (address: IPAddress?, port: Int)) -> String {
        guard let address = local.address else { return "port \(local.port) on an address of \(server.name) that no connector binds specifically" }
        return IPBinding(address: address, port: local.port).description
    }

    private func explain(_ address: IPAddress, _ local: (address: IPAddress?, port: Int)) {
        let e = ConnectionExplainer.explain(connectors: routes, localAddress: local.address, localPort: local.port, remoteAddress: address)
        var out: [Row] = []
        if let route = e.selected, let winner = connectors.first(where: { $0.guid == route.guid }) {
            let entries: [PermissionEntry]
            do { entries = try permissions(winner.guid) } catch {
                self.error = "Couldn't read the permissions of \(winner.name): \(error.consoleMessage)"
                return
            }
            let rights = SessionRights(connector: winner, explicitEntries: entries, domain: server.domain)
            out.append(Row(label: "Connector", text: winner.identity.description, style: CellStyle(.success, bold: true)))
            out.append(Row(label: "Reason", text: e.reason))
            out.append(Row(label: "Matched binding", text: e.matchedBinding?.description ?? "-"))
            out.append(Row(label: "Matched range", text: e.matchedRange?.description ?? "-"))
            out.append(Row(label: nil, text: "A session there, before AUTH:", style: CellStyle(.header, bold: true)))
            func yesNo(_ label: String, _ value: Bool) { out.append(Row(label: "  " + label, text: value ? "yes" : "no")) }
            yesNo("May submit", rights.maySubmit)
            yesNo("May relay", rights.canRelayAnonymously)
            yesNo("Must authenticate", rights.requiresAuthentication)
            yesNo("Must start TLS", rights.requiresTls)
        } else {
            out.append(Row(label: "Connector", text: "none: the listener closes the connection at once", style: CellStyle(.warning, bold: true)))
            out.append(Row(label: "Reason", text: e.reason))
        }
        out.append(
            Row(
                label: nil,
                text: e.candidates.isEmpty
                    ? "No connector is bound to \(endpointText(local))."
                    : "Candidates, every connector bound to the endpoint (\(e.candidates.count)):", style: CellStyle(.header, bold: true)))
        rows = out
        candidates = e.candidates
    }

    static let candidateSeparator = " — "

    /// A candidate's two rows: the connector with its outcome, and why.
    static func rows(of c: ConnectionExplanation<ConnectorRoute>.Candidate) -> (title: Row, detail: Row) {
        (
            Row(
                label: nil, text: "\(c.connector.identity)\(candidateSeparator)\(c.outcome.rawValue)",
                style: c.outcome == .selected ? CellStyle(.success, bold: true) : .normal, indent: 2),
            Row(label: nil, text: c.detail, style: CellStyle(.dim), indent: 4)
        )
    }

    private func split(_ range: IPRange, _ local: (address: IPAddress?, port: Int)) {
        let shares = ConnectionExplainer.split(range, connectors: connectors, localAddress: local.address, localPort: local.port)
        var out: [Row] = [
            Row(label: "Remote range", text: range.description),
            Row(label: "Local endpoint", text: endpointText(local)),
            Row(label: nil, text: "Who takes each part (\(shares.count)):", style: CellStyle(.header, bold: true)),
        ]
        let arrow = "→"
        for share in shares {
            let who = share.connector.map(\.identity.description) ?? "none: the listener closes these connections at once"
            out.append(
                Row(label: nil, text: "\(share.text) \(arrow) \(who)", style: share.connector == nil ? CellStyle(.warning) : .normal, indent: 2))
        }
        rows = out
    }
}
