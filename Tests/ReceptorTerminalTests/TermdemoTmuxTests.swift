import Foundation
import XCTest

/// End-to-end tests of the curses driver: the `termdemo` binary in tmux (start, draw, keys, resize, mouse,
/// suspend, signals, crash, quit), checking the pane's text, its attributes and that the terminal is
/// restored afterwards (tty modes, alternate screen, cursor, keypad and mouse modes).
final class TermdemoTmuxTests: XCTestCase {
    private var harness: TmuxHarness?

    override func tearDown() {
        harness?.close()
        harness = nil
        super.tearDown()
    }

    /// The termdemo built beside this test bundle (`swift test` builds it), or $TERMDEMO_BIN. A missing
    /// binary fails the test: nothing here is skipped.
    private func termdemo() throws -> String {
        if let path = ProcessInfo.processInfo.environment["TERMDEMO_BIN"] { return path }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let candidates = [
            executable.deletingLastPathComponent().appendingPathComponent("termdemo"),
            executable.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("termdemo"),
        ]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            XCTFail("termdemo not built next to the tests (looked in \(candidates.map(\.path))); run `swift build` first")
            throw TmuxHarness.HarnessError.timeout("termdemo binary")
        }
        return found.path
    }

    private func start(
        _ name: String, columns: Int = 100, rows: Int = 30, environment: [String: String] = [:],
        arguments: [String] = []
    ) throws -> TmuxHarness {
        let binary = try termdemo()
        let harness = try TmuxHarness(name: name, columns: columns, rows: rows, environment: environment)
        self.harness = harness
        let shellFlags = try harness.flags()
        XCTAssertTrue(shellFlags.contains("alternate=0"), shellFlags)
        try harness.launch(binary, arguments: arguments)
        try harness.waitForText("Receptor termdemo")
        try harness.waitFor("the alternate screen") { try harness.flags().contains("alternate=1") }
        return harness
    }

    /// Quits with q and checks the terminal came back as the shell had it.
    private func quitAndCheckRestored(_ harness: TmuxHarness, file: StaticString = #filePath, line: UInt = #line) throws {
        let shellFlags = "alternate=0 cursor=1 keypad=0 keypadCursor=0 mouse=0"
        try harness.sendKeys("q")
        try harness.waitForText("DEMO-EXIT rc=0 tty=restored", file: file, line: line)
        XCTAssertEqual(try harness.flags(), shellFlags, file: file, line: line)
    }

    private func assertExit(_ harness: TmuxHarness, status: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        try harness.waitForText("DEMO-EXIT rc=\(status) tty=restored", file: file, line: line)
        XCTAssertEqual(try harness.flags(), "alternate=0 cursor=1 keypad=0 keypadCursor=0 mouse=0", file: file, line: line)
    }

    // MARK: Drawing, keys, resize, quit

    func testDrawsBoxEchoesKeyRedrawsOnResizeAndRestoresOnQuit() throws {
        let harness = try start("utf8")
        var lines = try harness.lines()
        XCTAssertTrue(lines[0].hasPrefix("┌ Receptor termdemo ───"), lines[0])
        XCTAssertTrue(lines[0].hasSuffix("┐"), lines[0])
        XCTAssertEqual(lines[0].count, 100)
        XCTAssertTrue(lines[1].hasPrefix("│ size 100x30  unicode yes  color yes"), lines[1])
        XCTAssertTrue(lines[4].hasPrefix("│ wide: 日本語 한국어 🙂 café"), lines[4])
        XCTAssertTrue(lines[5].hasPrefix("│ ╔═══"), lines[5])
        XCTAssertTrue(lines[28].hasPrefix("└───") && lines[28].hasSuffix("┘"), lines[28])
        XCTAssertTrue(lines[29].hasPrefix("key: none"), lines[29])
        // Both frame edges line up although line 4 holds wide characters.
        XCTAssertTrue(lines[4].hasSuffix("│"), lines[4])

        try harness.sendKeys("Down")
        try harness.waitFor("the key echo") { try harness.lines()[29].hasPrefix("key: down  (q quits)") }

        try harness.resize(columns: 80, rows: 24)
        try harness.waitForText("size 80x24")
        lines = try harness.lines()
        XCTAssertTrue(lines[0].hasPrefix("┌ Receptor termdemo ───") && lines[0].hasSuffix("┐"), lines[0])
        XCTAssertEqual(lines[0].count, 80)
        XCTAssertTrue(lines[22].hasPrefix("└") && lines[22].hasSuffix("┘"), lines[22])
        XCTAssertEqual(lines[22].count, 80)
        XCTAssertTrue(lines[23].hasPrefix("key: resize 80x24"), lines[23])
        XCTAssertEqual(harness.events(), ["down", "resize 80x24"])

        try quitAndCheckRestored(harness)
    }

    func testASCIIBoxesUnderTheCLocale() throws {
        let harness = try start("ascii", environment: ["LANG": "C"])
        let lines = try harness.lines()
        XCTAssertTrue(lines[0].hasPrefix("+ Receptor termdemo ---") && lines[0].hasSuffix("+"), lines[0])
        XCTAssertTrue(lines[1].hasPrefix("| size 100x30  unicode no  color yes"), lines[1])
        XCTAssertTrue(lines[4].hasPrefix("| wide: ??? ??? ? caf?"), lines[4])
        XCTAssertTrue(lines[5].hasPrefix("| +====="), lines[5])
        XCTAssertTrue(lines[28].hasPrefix("+-----") && lines[28].hasSuffix("+"), lines[28])
        XCTAssertFalse(try harness.capture().unicodeScalars.contains { !$0.isASCII })
        try quitAndCheckRestored(harness)
    }

    func testColoursByDefaultAndOnlyAttributesWithNoColor() throws {
        let coloured = try start("colour")
        var parameters = sgrParameters(try coloured.capture(escapes: true))
        XCTAssertTrue(parameters.contains(44), "blue title bar expected: \(parameters.sorted())")
        XCTAssertTrue(parameters.contains(46), "cyan selection expected: \(parameters.sorted())")
        try quitAndCheckRestored(coloured)
        coloured.close()

        let plain = try start("nocolor", environment: ["NO_COLOR": "1"])
        XCTAssertTrue(try plain.lines()[1].contains("color no"))
        parameters = sgrParameters(try plain.capture(escapes: true))
        let colours = parameters.filter { (30...37).contains($0) || (40...47).contains($0) || (90...107).contains($0) || $0 == 38 || $0 == 48 }
        XCTAssertEqual(colours, [], "no colours expected with NO_COLOR")
        XCTAssertTrue(parameters.contains(7), "reverse expected: \(parameters.sorted())")
        XCTAssertTrue(parameters.contains(1), "bold expected: \(parameters.sorted())")
        XCTAssertTrue(parameters.contains(4), "underline expected: \(parameters.sorted())")
        try quitAndCheckRestored(plain)
    }

    // MARK: Input decoding

    func testKeysDecodeToEvents() throws {
        let harness = try start("keys")
        let script: [(keys: [String], literal: String?, expected: String)] = [
            (["Up"], nil, "up"), (["Left"], nil, "left"), (["Right"], nil, "right"),
            (["Home"], nil, "home"), (["End"], nil, "end"), (["PPage"], nil, "pageup"), (["NPage"], nil, "pagedown"),
            (["DC"], nil, "delete"), (["IC"], nil, "insert"), (["Tab"], nil, "tab"), (["BTab"], nil, "backtab"),
            (["BSpace"], nil, "backspace"), (["Enter"], nil, "enter"), (["Escape"], nil, "escape"),
            (["F1"], nil, "F1"), (["F5"], nil, "F5"), (["F12"], nil, "F12"),
            (["C-a"], nil, "ctrl-a"), (["C-s"], nil, "ctrl-s"), (["C-q"], nil, "ctrl-q"),
            ([], "x", "char(x)"), ([], "Q", "char(Q)"), ([], "é", "char(é)"), ([], "日", "char(日)"),
        ]
        for step in script {
            if let literal = step.literal {
                try harness.sendLiteral(literal)
            } else {
                _ = try step.keys.map { try harness.sendKeys($0) }
            }
            try harness.waitForEvent(step.expected)
        }
        XCTAssertEqual(harness.events(), script.map(\.expected))
        try quitAndCheckRestored(harness)
    }

    func testMouseClickReportsRowAndColumn() throws {
        let harness = try start("mouse")
        XCTAssertTrue(try harness.flags().contains("mouse=1"))
        // An X10 mouse report as the terminal sends it: button 1 press, then release, at column 5, row 11
        // (1-based, offset by 32).
        try harness.sendLiteral("\u{1B}[M %+")
        try harness.sendLiteral("\u{1B}[M#%+")
        try harness.waitForEvent("mouse 10,4")
        try harness.sendKeys("Down")
        try harness.waitForEvent("down")
        XCTAssertEqual(harness.events(), ["mouse 10,4", "down"])  // the release is not an event
        try quitAndCheckRestored(harness)
    }

    // MARK: Signals and crashes

    func testSuspendRestoresAndResumeRedraws() throws {
        let harness = try start("suspend")
        try harness.sendKeys("C-z")
        try harness.waitForText("Stopped")
        try harness.waitFor("the shell screen") { try harness.flags().contains("alternate=0") }
        XCTAssertEqual(try harness.flags(), "alternate=0 cursor=1 keypad=0 keypadCursor=0 mouse=0")

        try harness.type("fg; report $?")
        try harness.waitForEvent("resize 100x30")
        try harness.waitFor("the redrawn screen") { try harness.lines()[29].hasPrefix("key: resize 100x30") }
        XCTAssertTrue(try harness.lines()[0].hasPrefix("┌ Receptor termdemo"))
        XCTAssertTrue(try harness.flags().contains("alternate=1"))
        XCTAssertTrue(try harness.flags().contains("mouse=1"))
        // Program modes are back: single keys arrive at once, and Ctrl-S is a key, not flow control.
        try harness.sendKeys("C-s")
        try harness.waitForEvent("ctrl-s")
        try harness.sendKeys("Down")
        try harness.waitForEvent("down")
        try quitAndCheckRestored(harness)
    }

    func testResizeWhileSuspendedIsSeenOnResume() throws {
        let harness = try start("suspendresize")
        try harness.sendKeys("C-z")
        try harness.waitForText("Stopped")
        try harness.resize(columns: 90, rows: 25)
        try harness.type("fg; report $?")
        try harness.waitFor("the redraw at 90x25") { try harness.lines()[24].hasPrefix("key: resize 90x25") }
        XCTAssertTrue(try harness.lines()[23].hasPrefix("└") && harness.lines()[23].count == 90)
        try quitAndCheckRestored(harness)
    }

    func testInterruptRestoresTheTerminal() throws {
        let harness = try start("interrupt")
        try harness.sendKeys("C-c")
        // An interactive shell drops the rest of a command line whose program died of SIGINT: ask again.
        try harness.waitFor("the shell screen") { try harness.flags().contains("alternate=0") }
        try harness.type("report $?")
        try assertExit(harness, status: 130)
    }

    func testTerminateByPIDRestoresTheTerminal() throws {
        let harness = try start("terminate")
        let pid = try harness.programPID()
        XCTAssertEqual(kill(pid, SIGTERM), 0)
        try assertExit(harness, status: 143)
    }

    func testCrashRestoresTheTerminal() throws {
        // fatalError traps (SIGILL on x86-64, SIGTRAP on arm64); the handler restores, then Swift's
        // backtracer (told not to wait for a key) reports the crash on the restored screen.
        let harness = try start("crash", environment: ["SWIFT_BACKTRACE": "interactive=no"], arguments: ["--crash-key"])
        try harness.sendLiteral("!")
        try harness.waitFor("the crash exit") { try harness.capture().contains("DEMO-EXIT rc=") }
        let pane = try harness.capture()
        XCTAssertTrue(pane.contains("DEMO-EXIT rc=132 tty=restored") || pane.contains("DEMO-EXIT rc=133 tty=restored"), pane)
        XCTAssertEqual(try harness.flags(), "alternate=0 cursor=1 keypad=0 keypadCursor=0 mouse=0")
    }

    func testRawModeDeliversControlCAsAKey() throws {
        let harness = try start("raw", arguments: ["--raw"])
        try harness.sendKeys("C-c")
        try harness.waitForEvent("ctrl-c")
        try harness.sendKeys("C-z")  // the demo suspends itself through CursesTerminal.suspend()
        try harness.waitForText("Stopped")
        XCTAssertTrue(try harness.flags().contains("alternate=0"))
        try harness.type("fg; report $?")
        try harness.waitForEvent("resize 100x30")
        try quitAndCheckRestored(harness)
    }

    // MARK: Helpers

    /// Every number in the SGR sequences (ESC [ … m) of a capture.
    private func sgrParameters(_ text: String) -> Set<Int> {
        var result = Set<Int>()
        var rest = Substring(text)
        while let start = rest.range(of: "\u{1B}[") {
            rest = rest[start.upperBound...]
            guard let end = rest.firstIndex(where: { !($0.isNumber || $0 == ";") }) else { break }
            if rest[end] == "m" {
                for field in rest[..<end].split(separator: ";") {
                    if let number = Int(field) { result.insert(number) }
                }
            }
            rest = rest[end...]
        }
        return result
    }
}
