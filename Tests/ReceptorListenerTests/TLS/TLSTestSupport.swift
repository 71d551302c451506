import Crypto
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS
import X509
import XCTest
@testable import ReceptorListener

/// `X509` has a `CertificateStore` too; in this test module the name means Receptor's.
typealias CertificateStore = ReceptorListener.CertificateStore

/// Certificates, temporary folders, an `openssl s_client` driver and a tiny TLS server for the TLS tests.
enum TLSTestSupport {
    static func makeTemporaryDirectory() throws -> String {
        let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("receptor-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    struct Issued {
        let certificate: Certificate
        let key: P256.Signing.PrivateKey
        var certificatePEM: String { try! certificate.serializeAsPEM().pemString + "\n" }
        var keyPEM: String { key.pemRepresentation + "\n" }
    }

    static func makeCA(_ name: DistinguishedName, issuer: Issued? = nil, notAfter: Date = Date().addingTimeInterval(365 * 86400)) throws -> Issued {
        let key = P256.Signing.PrivateKey()
        let publicKey = Certificate.PublicKey(key.publicKey)
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
            Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            SubjectKeyIdentifier(hash: publicKey)
        }
        let cert = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: Date().addingTimeInterval(-3600), notValidAfter: notAfter,
            issuer: issuer?.certificate.subject ?? name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions, issuerPrivateKey: Certificate.PrivateKey(issuer?.key ?? key))
        return Issued(certificate: cert, key: key)
    }

    static func makeLeaf(
        _ subject: DistinguishedName, dnsNames: [String], issuer: Issued?,
        notBefore: Date = Date().addingTimeInterval(-3600), notAfter: Date = Date().addingTimeInterval(365 * 86400),
        usages: [ExtendedKeyUsage.Usage] = [.serverAuth, .clientAuth]
    ) throws -> Issued {
        let key = P256.Signing.PrivateKey()
        let publicKey = Certificate.PublicKey(key.publicKey)
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            try ExtendedKeyUsage(usages)
            SubjectAlternativeNames(dnsNames.map { GeneralName.dnsName($0) })
        }
        let cert = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: notBefore, notValidAfter: notAfter,
            issuer: issuer?.certificate.subject ?? subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions, issuerPrivateKey: Certificate.PrivateKey(issuer?.key ?? key))
        return Issued(certificate: cert, key: key)
    }

    static func write(_ text: String, to path: String, mode: Int = 0o600) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    /// Installs `leaf` (followed by `chain`) as `<certs>/<base>.pem` + `<base>.key`.
    static func install(_ leaf: Issued, chain: [Issued] = [], base: String, in store: CertificateStore) throws {
        try store.prepareFolders()
        let pem = ([leaf] + chain).map(\.certificatePEM).joined()
        try write(pem, to: "\(store.certificatesDirectory)/\(base).pem", mode: 0o644)
        try write(leaf.keyPEM, to: "\(store.certificatesDirectory)/\(base).key", mode: 0o600)
    }

    static func mode(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]) as? Int ?? -1) & 0o7777
    }

    /// Runs `openssl` with `arguments`, keeps its standard input open until `marker` shows up in its output (or
    /// it exits, or `timeout` passes), then closes standard input and waits for it to exit. Never leaves it running.
    ///
    /// The output goes to a file that is polled, not to a pipe with a `readabilityHandler`: a handler's dispatch
    /// source outliving its descriptor crashed the whole test process once in CI (libdispatch's event loop,
    /// "bad pointer dereference"), a known hazard of FileHandle's handlers on Linux.
    static func runOpenSSL(_ arguments: [String], waitFor marker: String, timeout: TimeInterval = 20) throws -> (status: Int32, output: String) {
        let outputPath = NSTemporaryDirectory() + "openssl-\(UUID().uuidString).out"
        guard FileManager.default.createFile(atPath: outputPath, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw TLSTestError(description: "can't create \(outputPath)")
        }
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        defer { try? output.close() }
        func text() -> String {
            String(decoding: FileManager.default.contents(atPath: outputPath) ?? Data(), as: UTF8.self)
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        defer {
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
        }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline, process.isRunning, !text().contains(marker) { usleep(20_000) }
        try? input.fileHandleForWriting.close()
        while Date() < deadline, process.isRunning { usleep(20_000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return (process.terminationStatus, text())
    }

    struct TLSTestError: Error, CustomStringConvertible {
        let description: String
    }
}

/// What the test server saw in the last completed handshake.
final class PeerRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var _peer: NIOSSLCertificate?
    private var _validated: NIOSSL.ValidatedCertificateChain?
    private var _version: TLSVersion?
    private var _handshakes = 0

    func record(peer: NIOSSLCertificate?, validated: NIOSSL.ValidatedCertificateChain?, version: TLSVersion?) {
        lock.lock(); defer { lock.unlock() }
        _peer = peer; _validated = validated; _version = version; _handshakes += 1
    }
    var peer: NIOSSLCertificate? { lock.lock(); defer { lock.unlock() }; return _peer }
    var validated: NIOSSL.ValidatedCertificateChain? { lock.lock(); defer { lock.unlock() }; return _validated }
    var version: TLSVersion? { lock.lock(); defer { lock.unlock() }; return _version }
    var handshakes: Int { lock.lock(); defer { lock.unlock() }; return _handshakes }
}

/// After the TLS handshake: records the peer certificate, then greets the client with `TLSTestServer.greeting`.
final class GreetingHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let recorder: PeerRecorder

    init(recorder: PeerRecorder) { self.recorder = recorder }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tlsEvent = event as? TLSUserEvent, case .handshakeCompleted = tlsEvent {
            let tls = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)
            recorder.record(peer: tls?.peerCertificate, validated: tls?.peerValidatedCertificateChain, version: tls?.tlsVersion)
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: TLSTestServer.greeting + "\r\n")), promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}

/// A TLS server on 127.0.0.1 with an ephemeral port, using the factory's handler for every connection.
final class TLSTestServer {
    static let greeting = "220 receptor-tls-test ready"
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let recorder = PeerRecorder()
    private var channel: Channel?

    var port: Int { channel?.localAddress?.port ?? 0 }

    init(factory: TLSContextFactory, identity: CertificateIdentity, domainSecure: Bool) throws {
        let recorder = self.recorder
        do {
            channel = try ServerBootstrap(group: group)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let tls = try factory.makeServerHandler(for: identity, domainSecure: domainSecure)
                        try channel.pipeline.syncOperations.addHandler(tls)
                        try channel.pipeline.syncOperations.addHandler(GreetingHandler(recorder: recorder))
                    }
                }
                .bind(host: "127.0.0.1", port: 0).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }
    }

    func stop() {
        try? channel?.close().wait()
        channel = nil
        try? group.syncShutdownGracefully()
    }
}
