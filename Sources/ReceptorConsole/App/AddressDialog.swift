import ReceptorCore

/// The wizard's and the Scoping tab's small dialogs: *Edit IP address* for a binding (All available IPv4, or
/// a specific IPv4/IPv6 address, and the port) and *Add IP address* for one remote address, range or CIDR.
final class AddressDialog {
    enum Kind { case binding, remote }
    enum Value { case binding(IPBinding), range(IPRange) }
    enum Outcome { case none, saved(Value), cancelled }
    enum Parsed { case success(Value), failure(String) }
    enum Focus: Int { case allIPv4, specific, address, port, save, cancel }

    let kind: Kind
    let title: String
    var allIPv4: Bool
    var address: TextField
    var port: TextField
    var focus: Focus
    var error: String?

    init(binding: IPBinding?) {
        kind = .binding
        title = binding == nil ? "Add IP address" : "Edit IP address"
        let b = binding ?? IPBinding(address: .anyV4, port: 25)
        allIPv4 = b.address == .anyV4
        address = TextField(allIPv4 ? "" : "\(b.address)")
        port = TextField(String(b.port))
        focus = allIPv4 ? .allIPv4 : .address
    }

    init(range: IPRange?) {
        kind = .remote
        title = range == nil ? "Add IP address" : "Edit IP address"
        allIPv4 = false
        address = TextField(range?.description ?? "")
        port = TextField("")
        focus = .address
    }

    var focusOrder: [Focus] { kind == .binding ? [.allIPv4, .specific, .address, .port, .save, .cancel] : [.address, .save, .cancel] }

    /// The entry as typed, parsed by the core's address parser; the error text is the parser's.
    func parse() -> Parsed {
        do {
            switch kind {
            case .binding:
                let p = port.text.trimmingCharacters(in: .whitespaces)
                if allIPv4 { return .success(.binding(try IPBinding(parsing: "0.0.0.0:\(p)"))) }
                let a = address.text.trimmingCharacters(in: .whitespaces)
                if a.isEmpty { return .failure("Type an IPv4 or IPv6 address, or choose (All available IPv4).") }
                let text = a.contains(":") && !a.hasPrefix("[") ? "[\(a)]:\(p)" : "\(a):\(p)"
                return .success(.binding(try IPBinding(parsing: text)))
            case .remote:
                let a = address.text.trimmingCharacters(in: .whitespaces)
                if a.isEmpty { return .failure("Type one IP address, a range such as 10.0.0.1-10.0.0.9, or a CIDR block such as 10.0.0.0/24.") }
                return .success(.range(try IPRange(parsing: a)))
            }
        } catch {
            return .failure(error.consoleMessage)
        }
    }

    func move(_ delta: Int) {
        let order = focusOrder
        let i = order.firstIndex(of: focus) ?? 0
        focus = order[(i + delta + order.count) % order.count]
    }

    func save() -> Outcome {
        switch parse() {
        case .success(let v): return .saved(v)
        case .failure(let message): error = message; return .none
        }
    }

    func handle(_ event: KeyEvent) -> Outcome {
        // Typing on the address choice goes to the address box (and picks "Specify an address").
        if case .character(let c) = event, c != " ", focus == .allIPv4 || focus == .specific { focus = .address }
        if focus == .address || focus == .port {
            var field = focus == .address ? address : port
            if case .character = event, focus == .address { allIPv4 = false }
            if field.handle(event) {
                if focus == .address { address = field } else { port = field }
                error = nil
                return .none
            }
        }
        switch event {
        case .escape: return .cancelled
        case .control("s"): return save()
        case .tab, .down: move(1)
        case .backTab, .up: move(-1)
        case .left where focus == .cancel: focus = .save
        case .right where focus == .save: focus = .cancel
        case .character(" "), .enter:
            switch focus {
            case .allIPv4: allIPv4 = true; error = nil; if event == .enter { return save() }
            case .specific: allIPv4 = false; focus = .address
            case .cancel: return .cancelled
            default: return save()
            }
        default: break
        }
        return .none
    }

    /// Draws the dialog centred; clicks go through `hits` and report their outcome through `onOutcome`.
    func render(_ canvas: Canvas, hits: HitMap, onOutcome: @escaping (Outcome) -> [ConsoleEffect]) {
        let width = min(64, canvas.columns - 4)
        let height = kind == .binding ? 12 : 9
        let top = max(1, (canvas.rows - height) / 2)
        let left = (canvas.columns - width) / 2
        canvas.box(row: top, column: left, width: width, height: height, title: title)
        let x = left + 2, inner = width - 4
        var r = top + 1
        func field(_ f: TextField, focused: Bool, row: Int, column: Int, width w: Int) {
            let (shown, cursor) = f.visible(width: w)
            canvas.text(
                Canvas.pad(shown, w), row: row, column: column, width: w,
                style: CellStyle(focused ? .focusedField : .field, underline: true))
            if focused { canvas.screen.setCursor(row: row, column: column + cursor) }
        }
        let mark: (Focus) -> String = { self.focus == $0 ? ">" : " " }
        switch kind {
        case .binding:
            canvas.text("Address:", row: r, column: x); r += 1
            canvas.text(
                "\(mark(.allIPv4))\(Canvas.radio(allIPv4)) (All available IPv4)", row: r, column: x, width: inner,
                style: focus == .allIPv4 ? CellStyle(.selection, reverse: true) : .normal)
            hits.add(row: r, column: x, width: inner) { [unowned self] in
                self.allIPv4 = true; self.focus = .allIPv4; return []
            }
            r += 1
            canvas.text(
                "\(mark(.specific))\(Canvas.radio(!allIPv4)) Specify an IPv4 address or an IPv6 address:", row: r, column: x, width: inner,
                style: focus == .specific ? CellStyle(.selection, reverse: true) : .normal)
            hits.add(row: r, column: x, width: inner) { [unowned self] in
                self.allIPv4 = false; self.focus = .address; return []
            }
            r += 1
            field(address, focused: focus == .address, row: r, column: x + 5, width: inner - 5)
            hits.add(row: r, column: x + 5, width: inner - 5) { [unowned self] in
                self.allIPv4 = false; self.focus = .address; return []
            }
            r += 1
            canvas.text("Port:", row: r, column: x)
            field(port, focused: focus == .port, row: r, column: x + 6, width: 7)
            hits.add(row: r, column: x + 6, width: 7) { [unowned self] in
                self.focus = .port; return []
            }
            r += 1
        case .remote:
            canvas.text("Address, range or CIDR block (as 10.0.0.5, 10.0.0.1-10.0.0.9,", row: r, column: x, width: inner); r += 1
            canvas.text("10.0.0.0/24 or an IPv6 form):", row: r, column: x, width: inner); r += 1
            field(address, focused: focus == .address, row: r, column: x, width: inner)
            r += 1
        }
        if let error {
            for line in Canvas.wrap("Error: " + error, inner).prefix(2) {
                canvas.text(line, row: r, column: x, width: inner, style: CellStyle(.error, bold: true)); r += 1
            }
        }
        let buttonsRow = top + height - 2
        var bx = left + width - 2 - 17
        for (f, title) in [(Focus.save, "Save"), (.cancel, "Cancel")] {
            let label = Canvas.button(title, focused: focus == f)
            canvas.text(label, row: buttonsRow, column: bx, style: CellStyle(focus == f ? .focusedButton : .button, reverse: focus == f))
            hits.add(row: buttonsRow, column: bx, width: label.count) { [unowned self] in
                onOutcome(f == .save ? self.save() : .cancelled)
            }
            bx += label.count + 1
        }
    }
}
