/// Hand-written parsers for IP address text.
///
/// Written without inet_pton so that the core has no platform dependency and every refusal can
/// say exactly which part of the text is wrong. All checks are ASCII-only: `Character.isNumber`
/// and `isHexDigit` also accept Arabic-Indic and fullwidth digits, which no address may contain.
enum AddressTextParser {
    static func parseAddress(_ text: Substring) throws(AddressParseFailure) -> IPAddress {
        if let v4 = plainIPv4(text) { return IPAddress(v4: v4) }
        if text.isEmpty { throw AddressParseFailure("the text is empty.") }
        if text.contains(where: \.isWhitespace) { throw AddressParseFailure("it contains whitespace.") }
        if text.first == "[" || text.last == "]" {
            throw AddressParseFailure("an IP address is written without brackets; they belong only around IPv6 addresses in bindings.")
        }
        if text.contains("/") {
            throw AddressParseFailure("a prefix length (\"/\") is not part of an IP address.")
        }
        if text.contains(":") { return try parseIPv6(text) }
        if text.contains("%") {
            throw AddressParseFailure("a zone index (\"%\") is allowed only on IPv6 addresses.")
        }
        if !text.contains(".") {
            throw AddressParseFailure(
                "expected an IPv4 address (four numbers separated by \".\") "
                    + "or an IPv6 address (hex groups separated by \":\")."
            )
        }
        return IPAddress(v4: try parseIPv4(text))
    }

    // MARK: IPv4

    /// The common case read straight from the bytes: `a.b.c.d`, four octets of one to three ASCII digits
    /// without a leading zero, each at most 255 — text the full parser accepts with the same value. Nil for
    /// anything else, which then takes the full parser and its precise refusals. (A store with thousands of
    /// connectors parses thousands of addresses whenever a command reads it.)
    static func plainIPv4(_ text: Substring) -> UInt32? {
        var value: UInt32 = 0, octet: UInt32 = 0, digits = 0, dots = 0
        for b in text.utf8 {
            if b == UInt8(ascii: ".") {
                guard digits > 0, dots < 3 else { return nil }
                value = value << 8 | octet
                octet = 0; digits = 0; dots += 1
            } else if b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") {
                if digits == 1 && octet == 0 { return nil }  // a leading zero: the full parser says why not
                digits += 1
                octet = octet * 10 + UInt32(b - UInt8(ascii: "0"))
                guard digits <= 3, octet <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard dots == 3, digits > 0 else { return nil }
        return value << 8 | octet
    }

    private static let ordinals = ["first", "second", "third", "fourth"]

    /// Exactly four decimal octets. Leading zeros are refused because some resolvers read
    /// "010" as octal 8: accepting it would let an administrator allow a different host than meant.
    static func parseIPv4(_ text: Substring) throws(AddressParseFailure) -> UInt32 {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { throw AddressParseFailure("an IPv4 address has four parts.") }
        var value: UInt32 = 0
        for (index, part) in parts.enumerated() {
            value = value << 8 | (try parseOctet(part, ordinal: ordinals[index]))
        }
        return value
    }

    private static func parseOctet(_ part: Substring, ordinal: String) throws(AddressParseFailure) -> UInt32 {
        if part.isEmpty { throw AddressParseFailure("the \(ordinal) part is empty.") }
        if part.first == "+" || part.first == "-" {
            throw AddressParseFailure("\"\(part)\" has a sign; write the number without it.")
        }
        guard part.allSatisfy(isASCIIDigit) else {
            throw AddressParseFailure("\"\(part)\" is not a decimal number.")
        }
        if part.count > 1 && part.first == "0" {
            throw AddressParseFailure("\"\(part)\" has a leading zero, which is ambiguous (it may be read as octal).")
        }
        // Four or more digits without a leading zero are at least 1000; checking the length first
        // also keeps UInt32(_:) from overflowing on absurdly long input.
        guard part.count <= 3, let octet = UInt32(part), octet <= 255 else {
            throw AddressParseFailure("\"\(part)\" is greater than 255.")
        }
        return octet
    }

    /// `a.b.c.d:port` read from the bytes: `plainIPv4`, then a port of one to five ASCII digits from 1 to
    /// 65535, as the binding parser accepts it. Nil for anything else.
    static func plainIPv4AndPort(_ text: Substring) -> (address: UInt32, port: Int)? {
        guard let colon = text.utf8.firstIndex(of: UInt8(ascii: ":")), let address = plainIPv4(text[..<colon]) else { return nil }
        var port = 0, digits = 0
        for b in text.utf8[text.utf8.index(after: colon)...] {
            guard b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"), digits < 5 else { return nil }
            port = port * 10 + Int(b - UInt8(ascii: "0"))
            digits += 1
        }
        guard (1...65535).contains(port) else { return nil }
        return (address, port)
    }

    // MARK: IPv6

    /// RFC 4291 section 2.2: eight groups of up to four hex digits, one optional "::" standing for
    /// one or more zero groups, and optionally a dotted IPv4 address in place of the last two groups.
    static func parseIPv6(_ text: Substring) throws(AddressParseFailure) -> IPAddress {
        let (body, zone) = try splitZone(text)
        if body.contains(":::") { throw AddressParseFailure("\":::\" is not allowed.") }

        let compressions = body.ranges(of: "::")
        if compressions.count > 1 { throw AddressParseFailure("\"::\" may appear only once.") }

        // Groups before and after the "::" (all groups are "before" when there is none).
        let head: [Substring]
        let tail: [Substring]
        if let compression = compressions.first {
            head = groups(body[..<compression.lowerBound])
            tail = groups(body[compression.upperBound...])
        } else {
            head = groups(body)
            tail = []
        }

        // With ":::" and a second "::" already refused, an empty group can only come from a lone
        // colon at either end.
        if head.first?.isEmpty == true {
            throw AddressParseFailure("an IPv6 address cannot start with a single \":\".")
        }
        let lastSide = compressions.isEmpty ? head : tail
        if lastSide.last?.isEmpty == true {
            throw AddressParseFailure("an IPv6 address cannot end with a single \":\".")
        }

        let headWords = try words(of: head, holdsLastGroup: compressions.isEmpty)
        let tailWords = try words(of: tail, holdsLastGroup: true)
        return try assemble(head: headWords, tail: tailWords, compressed: !compressions.isEmpty, zone: zone)
    }

    /// Converts one side of the "::" to 16-bit words. A dotted IPv4 group is allowed only as the
    /// very last group of the address, where it supplies two words.
    private static func words(
        of groups: [Substring], holdsLastGroup: Bool
    ) throws(AddressParseFailure) -> [UInt16] {
        var words: [UInt16] = []
        for (index, group) in groups.enumerated() {
            if group.contains(".") {
                guard holdsLastGroup && index == groups.count - 1 else {
                    throw AddressParseFailure("the embedded IPv4 address \"\(group)\" must come last.")
                }
                let v4 = try parseIPv4(group)
                words += [UInt16(truncatingIfNeeded: v4 >> 16), UInt16(truncatingIfNeeded: v4)]
            } else {
                words.append(try parseHexGroup(group))
            }
        }
        return words
    }

    private static func assemble(
        head: [UInt16], tail: [UInt16], compressed: Bool, zone: String?
    ) throws(AddressParseFailure) -> IPAddress {
        let count = head.count + tail.count
        if count > 8 {
            throw AddressParseFailure("an IPv6 address has eight groups of hex digits, but this one has \(count).")
        }
        if compressed && count == 8 {
            throw AddressParseFailure("\"::\" stands for at least one zero group, but all eight groups are already given.")
        }
        if !compressed && count < 8 {
            throw AddressParseFailure(
                "an IPv6 address has eight groups of hex digits, but this one has \(count) and no \"::\" to stand for the rest."
            )
        }
        let words = head + Array(repeating: 0, count: 8 - count) + tail
        let value = words.reduce(UInt128(0)) { $0 << 16 | UInt128($1) }
        return IPAddress(v6: value, zone: zone)
    }

    /// Separates "%zone". The zone is kept as text: it names an interface (by index or by name)
    /// on the machine that entered it, so there is nothing to normalise.
    private static func splitZone(_ text: Substring) throws(AddressParseFailure) -> (Substring, String?) {
        guard let percent = text.firstIndex(of: "%") else { return (text, nil) }
        let body = text[..<percent]
        let zone = text[text.index(after: percent)...]
        if body.isEmpty { throw AddressParseFailure("the address before \"%\" is missing.") }
        if zone.isEmpty { throw AddressParseFailure("the zone index after \"%\" is empty.") }
        guard zone.allSatisfy(isZoneCharacter) else {
            throw AddressParseFailure(
                "the zone index \"\(zone)\" may contain only letters, digits, \"_\", \".\" and \"-\"."
            )
        }
        return (body, String(zone))
    }

    private static func groups(_ text: Substring) -> [Substring] {
        text.isEmpty ? [] : text.split(separator: ":", omittingEmptySubsequences: false)
    }

    private static func parseHexGroup(_ group: Substring) throws(AddressParseFailure) -> UInt16 {
        guard !group.isEmpty, group.allSatisfy(isASCIIHexDigit) else {
            throw AddressParseFailure("\"\(group)\" is not a hexadecimal number.")
        }
        guard group.count <= 4, let word = UInt16(group, radix: 16) else {
            throw AddressParseFailure("\"\(group)\" has more than four hex digits.")
        }
        return word
    }

    // MARK: Shared helpers (also used by the range and binding parsers)

    static func isASCIIDigit(_ c: Character) -> Bool {
        guard let a = c.asciiValue else { return false }
        return a >= 0x30 && a <= 0x39
    }

    static func isASCIIHexDigit(_ c: Character) -> Bool {
        guard let a = c.asciiValue else { return false }
        return (a >= 0x30 && a <= 0x39) || (a >= 0x41 && a <= 0x46) || (a >= 0x61 && a <= 0x66)
    }

    static func isZoneCharacter(_ c: Character) -> Bool {
        guard let a = c.asciiValue else { return false }
        return (a >= 0x30 && a <= 0x39) || (a >= 0x41 && a <= 0x5a) || (a >= 0x61 && a <= 0x7a)
            || c == "_" || c == "." || c == "-"
    }

    /// The text split at every `separator` scalar. Not `split` over characters: a separator that a preceding
    /// scalar joins into one grapheme (U+0600 then "/") is no separate character, yet `contains("/")` finds it;
    /// the fuzzer found a range that so passed the check and then had no second part.
    static func split(_ text: Substring, on separator: Unicode.Scalar) -> [Substring] {
        text.unicodeScalars.split(separator: separator, omittingEmptySubsequences: false).map { Substring($0) }
    }

    static func trimmed(_ text: Substring) -> Substring {
        // Text that starts and ends with a printable ASCII character (nearly all) has nothing to trim.
        if let first = text.utf8.first, let last = text.utf8.last, (0x21...0x7E).contains(first), (0x21...0x7E).contains(last) {
            return text
        }
        var result = text
        while result.first?.isWhitespace == true { result.removeFirst() }
        while result.last?.isWhitespace == true { result.removeLast() }
        return result
    }
}
