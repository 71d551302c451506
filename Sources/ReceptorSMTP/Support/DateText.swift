import Foundation

/// Date texts the engine writes, computed from the time value it is given (no calendars, locales or clocks):
/// RFC 5322 dates for the banner and Received headers, ISO 8601 for protocol log records.
public enum DateText {
    static let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]  // 1970-01-01 was a Thursday
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Days since 1970-01-01 → (year, month 1–12, day 1–31), proleptic Gregorian (H. Hinnant's algorithm).
    static func civil(days: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = Int(doy - (153 * mp + 2) / 5 + 1)
        let m = Int(mp < 10 ? mp + 3 : mp - 9)
        return (m <= 2 ? y + 1 : y, m, d)
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// `Sun, 29 Nov 2026 10:00:00 +0000` — the day unpadded, as Exchange's banner writes it.
    public static func rfc5322(_ date: Date, utcOffsetSeconds: Int = 0) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down)) + Int64(utcOffsetSeconds)
        let days = floorDiv(seconds, 86_400)
        let secs = Int(seconds - days * 86_400)
        let (y, m, d) = civil(days: days)
        let weekday = weekdays[Int(((days % 7) + 7) % 7)]
        let off = abs(utcOffsetSeconds) / 60
        // Appended into one reserved string (the banner and every Received header: an interpolation of this
        // many parts grows its buffer more than once).
        var text = ""
        text.reserveCapacity(32)
        text += weekday; text += ", "; text += String(d); text += " "; text += months[m - 1]; text += " "
        text += String(y); text += " "
        text += two(secs / 3600); text += ":"; text += two(secs / 60 % 60); text += ":"; text += two(secs % 60)
        text += utcOffsetSeconds < 0 ? " -" : " +"; text += two(off / 60); text += two(off % 60)
        return text
    }

    /// `20261129` (UTC): the day in protocol log file names (reference §8d).
    public static func compactDay(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let (y, m, d) = civil(days: floorDiv(seconds, 86_400))
        return "\(y)\(two(m))\(two(d))"
    }

    /// `2026-11-29T10:00:00.000Z` (UTC, milliseconds), the protocol log's date-time field (reference §8f).
    public static func iso8601(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = floorDiv(millis, 1000)
        let ms = Int(millis - seconds * 1000)
        let days = floorDiv(seconds, 86_400)
        let secs = Int(seconds - days * 86_400)
        let (y, m, d) = civil(days: days)
        let msText = ms < 10 ? "00\(ms)" : ms < 100 ? "0\(ms)" : "\(ms)"
        return "\(y)-\(two(m))-\(two(d))T\(two(secs / 3600)):\(two(secs / 60 % 60)):\(two(secs % 60)).\(msText)Z"
    }
}
