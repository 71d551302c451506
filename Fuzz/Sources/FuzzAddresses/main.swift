import ReceptorCore

/// Every text parser of the domain: an input that parses must print as text that parses to the same value.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAddresses(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count <= 1024 else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
    if let address = try? IPAddress(parsing: text) {
        precondition((try? IPAddress(parsing: address.description)) == address, "IPAddress round trip: \(text)")
    }
    if let range = try? IPRange(parsing: text) {
        precondition((try? IPRange(parsing: range.description)) != nil, "IPRange round trip: \(text)")
    }
    if let binding = try? IPBinding(parsing: text) {
        precondition((try? IPBinding(parsing: binding.description))?.description == binding.description, "IPBinding round trip: \(text)")
    }
    _ = try? ByteSize(parsing: text)
    _ = try? EnhancedTimeSpan(parsing: text)
    _ = ConnectorIdentity(parsing: text)
    return 0
}
