import Foundation
import XCTest
@testable import ReceptorCore

/// The indexed validation (`ValidationContext.indexingSiblings()`, used by `store copy` and the listener) reports
/// exactly what the plain one reports — every error and warning, in order — and compares each connector with a
/// few siblings, not all of them.
final class SiblingIndexTests: XCTestCase {
    // Pools that make every conflict likely: shared ports, wildcards and specific addresses of both families,
    // a port left out, nested, identical (written differently) and partly overlapping ranges, names equal but
    // for case, ASCII and not (ß and SS, the Kelvin sign and K fold together in Foundation's comparison).
    let bindings = [
        "0.0.0.0:25", "10.0.0.1:25", "10.0.0.2:25", "0.0.0.0", "[::]:25", "[2001:db8::1]:25", "0.0.0.0:587", "10.0.0.1:587",
        "[::]:587", "10.0.0.1:2525",
    ]
    let ranges = [
        "0.0.0.0-255.255.255.255", "10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.3", "10.1.2.3-10.1.2.3", "10.1.2.128-10.1.3.5",
        "10.1.3.0/24", "192.168.0.0/16", "192.168.7.7", "::/0", "2001:db8::/32", "2001:db8::1", "2001:db8::/33", "2001:db8:8000::/33",
        "2001:db8:4000::-2001:db8:c000::",
    ]
    let names = ["Relay", "relay", "RELAY 2", "Relay 2", "Relais É", "relais é", "Straße", "STRASSE", "\u{212A}elvin", "kelvin", "Scanner"]
    let roles: [TransportRole?] = [.frontendTransport, .frontendTransport, .hubTransport, nil]

    func randomConnector(_ n: Int, _ g: inout SeededGenerator) -> ReceiveConnector {
        var c = ConnectorDefaults.base(
            name: Bool.random(using: &g) ? names.randomElement(using: &g)! : "Unique \(n)", server: Fixture.mailbox,
            transportRole: .frontendTransport)
        c.transportRole = roles.randomElement(using: &g)!
        c.bindings = (0..<Int.random(in: 1...3, using: &g)).map { _ in Fixture.binding(bindings.randomElement(using: &g)!) }
        c.remoteIPRanges = (0..<Int.random(in: 1...3, using: &g)).map { _ in Fixture.range(ranges.randomElement(using: &g)!) }
        c.permissionGroups = [.anonymousUsers]
        return c
    }

    func testTheIndexedPathReportsEveryErrorAndWarningThePlainOneDoes() {
        var g = SeededGenerator(seed: 14)
        var siblings = Fixture.mailboxDefaults()
        for n in 0..<300 { siblings.append(randomConnector(n, &g)) }
        siblings.append(siblings[7])  // a twin with the same GUID: skipped as the connector itself, on both paths
        // Connectors of the set (a copy, the listener), new ones, and changed ones keeping their GUID (a write).
        var probes = siblings
        for n in 0..<100 { probes.append(randomConnector(1_000 + n, &g)) }
        for n in 0..<10 { probes.append(Fixture.connector("Alone \(n)", bindings: ["0.0.0.0:\(3_000 + n)"], ranges: ["10.1.2.0/24"])) }
        for i in stride(from: 5, to: 300, by: 7) {
            var changed = randomConnector(2_000 + i, &g)
            changed.guid = siblings[i].guid
            probes.append(changed)
        }
        let context = ValidationContext(server: Fixture.mailbox, siblings: siblings, checksReachability: false)
        let indexed = context.indexingSiblings()
        var rules: [RuleViolation.Rule: Int] = [:]
        var valid = 0
        for (i, c) in probes.enumerated() {
            let plain = ConnectorValidator.validate(c, in: context)
            let fast = ConnectorValidator.validate(c, in: indexed)
            XCTAssertEqual(fast.errors, plain.errors, "probe \(i) (\(c.name)): errors")
            XCTAssertEqual(fast.warnings, plain.warnings, "probe \(i) (\(c.name)): warnings")
            for e in plain.errors { rules[e.rule, default: 0] += 1 }
            if plain.isValid { valid += 1 }
        }
        // The set exercises each rule the index narrows, and holds valid connectors too (at least those alone on
        // their ports).
        for rule in [RuleViolation.Rule.nameUnique, .identicalBindingAndRange, .partialRangeOverlap, .transportRoleBindingConflict] {
            XCTAssertGreaterThan(rules[rule] ?? 0, 10, "\(rule): \(rules)")
        }
        XCTAssertGreaterThanOrEqual(valid, 10)
    }

    /// With reachability on (the shell's and console's writes) the warnings come out the same too.
    func testReachabilityWarningsAreTheSameThroughTheIndex() {
        var siblings = Fixture.mailboxDefaults()
        siblings.append(Fixture.connector("Wide", bindings: ["0.0.0.0:25"], ranges: ["10.0.0.0/8"]))
        siblings.append(Fixture.connector("Narrow", bindings: ["0.0.0.0:25"], ranges: ["10.1.0.0/16"]))
        let shadowed = Fixture.connector("Shadowed", bindings: ["0.0.0.0:25"], ranges: ["10.1.0.0/16", "10.1.0.0-10.1.255.255"])
        let context = ValidationContext(server: Fixture.mailbox, siblings: siblings)
        for c in siblings + [shadowed] {
            let plain = ConnectorValidator.validate(c, in: context), fast = ConnectorValidator.validate(c, in: context.indexingSiblings())
            XCTAssertEqual(fast.errors, plain.errors, c.name)
            XCTAssertEqual(fast.warnings, plain.warnings, c.name)
        }
    }

    /// 2,000 relays on 0.0.0.0:25, one address each, beside MBX01's defaults (the shape of the 10,005-connector
    /// benchmark): each relay meets itself and Default Frontend (whose range holds its address), not 2,005
    /// siblings; Default Frontend meets every relay (they all nest in it), once each.
    func testEachConnectorMeetsOnlyTheSiblingsItCouldConflictWith() {
        var siblings = Fixture.mailboxDefaults()
        for n in 0..<2_000 {
            siblings.append(Fixture.connector("Relay \(n)", bindings: ["0.0.0.0:25"], ranges: ["10.\(n / 256).\(n % 256).1"]))
        }
        let context = ValidationContext(server: Fixture.mailbox, siblings: siblings, checksReachability: false).indexingSiblings()
        let frontend = siblings.firstIndex { $0.name == "Default Frontend MBX01" }!
        let relay = siblings.firstIndex { $0.name == "Relay 1234" }!
        XCTAssertEqual(context.siblingsThatMayConflict(with: siblings[relay]), [frontend, relay])
        XCTAssertEqual(context.siblingsThatMayBeNamed("relay 1234"), [relay])
        XCTAssertEqual(context.siblingsThatMayConflict(with: siblings[frontend]).count, 2_001)
        // Another role's wildcard on the port, for a specific address; anything of another role on the port, for
        // the wildcard; both families counted apart.
        let defaultHub = siblings.firstIndex { $0.name == "Default MBX01" }!
        let clientProxy = siblings.firstIndex { $0.name == "Client Proxy MBX01" }!
        var other = Fixture.connector("Elsewhere", bindings: ["10.9.9.9:2525"], ranges: ["172.16.0.0/12"])
        XCTAssertEqual(context.siblingsThatMayConflict(with: other), [defaultHub])
        other.bindings = [Fixture.binding("0.0.0.0:465"), Fixture.binding("[2001:db8::5]:2525")]
        XCTAssertEqual(context.siblingsThatMayConflict(with: other), [defaultHub, clientProxy].sorted())
        other.bindings = [Fixture.binding("10.9.9.9:26")]
        XCTAssertEqual(context.siblingsThatMayConflict(with: other), [])
        for c in siblings { XCTAssertEqual(ConnectorValidator.validate(c, in: context).errors, [], c.name) }

        // Changing the siblings drops the index: the context is plain again, and right.
        var changed = context
        changed.siblings.append(ConnectorRoute(Fixture.connector("Relay 1234 twin", bindings: ["0.0.0.0:25"], ranges: ["10.4.210.1"])))
        XCTAssertEqual(changed.siblingsThatMayConflict(with: siblings[relay]).count, changed.siblings.count)
        XCTAssertEqual(ConnectorValidator.validate(siblings[relay], in: changed).errors.map(\.rule), [.identicalBindingAndRange])
    }

    /// The interval search finds exactly the ranges that share an address with the query.
    func testRangeIntervalsFindExactlyTheOverlappingRanges() {
        var g = SeededGenerator(seed: 6)
        let entries = (0..<500).map { i -> RangeIntervals.Entry in
            let first = UInt128(UInt64.random(in: 0...10_000, using: &g))
            return RangeIntervals.Entry(first: first, last: first + UInt128(UInt64.random(in: 0...(i % 10 == 0 ? 5_000 : 20), using: &g)), owner: i)
        }
        let intervals = RangeIntervals(entries)
        for _ in 0..<300 {
            let first = UInt128(UInt64.random(in: 0...10_500, using: &g))
            let last = first + UInt128(UInt64.random(in: 0...50, using: &g))
            var found: [Int] = []
            intervals.overlapping(first: first, last: last, into: &found)
            let expected = entries.filter { $0.first <= last && first <= $0.last }.map(\.owner)
            XCTAssertEqual(found.sorted(), expected.sorted(), "\(first)...\(last)")
        }
        var none: [Int] = []
        RangeIntervals([]).overlapping(first: 0, last: .max, into: &none)
        XCTAssertEqual(none, [])
    }
}
