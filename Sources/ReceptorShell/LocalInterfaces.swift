import Foundation
import ReceptorCore
#if canImport(Glibc)
    import Glibc
#endif

/// The addresses of this machine's network interfaces (getifaddrs), for the "not on this machine" warning.
public enum LocalInterfaces {
    public static func addresses() -> [IPAddress] {
        var result: [IPAddress] = []
        var head: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&head) == 0, let first = head else { return [] }
        defer { freeifaddrs(head) }
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let sa = entry.pointee.ifa_addr else { continue }
            switch Int32(sa.pointee.sa_family) {
            case AF_INET:
                sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                    result.append(IPAddress(v4: UInt32(bigEndian: sin.pointee.sin_addr.s_addr)))
                }
            case AF_INET6:
                sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
                    var value: UInt128 = 0
                    withUnsafeBytes(of: sin6.pointee.sin6_addr) { bytes in
                        for b in bytes { value = value << 8 | UInt128(b) }
                    }
                    result.append(IPAddress(v6: value))
                }
            default: break
            }
        }
        return result
    }
}
