import Foundation
import EMSLanguage
import ReceptorCore
import ReceptorStore

/// Turns domain values into the objects the pipeline carries, with Exchange's property names and order,
/// so `Format-List`, `where` and `ConvertTo-Json` see what they would in the Exchange Management Shell.
enum ObjectMapping {
    /// Get-ReceiveConnector's property order: Exchange's (roughly alphabetical, identity last).
    static let connectorPropertyOrder: [String] = [
        "AuthMechanism", "Banner", "BinaryMimeEnabled", "Bindings", "ChunkingEnabled", "DefaultDomain",
        "DeliveryStatusNotificationEnabled", "EightBitMimeEnabled", "SmtpUtf8Enabled", "BareLinefeedRejectionEnabled",
        "DomainSecureEnabled", "EnhancedStatusCodesEnabled", "LongAddressesEnabled", "OrarEnabled", "SuppressXAnonymousTls",
        "AdvertiseClientSettings", "Fqdn", "ServiceDiscoveryFqdn", "TlsCertificateName", "Comment", "Enabled",
        "ConnectionTimeout", "ConnectionInactivityTimeout", "MessageRateLimit", "MessageRateSource", "MaxInboundConnection",
        "MaxInboundConnectionPerSource", "MaxInboundConnectionPercentagePerSource", "MaxHeaderSize", "MaxHopCount",
        "MaxLocalHopCount", "MaxLogonFailures", "MaxMessageSize", "MaxProtocolErrors", "MaxRecipientsPerMessage",
        "PermissionGroups", "PipeliningEnabled", "ProtocolLoggingLevel", "RemoteIPRanges", "RequireEHLODomain", "RequireTLS",
        "EnableAuthGSSAPI", "ExtendedProtectionPolicy", "TlsDomainCapabilities", "Server", "TransportRole", "SizeEnabled",
        "TarpitInterval", "AuthTarpitInterval", "MaxAcknowledgementDelay", "RejectReservedTopLevelRecipientDomains",
        "RejectReservedSecondLevelRecipientDomains", "RejectSingleLabelRecipientDomains", "Name", "Identity", "Guid",
        "Revision", "WhenChanged", "WhenCreated",
    ]

    static func psValue(_ value: ParameterValue) -> PSValue {
        switch value {
        case .bool(let b): .bool(b)
        case .text(let t): t.map(PSValue.string) ?? .null
        case .integer(let n): .int(n)
        case .list(let items): .array(items.map(PSValue.string))
        case .typed(let text, let number): .typed(PSTyped(text: text, number: number, typeName: "Value"))
        }
    }

    static func date(_ d: Date) -> PSValue {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = .current
        f.dateFormat = "M/d/yyyy h:mm:ss a"
        return .typed(PSTyped(text: f.string(from: d), number: d.timeIntervalSince1970, typeName: "DateTime"))
    }

    static func connector(_ stored: StoredConnector) -> PSObject {
        let c = stored.connector
        var values: [String: PSValue] = [:]
        for p in ConnectorParameters.all { values[p.name] = psValue(p.value(of: c)) }
        values["Server"] = .string(c.server)
        values["Identity"] = .string(c.identity.description)
        values["Guid"] = .string(c.guid.uuidString.lowercased())
        values["Revision"] = .int(stored.revision)
        values["WhenChanged"] = date(stored.whenChanged)
        values["WhenCreated"] = date(stored.whenCreated)
        let props = connectorPropertyOrder.compactMap { name in values[name].map { PSProperty(name: name, value: $0) } }
        var o = PSObject(typeName: "ReceiveConnector", properties: props)
        o.defaultDisplayProperties = ["Identity", "Bindings", "Enabled"]
        o.payload = "connector:\(c.guid.uuidString):\(stored.revision)"
        return o
    }

    static func permission(_ entry: PermissionEntry, connector: ReceiveConnector) -> PSObject {
        var o = PSObject(
            typeName: "ADPermission",
            properties: [
                PSProperty(name: "Identity", value: .string(connector.identity.description)),
                PSProperty(name: "User", value: .string(entry.user.name)),
                PSProperty(name: "Deny", value: .bool(entry.deny)),
                PSProperty(name: "IsInherited", value: .bool(false)),
                PSProperty(name: "Inherited", value: .bool(false)),
                PSProperty(name: "AccessRights", value: .array([.string("ExtendedRight")])),
                PSProperty(name: "ExtendedRights", value: .array(entry.extendedRights.map { .string($0.rawValue) })),
                PSProperty(name: "FromPermissionGroup", value: .bool(entry.fromPermissionGroup)),
            ])
        o.defaultDisplayProperties = ["Identity", "User", "Deny", "Inherited"]
        o.payload = "connector:\(connector.guid.uuidString)"
        return o
    }

    static func acceptedDomain(_ d: AcceptedDomain) -> PSObject {
        var o = PSObject(
            typeName: "AcceptedDomain",
            properties: [
                PSProperty(name: "Name", value: .string(d.name)),
                PSProperty(name: "DomainName", value: .string(d.domainName)),
                PSProperty(name: "DomainType", value: .typed(PSTyped(text: d.domainType.rawValue, number: nil, typeName: "AcceptedDomainType"))),
                PSProperty(name: "Default", value: .bool(d.isDefault)),
                PSProperty(name: "Identity", value: .string(d.name)),
            ])
        o.defaultDisplayProperties = ["Name", "DomainName", "DomainType", "Default"]
        o.payload = "accepteddomain:\(d.name)"
        return o
    }

    static func mailbox(_ a: MailboxAccount) -> PSObject {
        var o = PSObject(
            typeName: "Mailbox",
            properties: [
                PSProperty(name: "Name", value: .string(a.name)),
                PSProperty(name: "Alias", value: .string(a.alias)),
                PSProperty(name: "UserPrincipalName", value: .string(a.userPrincipalName)),
                PSProperty(name: "PrimarySmtpAddress", value: .string(a.primarySmtpAddress)),
                PSProperty(
                    name: "EmailAddresses",
                    value: .array((["SMTP:" + a.primarySmtpAddress] + a.emailAddresses.map { "smtp:" + $0 }).map(PSValue.string))),
                PSProperty(name: "Identity", value: .string(a.name)),
            ])
        o.defaultDisplayProperties = ["Name", "Alias", "UserPrincipalName", "PrimarySmtpAddress"]
        o.payload = "mailbox:\(a.userPrincipalName)"
        return o
    }

    static func server(_ s: Server) -> PSObject {
        let roles = s.role == .edge ? "Edge" : "Mailbox"
        var o = PSObject(
            typeName: "ExchangeServer",
            properties: [
                PSProperty(name: "Name", value: .string(s.name)),
                PSProperty(name: "Fqdn", value: .string(s.fqdn)),
                PSProperty(name: "Domain", value: .string(s.domain)),
                PSProperty(name: "ServerRole", value: .typed(PSTyped(text: roles, number: nil, typeName: "ServerRole"))),
                PSProperty(name: "IsEdgeServer", value: .bool(s.role == .edge)),
                PSProperty(name: "IsMailboxServer", value: .bool(s.role == .mailbox)),
                PSProperty(name: "UseDowngradedExchangeServerAuth", value: .bool(s.useDowngradedExchangeServerAuth)),
                PSProperty(name: "AdminDisplayVersion", value: .string("Receptor \(ReceptorVersion.string)")),
                PSProperty(name: "Identity", value: .string(s.name)),
            ])
        o.defaultDisplayProperties = ["Name", "ServerRole", "Fqdn", "AdminDisplayVersion"]
        o.payload = "server:\(s.name)"
        return o
    }
}

public enum ReceptorVersion {
    public static let string = "0.1.0"
}
