import XCTest
import EMSLanguage
import ReceptorCore
import ReceptorStore
@testable import ReceptorShell

/// Set-TransportService / Set-FrontendTransportService: the receive protocol log settings of reference §8c.
final class TransportServiceCmdletTests: ShellTestCase {
    func testDefaultsAreExchanges() throws {
        let out = try run("Get-TransportService MBX01 | Format-List ReceiveProtocolLog*")
        XCTAssertTrue(out.contains("ReceiveProtocolLogMaxFileSize      : 10 MB (10,485,760 bytes)"), out)
        XCTAssertTrue(out.contains("ReceiveProtocolLogMaxDirectorySize : 250 MB (262,144,000 bytes)"), out)
        XCTAssertTrue(out.contains("ReceiveProtocolLogMaxAge           : 30.00:00:00"), out)
        XCTAssertTrue(out.contains("/logs/Hub/ProtocolLog/SmtpReceive"), out)
        XCTAssertTrue(try run("Get-FrontendTransportService | Format-List ReceiveProtocolLogPath").contains("/logs/FrontEnd/ProtocolLog/SmtpReceive"))
    }

    func testSetEachServiceSeparately() throws {
        try run("Set-TransportService MBX01 -ReceiveProtocolLogMaxAge 7.00:00:00 -ReceiveProtocolLogMaxFileSize 20MB")
        try run(
            "Set-FrontendTransportService MBX01 -ReceiveProtocolLogMaxDirectorySize unlimited -ReceiveProtocolLogMaxFileSize unlimited -ReceiveProtocolLogPath /var/log/receptor/frontend"
        )
        let server = try XCTUnwrap(store.servers().first)
        XCTAssertEqual(server.receiveProtocolLog(service: "Hub").maxAge.seconds, 7 * 86400)
        XCTAssertEqual(server.receiveProtocolLog(service: "Hub").maxFileSize, .megabytes(20))
        XCTAssertEqual(server.receiveProtocolLog(service: "Hub").maxDirectorySize, .megabytes(250))
        XCTAssertNil(server.receiveProtocolLog(service: "FrontEnd").maxDirectorySize)
        XCTAssertEqual(server.receiveProtocolLog(service: "FrontEnd").path, "/var/log/receptor/frontend")
        XCTAssertEqual(server.receiveProtocolLog(service: "FrontEnd").maxAge.seconds, 30 * 86400, "untouched values keep Exchange's defaults")
        let out = try run("Get-FrontendTransportService MBX01 | Format-List")
        XCTAssertTrue(out.contains("ReceiveProtocolLogMaxDirectorySize : Unlimited"), out)
        XCTAssertTrue(out.contains("ReceiveProtocolLogPath             : /var/log/receptor/frontend"), out)
        // Turning age-based deletion off.
        try run("Set-TransportService MBX01 -ReceiveProtocolLogMaxAge 00:00:00")
        XCTAssertEqual(try store.servers().first?.receiveProtocolLog(service: "Hub").maxAge, .zero)
    }

    func testRefusalsChangeNothing() throws {
        let before = try store.servers()
        refuse(
            "Set-TransportService MBX01 -ReceiveProtocolLogMaxFileSize 300MB",
            containing: "must not be larger than ReceiveProtocolLogMaxDirectorySize")
        refuse(
            "Set-TransportService MBX01 -ReceiveProtocolLogMaxFileSize unlimited",
            containing: "can't be unlimited while ReceiveProtocolLogMaxDirectorySize is limited")
        refuse("Set-TransportService MBX01 -ReceiveProtocolLogMaxFileSize 0", containing: "between 1 byte and 909.5 TB")
        refuse("Set-TransportService MBX01 -ReceiveProtocolLogMaxFileSize lots", containing: "is not a size")
        refuse("Set-TransportService MBX01 -ReceiveProtocolLogMaxAge 24856.00:00:00", containing: "between 00:00:00 and 24855.03:14:07")
        refuse("Set-TransportService MBX01 -ReceiveProtocolLogMaxAge soon", containing: "is not a time span")
        refuse("Set-TransportService MBX01 -ReceiveProtocolLogPath logs", containing: "must be an absolute path")
        refuse("Set-TransportService MBX01 -ReceiveProtocolLogPath $null", containing: "can't be $null")
        XCTAssertEqual(try store.servers(), before)
    }

    func testEdgeHasNoFrontEndService() throws {
        try addServer(name: "EDGE01", role: .edge)
        try run("Set-TransportService EDGE01 -ReceiveProtocolLogMaxAge 14.00:00:00")
        let edge = try XCTUnwrap(store.servers().first { $0.name == "EDGE01" })
        XCTAssertEqual(edge.receiveProtocolLog(service: "Edge").maxAge.seconds, 14 * 86400)
        XCTAssertTrue(try run("Get-TransportService EDGE01 | Format-List ReceiveProtocolLogPath").contains("/logs/Edge/ProtocolLog/SmtpReceive"))
        refuse("Set-FrontendTransportService EDGE01 -ReceiveProtocolLogMaxAge 1.00:00:00", containing: "runs only on Mailbox servers")
        XCTAssertEqual(
            try run("Get-FrontendTransportService | Format-List Name").components(separatedBy: "Name").count - 1, 1, "only the Mailbox server")
    }

    func testWhatIfWritesNothing() throws {
        let before = try store.generation()
        try run("Set-TransportService MBX01 -ReceiveProtocolLogMaxAge 1.00:00:00 -WhatIf")
        XCTAssertEqual(try store.generation(), before)
        XCTAssertTrue(said.contains { $0.contains("What if") })
    }
}
