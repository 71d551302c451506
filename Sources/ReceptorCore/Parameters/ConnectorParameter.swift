/// One row of the parameter table: everything the shell, the console and the README need to know about a
/// receive-connector parameter — its name, value syntax, where it may be used, its help, and how to read it
/// from and write it to a connector. The table lives in `ConnectorParameters`.
public struct ConnectorParameter: Sendable {
    public enum Kind: Sendable, Equatable {
        case boolean
        case text
        case fqdn
        case integer(ClosedRange<Int>)
        case unlimited(ClosedRange<Int>)
        case byteSize(ClosedRange<Int64>)
        case timeSpan(ClosedRange<Int>)
        case choice([String])
        case flags([String])
        case bindings
        case remoteIPRanges
        case textList

        /// The syntax line shown in help ("ByteQuantifiedSize: 65536 to 2147483647 bytes, as in 36MB").
        public var syntax: String {
            switch self {
            case .boolean: "Boolean: $true or $false"
            case .text: "String"
            case .fqdn: "Fqdn: a domain name, as in mail.contoso.com"
            case .integer(let r): "Int32: \(r.lowerBound) to \(r.upperBound)"
            case .unlimited(let r): "Unlimited: \(r.lowerBound) to \(r.upperBound), or unlimited"
            case .byteSize(let r): "ByteQuantifiedSize: \(r.lowerBound) to \(r.upperBound) bytes; B, KB, MB, GB or TB, as in 36MB"
            case .timeSpan(let r):
                "EnhancedTimeSpan: \(EnhancedTimeSpan(seconds: r.lowerBound)) to \(EnhancedTimeSpan(seconds: r.upperBound)), written [d.]hh:mm:ss"
            case .choice(let names): names.joined(separator: " | ")
            case .flags(let names): "one or more of " + names.joined(separator: ", ") + ", comma-separated"
            case .bindings: "MultiValuedProperty: \"IP:port\" values, as in \"0.0.0.0:25\",\"[::]:25\" (0.0.0.0 and [::] mean every local address)"
            case .remoteIPRanges: "MultiValuedProperty: addresses, a-b ranges or CIDR blocks, IPv4 or IPv6, as in 192.168.1.10,10.0.0.0/24"
            case .textList: "MultiValuedProperty of strings"
            }
        }

        /// Multi-valued kinds accept `@{Add=…; Remove=…}` and show as `{a, b}`.
        public var isMultiValued: Bool { self == .bindings || self == .remoteIPRanges || self == .textList }
    }

    /// Which console tab (reference §11) holds the field; `advanced` fields live on the Security tab's and
    /// General tab's "more options" pages and in the shell.
    public enum Section: String, Sendable, CaseIterable {
        case general = "General", security = "Security", scoping = "Scoping", limits = "Limits", protocolFeatures = "Protocol"
    }

    public let name: String
    public let kind: Kind
    public let section: Section
    public let onNew: Bool
    public let onSet: Bool
    public let help: String
    /// Said as a warning when the parameter is set: a valid Exchange setting that this product stores but
    /// whose behaviour the listener does not implement.
    public let listenerNote: String?

    let dynamicNote: @Sendable (ReceiveConnector) -> String?
    let read: @Sendable (ReceiveConnector) -> ParameterValue
    let write: @Sendable (inout ReceiveConnector, ParameterInput) throws -> Void
    /// The short form for generated command lines (`36MB`, `$true`, `"0.0.0.0:25","[::]:25"`).
    let command: @Sendable (ReceiveConnector) -> String

    public func value(of connector: ReceiveConnector) -> ParameterValue { read(connector) }

    public func apply(_ input: ParameterInput, to connector: inout ReceiveConnector) throws(ValueError) {
        // Every refusal names the parameter, whichever parser produced it.
        do { try write(&connector, input) } catch let error as ValueError {
            throw error.message.contains(name) ? error : ValueError("\(name): \(error.message)")
        } catch {
            throw ValueError("\(name): \(error)")
        }
    }

    /// The warning to show once this parameter was set on `connector`, if the listener will not act on it.
    public func listenerWarning(after connector: ReceiveConnector) -> String? { dynamicNote(connector) }

    public func commandText(of connector: ReceiveConnector) -> String { command(connector) }
}
