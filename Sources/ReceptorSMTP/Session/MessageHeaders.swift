/// The header section of a received message, located by byte ranges so fields can be counted, read and
/// removed without copying the body.
public struct MessageHeaders: Sendable {
    public struct Field: Sendable {
        /// The field name in lower case.
        public let name: String
        /// The bytes of the whole field: name, value, continuation lines and line terminators.
        public let range: Range<Int>
        /// Where the value starts (after the colon).
        let valueStart: Int
    }

    public let fields: [Field]
    /// The number of bytes of the header section, up to (not including) the empty line that ends it.
    public let size: Int

    /// Scans fields up to the first empty line. A line that is neither a field nor a continuation ends the
    /// section too (what follows is treated as body).
    public init(scanning bytes: [UInt8]) {
        var fields: [Field] = []
        fields.reserveCapacity(16)  // a typical header section at once, rather than regrowing field by field
        var i = 0
        let n = bytes.count
        var end = n
        while i < n {
            let lf = bytes[i...].firstIndex(of: 10) ?? n
            let lineEnd = lf < n ? lf + 1 : n
            let contentEnd = lf > i && bytes[lf - 1] == 13 ? lf - 1 : lf
            if contentEnd == i { end = i; break }  // the empty line
            let first = bytes[i]
            if first == 32 || first == 9 {  // a continuation line
                guard let last = fields.popLast() else { end = i; break }
                fields.append(Field(name: last.name, range: last.range.lowerBound..<lineEnd, valueStart: last.valueStart))
                i = lineEnd
                continue
            }
            guard let colon = bytes[i..<contentEnd].firstIndex(of: UInt8(ascii: ":")), colon > i,
                bytes[i..<colon].allSatisfy({ $0 > 32 && $0 < 127 })
            else { end = i; break }
            let name = String(decoding: bytes[i..<colon], as: UTF8.self).lowercased()
            fields.append(Field(name: name, range: i..<lineEnd, valueStart: colon + 1))
            i = lineEnd
        }
        if i >= n { end = n }
        self.fields = fields
        self.size = end
    }

    /// A field's value, unfolded and trimmed.
    /// Works on the bytes (line ends dropped, then spaces and tabs trimmed): it runs for every message.
    public func value(of field: Field, in bytes: [UInt8]) -> String {
        var unfolded: [UInt8] = []
        unfolded.reserveCapacity(field.range.upperBound - field.valueStart)
        for byte in bytes[field.valueStart..<field.range.upperBound] where byte != 13 && byte != 10 {
            unfolded.append(byte)
        }
        let isBlank = { (b: UInt8) in b == 32 || b == 9 }
        guard let first = unfolded.firstIndex(where: { !isBlank($0) }), let last = unfolded.lastIndex(where: { !isBlank($0) }) else { return "" }
        return String(decoding: unfolded[first...last], as: UTF8.self)
    }

    public func fields(named name: String) -> [Field] {
        let lower = name.lowercased()
        return fields.filter { $0.name == lower }
    }

    /// The message without the fields `remove` selects; returns the bytes unchanged (no copy) when none is.
    public func removing(in bytes: [UInt8], where remove: (String) -> Bool) -> (bytes: [UInt8], removed: [String]) {
        let doomed = fields.filter { remove($0.name) }
        guard !doomed.isEmpty else { return (bytes, []) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var from = 0
        for f in doomed {
            out.append(contentsOf: bytes[from..<f.range.lowerBound])
            from = f.range.upperBound
        }
        out.append(contentsOf: bytes[from...])
        return (out, doomed.map(\.name))
    }
}

import Foundation
