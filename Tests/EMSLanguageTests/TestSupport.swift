import XCTest

@testable import EMSLanguage

struct HostError: Error, Equatable {
    let message: String
}

/// A stand-in for the Receptor shell: `Get-Thing` returns receive-connector-like objects,
/// `Set-Thing` records how its arguments were bound.
final class FakeHost: PSCommandHost {
    var invocations: [PSInvocation] = []
    var inputs: [[PSValue]] = []
    var things: [PSObject] = FakeHost.sampleThings

    func resolve(commandName: String) -> PSCommandInfo? {
        switch commandName.lowercased() {
        case "get-thing", "gth":
            return PSCommandInfo(name: "Get-Thing", parameters: ["Identity", "Server"])
        case "set-thing":
            return PSCommandInfo(
                name: "Set-Thing",
                parameters: [
                    "Identity", "Bindings", "RemoteIPRanges", "RequireTLS", "MaxMessageSize", "Enabled", "Password",
                    "PermissionGroups", "Banner", "Comment",
                ],
                switches: ["Confirm", "WhatIf", "Force"])
        case "get-receiveconnector":
            return PSCommandInfo(name: "Get-ReceiveConnector", parameters: ["Identity"])
        case "fail-thing":
            return PSCommandInfo(name: "Fail-Thing")
        default:
            return nil
        }
    }

    var commandNames: [String] { ["Get-Thing", "Set-Thing", "Get-ReceiveConnector", "Fail-Thing"] }

    func invoke(_ invocation: PSInvocation, input: [PSValue]) throws -> [PSValue] {
        invocations.append(invocation)
        inputs.append(input)
        switch invocation.commandName {
        case "Get-Thing":
            if let identity = (invocation.argument("Identity") ?? invocation.positional.first)?.value.text {
                return things.filter { $0["Name"]?.text == identity || $0["Identity"]?.text == identity }.map(PSValue.object)
            }
            return things.map(PSValue.object)
        case "Fail-Thing":
            throw HostError(message: "The operation couldn't be performed because object 'X' couldn't be found.")
        default:
            return []
        }
    }

    static func thing(
        name: String, bindings: [String], ranges: [String], groups: String, size: (String, Double), enabled: Bool,
        inherited: Bool, user: String, rights: [String]
    ) -> PSObject {
        PSObject(
            typeName: "ReceiveConnector",
            properties: [
                PSProperty("Name", .string(name)),
                PSProperty("Identity", .string("MBX01\\" + name)),
                PSProperty("Bindings", .array(bindings.map(PSValue.string))),
                PSProperty("RemoteIPRanges", .array(ranges.map(PSValue.string))),
                PSProperty("PermissionGroups", .typed(PSTyped(text: groups, typeName: "PermissionGroups"))),
                PSProperty("MaxMessageSize", .typed(PSTyped(text: size.0, number: size.1, typeName: "ByteQuantifiedSize"))),
                PSProperty("Enabled", .bool(enabled)),
                PSProperty("Deny", .bool(false)),
                PSProperty("IsInherited", .bool(inherited)),
                PSProperty("User", .string(user)),
                PSProperty("ExtendedRights", .array(rights.map(PSValue.string))),
                PSProperty("ConnectionTimeout", .typed(PSTyped(text: "00:10:00", number: 600, typeName: "EnhancedTimeSpan"))),
            ],
            defaultDisplayProperties: ["Name", "Bindings", "Enabled"],
            payload: "MBX01\\" + name)
    }

    static let sampleThings: [PSObject] = [
        thing(
            name: "Default Frontend MBX01", bindings: ["0.0.0.0:25", "[::]:25"],
            ranges: ["::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "0.0.0.0-255.255.255.255"],
            groups: "AnonymousUsers, ExchangeServers, ExchangeLegacyServers", size: ("36 MB (37,748,736 bytes)", 37_748_736),
            enabled: true, inherited: false, user: "NT AUTHORITY\\ANONYMOUS LOGON",
            rights: ["ms-Exch-SMTP-Submit", "ms-Exch-SMTP-Accept-Any-Sender"]),
        thing(
            name: "Client Frontend MBX01", bindings: ["0.0.0.0:587", "[::]:587"],
            ranges: ["0.0.0.0-255.255.255.255"], groups: "ExchangeUsers",
            size: ("36 MB (37,748,736 bytes)", 37_748_736), enabled: true, inherited: true,
            user: "NT AUTHORITY\\Authenticated Users", rights: ["ms-Exch-SMTP-Submit"]),
        thing(
            name: "Relay MBX01", bindings: ["10.1.2.3:25"], ranges: ["10.1.2.10", "10.1.2.15"],
            groups: "AnonymousUsers", size: ("10 MB (10,485,760 bytes)", 10_485_760), enabled: false, inherited: false,
            user: "NT AUTHORITY\\ANONYMOUS LOGON", rights: ["ms-Exch-SMTP-Accept-Any-Recipient"]),
    ]
}

class EMSTestCase: XCTestCase {
    var host: FakeHost!
    var session: PSSession!

    override func setUp() {
        super.setUp()
        host = FakeHost()
        session = PSSession(host: host)
    }

    /// The values of the last statement.
    func eval(_ line: String) throws -> [PSValue] {
        try session.evaluate(line)
    }

    /// The single value of an expression (collapsed as PowerShell would assign it).
    func value(_ line: String) throws -> PSValue {
        PSValue.collapse(try session.evaluate(line))
    }

    /// The rendered output joined with newlines, for exact golden comparisons.
    func output(_ line: String) throws -> String {
        try session.run(line).joined(separator: "\n")
    }

    func assertRuntimeError(
        _ line: String, _ message: String, file: StaticString = #filePath, lineNumber: UInt = #line
    ) {
        XCTAssertThrowsError(try session.run(line), file: file, line: lineNumber) { error in
            XCTAssertEqual((error as? PSRuntimeError)?.message, message, file: file, line: lineNumber)
        }
    }

    func assertParseError(
        _ line: String, _ message: String, column: Int, file: StaticString = #filePath, lineNumber: UInt = #line
    ) {
        XCTAssertThrowsError(try PSParser.parse(line), file: file, line: lineNumber) { error in
            guard let parseError = error as? EMSParseError else {
                return XCTFail("not a parse error: \(error)", file: file, line: lineNumber)
            }
            XCTAssertEqual(parseError.message, message, file: file, line: lineNumber)
            XCTAssertEqual(parseError.column, column, file: file, line: lineNumber)
        }
    }

    /// The last Set-Thing invocation.
    var lastInvocation: PSInvocation? { host.invocations.last }
}
