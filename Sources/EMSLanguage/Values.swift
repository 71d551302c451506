import Foundation

/// A value as it travels through a PowerShell pipeline.
///
/// The cases mirror what Exchange Management Shell users actually meet: scalars, arrays,
/// objects returned by cmdlets, script blocks handed to `Where-Object`, hashtables for
/// `@{Add=...}` multi-value edits, secure strings for passwords, and "typed" scalars that
/// stand in for .NET types the module does not model (sizes, time spans, flags enums).
public indirect enum PSValue: Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([PSValue])
    case object(PSObject)
    /// A parsed `{ ... }` block.
    case scriptBlock(ScriptBlock)
    /// `@{Add="x","y"; Remove="z"}`; keeps the order the keys were written in.
    case hashtable([(key: String, value: PSValue)])
    /// The result of `ConvertTo-SecureString`; never prints its secret.
    case secureString(SecureText)
    /// A host-defined scalar such as a ByteQuantifiedSize or an EnhancedTimeSpan.
    case typed(PSTyped)
}

extension PSValue: Equatable {
    // Written by hand because the hashtable case holds labelled tuples, which cannot be Equatable.
    public static func == (lhs: PSValue, rhs: PSValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.int(a), .int(b)): return a == b
        case let (.double(a), .double(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)): return a == b
        case let (.scriptBlock(a), .scriptBlock(b)): return a == b
        case let (.hashtable(a), .hashtable(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case let (.secureString(a), .secureString(b)): return a == b
        case let (.typed(a), .typed(b)): return a == b
        default: return false
        }
    }
}

// Literal conformances keep hosts and tests readable: `["a", "b"]` instead of `.array([.string("a"), ...])`.
extension PSValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: PSValue...) { self = .array(elements) }
}

/// One named value of a `PSObject`.
public struct PSProperty: Sendable, Equatable {
    public var name: String
    public var value: PSValue

    public init(name: String, value: PSValue) {
        self.name = name
        self.value = value
    }

    public init(_ name: String, _ value: PSValue) {
        self.init(name: name, value: value)
    }
}

/// An object with ordered properties, as a cmdlet such as `Get-ReceiveConnector` emits it.
public struct PSObject: Sendable, Equatable {
    /// For example "ReceiveConnector"; objects of one type share a table when rendered.
    public var typeName: String
    /// Ordered; lookup by name is case-insensitive, as in PowerShell.
    public var properties: [PSProperty]
    /// What a bare pipeline shows (as a table) when the object reaches the end.
    public var defaultDisplayProperties: [String]?
    /// Opaque handle for the host (e.g. a connector's identity), carried through pipelines untouched.
    public var payload: String?

    public init(
        typeName: String,
        properties: [PSProperty] = [],
        defaultDisplayProperties: [String]? = nil,
        payload: String? = nil
    ) {
        self.typeName = typeName
        self.properties = properties
        self.defaultDisplayProperties = defaultDisplayProperties
        self.payload = payload
    }

    /// The property's value, matched case-insensitively; nil when the object has no such property.
    public subscript(name: String) -> PSValue? {
        get { property(named: name)?.value }
        set {
            let index = properties.firstIndex { $0.name.caseInsensitiveEquals(name) }
            switch (index, newValue) {
            case let (i?, v?): properties[i].value = v
            case let (i?, nil): properties.remove(at: i)
            case let (nil, v?): properties.append(PSProperty(name: name, value: v))
            case (nil, nil): break
            }
        }
    }

    /// The property with its canonical spelling, matched case-insensitively.
    public func property(named name: String) -> PSProperty? {
        properties.first { $0.name.caseInsensitiveEquals(name) }
    }

    public var propertyNames: [String] { properties.map(\.name) }
}

/// A scalar whose text is what PowerShell would show and compare with -like / -match, with an
/// optional number for -eq/-gt and sorting.
/// Hosts use it for typed values such as ByteQuantifiedSize ("36 MB (37,748,736 bytes)", number
/// 37748736), EnhancedTimeSpan ("00:10:00", 600), flags enums ("Tls, BasicAuth").
public struct PSTyped: Sendable, Equatable, CustomStringConvertible {
    public var text: String
    public var number: Double?
    public var typeName: String

    public init(text: String, number: Double? = nil, typeName: String) {
        self.text = text
        self.number = number
        self.typeName = typeName
    }

    public var description: String { text }
}

/// The secret behind a `System.Security.SecureString`.
///
/// Every textual view (description, debug description, mirror) hides the secret so that it
/// cannot leak into formatted output, logs or test failure messages. The host asks for it
/// explicitly with `revealPlainText()` when it has to hand it on.
public struct SecureText: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    private let secret: String

    public init(_ plainText: String) { secret = plainText }

    public func revealPlainText() -> String { secret }
    public var length: Int { secret.count }
    public var description: String { "System.Security.SecureString" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, unlabeledChildren: [Any]()) }
}

/// A parsed `{ ... }` block. `text` is the source between the braces, which is what
/// PowerShell shows for a script block and what a host can forward (e.g. as a -Filter).
public struct ScriptBlock: Sendable, Equatable, CustomStringConvertible {
    public var text: String
    public var body: PSScript

    public init(text: String, body: PSScript) {
        self.text = text
        self.body = body
    }

    public var description: String { text }
}

extension String {
    func caseInsensitiveEquals(_ other: String) -> Bool {
        compare(other, options: [.caseInsensitive]) == .orderedSame
    }
}
