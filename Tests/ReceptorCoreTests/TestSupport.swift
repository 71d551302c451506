import Foundation
import XCTest
import ReceptorCore

/// Shared fixtures for the ReceptorCore tests: the Mailbox server MBX01 and the Edge server EDGE01 of the
/// contoso.com organization, parsing shorthands and assertion helpers.
enum Fixture {
    static let mailbox = Server(name: "MBX01", role: .mailbox, fqdn: "mbx01.contoso.com")
    static let edge = Server(name: "EDGE01", role: .edge, fqdn: "edge01.contoso.com")
    static let domain = "CONTOSO"

    static func ip(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> IPAddress {
        do { return try IPAddress(parsing: text) } catch {
            XCTFail("test fixture: \"\(text)\" is not an IP address: \(error)", file: file, line: line)
            return IPAddress(v4: 0)
        }
    }

    static func range(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> IPRange {
        do { return try IPRange(parsing: text) } catch {
            XCTFail("test fixture: \"\(text)\" is not an IP range: \(error)", file: file, line: line)
            return .allIPv4
        }
    }

    static func binding(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> IPBinding {
        do { return try IPBinding(parsing: text) } catch {
            XCTFail("test fixture: \"\(text)\" is not a binding: \(error)", file: file, line: line)
            return IPBinding(address: IPAddress(v4: 0), port: 25)
        }
    }

    /// The five default connectors of MBX01 (reference §1a/§1b).
    static func mailboxDefaults(portOffset: Int = 0) -> [ReceiveConnector] {
        ConnectorDefaults.setupConnectors(for: mailbox, portOffset: portOffset)
    }

    static func connector(named name: String, in list: [ReceiveConnector], file: StaticString = #filePath, line: UInt = #line) -> ReceiveConnector? {
        let found = list.first { $0.name == name }
        if found == nil { XCTFail("no connector named \"\(name)\" among \(list.map(\.name))", file: file, line: line) }
        return found
    }

    /// A connector built on `ConnectorDefaults.base` with the given scoping and security.
    static func connector(
        _ name: String, server: Server = mailbox, role: TransportRole? = .frontendTransport,
        bindings: [String], ranges: [String],
        auth: AuthMechanisms = [.tls], groups: PermissionGroups = [.anonymousUsers]
    ) -> ReceiveConnector {
        var c = ConnectorDefaults.base(name: name, server: server, transportRole: role)
        c.bindings = bindings.map { binding($0) }
        c.remoteIPRanges = ranges.map { range($0) }
        c.authMechanism = auth
        c.permissionGroups = groups
        return c
    }

    /// A connector that passes every rule with no warning on MBX01: FET, 0.0.0.0:25, one remote address,
    /// Tls and AnonymousUsers.
    static func clean(_ name: String = "Inbound From Service") -> ReceiveConnector {
        connector(name, bindings: ["0.0.0.0:25"], ranges: ["192.168.10.5"])
    }
}

/// Runs `body` and returns the ValueError it throws; fails when it throws nothing or another error.
@discardableResult
func assertValueError<T>(
    _ body: @autoclosure () throws -> T, _ what: String = "",
    file: StaticString = #filePath, line: UInt = #line
) -> ValueError? {
    do {
        let value = try body()
        XCTFail("expected a ValueError \(what), got \(value)", file: file, line: line)
        return nil
    } catch let error as ValueError {
        return error
    } catch {
        XCTFail("expected a ValueError \(what), got \(type(of: error)): \(error)", file: file, line: line)
        return nil
    }
}

/// Runs `body` and returns the RuleViolation it throws; fails when it throws nothing or another error.
@discardableResult
func assertViolation<T>(
    _ body: @autoclosure () throws -> T, _ rule: RuleViolation.Rule, parameter: String,
    file: StaticString = #filePath, line: UInt = #line
) -> RuleViolation? {
    do {
        let value = try body()
        XCTFail("expected RuleViolation .\(rule), got \(value)", file: file, line: line)
        return nil
    } catch let violation as RuleViolation {
        XCTAssertEqual(violation.rule, rule, "message: \(violation.message)", file: file, line: line)
        XCTAssertEqual(violation.parameter, parameter, file: file, line: line)
        return violation
    } catch {
        XCTFail("expected RuleViolation .\(rule), got \(type(of: error)): \(error)", file: file, line: line)
        return nil
    }
}

/// The report has exactly these rules, in this order.
func assertRules(
    _ report: ValidationReport, _ rules: [RuleViolation.Rule],
    file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(report.errors.map(\.rule), rules, "errors: \(report.errors.map(\.message))", file: file, line: line)
    XCTAssertEqual(report.isValid, rules.isEmpty, file: file, line: line)
}

/// The report has exactly one error, of this rule, on this parameter, and its message names the parameter.
@discardableResult
func assertSingleRule(
    _ report: ValidationReport, _ rule: RuleViolation.Rule, parameter: String,
    file: StaticString = #filePath, line: UInt = #line
) -> RuleViolation? {
    assertRules(report, [rule], file: file, line: line)
    guard report.errors.count == 1, let error = report.errors.first else { return nil }
    XCTAssertEqual(error.parameter, parameter, file: file, line: line)
    XCTAssertTrue(error.message.contains(parameter), "message should name \(parameter): \(error.message)", file: file, line: line)
    XCTAssertFalse(error.message.contains("\n"), "message should be one line: \(error.message)", file: file, line: line)
    return error
}

/// Validates `c` against `siblings`, and checks on the way that the indexed path (`indexingSiblings()`, as
/// `store copy` and the listener validate many connectors) reports exactly the same.
func validate(
    _ c: ReceiveConnector, server: Server = Fixture.mailbox, siblings: [ReceiveConnector] = [],
    localAddresses: [IPAddress]? = nil, file: StaticString = #filePath, line: UInt = #line
) -> ValidationReport {
    let context = ValidationContext(server: server, siblings: siblings, localAddresses: localAddresses)
    let report = ConnectorValidator.validate(c, in: context)
    let indexed = ConnectorValidator.validate(c, in: context.indexingSiblings())
    XCTAssertEqual(indexed.errors, report.errors, "the indexed path's errors", file: file, line: line)
    XCTAssertEqual(indexed.warnings, report.warnings, "the indexed path's warnings", file: file, line: line)
    return report
}
