import Foundation
import EMSLanguage
import ReceptorCore
import ReceptorStore

/// Accounts for basic authentication. Only `New-Mailbox` ever sees a password, as a SecureString; the
/// store keeps a salted slow hash.
struct NewMailbox: Cmdlet {
    static let name = "New-Mailbox"
    static let parameters = [
        "Name", "UserPrincipalName", "Password", "Alias", "PrimarySmtpAddress", "EmailAddresses", "DisplayName", "FirstName", "LastName",
        "DomainController",
    ]
    static let switches = ["ResetPasswordOnNextLogon"]
    static let positional = ["Name"]
    static let synopsis =
        "Creates an account for basic authentication: -Name, -UserPrincipalName, -Password (ConvertTo-SecureString -String '…' -AsPlainText -Force)."

    static func run(_ inv: CmdletInvocation, input: [PSValue], context: ShellContext) throws -> [PSValue] {
        let name = try inv.requiredString("Name")
        let upn = try inv.requiredString("UserPrincipalName")
        do { try MailboxAccount.validateUserPrincipalName(upn) } catch { throw ShellError("\(Self.name): \(error.message)") }
        guard let passwordValue = inv.value("Password") else {
            throw ShellError("\(Self.name): -Password is required: -Password (ConvertTo-SecureString -String '<password>' -AsPlainText -Force).")
        }
        guard case .secureString(let secure) = passwordValue else {
            throw ShellError(
                "\(Self.name): Cannot process argument for -Password: it must be a SecureString, as made by (ConvertTo-SecureString -String '<password>' -AsPlainText -Force)."
            )
        }
        let primary = try inv.string("PrimarySmtpAddress") ?? upn
        do { try MailboxAccount.validateUserPrincipalName(primary) } catch { throw ShellError("\(Self.name): PrimarySmtpAddress: \(error.message)") }
        let account = MailboxAccount(
            name: name, alias: try inv.string("Alias"), userPrincipalName: upn, primarySmtpAddress: primary,
            emailAddresses: MailboxAddresses.proxyAddresses(inv.strings("EmailAddresses") ?? []))
        if inv.whatIf { context.say("What if: Creating mailbox \"\(name)\" (\(upn))."); return [] }
        do { try context.store.addAccount(account, password: secure.revealPlainText()) } catch let error as StoreError {
            throw ShellError(error.description)
        }
        if !(try context.store.acceptedDomains()).contains(where: { $0.matches(domain: String(primary.split(separator: "@").last ?? "")) }) {
            context.warn("The address \(primary) is not in an accepted domain; mail to it will be treated as relay.")
        }
        return [.object(ObjectMapping.mailbox(account))]
    }
}

/// A mailbox's further addresses as Exchange writes them: `smtp:kate@contoso.test` (the `smtp:`/`SMTP:` prefix of
/// proxy addresses is optional here), without duplicates of each other or of the UPN and primary address.
enum MailboxAddresses {
    static func proxyAddresses(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.compactMap { value in
            var address = value.trimmingCharacters(in: .whitespaces)
            if address.lowercased().hasPrefix("smtp:") { address = String(address.dropFirst(5)) }
            guard !address.isEmpty, seen.insert(address.lowercased()).inserted else { return nil }
            return address
        }
    }
}

enum MailboxLookup {
    static func find(_ inv: CmdletInvocation, input: [PSValue], context: ShellContext) throws -> [MailboxAccount] {
        let all = try context.store.accounts()
        var identity = try inv.string("Identity")
        if identity == nil, case .object(let o)? = input.first, let p = o.payload, p.hasPrefix("mailbox:") { identity = String(p.dropFirst(8)) }
        guard let identity else { return all }
        let found = all.filter { Wildcard.matches(identity, $0.name) || $0.answers(to: identity) || Wildcard.matches(identity, $0.alias) }
        if found.isEmpty {
            throw ShellError("The operation couldn't be performed because object '\(identity)' couldn't be found: no mailbox of that name.")
        }
        return found
    }
}

struct GetMailbox: Cmdlet {
    static let name = "Get-Mailbox"
    static let parameters = ["Identity", "DomainController"]
    static let changesState = false
    static let synopsis = "Lists the accounts that may use basic authentication."
    static func run(_ inv: CmdletInvocation, input: [PSValue], context: ShellContext) throws -> [PSValue] {
        try MailboxLookup.find(inv, input: [], context: context).map { .object(ObjectMapping.mailbox($0)) }
    }
}

/// Changes a mailbox's addresses, alias or display name: `Set-Mailbox kate -EmailAddresses @{Add="k.smith@contoso.test"}`.
struct SetMailbox: Cmdlet {
    static let name = "Set-Mailbox"
    static let parameters = ["Identity", "EmailAddresses", "PrimarySmtpAddress", "Alias", "Name", "DisplayName", "DomainController"]
    static let positional = ["Identity"]
    static let synopsis = "Changes a mailbox's -EmailAddresses (a list, or @{Add=…; Remove=…}), -PrimarySmtpAddress, -Alias or -Name."
    static func run(_ inv: CmdletInvocation, input: [PSValue], context: ShellContext) throws -> [PSValue] {
        guard inv.has("Identity") || !input.isEmpty else { throw ShellError("\(name): -Identity is required.") }
        for var account in try MailboxLookup.find(inv, input: input, context: context) {
            if let input = try inv.parameterInput("EmailAddresses") {
                let edited: [String]
                do { edited = try MultiValuedEdit.apply(account.emailAddresses, input, parameter: "EmailAddresses") } catch {
                    throw ShellError("\(name): \(error.message)")
                }
                account.emailAddresses = MailboxAddresses.proxyAddresses(edited)
            }
            if let primary = try inv.string("PrimarySmtpAddress") { account.primarySmtpAddress = primary }
            if let alias = try inv.string("Alias") { account.alias = alias }
            if let newName = try inv.string("Name") ?? inv.string("DisplayName") { account.name = newName }
            // The primary address is not repeated among the further ones.
            account.emailAddresses.removeAll { $0.caseInsensitiveCompare(account.primarySmtpAddress) == .orderedSame }
            if inv.whatIf { context.say("What if: Setting mailbox \"\(account.name)\"."); continue }
            do { try context.store.updateAccount(account) } catch let error as StoreError { throw ShellError("\(name): \(error.description)") }
        }
        return []
    }
}

struct RemoveMailbox: Cmdlet {
    static let name = "Remove-Mailbox"
    static let parameters = ["Identity", "DomainController"]
    static let switches = ["Permanent"]
    static let synopsis = "Removes an account (asks first unless -Confirm:$false)."
    static func run(_ inv: CmdletInvocation, input: [PSValue], context: ShellContext) throws -> [PSValue] {
        guard inv.has("Identity") || !input.isEmpty else { throw ShellError("\(name): -Identity is required.") }
        for account in try MailboxLookup.find(inv, input: input, context: context) {
            if inv.whatIf { context.say("What if: Removing mailbox \"\(account.name)\"."); continue }
            guard try context.confirmAction(inv, action: "removing mailbox", target: account.userPrincipalName) else { continue }
            do { try context.store.removeAccount(userPrincipalName: account.userPrincipalName) } catch let error as StoreError {
                throw ShellError(error.description)
            }
        }
        return []
    }
}
