// The SMTP engine alone (framer, parser, session; no sockets, no files): microseconds per message for the
// two shapes smtp-source sends, so engine changes can be measured without the noise of a network benchmark.
// Run it through bench/engine.sh, which builds it in release mode and takes the best of several runs.
//
//   enginebench [messages] [reuse|conn]
//
// reuse  one connection, MAIL / RCPT / DATA / 1 KB body per message (smtp-source -d)
// conn   a connection per message: banner, EHLO, one transaction, QUIT
import BenchSupport
import Foundation
import ReceptorCore
import ReceptorSMTP

/// The benchmark's settings and the endpoints of one loopback connection.
struct BenchWorld {
    let settings = BenchSettings()
    let local = SMTPEndpoint(address: try! IPAddress(parsing: "127.0.0.1"), port: 30025)
    let remote = SMTPEndpoint(address: try! IPAddress(parsing: "127.0.0.1"), port: 51234)

    func configuration() -> SessionConfiguration { settings.configuration(local: local, remote: remote) }
}

/// The client's side: the bytes smtp-source sends, and what the listener does with the actions.
struct BenchClient {
    let ehlo = Array("EHLO client.example.com\r\n".utf8)
    let mail = Array("MAIL FROM:<a@example.com>\r\n".utf8)
    let rcpt = Array("RCPT TO:<rcpt@example.com>\r\n".utf8)
    let data = Array("DATA\r\n".utf8)
    let quit = Array("QUIT\r\n".utf8)
    let body: [UInt8]
    /// Bytes of replies, so the encoding is not optimized away.
    var replyBytes = 0
    /// Replies are encoded into one reused buffer, as the listener encodes into its network buffer.
    var replyBuffer: [UInt8] = []

    init() {
        var body = Array(
            "From: <a@example.com>\r\nTo: <rcpt@example.com>\r\nDate: Sun, 29 Nov 2026 10:00:00 +0000\r\nMessage-Id: <1234@bench>\r\n\r\n".utf8)
        while body.count < 1024 { body += Array("La De Da de da 1 La De Da de da 2 La De Da de da 3 La De Da\r\n".utf8) }
        self.body = body + Array(".\r\n".utf8)
    }

    /// Encodes the replies as the listener does; true when the session asked for a delivery.
    mutating func perform(_ actions: [SessionAction]) -> Bool {
        var deliver = false
        for action in actions {
            switch action {
            case .reply(let reply):
                replyBuffer.removeAll(keepingCapacity: true)
                reply.encode(enhanced: true, into: &replyBuffer)
                replyBytes &+= replyBuffer.count
            case .deliver: deliver = true
            default: break
            }
        }
        return deliver
    }

    mutating func transaction(on connection: inout SMTPConnection, id: Int64) {
        let now = Date()
        _ = perform(connection.receive(mail, at: now))
        _ = perform(connection.receive(rcpt, at: now))
        _ = perform(connection.receive(data, at: now))
        if perform(connection.receive(body, at: now)) {
            _ = perform(connection.handle(.deliveryResult(.queued(internalID: id)), at: now))
        }
    }
}

let arguments = CommandLine.arguments.dropFirst()
guard let count = Int(arguments.first ?? "100000"), count > 0, let mode = arguments.dropFirst().first ?? "reuse" as String?,
    mode == "reuse" || mode == "conn"
else {
    FileHandle.standardError.write(Data("usage: enginebench [messages] [reuse|conn]\n".utf8))
    exit(2)
}
let world = BenchWorld()
var client = BenchClient()
let start = DispatchTime.now().uptimeNanoseconds
if mode == "reuse" {
    var connection = SMTPConnection(configuration: world.configuration())
    _ = client.perform(connection.start(at: Date()))
    _ = client.perform(connection.receive(client.ehlo, at: Date()))
    for id in 0..<count { client.transaction(on: &connection, id: Int64(id)) }
} else {
    for id in 0..<count {
        var connection = SMTPConnection(configuration: world.configuration())
        _ = client.perform(connection.start(at: Date()))
        _ = client.perform(connection.receive(client.ehlo, at: Date()))
        client.transaction(on: &connection, id: Int64(id))
        _ = client.perform(connection.receive(client.quit, at: Date()))
    }
}
let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
guard client.replyBytes > 0 else { fatalError("no replies") }
print(String(format: "%@: %.2f us/msg (%d messages)", mode, seconds / Double(count) * 1e6, count))
