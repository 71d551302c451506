import XCTest

@testable import EMSLanguage

/// Reading an unfinished line for tab completion: the word at the cursor and what it belongs to.
final class CompletionSiteTests: XCTestCase {
    func testCommandAndArgumentPositions() throws {
        let start = try XCTUnwrap(CompletionSite.analyze("Get-Rec"))
        XCTAssertEqual(start.position, .command)
        XCTAssertEqual(start.word, "Get-Rec")
        XCTAssertEqual(start.wordStart, 0)

        let piped = try XCTUnwrap(CompletionSite.analyze("Get-ReceiveConnector | Set-ReceiveConnector -Enabled $false -Comm"))
        XCTAssertEqual(piped.position, .argument(command: "Set-ReceiveConnector", preceding: ["-Enabled", "$false"]))
        XCTAssertEqual(piped.word, "-Comm")
        XCTAssertEqual(piped.pipelineBefore, "Get-ReceiveConnector")
        XCTAssertNil(start.pipelineBefore)

        let blank = try XCTUnwrap(CompletionSite.analyze("Set-ReceiveConnector 'Client Frontend MBX01' "))
        XCTAssertEqual(blank.position, .argument(command: "Set-ReceiveConnector", preceding: ["'Client Frontend MBX01'"]))
        XCTAssertEqual(blank.word, "")
        XCTAssertEqual(blank.wordStart, 45)
    }

    func testQuotesGroupsAndListsAreOneElement() throws {
        let site = try XCTUnwrap(
            CompletionSite.analyze(#"Set-ReceiveConnector "Relay; (old)" -RemoteIPRanges (Get-Content ips.txt) -AuthMechanism Tls, Basic"#))
        XCTAssertEqual(
            site.position,
            .argument(command: "Set-ReceiveConnector", preceding: [#""Relay; (old)""#, "-RemoteIPRanges", "(Get-Content ips.txt)", "-AuthMechanism"]))
        XCTAssertEqual(site.word, "Tls, Basic")

        let open = try XCTUnwrap(CompletionSite.analyze(#"Get-ReceiveConnector "Default F"#))
        XCTAssertEqual(open.word, #""Default F"#, "an open string is the word")
        XCTAssertEqual(open.wordStart, 21)
    }

    func testScriptBlocksKnowThePipelineBeforeThem() throws {
        let site = try XCTUnwrap(CompletionSite.analyze("Get-ReceiveConnector -Server MBX01 | where { $_.Enabled -and ($_.Na"))
        XCTAssertEqual(site.word, "$_.Na")
        XCTAssertTrue(site.inScriptBlock)
        XCTAssertEqual(site.upstreamPipeline, "Get-ReceiveConnector -Server MBX01")
        XCTAssertNil(try XCTUnwrap(CompletionSite.analyze("where { $_.Na")).upstreamPipeline)
        XCTAssertFalse(try XCTUnwrap(CompletionSite.analyze("$x.Na")).inScriptBlock)
        let continued = try XCTUnwrap(CompletionSite.analyze("Get-Mailbox |\n  ForEach-Object { $_.Al"))
        XCTAssertEqual(continued.upstreamPipeline, "Get-Mailbox")
        let closed = try XCTUnwrap(CompletionSite.analyze("Get-Mailbox | where { $_.Name } | Sort-Object Na"))
        XCTAssertEqual(closed.position, .argument(command: "Sort-Object", preceding: []))
        XCTAssertFalse(closed.inScriptBlock)
    }

    func testCommentsAndHashtables() throws {
        XCTAssertNil(CompletionSite.analyze("Get-Mailbox # Get-Rec"))
        XCTAssertNil(CompletionSite.analyze("Get-Mailbox <# Get-Rec"))
        XCTAssertEqual(try XCTUnwrap(CompletionSite.analyze("Get-Mailbox <# x #> | Get-Acc")).word, "Get-Acc")
        let table = try XCTUnwrap(CompletionSite.analyze("Set-ReceiveConnector x -RemoteIPRanges @{Add=$ip"))
        XCTAssertEqual(table.position, .other)
        XCTAssertEqual(table.word, "$ip")
        XCTAssertEqual(try XCTUnwrap(CompletionSite.analyze("Get-Mailbox; Get-Acc")).position, .command)
        XCTAssertEqual(try XCTUnwrap(CompletionSite.analyze("Get-Mailbox\nGet-Acc")).position, .command)
    }
}
