import CChecksum
import Foundation

/// The name of a message's scratch file, sealed with the contents' size and CRC-32C:
/// `<final name>,RS=<size>,RC=<crc, 8 hex digits>`.
///
/// Delivery makes the scratch file (contents and name) durable with one sync, then gives the message its
/// final name and answers `250` without waiting for a second sync. If a crash takes the final name with it,
/// the scratch file is still there, and recovery (`MessageStore.recoverInterruptedDeliveries`) must tell a
/// scratch file that a sync completed from one a crash cut short: only a file whose size and checksum match
/// its name is a whole message.
struct ScratchSeal: Equatable {
    /// The message's name where readers look (Maildir `new/`, the relay queue).
    var finalName: String
    var size: Int
    var checksum: UInt32

    init(finalName: String, size: Int, checksum: UInt32) {
        self.finalName = finalName; self.size = size; self.checksum = checksum
    }

    /// The seal of a file made of `parts`.
    init(finalName: String, parts: [[UInt8]]) {
        var crc: UInt32 = 0
        for part in parts { crc = part.withUnsafeBytes { receptor_crc32c(crc, $0.baseAddress, $0.count) } }
        self.init(finalName: finalName, size: parts.reduce(0) { $0 + $1.count }, checksum: crc)
    }

    /// The seal of a file made of `parts`, then the contents of the file at `path` (a spooled body), read in
    /// pieces of a megabyte.
    init(finalName: String, parts: [[UInt8]], file path: String) throws {
        var crc: UInt32 = 0
        var size = 0
        for part in parts { crc = part.withUnsafeBytes { receptor_crc32c(crc, $0.baseAddress, $0.count) }; size += part.count }
        try DurableFile.forEachPiece(of: path) { piece in
            crc = receptor_crc32c(crc, piece.baseAddress, piece.count)
            size += piece.count
        }
        self.init(finalName: finalName, size: size, checksum: crc)
    }

    var scratchName: String {
        let hex = String(checksum, radix: 16)
        return "\(finalName),RS=\(size),RC=\(String(repeating: "0", count: 8 - hex.count))\(hex)"
    }

    /// The seal a scratch name carries; nil for any other name (other programs' files in tmp/).
    init?(scratchName name: String) {
        guard let rc = name.range(of: ",RC=", options: .backwards), let rs = name.range(of: ",RS=", options: .backwards),
            rs.upperBound <= rc.lowerBound
        else { return nil }
        let hex = name[rc.upperBound...], digits = name[rs.upperBound..<rc.lowerBound]
        guard hex.count == 8, let checksum = UInt32(hex, radix: 16), hex.allSatisfy(\.isHexDigit),
            !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let size = Int(digits),
            rs.lowerBound > name.startIndex
        else { return nil }
        self.init(finalName: String(name[..<rs.lowerBound]), size: size, checksum: checksum)
    }

    /// Whether the file at `path` is the whole message this seal describes.
    func matches(fileAt path: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: path), data.count == size else { return false }
        let crc = data.withUnsafeBytes { receptor_crc32c(0, $0.baseAddress, $0.count) }
        return crc == checksum
    }
}
