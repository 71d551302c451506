import Foundation
import ReceptorCore

/// The edit dialog (reference §11): tabs General, Security and Scoping over a draft of one connector. Every
/// field reads, writes and explains itself through the parameter table; the save names the revision the
/// dialog started from.
final class EditController {
    enum Outcome { case none, closed, quit, reload(UUID), saved(ConsoleConnector, command: String?) }
    enum Tab: String, CaseIterable { case general = "General", security = "Security", scoping = "Scoping" }
    enum Kind: Equatable { case text, bool, choice([String]), auth(AuthMechanism), group(PermissionGroup), list }
    struct Field { let label: String; let parameter: String; let kind: Kind }
    enum Focus: Equatable { case tab, field(Int), save, cancel }

    static func fields(_ tab: Tab) -> [Field] {
        func kind(_ name: String) -> Kind {
            switch ConnectorParameters.named(name)!.kind {
            case .boolean: .bool
            case .choice(let names): .choice(names)
            case .bindings, .remoteIPRanges: .list
            default: .text
            }
        }
        func f(_ label: String, _ name: String) -> Field { Field(label: label, parameter: name, kind: kind(name)) }
        switch tab {
        case .general:
            return [
                f("Name", "Name"), f("Enable", "Enabled"), f("Description", "Comment"), f("Protocol logging level", "ProtocolLoggingLevel"),
                f("Maximum receive message size", "MaxMessageSize"), f("Maximum local hops", "MaxLocalHopCount"),
                f("Recipients per message", "MaxRecipientsPerMessage"), f("Connection timeout", "ConnectionTimeout"),
                f("Connection inactivity timeout", "ConnectionInactivityTimeout"), f("Banner", "Banner"),
            ]
        case .security:
            let auth = AuthMechanism.allCases.map { Field(label: $0.label, parameter: "AuthMechanism", kind: .auth($0)) }
            let groups = PermissionGroup.allCases.filter { $0 != .custom }.map {
                Field(label: $0.label, parameter: "PermissionGroups", kind: .group($0))
            }
            return auth + [f("Enable domain security (mutual Auth TLS)", "DomainSecureEnabled")] + groups
        case .scoping:
            return [f("Network adapter bindings", "Bindings"), f("Remote network settings", "RemoteIPRanges"), f("FQDN", "Fqdn")]
        }
    }

    let original: ConsoleConnector
    let server: Server
    let siblings: [ReceiveConnector]
    /// The host's addresses when the dialog opened (nil if unknown), for the note on a binding elsewhere.
    let localAddresses: [IPAddress]?
    let submit: (ReceiveConnector, Int) throws -> ConsoleConnector
    /// Which traffic the draft would move if saved (the impact preview with its usage evidence), from the app.
    let impact: (ReceiveConnector) -> TrafficPreview
    var draft: ReceiveConnector
    var tab: Tab = .general
    var focus: Focus = .field(0)
    var texts: [String: TextField] = [:]
    var fieldErrors: [String: String] = [:]
    var listSelection: [String: Int] = [:]
    var dialog: AddressDialog?
    var dialogTarget: (parameter: String, index: Int?)?
    var message: String?
    /// Set when a save was refused as stale, or a refresh shows the connector moved on.
    var conflict: String?
    /// The question asked before the changes are discarded, or before a save that moves traffic, while it shows.
    var prompt: ConfirmPrompt?
    /// Whether `prompt` asks to save (y saves) rather than to discard (y closes).
    var promptSaves = false

    init(
        original: ConsoleConnector, server: Server, siblings: [ReceiveConnector], localAddresses: [IPAddress]? = nil,
        impact: @escaping (ReceiveConnector) -> TrafficPreview = { _ in [] },
        submit: @escaping (ReceiveConnector, Int) throws -> ConsoleConnector
    ) {
        self.original = original; self.server = server; self.siblings = siblings; self.localAddresses = localAddresses
        self.impact = impact; self.submit = submit
        draft = original.connector
    }

    var isDirty: Bool {
        draft != original.connector || texts.contains { ConnectorParameters.named($0.key)!.value(of: draft).displayText != $0.value.text }
    }
    var currentFields: [Field] { Self.fields(tab) }

    func text(for parameter: String) -> TextField {
        texts[parameter] ?? TextField(ConnectorParameters.named(parameter)!.value(of: draft).displayText)
    }

    func noticeSnapshot(_ snapshot: ConsoleSnapshot) {
        guard let now = snapshot.connectors.first(where: { $0.connector.guid == original.connector.guid }) else {
            conflict = "\"\(original.connector.name)\" was deleted elsewhere; saving is no longer possible. Esc closes."
            return
        }
        if now.revision != original.revision {
            conflict =
                "\"\(original.connector.name)\" was changed elsewhere since you opened it (revision \(original.revision), now \(now.revision)). Ctrl-R reloads it (your changes here are discarded)."
        }
    }

    // MARK: Editing

    func apply(_ parameter: String, _ input: ParameterInput) {
        var trial = draft
        do {
            try ConnectorParameters.named(parameter)!.apply(input, to: &trial)
            draft = trial
            fieldErrors[parameter] = nil
        } catch {
            fieldErrors[parameter] = error.message
        }
        message = nil
    }

    func toggle(_ field: Field) {
        switch field.kind {
        case .bool:
            if case .bool(let b) = ConnectorParameters.named(field.parameter)!.value(of: draft) { apply(field.parameter, .bool(!b)) }
        case .auth(let m):
            var set = draft.authMechanism
            if set.contains(m) { set.remove(m) } else { set.insert(m) }
            apply(field.parameter, set.isEmpty ? .text("None") : .list(set.names))
        case .group(let g):
            var set = draft.permissionGroups
            if set.contains(g) { set.remove(g) } else { set.insert(g) }
            apply(field.parameter, set.isEmpty ? .text("None") : .list(set.names))
        case .choice(let names):
            let current = ConnectorParameters.named(field.parameter)!.value(of: draft).displayText
            let i = names.firstIndex(of: current) ?? -1
            apply(field.parameter, .text(names[(i + 1) % names.count]))
        case .list, .text: break
        }
    }

    func listItems(_ parameter: String) -> [String] {
        parameter == "Bindings" ? draft.bindings.map(\.description) : draft.remoteIPRanges.map(\.description)
    }

    func openDialog(_ parameter: String, add: Bool) {
        let sel = listSelection[parameter] ?? 0
        if parameter == "Bindings" {
            dialog = AddressDialog(binding: add || !draft.bindings.indices.contains(sel) ? nil : draft.bindings[sel])
        } else {
            dialog = AddressDialog(range: add || !draft.remoteIPRanges.indices.contains(sel) ? nil : draft.remoteIPRanges[sel])
        }
        dialogTarget = (parameter, add ? nil : (listItems(parameter).indices.contains(sel) ? sel : nil))
    }

    func removeItem(_ parameter: String) {
        var items = listItems(parameter)
        let sel = listSelection[parameter] ?? 0
        guard items.indices.contains(sel) else { message = "Remove: the list is empty."; return }
        items.remove(at: sel)
        apply(parameter, items.isEmpty ? .null : .list(items))
        listSelection[parameter] = max(0, min(sel, items.count - 1))
    }

    func dialogOutcome(_ outcome: AddressDialog.Outcome) {
        guard let target = dialogTarget else { dialog = nil; return }
        var items = listItems(target.parameter)
        switch outcome {
        case .none: return
        case .cancelled: break
        case .saved(let value):
            let text: String
            switch value {
            case .binding(let b): text = b.description;
            case .range(let r): text = r.description
            }
            if let i = target.index { items[i] = text } else { items.append(text); listSelection[target.parameter] = items.count - 1 }
            apply(target.parameter, .list(items))
        }
        dialog = nil; dialogTarget = nil
    }

    var report: ValidationReport {
        ConnectorValidator.validate(draft, in: ValidationContext(server: server, siblings: siblings, localAddresses: localAddresses))
    }

    /// The warnings each tab shows under its fields, by code: the EAC's cautions on Security, what the
    /// bindings are on Scoping.
    static func warningCodes(on tab: Tab) -> Set<RuleWarning.Code> {
        switch tab {
        case .general: []
        case .security: [.externallySecuredRelay, .basicAuthWithoutAnonymous]
        case .scoping: [.bindingNotLocal, .bindingPortOmitted]
        }
    }

    static func warnings(on tab: Tab, in report: ValidationReport) -> [RuleWarning] {
        let codes = warningCodes(on: tab)
        return report.warnings.filter { codes.contains($0.code) }
    }

    /// Saves the draft; a change that moves traffic asks first, showing the impact preview (`confirmed`: y
    /// was pressed on that question).
    func save(confirmed: Bool = false) -> Outcome {
        if let (parameter, error) = fieldErrors.first {
            message = "Save is blocked: \(parameter): \(error)"; return .none
        }
        let r = report
        if let first = r.errors.first { message = "Save is blocked: \(first.message)"; return .none }
        guard isDirty else { return .closed }
        let command = commandLine
        if !confirmed {
            let changes = impact(draft)
            if !changes.isEmpty {
                prompt = .save(draft, command: command, impact: changes); promptSaves = true
                return .none
            }
        }
        do { return .saved(try submit(draft, original.revision), command: command) } catch {
            if error.isRevisionConflict {
                conflict =
                    "Not saved: \"\(original.connector.name)\" was changed elsewhere since you opened it. Ctrl-R reloads it (your changes here are discarded); Esc closes."
            } else {
                message = "Not saved: \(error.consoleMessage)"
            }
            return .none
        }
    }

    /// The shell's equivalent of saving: Set-ReceiveConnector with each parameter the dialog changed, in the
    /// table's order, each value written by the parameter table; nil when nothing changed.
    var commandLine: String? {
        let changed = ConnectorParameters.all.filter { $0.onSet && $0.value(of: draft) != $0.value(of: original.connector) }
        guard !changed.isEmpty else { return nil }
        let arguments = changed.flatMap { ["-\($0.name)", $0.commandText(of: draft)] }
        return (["Set-ReceiveConnector", original.connector.identity.commandText] + arguments).joined(separator: " ")
    }

    /// Cancel: closes at once when nothing changed, else asks first.
    func close() -> Outcome {
        if isDirty { prompt = .discardChanges; promptSaves = false; return .none }
        return .closed
    }

    var focusOrder: [Focus] { [.tab] + currentFields.indices.map { .field($0) } + [.save, .cancel] }

    func moveFocus(_ delta: Int) {
        let order = focusOrder
        let i = order.firstIndex(of: focus) ?? 0
        focus = order[(i + delta + order.count) % order.count]
    }

    func switchTab(_ delta: Int) {
        let all = Tab.allCases
        tab = all[(all.firstIndex(of: tab)! + delta + all.count) % all.count]
        focus = .tab
    }

    var focusedField: Field? { if case .field(let i) = focus, currentFields.indices.contains(i) { return currentFields[i] }; return nil }

    func handle(_ event: KeyEvent) -> Outcome {
        if prompt != nil {
            switch ConfirmPrompt.answer(to: event) {
            case .confirm?:
                prompt = nil
                return promptSaves ? save(confirmed: true) : .closed
            case .decline?: prompt = nil
            case nil: break
            }
            return .none
        }
        if let dialog { dialogOutcome(dialog.handle(event)); return .none }
        if event == .control("r"), conflict != nil { return .reload(original.connector.guid) }
        if let field = focusedField, field.kind == .text {
            var t = text(for: field.parameter)
            if t.handle(event) {
                texts[field.parameter] = t
                apply(field.parameter, t.text.isEmpty && field.parameter == "Banner" ? .null : .text(t.text))
                return .none
            }
        }
        if let field = focusedField, field.kind == .list {
            let items = listItems(field.parameter)
            let sel = listSelection[field.parameter] ?? 0
            switch event {
            case .up where sel > 0: listSelection[field.parameter] = sel - 1; return .none
            case .down where sel < items.count - 1: listSelection[field.parameter] = sel + 1; return .none
            case .enter: openDialog(field.parameter, add: false); return .none
            default: break
            }
            switch KeyTable.action(for: event, in: .dialog) {
            case .add: openDialog(field.parameter, add: true); return .none
            case .editItem: openDialog(field.parameter, add: false); return .none
            case .removeItem: removeItem(field.parameter); return .none
            default: break
            }
        }
        switch (focus, event) {
        case (.tab, .left): switchTab(-1); return .none
        case (.tab, .right): switchTab(1); return .none
        case (.save, .right): focus = .cancel; return .none
        case (.cancel, .left): focus = .save; return .none
        default: break
        }
        guard let action = KeyTable.action(for: event, in: .dialog) else { return .none }
        switch action {
        case .nextField: moveFocus(1)
        case .previousField: moveFocus(-1)
        case .nextPage: switchTab(1)
        case .previousPage: switchTab(-1)
        case .finish: return save()
        case .cancel:
            return close()
        case .check, .activate:
            switch focus {
            case .save: return save()
            case .cancel: return close()
            case .tab: switchTab(1)
            case .field:
                if let field = focusedField, field.kind != .text, field.kind != .list { toggle(field) } else if action == .activate { return save() }
            }
        case .quit: return .quit
        default: break
        }
        return .none
    }
}
