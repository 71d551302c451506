import Foundation

/// Reading a connector back from the JSON both stores write (`Codable`, sorted keys), without Foundation's
/// `JSONDecoder`: every shell command reads all of a server's connectors, and with 10,000 of them the generic
/// decoder took most of a `Test-ReceiveConnector`'s half second. This reader knows the one shape the store
/// writes (an object of strings, integers, booleans, null and arrays of strings) and builds the value with the
/// memberwise initializer, so a property added to `ReceiveConnector` doesn't compile until it is read here too.
///
/// It decides nothing on its own: each value is converted exactly as the `Codable` conformance converts it
/// (the same parsers for bindings, ranges and flags, `rawValue` for enumerations). Anything else — an unknown
/// or repeated key, a missing property, a number with a fraction, an escape it doesn't know — answers nil, and
/// the caller decodes with `JSONDecoder`, which accepts what `Codable` accepts and names what is wrong.
extension ReceiveConnector {
    public init?(storedJSON text: String) {
        var text = text
        guard let connector = text.withUTF8({ StoredConnectorJSON.decode($0) }) else { return nil }
        self = connector
    }
}

extension ConnectorRoute {
    /// The routing of a connector from the JSON both stores write, reading only `ConnectorRoute`'s values: the
    /// others are checked to be JSON of the kinds the store writes and skipped without being built (a server may
    /// have thousands of connectors, and choosing one needs only these). Nil where the full reader would fall
    /// back to `JSONDecoder` for the JSON's shape (an unknown, repeated or missing key, an escape or a number it
    /// doesn't take) or where a routing value isn't what `Codable` accepts: the caller then reads the whole
    /// connector, with its errors. A value of another key that has the right JSON kind but isn't one `Codable`
    /// accepts (an unknown enumeration name) is not noticed here; reading that connector in full refuses it.
    public init?(storedJSON text: String) {
        var text = text
        guard let route = text.withUTF8({ StoredConnectorJSON.route($0) }) else { return nil }
        self = route
    }

    /// The same from the bytes of the text (a store's row, read without copying it into a `String`).
    public init?(storedJSONBytes bytes: UnsafeBufferPointer<UInt8>) {
        guard let route = StoredConnectorJSON.route(bytes) else { return nil }
        self = route
    }
}

enum StoredConnectorJSON {
    /// The coding keys: the property names, as the synthesized `Codable` conformance writes them.
    enum Key: Int, CaseIterable {
        case name, server, guid, transportRole, bindings, remoteIPRanges, enabled, comment
        case authMechanism, permissionGroups, requireTLS, domainSecureEnabled, enableAuthGSSAPI, extendedProtectionPolicy
        case suppressXAnonymousTls, tlsCertificateName, tlsDomainCapabilities, authTarpitInterval, maxLogonFailures
        case banner, fqdn, sizeEnabled, pipeliningEnabled, deliveryStatusNotificationEnabled, enhancedStatusCodesEnabled
        case eightBitMimeEnabled, chunkingEnabled, binaryMimeEnabled, longAddressesEnabled, orarEnabled, requireEHLODomain
        case smtpUtf8Enabled, bareLinefeedRejectionEnabled, rejectReservedTopLevelRecipientDomains
        case rejectReservedSecondLevelRecipientDomains, rejectSingleLabelRecipientDomains, defaultDomain
        case serviceDiscoveryFqdn, advertiseClientSettings, maxMessageSize, maxHeaderSize, maxRecipientsPerMessage
        case maxHopCount, maxLocalHopCount, maxInboundConnection, maxInboundConnectionPerSource
        case maxInboundConnectionPercentagePerSource, maxProtocolErrors, messageRateLimit, messageRateSource
        case connectionTimeout, connectionInactivityTimeout, tarpitInterval, maxAcknowledgementDelay, protocolLoggingLevel
    }

    enum Value {
        case string(String)
        case integer(Int64)
        case bool(Bool)
        case null
        case strings([String])
    }

    static let keyCount = Key.allCases.count

    /// Any value that isn't what `Codable` would accept without question: the caller falls back to it.
    struct Miss: Error {}

    static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> ReceiveConnector? {
        var reader = JSONBytes(bytes)
        var values = [Value?](repeating: nil, count: keyCount)
        let table = KeyTable.shared
        var next = 0
        guard reader.take(UInt8(ascii: "{")) else { return nil }
        if !reader.take(UInt8(ascii: "}")) {
            repeat {
                guard let key = reader.key(table, next: &next), values[key] == nil, reader.take(UInt8(ascii: ":")),
                    let value = reader.value()
                else { return nil }
                values[key] = value
            } while reader.take(UInt8(ascii: ","))
            guard reader.take(UInt8(ascii: "}")) else { return nil }
        }
        guard reader.atEnd else { return nil }
        return try? build(Fields(values: values))
    }

    /// A set of keys as bits (there are fewer than 64 keys).
    static func bits(_ keys: [Key]) -> UInt64 { keys.reduce(0) { $0 | 1 << UInt64($1.rawValue) } }
    /// The keys `ConnectorRoute` reads.
    static let routeKeyBits = bits([.name, .server, .guid, .enabled, .transportRole, .bindings, .remoteIPRanges])
    /// Every key but those the full reader may find absent (it reads them with `decodeIfPresent`'s rule).
    static let requiredKeyBits = bits(Key.allCases) & ~bits([.transportRole, .tlsCertificateName, .banner, .defaultDomain, .serviceDiscoveryFqdn])

    static func route(_ bytes: UnsafeBufferPointer<UInt8>) -> ConnectorRoute? {
        var reader = JSONBytes(bytes)
        var values = [Value?](repeating: nil, count: keyCount)
        var seen: UInt64 = 0
        let table = KeyTable.shared
        var next = 0
        guard keyCount <= 64, reader.take(UInt8(ascii: "{")) else { return nil }
        if !reader.take(UInt8(ascii: "}")) {
            repeat {
                guard let key = reader.key(table, next: &next), seen & 1 << UInt64(key) == 0, reader.take(UInt8(ascii: ":")) else { return nil }
                seen |= 1 << UInt64(key)
                if routeKeyBits & 1 << UInt64(key) != 0 {
                    guard let value = reader.value() else { return nil }
                    values[key] = value
                } else {
                    guard reader.skipValue() else { return nil }
                }
            } while reader.take(UInt8(ascii: ","))
            guard reader.take(UInt8(ascii: "}")) else { return nil }
        }
        guard reader.atEnd, seen & requiredKeyBits == requiredKeyBits else { return nil }
        return try? buildRoute(Fields(values: values))
    }

    private static func buildRoute(_ f: Fields) throws(Miss) -> ConnectorRoute {
        ConnectorRoute(
            name: try f.string(.name), server: try f.string(.server), guid: try f.uuid(.guid), enabled: try f.bool(.enabled),
            transportRole: try f.optionalEnum(.transportRole), bindings: try f.bindings(.bindings), remoteIPRanges: try f.ranges(.remoteIPRanges))
    }

    private static func build(_ f: Fields) throws(Miss) -> ReceiveConnector {
        ReceiveConnector(
            name: try f.string(.name), server: try f.string(.server), guid: try f.uuid(.guid),
            transportRole: try f.optionalEnum(.transportRole),
            bindings: try f.bindings(.bindings), remoteIPRanges: try f.ranges(.remoteIPRanges),
            enabled: try f.bool(.enabled), comment: try f.string(.comment),
            authMechanism: try f.flags(.authMechanism), permissionGroups: try f.flags(.permissionGroups),
            requireTLS: try f.bool(.requireTLS), domainSecureEnabled: try f.bool(.domainSecureEnabled),
            enableAuthGSSAPI: try f.bool(.enableAuthGSSAPI), extendedProtectionPolicy: try f.enumValue(.extendedProtectionPolicy),
            suppressXAnonymousTls: try f.bool(.suppressXAnonymousTls), tlsCertificateName: try f.optionalString(.tlsCertificateName),
            tlsDomainCapabilities: try f.strings(.tlsDomainCapabilities),
            authTarpitInterval: try f.timeSpan(.authTarpitInterval), maxLogonFailures: try f.int(.maxLogonFailures),
            banner: try f.optionalString(.banner), fqdn: try f.string(.fqdn), sizeEnabled: try f.enumValue(.sizeEnabled),
            pipeliningEnabled: try f.bool(.pipeliningEnabled),
            deliveryStatusNotificationEnabled: try f.bool(.deliveryStatusNotificationEnabled),
            enhancedStatusCodesEnabled: try f.bool(.enhancedStatusCodesEnabled),
            eightBitMimeEnabled: try f.bool(.eightBitMimeEnabled), chunkingEnabled: try f.bool(.chunkingEnabled),
            binaryMimeEnabled: try f.bool(.binaryMimeEnabled), longAddressesEnabled: try f.bool(.longAddressesEnabled),
            orarEnabled: try f.bool(.orarEnabled), requireEHLODomain: try f.bool(.requireEHLODomain),
            smtpUtf8Enabled: try f.bool(.smtpUtf8Enabled), bareLinefeedRejectionEnabled: try f.bool(.bareLinefeedRejectionEnabled),
            rejectReservedTopLevelRecipientDomains: try f.bool(.rejectReservedTopLevelRecipientDomains),
            rejectReservedSecondLevelRecipientDomains: try f.bool(.rejectReservedSecondLevelRecipientDomains),
            rejectSingleLabelRecipientDomains: try f.bool(.rejectSingleLabelRecipientDomains),
            defaultDomain: try f.optionalString(.defaultDomain), serviceDiscoveryFqdn: try f.optionalString(.serviceDiscoveryFqdn),
            advertiseClientSettings: try f.bool(.advertiseClientSettings),
            maxMessageSize: try f.byteSize(.maxMessageSize), maxHeaderSize: try f.byteSize(.maxHeaderSize),
            maxRecipientsPerMessage: try f.int(.maxRecipientsPerMessage), maxHopCount: try f.int(.maxHopCount),
            maxLocalHopCount: try f.int(.maxLocalHopCount),
            maxInboundConnection: try f.unlimited(.maxInboundConnection),
            maxInboundConnectionPerSource: try f.unlimited(.maxInboundConnectionPerSource),
            maxInboundConnectionPercentagePerSource: try f.int(.maxInboundConnectionPercentagePerSource),
            maxProtocolErrors: try f.unlimited(.maxProtocolErrors), messageRateLimit: try f.unlimited(.messageRateLimit),
            messageRateSource: try f.enumValue(.messageRateSource),
            connectionTimeout: try f.timeSpan(.connectionTimeout), connectionInactivityTimeout: try f.timeSpan(.connectionInactivityTimeout),
            tarpitInterval: try f.timeSpan(.tarpitInterval), maxAcknowledgementDelay: try f.timeSpan(.maxAcknowledgementDelay),
            protocolLoggingLevel: try f.enumValue(.protocolLoggingLevel))
    }

    /// The values read, by key, converted as `Codable` converts them.
    struct Fields {
        let values: [Value?]

        func present(_ key: Key) throws(Miss) -> Value {
            guard let value = values[key.rawValue] else { throw Miss() }
            return value
        }
        func string(_ key: Key) throws(Miss) -> String {
            guard case .string(let s) = try present(key) else { throw Miss() }
            return s
        }
        /// `decodeIfPresent`: absent or null is nil.
        func optionalString(_ key: Key) throws(Miss) -> String? {
            switch values[key.rawValue] {
            case nil, .null?: return nil
            case .string(let s)?: return s
            default: throw Miss()
            }
        }
        func bool(_ key: Key) throws(Miss) -> Bool {
            guard case .bool(let b) = try present(key) else { throw Miss() }
            return b
        }
        func int64(_ key: Key) throws(Miss) -> Int64 {
            guard case .integer(let n) = try present(key) else { throw Miss() }
            return n
        }
        func int(_ key: Key) throws(Miss) -> Int {
            guard let n = Int(exactly: try int64(key)) else { throw Miss() }
            return n
        }
        func strings(_ key: Key) throws(Miss) -> [String] {
            guard case .strings(let list) = try present(key) else { throw Miss() }
            return list
        }
        func uuid(_ key: Key) throws(Miss) -> UUID {
            var text = try string(key)
            if let uuid = text.withUTF8(StoredConnectorJSON.canonicalUUID) { return uuid }
            guard let uuid = UUID(uuidString: text) else { throw Miss() }
            return uuid
        }
        func enumValue<T: RawRepresentable>(_ key: Key) throws(Miss) -> T where T.RawValue == String {
            guard let value = T(rawValue: try string(key)) else { throw Miss() }
            return value
        }
        func optionalEnum<T: RawRepresentable>(_ key: Key) throws(Miss) -> T? where T.RawValue == String {
            guard let text = try optionalString(key) else { return nil }
            guard let value = T(rawValue: text) else { throw Miss() }
            return value
        }
        func bindings(_ key: Key) throws(Miss) -> [IPBinding] {
            var result: [IPBinding] = []
            for text in try strings(key) {
                guard let binding = try? IPBinding(parsing: text) else { throw Miss() }
                result.append(binding)
            }
            return result
        }
        func ranges(_ key: Key) throws(Miss) -> [IPRange] {
            var result: [IPRange] = []
            for text in try strings(key) {
                guard let range = try? IPRange(parsing: text) else { throw Miss() }
                result.append(range)
            }
            return result
        }
        /// The stored names are the flags' own (`Tls`, `BasicAuth`); anything else (`None`, another case, a
        /// comma) goes through the same parser as `Codable`'s.
        func flags<F: FlagName>(_ key: Key) throws(Miss) -> FlagSet<F> {
            let names = try strings(key)
            var members: [F] = []
            members.reserveCapacity(names.count)
            for name in names {
                guard let flag = F(rawValue: name) else {
                    do { return try FlagSet<F>(parsing: names, typeName: "flags") } catch { throw Miss() }
                }
                members.append(flag)
            }
            return FlagSet(members)
        }
        func byteSize(_ key: Key) throws(Miss) -> ByteSize { ByteSize(bytes: try int64(key)) }
        func timeSpan(_ key: Key) throws(Miss) -> EnhancedTimeSpan { EnhancedTimeSpan(seconds: try int(key)) }
        /// null is unlimited; the key itself must be there, as `Codable` requires.
        func unlimited(_ key: Key) throws(Miss) -> Unlimited {
            switch try present(key) {
            case .null: return .unlimited
            case .integer(let n):
                guard let n = Int(exactly: n) else { throw Miss() }
                return .limited(n)
            default: throw Miss()
            }
        }
    }

    /// The canonical `8-4-4-4-12` hex form (as the store writes GUIDs) read from its bytes, giving what
    /// `UUID(uuidString:)` gives (which scans with sscanf); nil for any other text, which goes to it.
    static func canonicalUUID(_ u: UnsafeBufferPointer<UInt8>) -> UUID? {
        guard u.count == 36 else { return nil }
        func hex(_ b: UInt8) -> UInt8? {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var raw: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let read = withUnsafeMutableBytes(of: &raw) { out -> Bool in
            var i = 0, o = 0
            while i < 36 {
                if i == 8 || i == 13 || i == 18 || i == 23 {
                    guard u[i] == UInt8(ascii: "-") else { return false }
                    i += 1
                    continue
                }
                guard let high = hex(u[i]), let low = hex(u[i + 1]) else { return false }
                out[o] = high << 4 | low
                o += 1
                i += 2
            }
            return true
        }
        return read ? UUID(uuid: raw) : nil
    }

    /// The keys' bytes, found by length and first and last byte (one comparison for almost every key); and the
    /// keys in the order the stores write them (sorted), so that each key is first compared with the one
    /// expected next, with no search at all.
    final class KeyTable: @unchecked Sendable {  // immutable after init; `text` is never freed (one shared table)
        static let shared = KeyTable()
        let buckets: [[(bytes: [UInt8], key: Int)]]
        /// Every key's bytes, one after another.
        let text: UnsafeMutablePointer<UInt8>
        /// Per key (by raw value): where its bytes start in `text`, and how many there are.
        let spans: [(start: Int, count: Int)]
        /// The keys sorted by their bytes, as `JSONEncoder`'s `.sortedKeys` writes them; and each key's place there.
        let sorted: [Int]
        let place: [Int]

        init() {
            var buckets = [[(bytes: [UInt8], key: Int)]](repeating: [], count: Self.bucketCount)
            var all: [UInt8] = []
            var spans: [(start: Int, count: Int)] = []
            let names = Key.allCases.map { Array(String(describing: $0).utf8) }
            for key in Key.allCases {
                let bytes = names[key.rawValue]
                buckets[Self.bucket(count: bytes.count, first: bytes[0], last: bytes[bytes.count - 1])].append((bytes, key.rawValue))
                spans.append((all.count, bytes.count))
                all += bytes
            }
            self.buckets = buckets
            self.spans = spans
            text = .allocate(capacity: all.count)
            text.initialize(from: all, count: all.count)
            sorted = Key.allCases.map(\.rawValue).sorted { names[$0].lexicographicallyPrecedes(names[$1]) }
            var place = [Int](repeating: 0, count: sorted.count)
            for (i, key) in sorted.enumerated() { place[key] = i }
            self.place = place
        }

        static let bucketCount = 256
        static func bucket(count: Int, first: UInt8, last: UInt8) -> Int {
            (count &* 31 &+ Int(first) &* 7 &+ Int(last)) & (bucketCount - 1)
        }

        func find(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
            guard let base = bytes.baseAddress, let first = bytes.first, let last = bytes.last else { return nil }
            for entry in buckets[Self.bucket(count: bytes.count, first: first, last: last)] where entry.bytes.count == bytes.count {
                if entry.bytes.withUnsafeBufferPointer({ memcmp($0.baseAddress!, base, bytes.count) }) == 0 { return entry.key }
            }
            return nil
        }
    }
}

/// A cursor over JSON text: just what the stored connector needs. Every function answers nil (or false) on
/// anything it doesn't expect, leaving the decision to `JSONDecoder`.
struct JSONBytes {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var atEnd: Bool {
        mutating get {
            skipSpace()
            return index == bytes.count
        }
    }

    mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    /// Skips white space, then `byte` if it comes next.
    mutating func take(_ byte: UInt8) -> Bool {
        skipSpace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// An object key without escapes, as the table's index. `next` is the place (in the table's sorted order)
    /// of the key expected here: the stores write the keys sorted, so it is compared first, byte for byte;
    /// any other key is looked up (its closing quote found with memchr) and the expectation follows it.
    mutating func key(_ table: StoredConnectorJSON.KeyTable, next: inout Int) -> Int? {
        guard take(UInt8(ascii: "\"")), let base = bytes.baseAddress else { return nil }
        let start = index
        if next < table.sorted.count {
            let expected = table.sorted[next]
            let span = table.spans[expected]
            if start + span.count < bytes.count, base[start + span.count] == UInt8(ascii: "\""),
                memcmp(table.text + span.start, base + start, span.count) == 0
            {
                index = start + span.count + 1
                next += 1
                return expected
            }
        }
        guard let hit = memchr(base + start, Int32(UInt8(ascii: "\"")), bytes.count - start) else { return nil }
        // A key with an escape is no key of the table (none has a backslash): nil, and JSONDecoder decides.
        let end = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
        index = end + 1
        guard let key = table.find(UnsafeBufferPointer(start: base + start, count: end - start)) else { return nil }
        next = table.place[key] + 1
        return key
    }

    mutating func value() -> StoredConnectorJSON.Value? {
        skipSpace()
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "\""): return string().map { .string($0) }
        case UInt8(ascii: "["):
            index += 1
            var list: [String] = []
            if take(UInt8(ascii: "]")) { return .strings(list) }
            repeat {
                guard let s = string() else { return nil }
                list.append(s)
            } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "]")) ? .strings(list) : nil
        case UInt8(ascii: "t"): return word("true") ? .bool(true) : nil
        case UInt8(ascii: "f"): return word("false") ? .bool(false) : nil
        case UInt8(ascii: "n"): return word("null") ? .null : nil
        default: return integer().map { .integer($0) }
        }
    }

    /// Steps over a value of the kinds `value()` reads (a string, an array of strings, true, false, null, an
    /// integer) without building it; false where `value()` would answer nil.
    mutating func skipValue() -> Bool {
        skipSpace()
        guard index < bytes.count else { return false }
        switch bytes[index] {
        case UInt8(ascii: "\""): return skipString()
        case UInt8(ascii: "["):
            index += 1
            if take(UInt8(ascii: "]")) { return true }
            repeat {
                guard skipString() else { return false }
            } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "]"))
        case UInt8(ascii: "t"): return word("true")
        case UInt8(ascii: "f"): return word("false")
        case UInt8(ascii: "n"): return word("null")
        default: return integer() != nil
        }
    }

    /// Steps over a string, with the escapes `string()` takes; false where it would answer nil.
    private mutating func skipString() -> Bool {
        guard take(UInt8(ascii: "\"")) else { return false }
        while index < bytes.count {
            let b = bytes[index]
            index += 1
            switch b {
            case UInt8(ascii: "\""): return true
            case 0..<0x20: return false
            case UInt8(ascii: "\\"):
                var scratch: [UInt8] = []  // the escape read by the one reader of escapes (rare in the stored JSON)
                guard escape(into: &scratch) else { return false }
            default: continue
            }
        }
        return false
    }

    private mutating func word(_ w: StaticString) -> Bool {
        let n = w.utf8CodeUnitCount
        guard index + n <= bytes.count else { return false }
        for k in 0..<n where bytes[index + k] != w.utf8Start[k] { return false }
        index += n
        return true
    }

    /// An integer: an optional minus and digits, with no fraction or exponent after them.
    mutating func integer() -> Int64? {
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { negative = true; index += 1 }
        let start = index
        var value: Int64 = 0
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (plus, o2) = times.subtractingReportingOverflow(Int64(bytes[index] - UInt8(ascii: "0")))  // built negative: Int64.min fits
            guard !o1, !o2 else { return nil }
            value = plus
            index += 1
        }
        guard index > start else { return nil }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] | 0x20 == UInt8(ascii: "e") { return nil }
        if bytes[start] == UInt8(ascii: "0") && index - start > 1 { return nil }  // JSON has no leading zeros
        if negative { return value }
        return value == .min ? nil : -value
    }

    /// A string; the common case (no escapes) is one copy of its bytes.
    mutating func string() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                defer { index += 1 }
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            }
            if b == UInt8(ascii: "\\") { return escapedString(from: start) }
            if b < 0x20 { return nil }
            index += 1
        }
        return nil
    }

    private mutating func escapedString(from start: Int) -> String? {
        var out = Array(bytes[start..<index])
        while index < bytes.count {
            let b = bytes[index]
            index += 1
            switch b {
            case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
            case 0..<0x20: return nil
            case UInt8(ascii: "\\"): guard escape(into: &out) else { return nil }
            default: out.append(b)
            }
        }
        return nil
    }

    /// The escape after a backslash (the cursor just past it), its bytes appended to `out`; false for one
    /// that JSON doesn't have or this reader doesn't take.
    private mutating func escape(into out: inout [UInt8]) -> Bool {
        guard index < bytes.count else { return false }
        let e = bytes[index]
        index += 1
        switch e {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            guard var unit = hex4() else { return false }
            if (0xD800..<0xDC00).contains(unit) {  // a high surrogate: its low half must follow
                guard word("\\u"), let low = hex4(), (0xDC00..<0xE000).contains(low) else { return false }
                unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(unit) else { return false }
            UTF8.encode(scalar) { out.append($0) }
        default: return false
        }
        return true
    }

    private mutating func hex4() -> UInt32? {
        guard index + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[index]
            let digit: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - UInt8(ascii: "A") + 10)
            default: return nil
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}

extension UUID {
    /// A GUID as the stores write them (the canonical `8-4-4-4-12` hex form) read from its bytes, without
    /// `UUID(uuidString:)`'s sscanf (a store's routing columns give one per connector); nil for any other text.
    public init?(storedText text: String) {
        var text = text
        guard let uuid = text.withUTF8(StoredConnectorJSON.canonicalUUID) else { return nil }
        self = uuid
    }
}
