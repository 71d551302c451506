/// Canonical text for addresses, so that the same address is always shown (and compared in
/// configuration diffs) the same way however it was typed.
enum AddressTextFormatter {
    static func dottedQuad(_ value: UInt32) -> String {
        // Written digit by digit into the string's own storage: at most 15 bytes, a small string, so nothing is
        // allocated (the listener formats an address several times per connection).
        String(unsafeUninitializedCapacity: 15) { buffer in
            var count = 0
            for shift in stride(from: 24, through: 0, by: -8) {
                let octet = Int((value >> UInt32(shift)) & 0xff)
                if shift != 24 { buffer[count] = UInt8(ascii: "."); count += 1 }
                if octet >= 100 { buffer[count] = UInt8(48 + octet / 100); count += 1 }
                if octet >= 10 { buffer[count] = UInt8(48 + octet / 10 % 10); count += 1 }
                buffer[count] = UInt8(48 + octet % 10)
                count += 1
            }
            return count
        }
    }

    /// RFC 5952 section 4: lowercase hex, no leading zeros, the longest run of two or more zero
    /// groups replaced by "::" (the first such run on a tie; a single zero group is never
    /// compressed). Section 5: v4-mapped addresses keep their dotted IPv4 tail, because that is
    /// how administrators recognise an IPv4 peer seen through a dual-stack socket.
    static func canonicalIPv6(_ value: UInt128) -> String {
        if value >> 32 == 0xffff {
            return "::ffff:" + dottedQuad(UInt32(truncatingIfNeeded: value))
        }
        let words = (0..<8).map { UInt16(truncatingIfNeeded: value >> (112 - 16 * $0)) }
        let hex = words.map { String($0, radix: 16) }
        guard let run = longestZeroRun(words), run.count >= 2 else {
            return hex.joined(separator: ":")
        }
        return hex[..<run.lowerBound].joined(separator: ":") + "::"
            + hex[run.upperBound...].joined(separator: ":")
    }

    private static func longestZeroRun(_ words: [UInt16]) -> Range<Int>? {
        var best: Range<Int>?
        var index = 0
        while index < words.count {
            guard words[index] == 0 else {
                index += 1
                continue
            }
            var end = index
            while end < words.count && words[end] == 0 { end += 1 }
            // Strictly greater keeps the first of equally long runs.
            if end - index > (best?.count ?? 0) { best = index..<end }
            index = end
        }
        return best
    }
}
