import NIOCore
import ReceptorCore
import ReceptorSMTP

extension SocketAddress {
    /// The address and port as domain values (IPv4-mapped IPv6 addresses become IPv4).
    var endpoint: SMTPEndpoint? {
        guard let text = ipAddress, let port, let address = try? IPAddress(parsing: text.split(separator: "%").first.map(String.init) ?? text) else {
            return nil
        }
        return SMTPEndpoint(address: address.unmappedIPv4 ?? address, port: port)
    }
}
