import Foundation
import EMSLanguage
import ReceptorCore
import ReceptorStore

struct GetExchangeServer: Cmdlet {
    static let name = "Get-ExchangeServer"
    static let parameters = ["Identity", "DomainController"]
    static let changesState = false
    static let synopsis = "Lists the servers in this store and their roles (Mailbox or Edge)."
    static func run(_ inv: CmdletInvocation, input: [PSValue], context: ShellContext) throws -> [PSValue] {
        var servers = try context.store.servers()
        if let id = try inv.string("Identity") {
            servers = servers.filter { Wildcard.matches(id, $0.name) || $0.fqdn.caseInsensitiveCompare(id) == .orderedSame }
            if servers.isEmpty {
                throw ShellError("The operation couldn't be performed because object '\(id)' couldn't be found: no server of that name.")
            }
        }
        return servers.map { .object(ObjectMapping.server($0)) }
    }
}

/// Organization-wide transport settings: the domain-secure lists that Domain Security (mutual TLS on
/// DomainSecureEnabled connectors) checks partner certificates against.
struct GetTransportConfig: Cmdlet {
    static let name = "Get-TransportConfig"
    static let parameters = ["DomainController"]
    static let positional: [String] = []
    static let changesState = false
    static let synopsis = "Shows the organization's transport settings (TLSReceiveDomainSecureList, TLSSendDomainSecureList)."
    static func run(_ inv: CmdletInvocation, input: [PSValue], context: ShellContext) throws -> [PSValue] {
        let config = try context.store.transportConfig()
        var o = PSObject(
            typeName: "TransportConfig",
            properties: [
                PSProperty(name: "TLSReceiveDomainSecureList", value: .array(config.tlsReceiveDomainSecureList.map(PSValue.string))),
                PSProperty(name: "TLSSendDomainSecureList", value: .array(config.tlsSendDomainSecureList.map(PSValue.string))),
            ])
        o.defaultDisplayProperties = ["TLSReceiveDomainSecureList", "TLSSendDomainSecureList"]
        return [.object(o)]
    }
}

struct SetTransportConfig: Cmdlet {
    static let name = "Set-TransportConfig"
    static let parameters = ["TLSReceiveDomainSecureList", "TLSSendDomainSecureList", "DomainController"]
    static let positional: [String] = []
    static let synopsis = "Sets the domain-secure lists: -TLSReceiveDomainSecureList fabrikam.com,woodgrove.com (or @{Add=…; Remove=…})."
    static func run(_ inv: CmdletInvocation, input: [PSValue], context: ShellContext) throws -> [PSValue] {
        var config = try context.store.transportConfig()
        func edit(_ current: [String], _ parameter: String) throws -> [String] {
            guard let input = try inv.parameterInput(parameter) else { return current }
            let edited: [String]
            do { edited = try MultiValuedEdit.apply(current, input, parameter: parameter) } catch {
                throw ShellError("\(inv.name): \(error.message)")
            }
            for d in edited {
                do { try TransportConfig.validateDomainSecureEntry(d) } catch { throw ShellError("\(inv.name): \(error.message)") }
            }
            return edited
        }
        config.tlsReceiveDomainSecureList = try edit(config.tlsReceiveDomainSecureList, "TLSReceiveDomainSecureList")
        config.tlsSendDomainSecureList = try edit(config.tlsSendDomainSecureList, "TLSSendDomainSecureList")
        if inv.whatIf { context.say("What if: Setting the organization's transport configuration."); return [] }
        do { try context.store.setTransportConfig(config) } catch let error as StoreError { throw ShellError(error.description) }
        if inv.has("TLSSendDomainSecureList") {
            context.warn("TLSSendDomainSecureList is stored but has no effect here: Receptor does not send mail.")
        }
        return []
    }
}

/// The recipient filter: `Set-RecipientFilterConfig -RecipientValidationEnabled $false` turns off the check that
/// a recipient in an Authoritative accepted domain is a mailbox (on by default here; see RecipientFilterConfig).
struct GetRecipientFilterConfig: Cmdlet {
    static let name = "Get-RecipientFilterConfig"
    static let parameters = ["DomainController"]
    static let positional: [String] = []
    static let changesState = false
    static let synopsis = "Shows the recipient filter (RecipientValidationEnabled)."
    static func run(_ inv: CmdletInvocation, input: [PSValue], context: ShellContext) throws -> [PSValue] {
        let config = try context.store.recipientFilterConfig()
        var o = PSObject(
            typeName: "RecipientFilterConfig",
            properties: [
                PSProperty(name: "Enabled", value: .bool(true)),
                PSProperty(name: "RecipientValidationEnabled", value: .bool(config.recipientValidationEnabled)),
            ])
        o.defaultDisplayProperties = ["Enabled", "RecipientValidationEnabled"]
        return [.object(o)]
    }
}

struct SetRecipientFilterConfig: Cmdlet {
    static let name = "Set-RecipientFilterConfig"
    static let parameterValues: [String: ValueCompletion] = ["RecipientValidationEnabled": .boolean]
    static let parameters = ["RecipientValidationEnabled", "DomainController"]
    static let positional: [String] = []
    static let synopsis = "Turns recipient validation on or off: -RecipientValidationEnabled $true|$false."
    static func run(_ inv: CmdletInvocation, input: [PSValue], context: ShellContext) throws -> [PSValue] {
        var config = try context.store.recipientFilterConfig()
        if let value = inv.value("RecipientValidationEnabled") {
            guard case .bool(let enabled) = value else {
                throw ShellError("\(name): -RecipientValidationEnabled takes $true or $false, not '\(value.text)'.")
            }
            config.recipientValidationEnabled = enabled
        }
        if inv.whatIf {
            context.say("What if: Setting the recipient filter (RecipientValidationEnabled \(config.recipientValidationEnabled))."); return []
        }
        do { try context.store.setRecipientFilterConfig(config) } catch let error as StoreError { throw ShellError(error.description) }
        if !config.recipientValidationEnabled {
            context.warn(
                "Recipient validation is off: mail to any local part of an Authoritative accepted domain is accepted and gets a mailbox folder of its own, and Receptor sends no non-delivery reports."
            )
        }
        return []
    }
}
