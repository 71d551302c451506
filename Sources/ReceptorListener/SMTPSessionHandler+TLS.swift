import Foundation
import NIOCore
import NIOSSL
import ReceptorSMTP

/// STARTTLS: the TLS handler goes in front of the pipeline once the `220` is flushed, and the end of the
/// handshake is reported to the engine with the version, cipher and (domain security) partner domain.
extension SMTPSessionHandler {
    /// STARTTLS is accepted: nothing received from here until the handshake completes is input, neither what
    /// a tarpit held back nor what arrives later (the engine drops what reaches it too).
    func discardInputUntilHandshake() {
        awaitingHandshake = true
        delayedInput = []
    }

    func startTLS(context: ChannelHandlerContext) {
        let observer = ServerHelloObserver()
        // The 220 reply is already flushed in plain text; TLS starts with the next byte (RFC 3207).
        do {
            guard let tls else { throw ListenerTLSError(description: "no certificate") }
            let handler = try tls.makeHandler(for: configuration.connector)
            try context.pipeline.syncOperations.addHandler(observer, position: .first)
            try context.pipeline.syncOperations.addHandler(handler, position: .after(observer))
        } catch {
            run(connection.handle(.tlsFailed(reason: "\(error)"), at: Date()))
        }
    }

    /// NIOSSL reports the handshake before it passes on any application data that came with the client's
    /// Finished, so the first byte read after this is the first byte sent inside TLS.
    func tlsHandshakeCompleted(context: ChannelHandlerContext) {
        awaitingHandshake = false
        let ssl = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)
        let observer = try? context.pipeline.syncOperations.handler(type: ServerHelloObserver.self)
        let version = ssl?.tlsVersion.map(TLSNames.version) ?? observer?.version ?? "TLS"
        let cipher = observer?.cipherName ?? "unknown"
        let partner = tls?.partnerDomain(ssl?.peerCertificate, connector: configuration.connector)
        run(connection.handle(.tlsEstablished(TLSInfo(version: version, cipher: cipher, partnerDomain: partner)), at: Date()))
    }
}
