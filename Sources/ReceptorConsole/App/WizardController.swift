import Foundation
import ReceptorCore

/// The New receive connector wizard over one `WizardDraft`: key handling, page flow and drawing.
final class WizardController {
    enum Focus: Hashable { case name, role, type, list, button(Button) }
    enum Button: String, CaseIterable {
        case add = "Add", edit = "Edit", remove = "Remove", back = "Back", next = "Next", finish = "Finish", cancel = "Cancel"
    }
    enum Outcome { case none, cancelled, created(ConsoleConnector), quit }

    var draft: WizardDraft
    let siblings: [ReceiveConnector]
    let includeServerInCommand: Bool
    /// The host's addresses when the wizard opened (nil if unknown), for the note on a binding elsewhere.
    let localAddresses: [IPAddress]?
    let submit: (ReceiveConnector) throws -> ConsoleConnector
    /// Which traffic the connector would take (the impact preview with its usage evidence), from the app.
    let impact: (ReceiveConnector) -> TrafficPreview
    /// The preview of the draft it was last worked out for: the summary asks on every frame, the work is done
    /// once per change of the draft.
    private var impactCache: (connector: ReceiveConnector, changes: TrafficPreview)?
    /// How far the summary page is scrolled (Up/Down there), when it is longer than the screen.
    var summaryScroll = 0
    var nameField = TextField()
    var pageIndex = 0
    var focus: Focus = .name
    var bindingSelection = 0
    var remoteSelection = 0
    var dialog: AddressDialog?
    var dialogIndex: Int?
    var shownErrors: Set<WizardDraft.Page> = []
    var message: String?
    var dirty = false
    /// The question asked before the draft is discarded, while it shows.
    var prompt: ConfirmPrompt?

    init(
        draft: WizardDraft, siblings: [ReceiveConnector], includeServerInCommand: Bool, localAddresses: [IPAddress]? = nil,
        impact: @escaping (ReceiveConnector) -> TrafficPreview = { _ in [] },
        submit: @escaping (ReceiveConnector) throws -> ConsoleConnector
    ) {
        self.draft = draft; self.siblings = siblings; self.includeServerInCommand = includeServerInCommand
        self.localAddresses = localAddresses; self.impact = impact; self.submit = submit
    }

    /// The impact preview of `c` (the draft as it would be created).
    func trafficChanges(_ c: ReceiveConnector) -> TrafficPreview {
        if let cached = impactCache, cached.connector == c { return cached.changes }
        let changes = impact(c)
        impactCache = (c, changes)
        return changes
    }

    var page: WizardDraft.Page { draft.pages[min(pageIndex, draft.pages.count - 1)] }
    var evaluation: WizardDraft.Evaluation { draft.evaluate(siblings: siblings, localAddresses: localAddresses) }

    func errors(on page: WizardDraft.Page, _ e: WizardDraft.Evaluation) -> [RuleViolation] {
        e.errors.filter { draft.page(for: $0.parameter) == page }
    }

    var focusOrder: [Focus] {
        let nav: [Focus] = [.button(.back), .button(.next), .button(.finish), .button(.cancel)]
        switch page {
        case .general: return [.name] + (draft.isEdge ? [] : [.role]) + [.type] + nav
        case .bindings, .remote: return [.list, .button(.add), .button(.edit), .button(.remove)] + nav
        case .summary: return nav
        }
    }

    func moveFocus(_ delta: Int) {
        let order = focusOrder
        let i = order.firstIndex(of: focus) ?? 0
        focus = order[(i + delta + order.count) % order.count]
    }

    func go(to index: Int) {
        pageIndex = index
        summaryScroll = 0
        if page != .general { shownErrors.insert(page) }
        focus = focusOrder.first == .button(.back) ? .button(.finish) : focusOrder[0]
        if page == .summary { focus = .button(.finish) }
    }

    // MARK: Actions

    func next() -> Outcome {
        shownErrors.insert(page)
        let blocking = errors(on: page, evaluation)
        if let first = blocking.first {
            message = "Next is blocked by the \(first.parameter) error shown above; fix it first."
            return .none
        }
        guard pageIndex < draft.pages.count - 1 else { return finish() }
        message = nil
        go(to: pageIndex + 1)
        return .none
    }

    func back() {
        guard pageIndex > 0 else { message = "Back: this is the first page."; return }
        message = nil
        go(to: pageIndex - 1)
    }

    func finish() -> Outcome {
        let e = evaluation
        for (i, p) in draft.pages.enumerated() {
            shownErrors.insert(p)
            if let first = errors(on: p, e).first {
                message = "Finish is blocked by the \(first.parameter) error shown above (\(p.rawValue)); fix it first."
                if i != pageIndex { pageIndex = i; focus = focusOrder[0] }
                return .none
            }
        }
        guard page == .summary else {
            message = "Check the command below, then press Finish to create the connector."
            go(to: draft.pages.count - 1)
            return .none
        }
        guard let connector = e.connector else { return .none }
        do {
            return .created(try submit(connector))
        } catch {
            message = "Not created: \(error.consoleMessage)"
            return .none
        }
    }

    func cancel() -> Outcome {
        if dirty { prompt = .discardNewConnector; return .none }
        return .cancelled
    }

    func openDialog(add: Bool) {
        switch page {
        case .bindings:
            if add {
                dialog = AddressDialog(binding: nil); dialogIndex = nil
            } else if draft.bindings.indices.contains(bindingSelection) {
                dialog = AddressDialog(binding: draft.bindings[bindingSelection]); dialogIndex = bindingSelection
            } else {
                message = "Edit: the list is empty; press a to add an entry."
            }
        case .remote:
            if add {
                dialog = AddressDialog(range: nil); dialogIndex = nil
            } else if draft.remoteIPRanges.indices.contains(remoteSelection) {
                dialog = AddressDialog(range: draft.remoteIPRanges[remoteSelection]); dialogIndex = remoteSelection
            } else {
                message = "Edit: the list is empty; press a to add an entry."
            }
        default: break
        }
    }

    func removeItem() {
        switch page {
        case .bindings where draft.bindings.indices.contains(bindingSelection):
            draft.bindings.remove(at: bindingSelection); bindingSelection = max(0, min(bindingSelection, draft.bindings.count - 1)); dirty = true
        case .remote where draft.remoteIPRanges.indices.contains(remoteSelection):
            draft.remoteIPRanges.remove(at: remoteSelection); remoteSelection = max(0, min(remoteSelection, draft.remoteIPRanges.count - 1));
            dirty = true
        default: message = "Remove: the list is empty."
        }
    }

    func dialogOutcome(_ outcome: AddressDialog.Outcome) {
        switch outcome {
        case .none: return
        case .cancelled: dialog = nil
        case .saved(.binding(let b)):
            if let i = dialogIndex { draft.bindings[i] = b } else { draft.bindings.append(b); bindingSelection = draft.bindings.count - 1 }
            dialog = nil; dirty = true; message = nil
        case .saved(.range(let r)):
            if let i = dialogIndex {
                draft.remoteIPRanges[i] = r
            } else {
                draft.remoteIPRanges.append(r); remoteSelection = draft.remoteIPRanges.count - 1
            }
            dialog = nil; dirty = true; message = nil
        }
    }

    func press(_ button: Button) -> Outcome {
        switch button {
        case .add: openDialog(add: true)
        case .edit: openDialog(add: false)
        case .remove: removeItem()
        case .back: back()
        case .next: return next()
        case .finish: return finish()
        case .cancel: return cancel()
        }
        return .none
    }

    func moveSelection(_ delta: Int) {
        switch page {
        case .bindings: bindingSelection = max(0, min(draft.bindings.count - 1, bindingSelection + delta))
        case .remote: remoteSelection = max(0, min(draft.remoteIPRanges.count - 1, remoteSelection + delta))
        default: break
        }
    }

    func setUsage(_ usage: ConnectorUsage) {
        draft.usage = usage; dirty = true; shownErrors.insert(.general); message = nil
    }

    func handle(_ event: KeyEvent) -> Outcome {
        if prompt != nil {
            switch ConfirmPrompt.answer(to: event) {
            case .confirm?: return .cancelled
            case .decline?: prompt = nil
            case nil: break
            }
            return .none
        }
        if let dialog {
            dialogOutcome(dialog.handle(event))
            return .none
        }
        if focus == .name, nameField.handle(event) {
            draft.name = nameField.text; dirty = true; shownErrors.insert(.general); message = nil
            return .none
        }
        // Up and Down move inside a choice or list before they move between fields.
        switch (focus, event) {
        case (.role, .up), (.role, .down), (.role, .left), (.role, .right), (.role, .character(" ")):
            draft.transportRole = draft.transportRole == .hubTransport ? .frontendTransport : .hubTransport
            dirty = true; shownErrors.insert(.general); return .none
        case (.type, .up), (.type, .down):
            let all = ConnectorUsage.allCases
            let i = all.firstIndex(of: draft.usage)! + (event == .down ? 1 : -1)
            if all.indices.contains(i) { setUsage(all[i]) } else { moveFocus(event == .down ? 1 : -1) }
            return .none
        case (.list, .up): moveSelection(-1); return .none
        case (.list, .down): moveSelection(1); return .none
        case (.list, .enter): openDialog(add: false); return .none
        case (_, .up) where page == .summary: summaryScroll = max(0, summaryScroll - 1); return .none
        case (_, .down) where page == .summary: summaryScroll += 1; return .none
        case (.button, .left): moveFocus(-1); return .none
        case (.button, .right): moveFocus(1); return .none
        default: break
        }
        guard let action = KeyTable.action(for: event, in: .dialog) else { return .none }
        switch action {
        case .nextField: moveFocus(1)
        case .previousField: moveFocus(-1)
        case .nextPage: return next()
        case .previousPage: back()
        case .finish: return finish()
        case .cancel: return cancel()
        case .add where page == .bindings || page == .remote: openDialog(add: true)
        case .editItem where page == .bindings || page == .remote: openDialog(add: false)
        case .removeItem where page == .bindings || page == .remote: removeItem()
        case .check, .activate:
            if case .button(let b) = focus { return press(b) }
            if action == .activate { return next() }
        case .quit: return .quit
        default: break
        }
        return .none
    }
}
