import Foundation
import X509

/// One attribute of a distinguished name, normalized for comparison: the attribute type as a dotted OID
/// (aliases such as `S`/`ST` fold together) and the value lower-cased with runs of white space collapsed.
struct X500Attribute: Hashable, Sendable {
    let type: String
    let value: String
}

/// A distinguished name as a list of RDNs (each a set of attributes), in the order it was written.
struct X500Name: Equatable, Sendable {
    var rdns: [Set<X500Attribute>]

    /// Equal names, in the same order or reversed: certificates store the most general RDN first (`C=US, O=…,
    /// CN=…`, as `openssl x509 -subject` prints it) while Windows and Exchange print the most specific first.
    func matches(_ other: X500Name) -> Bool {
        guard rdns.count == other.rdns.count, !rdns.isEmpty else { return false }
        return rdns == other.rdns || rdns == Array(other.rdns.reversed())
    }
}

/// Distinguished-name text: parsing what admins type (Exchange's `<I>…<S>…`, RFC 4514, OpenSSL's
/// `C = US, O = Contoso` and `/C=US/O=Contoso` forms) and printing names the way Exchange shows them.
enum X500NameText {
    struct ParseError: Error, CustomStringConvertible {
        let description: String
    }

    /// Known attribute types: dotted OID, the name Exchange/Windows prints, and every alias accepted on input.
    private static let attributeTypes: [(oid: String, display: String, aliases: [String])] = [
        ("2.5.4.3", "CN", ["CN", "COMMONNAME"]),
        ("2.5.4.4", "SN", ["SN", "SURNAME"]),
        ("2.5.4.5", "SERIALNUMBER", ["SERIALNUMBER"]),
        ("2.5.4.6", "C", ["C", "COUNTRYNAME"]),
        ("2.5.4.7", "L", ["L", "LOCALITYNAME"]),
        ("2.5.4.8", "S", ["S", "ST", "STATEORPROVINCENAME"]),
        ("2.5.4.9", "STREET", ["STREET", "STREETADDRESS"]),
        ("2.5.4.10", "O", ["O", "ORGANIZATIONNAME"]),
        ("2.5.4.11", "OU", ["OU", "ORGANIZATIONALUNITNAME"]),
        ("2.5.4.12", "T", ["T", "TITLE"]),
        ("2.5.4.17", "PostalCode", ["POSTALCODE"]),
        ("2.5.4.42", "G", ["G", "GN", "GIVENNAME"]),
        ("2.5.4.43", "I", ["I", "INITIALS"]),
        ("0.9.2342.19200300.100.1.25", "DC", ["DC", "DOMAINCOMPONENT"]),
        ("0.9.2342.19200300.100.1.1", "UID", ["UID", "USERID"]),
        ("1.2.840.113549.1.9.1", "E", ["E", "EMAIL", "EMAILADDRESS"]),
    ]

    private static let oidByAlias: [String: String] = {
        var map: [String: String] = [:]
        for entry in attributeTypes { for alias in entry.aliases { map[alias] = entry.oid } }
        return map
    }()

    private static let displayByOID: [String: String] = {
        var map: [String: String] = [:]
        for entry in attributeTypes { map[entry.oid] = entry.display }
        return map
    }()

    // MARK: Certificates → names

    /// The normalized form of a certificate's name.
    static func name(of dn: DistinguishedName) -> X500Name {
        X500Name(
            rdns: dn.map { rdn in
                Set(
                    rdn.map { attribute in
                        X500Attribute(type: String(describing: attribute.type), value: normalizedValue(valueText(attribute.value)))
                    })
            })
    }

    /// Exchange's way of printing a name: most specific RDN first, `", "` between RDNs, `S=` for the state,
    /// values with special characters in double quotes (`O="Contoso, Ltd."`).
    static func exchangeString(_ dn: DistinguishedName) -> String {
        dn.reversed().map { rdn in
            rdn.map { attribute in
                let oid = String(describing: attribute.type)
                let key = displayByOID[oid] ?? "OID.\(oid)"
                return "\(key)=\(quotedIfNeeded(valueText(attribute.value)))"
            }.joined(separator: " + ")
        }.joined(separator: ", ")
    }

    /// The common names (`CN=`) of a name, in order.
    static func commonNames(_ dn: DistinguishedName) -> [String] {
        dn.flatMap { rdn in
            rdn.filter { String(describing: $0.type) == "2.5.4.3" }.map { valueText($0.value) }
        }
    }

    private static func valueText(_ value: RelativeDistinguishedName.Attribute.Value) -> String {
        String(value) ?? String(describing: value)
    }

    private static func quotedIfNeeded(_ value: String) -> String {
        let special: Set<Character> = [",", "+", "=", "\"", ";", "<", ">", "#", "\n", "\r", "\\"]
        let needsQuotes = value.contains(where: { special.contains($0) }) || value.hasPrefix(" ") || value.hasSuffix(" ")
        guard needsQuotes else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    // MARK: Text → names

    /// Splits Exchange's `SmtpX509Identifier` text, `"<I>X.500Issuer<S>X.500Subject"`, into issuer and subject.
    static func parseIdentifier(_ text: String) throws -> (issuer: X500Name, subject: X500Name) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let example = "\"<I>CN=Contoso CA, O=Contoso<S>CN=mail.contoso.com\""
        guard trimmed.uppercased().hasPrefix("<I>"),
            let sRange = trimmed.range(of: "<S>", options: .caseInsensitive)
        else {
            throw ParseError(
                description: "TlsCertificateName \"\(text)\" is not in the form \"<I>X.500 issuer<S>X.500 subject\", for example \(example)")
        }
        let issuerText = String(trimmed[trimmed.index(trimmed.startIndex, offsetBy: 3)..<sRange.lowerBound])
        let subjectText = String(trimmed[sRange.upperBound...])
        do {
            return (try parse(issuerText), try parse(subjectText))
        } catch let error as ParseError {
            throw ParseError(description: "TlsCertificateName \"\(text)\": \(error.description); expected the form \(example)")
        }
    }

    /// Parses a distinguished name as people write or copy it. Accepts `CN=a, O=b` (RFC 4514 and Windows),
    /// `CN = a, O = b` (OpenSSL 3), `/O=b/CN=a` (older OpenSSL), `;` as a separator, `+` for multi-valued RDNs,
    /// backslash escapes, double-quoted values, and a leading `issuer=` or `subject=` from `openssl x509` output.
    static func parse(_ text: String) throws -> X500Name {
        var body = text.trimmingCharacters(in: .whitespacesAndNewlines)
        for prefix in ["issuer=", "subject=", "issuer:", "subject:"] where body.lowercased().hasPrefix(prefix) {
            body = String(body.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
        }
        guard !body.isEmpty else { throw ParseError(description: "the distinguished name is empty") }

        let rdnTexts: [String]
        if body.hasPrefix("/") {
            rdnTexts = split(String(body.dropFirst()), separators: ["/"])
        } else {
            rdnTexts = split(body, separators: [",", ";"])
        }
        var rdns: [Set<X500Attribute>] = []
        for rdnText in rdnTexts {
            if rdnText.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            var attributes = Set<X500Attribute>()
            for attributeText in split(rdnText, separators: ["+"]) {
                attributes.insert(try parseAttribute(attributeText))
            }
            rdns.append(attributes)
        }
        guard !rdns.isEmpty else { throw ParseError(description: "the distinguished name \"\(text)\" has no attributes") }
        return X500Name(rdns: rdns)
    }

    private static func parseAttribute(_ text: String) throws -> X500Attribute {
        let chars = Array(text)
        var equals: Int?
        var i = 0
        while i < chars.count {
            if chars[i] == "\\" { i += 2; continue }
            if chars[i] == "=" { equals = i; break }
            i += 1
        }
        guard let eq = equals else {
            throw ParseError(
                description: "\"\(text.trimmingCharacters(in: .whitespaces))\" is not an attribute (expected TYPE=value, such as CN=mail.contoso.com)"
            )
        }
        let rawType = String(chars[..<eq]).trimmingCharacters(in: .whitespaces)
        guard !rawType.isEmpty else {
            throw ParseError(description: "\"\(text.trimmingCharacters(in: .whitespaces))\" has no attribute type")
        }
        let value = unescape(String(chars[(eq + 1)...]).trimmingCharacters(in: .whitespaces))
        return X500Attribute(type: try canonicalType(rawType), value: normalizedValue(value))
    }

    private static func canonicalType(_ raw: String) throws -> String {
        var key = raw.uppercased()
        if key.hasPrefix("OID.") { key = String(key.dropFirst(4)) }
        if let oid = oidByAlias[key] { return oid }
        if key.first?.isNumber == true, key.allSatisfy({ $0.isNumber || $0 == "." }) { return key }
        throw ParseError(description: "unknown attribute type \"\(raw)\" (use CN, OU, O, L, S, C, E, DC, … or a dotted OID)")
    }

    /// Splits at separators that are outside double quotes and not escaped with a backslash.
    private static func split(_ text: String, separators: Set<Character>) -> [String] {
        var parts: [String] = []
        var current = ""
        var inQuotes = false
        var escaped = false
        for ch in text {
            if escaped { current.append(ch); escaped = false; continue }
            if ch == "\\" { current.append(ch); escaped = true; continue }
            if ch == "\"" { inQuotes.toggle(); current.append(ch); continue }
            if !inQuotes, separators.contains(ch) { parts.append(current); current = ""; continue }
            current.append(ch)
        }
        parts.append(current)
        return parts
    }

    /// Removes surrounding double quotes (with `""` or `\"` inside) and backslash escapes (`\,` and `\2C`).
    private static func unescape(_ value: String) -> String {
        var text = value
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") {
            text = String(text.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"")
        }
        var bytes: [UInt8] = []
        let utf8 = Array(text.utf8)
        var i = 0
        func hexValue(_ b: UInt8) -> UInt8? {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        while i < utf8.count {
            let b = utf8[i]
            if b == UInt8(ascii: "\\"), i + 1 < utf8.count {
                if i + 2 < utf8.count, let hi = hexValue(utf8[i + 1]), let lo = hexValue(utf8[i + 2]) {
                    bytes.append(hi << 4 | lo)
                    i += 3
                } else {
                    bytes.append(utf8[i + 1])
                    i += 2
                }
                continue
            }
            bytes.append(b)
            i += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Case-insensitive, with runs of white space collapsed and the ends trimmed.
    static func normalizedValue(_ value: String) -> String {
        value.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ").lowercased()
    }
}
