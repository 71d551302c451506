import NIOCore
import ReceptorCore
import ReceptorSMTP
#if canImport(Glibc)
    import Glibc
#endif

extension SocketAddress {
    /// The address and port as domain values (IPv4-mapped IPv6 addresses become IPv4). Read from the socket
    /// address's bytes: every connection asks for two of these, so no text round trip.
    var endpoint: SMTPEndpoint? {
        switch self {
        case .v4(let v4):
            let address = IPAddress(v4: UInt32(bigEndian: v4.address.sin_addr.s_addr))
            return SMTPEndpoint(address: address, port: Int(UInt16(bigEndian: v4.address.sin_port)))
        case .v6(let v6):
            var raw = v6.address.sin6_addr
            let value = withUnsafeBytes(of: &raw) { bytes in bytes.reduce(UInt128(0)) { $0 << 8 | UInt128($1) } }
            let address = IPAddress(v6: value)
            return SMTPEndpoint(address: address.unmappedIPv4 ?? address, port: Int(UInt16(bigEndian: v6.address.sin6_port)))
        case .unixDomainSocket:
            return nil
        }
    }
}
