import XCTest
import Foundation
import ReceptorCore

/// Which traffic changes hands when connectors change (the listener's selection before and after).
final class ImpactPreviewTests: XCTestCase {
    let frontend = Fixture.connector(
        "Default Frontend", bindings: ["0.0.0.0:25", "[::]:25"], ranges: ["0.0.0.0-255.255.255.255", "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"])
    let partner = Fixture.connector("Fabrikam", bindings: ["0.0.0.0:25"], ranges: ["17.17.17.1/24"])
    let internet = Fixture.connector("Internet", bindings: ["10.10.1.1:25"], ranges: ["0.0.0.0-255.255.255.255"])

    func testANarrowerConnectorTakesItsRangeOnEveryEndpointItServes() {
        let moves = ImpactPreview.moves(before: [frontend, internet], after: [frontend, internet, partner], changed: [partner])
        // The wildcard endpoint, and 10.10.1.1:25, where Internet (a specific binding) keeps everything but the
        // partner's more specific /24.
        XCTAssertEqual(
            moves.map(\.description),
            [
                "On 0.0.0.0:25, 17.17.17.0/24 moves from MBX01\\Default Frontend to MBX01\\Fabrikam.",
                "On 10.10.1.1:25, 17.17.17.0/24 moves from MBX01\\Internet to MBX01\\Fabrikam.",
            ])
        XCTAssertFalse(moves.contains { $0.losesService })
    }

    func testRemovingTheOnlyConnectorLeavesClientsWithNothing() {
        let moves = ImpactPreview.moves(before: [frontend, partner], after: [partner], changed: [frontend])
        XCTAssertEqual(moves.map(\.range), ["0.0.0.0-17.17.16.255", "17.17.18.0-255.255.255.255", "::/0"])
        XCTAssertTrue(moves.allSatisfy(\.losesService))
        XCTAssertTrue(moves[0].description.contains("to NO connector"), moves[0].description)
    }

    func testARenameOrAChangeElsewhereMovesNothing() {
        var renamed = partner
        renamed.name = "Fabrikam TLS"
        XCTAssertEqual(ImpactPreview.moves(before: [frontend, partner], after: [frontend, renamed], changed: [partner, renamed]), [])
        var otherPort = partner
        otherPort.bindings = [Fixture.binding("0.0.0.0:2525")]
        XCTAssertEqual(
            ImpactPreview.moves(before: [frontend], after: [frontend, otherPort], changed: [otherPort]).map(\.endpoint.description),
            ["0.0.0.0:2525"], "only the endpoint it binds")
    }
}

/// A connector no connection can select is saved with a warning naming the connectors that take its traffic.
final class ReachabilityTests: XCTestCase {
    func validate(_ c: ReceiveConnector, among siblings: [ReceiveConnector]) -> ValidationReport {
        ConnectorValidator.validate(c, in: ValidationContext(server: Fixture.mailbox, siblings: siblings))
    }

    func testAShadowedConnectorIsFlaggedWithWhatShadowsIt() {
        let narrow = Fixture.connector("Narrow", bindings: ["10.0.0.5:25"], ranges: ["192.168.1.0/25"])
        let narrower = Fixture.connector("Narrower", bindings: ["10.0.0.5:25"], ranges: ["192.168.1.0/26", "192.168.1.64/26"])
        let report = validate(narrow, among: [narrower])
        let warning = report.warnings.first { $0.code == .unreachable }
        XCTAssertNotNil(warning, "\(report.warnings)")
        XCTAssertTrue(warning?.message.contains("Narrower") ?? false, warning?.message ?? "")
        // One address left to it is enough to be reachable.
        var partly = narrower
        partly.remoteIPRanges = [Fixture.range("192.168.1.0/26")]
        XCTAssertFalse(validate(narrow, among: [partly]).warnings.contains { $0.code == .unreachable })
        // Disabled connectors and the listener's validation are not asked.
        var disabled = narrow
        disabled.enabled = false
        XCTAssertFalse(validate(disabled, among: [narrower]).warnings.contains { $0.code == .unreachable })
        XCTAssertFalse(
            ConnectorValidator.validate(narrow, in: ValidationContext(server: Fixture.mailbox, siblings: [narrower], checksReachability: false))
                .warnings.contains { $0.code == .unreachable })
    }

    /// The console asks for a whole server at once; the answer is the validator's, connector by connector.
    func testTheWholeServerAtOnceAgreesWithTheValidator() {
        let narrow = Fixture.connector("Narrow", bindings: ["10.0.0.5:25"], ranges: ["192.168.1.0/25"])
        let narrower = Fixture.connector("Narrower", bindings: ["10.0.0.5:25"], ranges: ["192.168.1.0/26", "192.168.1.64/26"])
        let frontend = Fixture.connector("Frontend", bindings: ["0.0.0.0:25"], ranges: ["0.0.0.0-255.255.255.255"])
        var off = narrow
        off.name = "Off"; off.guid = UUID(); off.enabled = false
        off.remoteIPRanges = [Fixture.range("192.168.2.0/24")]
        let all = [frontend, narrow, narrower, off]
        XCTAssertEqual(Reachability.unreachable(among: all).map(\.name), ["Narrow"])
        for c in all {
            let warned = validate(c, among: all).warnings.contains { $0.code == .unreachable }
            XCTAssertEqual(warned, !Reachability.isReachable(c, among: all), c.name)
        }
        XCTAssertEqual(Reachability.shadows(of: narrow, among: all), ["Narrower"])
    }

    /// The shell hands the validator the impact preview's winners instead of letting it map again: for a new
    /// connector and for a changed one, reachable or not, the report is the one worked out from scratch.
    func testThePreviewsWinnersGiveTheValidatorsOwnAnswer() {
        let frontend = Fixture.connector("Frontend", bindings: ["0.0.0.0:25"], ranges: ["0.0.0.0-255.255.255.255"])
        let narrower = Fixture.connector("Narrower", bindings: ["10.0.0.5:25"], ranges: ["192.168.1.0/26", "192.168.1.64/26"])
        let shadowed = Fixture.connector("Narrow", bindings: ["10.0.0.5:25"], ranges: ["192.168.1.0/25"])
        let partly = Fixture.connector("Partly", bindings: ["10.0.0.5:25", "0.0.0.0:2525"], ranges: ["192.168.1.0/24"])
        let siblings = [frontend, narrower].map(ConnectorRoute.init)
        for c in [shadowed, partly] {
            // New: the siblings plus the connector.
            let added = ImpactPreview.analysis(before: siblings, after: siblings + [ConnectorRoute(c)], changed: [ConnectorRoute(c)])
            var hinted = ValidationContext(server: Fixture.mailbox, siblings: siblings)
            hinted.winnersAfterChange = added.winnersAfter
            XCTAssertEqual(
                ConnectorValidator.validate(c, in: hinted).warnings,
                ConnectorValidator.validate(c, in: ValidationContext(server: Fixture.mailbox, siblings: siblings)).warnings,
                c.name)
            // Changed: its old form among the siblings, narrowed to what Narrower takes on 10.0.0.5:25.
            var changed = c
            changed.remoteIPRanges = [Fixture.range("192.168.1.0/25")]
            let before = siblings + [ConnectorRoute(c)]
            let after = siblings + [ConnectorRoute(changed)]
            let set = ImpactPreview.analysis(before: before, after: after, changed: [ConnectorRoute(c), ConnectorRoute(changed)])
            var hintedSet = ValidationContext(server: Fixture.mailbox, siblings: before)
            hintedSet.winnersAfterChange = set.winnersAfter
            let plain = ConnectorValidator.validate(changed, in: ValidationContext(server: Fixture.mailbox, siblings: before))
            XCTAssertEqual(ConnectorValidator.validate(changed, in: hintedSet).warnings, plain.warnings, c.name)
            XCTAssertEqual(plain.warnings.contains { $0.code == .unreachable }, c.name == "Narrow", "\(c.name): \(plain.warnings)")
        }
        XCTAssertTrue(
            ConnectorValidator.validate(shadowed, in: ValidationContext(server: Fixture.mailbox, siblings: siblings)).warnings.contains {
                $0.code == .unreachable
            })
    }
}
