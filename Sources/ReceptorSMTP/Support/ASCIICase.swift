extension UInt8 {
    /// An ASCII lower-case letter made upper case; any other byte as it is.
    var asciiUppercased: UInt8 { self >= 0x61 && self <= 0x7A ? self - 0x20 : self }
}

extension StringProtocol {
    /// Upper case for ASCII letters only: SMTP's keywords are ASCII, and Unicode case mapping would both cost
    /// more per command and turn look-alikes into keywords ("maıl" into "MAIL"). Written straight into the
    /// string's storage (no intermediate array; a keyword fits a small string, so nothing is allocated).
    var asciiUppercased: String {
        let bytes = utf8
        return String(unsafeUninitializedCapacity: bytes.count) { buffer in
            var count = 0
            for byte in bytes {
                buffer[count] = byte.asciiUppercased
                count += 1
            }
            return count
        }
    }
}

extension SMTPVerb {
    /// The verb a command line starts with, compared without ASCII case on its bytes (no string is made).
    init?<Keyword: Collection>(keyword: Keyword) where Keyword.Element == UInt8 {
        for verb in SMTPVerb.allCases {
            let name = verb.rawValue.utf8
            if name.count == keyword.count && keyword.elementsEqual(name, by: { $0.asciiUppercased == $1 }) {
                self = verb
                return
            }
        }
        return nil
    }
}
