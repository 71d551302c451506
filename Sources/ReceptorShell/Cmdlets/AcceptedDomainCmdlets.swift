import Foundation
import EMSLanguage
import ReceptorCore
import ReceptorStore

/// Accepted domains: the domains whose recipients need no relay right (reference §5b Accept-Any-Recipient).
enum AcceptedDomainLookup {
    static func find(_ inv: CmdletInvocation, input: [PSValue], context: ShellContext) throws -> [AcceptedDomain] {
        let all = try context.store.acceptedDomains()
        var identity = try inv.string("Identity")
        if identity == nil, case .object(let o)? = input.first, let p = o.payload, p.hasPrefix("accepteddomain:") {
            identity = String(p.dropFirst("accepteddomain:".count))
        }
        guard let identity else { return all }
        let found = all.filter { Wildcard.matches(identity, $0.name) || Wildcard.matches(identity, $0.domainName) }
        if found.isEmpty {
            throw ShellError("The operation couldn't be performed because object '\(identity)' couldn't be found: no accepted domain of that name.")
        }
        return found
    }
}

struct GetAcceptedDomain: Cmdlet {
    static let name = "Get-AcceptedDomain"
    static let parameters = ["Identity", "DomainController"]
    static let changesState = false
    static let synopsis = "Lists the accepted domains."
    static func run(_ inv: CmdletInvocation, input: [PSValue], context: ShellContext) throws -> [PSValue] {
        try AcceptedDomainLookup.find(inv, input: [], context: context).map { .object(ObjectMapping.acceptedDomain($0)) }
    }
}

struct NewAcceptedDomain: Cmdlet {
    static let name = "New-AcceptedDomain"
    static let parameterValues: [String: ValueCompletion] = ["DomainType": .names(AcceptedDomainType.allCases.map(\.rawValue))]
    static let parameters = ["Name", "DomainName", "DomainType", "DomainController"]
    static let positional = ["Name"]
    static let synopsis = "Adds an accepted domain: -Name, -DomainName, -DomainType Authoritative|InternalRelay|ExternalRelay."
    static func run(_ inv: CmdletInvocation, input: [PSValue], context: ShellContext) throws -> [PSValue] {
        let domainName = try inv.requiredString("DomainName")
        do { try AcceptedDomain.validateDomainName(domainName) } catch { throw ShellError("\(name): \(error.message)") }
        var type = AcceptedDomainType.authoritative
        if let t = try inv.string("DomainType") {
            do { type = try AcceptedDomainType(parsing: t) } catch { throw ShellError("\(name): \(error.message)") }
        }
        let domain = AcceptedDomain(name: try inv.string("Name") ?? domainName, domainName: domainName, domainType: type)
        if inv.whatIf { context.say("What if: Adding accepted domain \"\(domain.name)\" (\(domainName), \(type))."); return [] }
        do { try context.store.addAcceptedDomain(domain) } catch let error as StoreError { throw ShellError(error.description) }
        let saved = try context.store.acceptedDomains().first { $0.name == domain.name } ?? domain
        return [.object(ObjectMapping.acceptedDomain(saved))]
    }
}

struct SetAcceptedDomain: Cmdlet {
    static let name = "Set-AcceptedDomain"
    static let parameterValues: [String: ValueCompletion] = [
        "DomainType": .names(AcceptedDomainType.allCases.map(\.rawValue)), "MakeDefault": .boolean,
    ]
    static let parameters = ["Identity", "Name", "DomainType", "MakeDefault", "DomainController"]
    static let synopsis = "Changes an accepted domain's name or type, or makes it the default (-MakeDefault $true)."
    static func run(_ inv: CmdletInvocation, input: [PSValue], context: ShellContext) throws -> [PSValue] {
        guard inv.has("Identity") || !input.isEmpty else { throw ShellError("\(name): -Identity is required.") }
        for var domain in try AcceptedDomainLookup.find(inv, input: input, context: context) {
            let original = domain.name
            if let n = try inv.string("Name") { domain.name = n }
            if let t = try inv.string("DomainType") {
                do { domain.domainType = try AcceptedDomainType(parsing: t) } catch { throw ShellError("\(name): \(error.message)") }
            }
            if inv.has("MakeDefault") { domain.isDefault = inv.flag("MakeDefault") || domain.isDefault }
            if inv.whatIf { context.say("What if: Setting accepted domain \"\(original)\"."); continue }
            do { try context.store.updateAcceptedDomain(domain, originalName: original) } catch let error as StoreError {
                throw ShellError(error.description)
            }
        }
        return []
    }
}

struct RemoveAcceptedDomain: Cmdlet {
    static let name = "Remove-AcceptedDomain"
    static let parameters = ["Identity", "DomainController"]
    static let synopsis = "Removes an accepted domain (asks first unless -Confirm:$false)."
    static func run(_ inv: CmdletInvocation, input: [PSValue], context: ShellContext) throws -> [PSValue] {
        guard inv.has("Identity") || !input.isEmpty else { throw ShellError("\(name): -Identity is required.") }
        for domain in try AcceptedDomainLookup.find(inv, input: input, context: context) {
            if inv.whatIf { context.say("What if: Removing accepted domain \"\(domain.name)\"."); continue }
            guard try context.confirmAction(inv, action: "removing accepted domain", target: domain.name) else { continue }
            do { try context.store.removeAcceptedDomain(name: domain.name) } catch let error as StoreError { throw ShellError(error.description) }
        }
        return []
    }
}
