import Foundation
import XCTest
import ReceptorCore
@testable import ReceptorSMTP

/// An SMTP conversation script. `C: text` is a client line (CRLF added); `C~ text` is raw client bytes
/// without CRLF (escapes `\r \n \0 \t \\ \xHH` work in both); `S: text` is an expected server line;
/// `X: closed` says the server has closed the connection by then. Consecutive C lines form a flight;
/// the S lines after a flight are the replies to it. `#` starts a comment.
///
/// Directives (fixtures only): `!connector <name prefix>`, `!set <Parameter> <value>` (through the core's
/// parameter table), `!permission <principal> | <right>,<right>`, `!certificate no`, `!flights-only`.
struct Transcript {
    struct Flight {
        var client: [UInt8] = []
        var server: [String] = []
        var expectClosed = false
        var sentSTARTTLS = false
    }

    var name: String
    var flights: [Flight] = []
    var connectorPrefix = "Default Frontend"
    var settings: [(String, String)] = []
    var permissions: [PermissionEntry] = []
    var certificate = true
    var flightsOnly = false

    var clientBytes: [UInt8] { flights.flatMap(\.client) }
    var serverLines: [String] { flights.flatMap(\.server) }

    init(name: String, _ text: String) {
        self.name = name
        var current = Flight()
        var lastWasClient = false
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = String(rawLine)
            if line.hasSuffix("\r") { line.removeLast() }
            if line.hasPrefix("#") || line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            if line.hasPrefix("!") {
                let words = line.dropFirst().split(separator: " ", maxSplits: 1).map(String.init)
                let arg = words.count > 1 ? words[1] : ""
                switch words[0] {
                case "connector": connectorPrefix = arg
                case "set":
                    let kv = arg.split(separator: " ", maxSplits: 1).map(String.init)
                    settings.append((kv[0], kv.count > 1 ? kv[1] : ""))
                case "permission":
                    let parts = arg.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
                    let rights = parts[1].split(separator: ",").map { try! ExtendedRight(parsing: String($0)) }
                    permissions.append(PermissionEntry(user: SecurityPrincipal(parts[0]), extendedRights: rights))
                case "certificate": certificate = arg != "no"
                case "flights-only": flightsOnly = true
                default: fatalError("unknown directive \(line)")
                }
                continue
            }
            let tag = line.prefix(2)
            var body = String(line.dropFirst(2))
            if body.hasPrefix(" ") { body.removeFirst() }
            switch tag {
            case "C:", "C~":
                if !lastWasClient && (!current.client.isEmpty || !current.server.isEmpty) {
                    flights.append(current)
                    current = Flight()
                }
                var bytes = Transcript.unescape(body)
                if tag == "C:" { bytes += [13, 10] }
                if body.uppercased() == "STARTTLS" { current.sentSTARTTLS = true; flightsOnly = true }
                current.client += bytes
                lastWasClient = true
            case "S:":
                current.server.append(body)
                lastWasClient = false
            case "X:":
                current.expectClosed = true
                lastWasClient = false
            default:
                fatalError("bad transcript line: \(line)")
            }
        }
        flights.append(current)
    }

    static func unescape(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        let bytes = Array(s.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\\"), i + 1 < bytes.count {
                switch bytes[i + 1] {
                case UInt8(ascii: "r"): out.append(13); i += 2; continue
                case UInt8(ascii: "n"): out.append(10); i += 2; continue
                case UInt8(ascii: "0"): out.append(0); i += 2; continue
                case UInt8(ascii: "t"): out.append(9); i += 2; continue
                case UInt8(ascii: "\\"): out.append(92); i += 2; continue
                case UInt8(ascii: "x") where i + 3 < bytes.count:
                    out.append(UInt8(String(decoding: bytes[(i + 2)...(i + 3)], as: UTF8.self), radix: 16)!)
                    i += 4; continue
                default: break
                }
            }
            out.append(bytes[i])
            i += 1
        }
        return out
    }

    /// The connector the script names, with its `!set` lines applied through the core's parameter table.
    func connector() -> ReceiveConnector {
        var c = connectorPrefix == "Anonymous Relay" ? TestWorld.customRelayConnector() : TestWorld.connector(connectorPrefix)
        for (name, value) in settings {
            guard let p = ConnectorParameters.named(name) else { fatalError("unknown parameter \(name)") }
            let input: ParameterInput =
                value == "$true"
                ? .bool(true)
                : value == "$false"
                    ? .bool(false)
                    : value.contains(",") ? .list(value.split(separator: ",").map(String.init)) : .text(value)
            try! p.apply(input, to: &c)
        }
        return c
    }

    func configuration() -> SessionConfiguration {
        TestWorld.configuration(connector(), entries: permissions, certificate: certificate)
    }
}

/// Drives an `SMTPConnection` like the I/O layer would, answering its requests at once: AUTH against
/// `accounts`, delivery with increasing InternalIds, STARTTLS with `tls`.
struct Harness {
    var connection: SMTPConnection
    var accounts: [String: (password: String, account: MailboxAccount)] = [
        TestWorld.kate.userPrincipalName: (TestWorld.password, TestWorld.kate)
    ]
    var tls = TestWorld.tls
    var nextInternalID: Int64 = 1
    var autoDeliver = true

    private(set) var replies: [SMTPReply] = []
    private(set) var actions: [SessionAction] = []
    private(set) var delivered: [Envelope] = []
    private(set) var closed = false
    /// STARTTLS was answered; like a real TLS layer, bytes the client sends before the handshake are not
    /// plaintext for the session: they are dropped, and the handshake completes at `flightEnded()`.
    private(set) var handshakePending = false
    var now: Date = TestWorld.start

    init(_ configuration: SessionConfiguration) {
        connection = SMTPConnection(configuration: configuration)
    }

    var serverLines: [String] { replies.flatMap { $0.textLines() } }
    var logs: [ProtocolLogEvent] { actions.compactMap { if case .log(let l) = $0 { l } else { nil } } }
    var delays: [Int] { actions.compactMap { if case .delay(let s) = $0 { s } else { nil } } }

    mutating func start() { process(connection.start(at: now)) }

    mutating func send(_ bytes: [UInt8]) {
        if handshakePending { return }
        process(connection.receive(bytes, at: now))
    }

    /// The client has sent what it had and waits: a pending TLS handshake completes now.
    mutating func flightEnded() {
        guard handshakePending else { return }
        handshakePending = false
        process(connection.handle(.tlsEstablished(tls), at: now))
    }
    mutating func send(_ text: String) { send(Array(text.utf8)) }
    /// Sends lines, each with CRLF, in one write (pipelined).
    mutating func send(lines: [String]) { send(lines.map { $0 + "\r\n" }.joined()) }

    mutating func event(_ e: SessionEvent) { process(connection.handle(e, at: now)) }

    mutating func process(_ list: [SessionAction]) {
        var queue = list[...]
        while let action = queue.popFirst() {
            actions.append(action)
            var follow: [SessionAction] = []
            switch action {
            case .reply(let r): replies.append(r)
            case .close: closed = true
            case .startTLS: handshakePending = true
            case .authenticate(let c):
                let result: AuthenticationResult
                if let entry = accounts[c.login.lowercased()], entry.password == c.password {
                    result = .accepted(entry.account)
                } else {
                    result = .rejected
                }
                follow = connection.handle(.authenticationResult(result), at: now)
            case .deliver(let envelope):
                delivered.append(envelope)
                if autoDeliver {
                    let id = nextInternalID
                    nextInternalID += 1
                    follow = connection.handle(.deliveryResult(.queued(internalID: id)), at: now)
                }
            default: break
            }
            queue = (Array(queue) + follow)[...]
        }
    }
}

extension Transcript {
    /// Runs the script with every client flight cut into pieces of `chunkSize` bytes and checks the replies
    /// after each flight. With `wholeStream`, all client bytes are one pipelined stream instead.
    func run(chunkSize: Int, wholeStream: Bool, file: StaticString = #filePath, line: UInt = #line) -> Harness? {
        var h = Harness(configuration())
        h.start()
        if wholeStream {
            for piece in clientBytes.chunked(chunkSize) { h.send(Array(piece)) }
            let got = h.serverLines, want = serverLines
            if got != want {
                XCTFail("\(name) (whole stream, chunk \(chunkSize)):\n" + diff(got, want), file: file, line: line)
                return nil
            }
            if flights.last?.expectClosed == true, !h.closed { XCTFail("\(name): expected the server to close", file: file, line: line) }
            return h
        }
        var seen = 0
        for (index, flight) in flights.enumerated() {
            for piece in flight.client.chunked(chunkSize) { h.send(Array(piece)) }
            h.flightEnded()
            let got = Array(h.serverLines[seen...])
            seen = h.serverLines.count
            if got != flight.server {
                XCTFail("\(name) (flight \(index), chunk \(chunkSize)):\n" + diff(got, flight.server), file: file, line: line)
                return nil
            }
            if flight.expectClosed && !h.closed {
                XCTFail("\(name) (flight \(index)): expected the server to close", file: file, line: line)
                return nil
            }
        }
        return h
    }

    /// Every chunk size from 1 to the longest flight (or the whole stream), per flight and, unless the
    /// script uses STARTTLS, as one pipelined stream too. Returns the harness of the one-piece run.
    @discardableResult
    func runEveryChunking(file: StaticString = #filePath, line: UInt = #line) -> Harness? {
        let longest = max(1, flights.map(\.client.count).max() ?? 1)
        for size in 1...longest {
            guard run(chunkSize: size, wholeStream: false, file: file, line: line) != nil else { return nil }
        }
        if !flightsOnly {
            for size in 1...max(1, clientBytes.count) {
                guard run(chunkSize: size, wholeStream: true, file: file, line: line) != nil else { return nil }
            }
        }
        return run(chunkSize: Int.max / 2, wholeStream: false, file: file, line: line)
    }

    func diff(_ got: [String], _ want: [String]) -> String {
        var lines: [String] = []
        for i in 0..<max(got.count, want.count) {
            let g = i < got.count ? got[i] : "<none>", w = i < want.count ? want[i] : "<none>"
            lines.append((g == w ? "   " : "!! ") + "got: \(g)" + (g == w ? "" : "\n   want: \(w)"))
        }
        return lines.joined(separator: "\n")
    }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        guard !isEmpty else { return [] }
        return stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}

extension Harness {
    /// Sends one line (CRLF added) and returns the server lines it produced.
    @discardableResult
    mutating func say(_ line: String) -> [String] {
        let before = serverLines.count
        send(line + "\r\n")
        flightEnded()
        return Array(serverLines[before...])
    }

    /// Sends a whole message after DATA's 354 (lines joined with CRLF, then the final dot).
    @discardableResult
    mutating func message(_ lines: [String]) -> [String] {
        let before = serverLines.count
        send(lines.map { $0 + "\r\n" }.joined() + ".\r\n")
        return Array(serverLines[before...])
    }

    static func open(_ configuration: SessionConfiguration) -> Harness {
        var h = Harness(configuration)
        h.start()
        return h
    }

    /// EHLO, MAIL, RCPT and DATA in one go; fails the test if any is refused.
    mutating func beginMessage(
        from: String = "chris@fabrikam.com", to: [String] = ["kate@contoso.test"],
        file: StaticString = #filePath, line: UInt = #line
    ) {
        if !connection.session.hasGreeted { say("EHLO mail.fabrikam.com") }
        XCTAssertEqual(say("MAIL FROM:<\(from)>").last?.prefix(3), "250", file: file, line: line)
        for r in to { XCTAssertEqual(say("RCPT TO:<\(r)>").last?.prefix(3), "250", file: file, line: line) }
        XCTAssertEqual(say("DATA"), ["354 Start mail input; end with <CRLF>.<CRLF>"], file: file, line: line)
    }
}

func plain(_ user: String, _ password: String, authz: String = "") -> String {
    Data(Array(authz.utf8) + [0] + Array(user.utf8) + [0] + Array(password.utf8)).base64EncodedString()
}

func b64(_ s: String) -> String { Data(s.utf8).base64EncodedString() }
