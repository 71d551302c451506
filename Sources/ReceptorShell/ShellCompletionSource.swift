import Foundation
import EMSLanguage
import ReceptorCore
import ReceptorStore

/// The live source of completions: names read from the store when Tab is pressed, and the session's
/// variables. A store that fails to answer offers nothing (Tab beeps) rather than an error.
public final class ShellCompletionSource: CompletionSource {
    let session: PSSession
    let context: ShellContext

    public init(session: PSSession, context: ShellContext) {
        self.session = session
        self.context = context
    }

    public func names(of kind: CompletionObjectKind) -> [String] {
        let store = context.store
        switch kind {
        case .connector:
            guard let all = try? store.connectors(server: nil).map(\.connector) else { return [] }
            let current = try? context.currentServer().name
            return all.filter { $0.server == current }.map(\.name) + all.map(\.identity.description)
        case .server:
            return (try? store.servers().map(\.name)) ?? []
        case .acceptedDomain:
            return (try? store.acceptedDomains().map(\.name)) ?? []
        case .mailbox:
            return (try? store.accounts().map(\.name)) ?? []
        case .user:
            let domain = (try? context.currentServer().domain) ?? ""
            return SecurityPrincipal.wellKnown(domain: domain).map(\.name) + ((try? store.accounts().map(\.userPrincipalName)) ?? [])
        }
    }

    public func variableNames() -> [String] { Array(session.variables.keys) }

    public func propertyNames(ofVariable name: String) -> [String] {
        guard let value = session.variables.first(where: { $0.key.caseInsensitiveCompare(name) == .orderedSame })?.value else { return [] }
        return Self.propertyNames(of: [value])
    }

    public func propertyNames(ofPipeline text: String) -> [String] {
        // Read-only, but quiet: nothing a cmdlet says may reach the screen while the user types.
        let (warn, say) = (context.warn, context.say)
        context.warn = { _ in }
        context.say = { _ in }
        defer { (context.warn, context.say) = (warn, say) }
        guard let values = try? session.evaluate(text) else { return [] }
        return Self.propertyNames(of: values)
    }

    /// The properties of the first object among `values` (an array's first element counts).
    static func propertyNames(of values: [PSValue]) -> [String] {
        for value in values {
            switch value {
            case .object(let o): return o.propertyNames
            case .array(let items):
                let names = propertyNames(of: items)
                if !names.isEmpty { return names }
            default: continue
            }
        }
        return []
    }
}
