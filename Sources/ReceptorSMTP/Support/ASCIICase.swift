extension StringProtocol {
    /// Upper case for ASCII letters only: SMTP's keywords are ASCII, and Unicode case mapping would both cost
    /// more per command and turn look-alikes into keywords ("maıl" into "MAIL").
    var asciiUppercased: String {
        String(decoding: utf8.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }, as: UTF8.self)
    }
}
