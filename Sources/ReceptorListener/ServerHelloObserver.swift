import NIOCore
import NIOSSL

/// Learns the negotiated TLS version and cipher suite by reading the ServerHello our TLS handler sends.
/// NIOSSL reports the version but not the cipher; the ServerHello travels in clear in TLS 1.2 and 1.3
/// alike, so the outbound bytes just below the TLS handler carry both. Passes every byte on unchanged
/// and stops looking after the first handshake record.
final class ServerHelloObserver: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private(set) var cipherName: String?
    private(set) var version: String?
    private var seen: [UInt8] = []
    private var done = false

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if !done {
            let buffer = unwrapOutboundIn(data)
            seen += buffer.getBytes(at: buffer.readerIndex, length: min(buffer.readableBytes, 16_384 - seen.count)) ?? []
            parse()
        }
        context.write(data, promise: promise)
    }

    private func parse() {
        // TLS record: type 22 (handshake), version (2), length (2); handshake: type 2 (ServerHello), length (3),
        // legacy_version (2), random (32), session id (1 + n), cipher suite (2), compression (1), extensions.
        guard seen.count >= 5 else { return }
        guard seen[0] == 22 else { done = true; return }
        let recordLength = Int(seen[3]) << 8 | Int(seen[4])
        guard seen.count >= 5 + min(recordLength, 200) else { return }
        done = true
        var i = 5
        guard seen.count > i + 38, seen[i] == 2 else { return }
        i += 4  // handshake header
        var legacyVersion = UInt16(seen[i]) << 8 | UInt16(seen[i + 1])
        i += 2 + 32
        let sessionIDLength = Int(seen[i])
        i += 1 + sessionIDLength
        guard seen.count >= i + 3 else { return }
        let suite = UInt16(seen[i]) << 8 | UInt16(seen[i + 1])
        i += 3
        // supported_versions (43) in the extensions names TLS 1.3.
        if seen.count >= i + 2 {
            let extensionsEnd = min(seen.count, i + 2 + (Int(seen[i]) << 8 | Int(seen[i + 1])))
            i += 2
            while i + 4 <= extensionsEnd {
                let type = UInt16(seen[i]) << 8 | UInt16(seen[i + 1])
                let length = Int(seen[i + 2]) << 8 | Int(seen[i + 3])
                if type == 43, length == 2, i + 6 <= extensionsEnd { legacyVersion = UInt16(seen[i + 4]) << 8 | UInt16(seen[i + 5]) }
                i += 4 + length
            }
        }
        cipherName = TLSNames.cipherSuites[suite] ?? String(format: "0x%04X", suite)
        version = TLSNames.versions[legacyVersion]
        seen = []
    }
}

/// Names as Exchange's Received header writes them (`version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384`).
enum TLSNames {
    static let versions: [UInt16: String] = [0x0301: "TLS1_0", 0x0302: "TLS1_1", 0x0303: "TLS1_2", 0x0304: "TLS1_3"]

    static func version(_ v: TLSVersion) -> String {
        switch v {
        case .tlsv1: "TLS1_0"
        case .tlsv11: "TLS1_1"
        case .tlsv12: "TLS1_2"
        case .tlsv13: "TLS1_3"
        }
    }

    static let cipherSuites: [UInt16: String] = [
        0x1301: "TLS_AES_128_GCM_SHA256",
        0x1302: "TLS_AES_256_GCM_SHA384",
        0x1303: "TLS_CHACHA20_POLY1305_SHA256",
        0xC02B: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        0xC02C: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        0xC02F: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        0xC030: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        0xCCA8: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        0xCCA9: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        0xC009: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
        0xC00A: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
        0xC013: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        0xC014: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        0x009C: "TLS_RSA_WITH_AES_128_GCM_SHA256",
        0x009D: "TLS_RSA_WITH_AES_256_GCM_SHA384",
    ]
}
