import Foundation
import XCTest
import ReceptorCore

/// `ReceiveConnector(storedJSON:)`, the stores' reader of their own JSON: it gives what `JSONDecoder` gives
/// for every parameter, and declines (nil, so the store falls back to `JSONDecoder`) whatever it doesn't know.
final class StoredJSONTests: XCTestCase {
    /// As both stores write: sorted keys, slashes unescaped.
    static func stored(_ c: ReceiveConnector, _ formatting: JSONEncoder.OutputFormatting = [.sortedKeys, .withoutEscapingSlashes]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = formatting
        return String(decoding: try encoder.encode(c), as: UTF8.self)
    }

    static func viaJSONDecoder(_ text: String) throws -> ReceiveConnector {
        try JSONDecoder().decode(ReceiveConnector.self, from: Data(text.utf8))
    }

    /// Strings the encoder escapes (quotes, backslashes, control characters) and ones it doesn't (slashes,
    /// accents, CJK, an emoji outside the BMP).
    static func awkward() -> ReceiveConnector {
        var c = ParameterTableTests.rich()
        c.comment = "Line 1\nLine 2\t\"quoted\" \\ back/slash \u{01}\u{1F} é 中文 🙂 end"
        c.banner = "220 mail.contoso.com \\o/ \"ready\""
        c.tlsCertificateName = nil
        c.defaultDomain = "contoso.com"
        c.serviceDiscoveryFqdn = "autodiscover.contoso.com"
        c.maxInboundConnection = .unlimited
        c.maxInboundConnectionPerSource = .unlimited
        c.maxProtocolErrors = .unlimited
        c.messageRateLimit = .limited(0)
        c.maxMessageSize = ByteSize(bytes: 2_147_483_647)
        c.authMechanism = .none
        c.permissionGroups = [.anonymousUsers, .exchangeUsers, .exchangeServers, .exchangeLegacyServers, .partners, .custom]
        return c
    }

    /// Every default connector of both roles, one with every parameter set, the awkward one, and one without ports.
    static func everyShape() -> [ReceiveConnector] {
        Fixture.mailboxDefaults() + ConnectorDefaults.setupConnectors(for: Fixture.edge)
            + [
                ParameterTableTests.rich(), awkward(),
                Fixture.connector("No Port", bindings: ["0.0.0.0", "[::]:"], ranges: ["0.0.0.0", "::"]),
            ]
    }

    func testEveryParameterReadsBackAsJSONDecoderReadsIt() throws {
        let connectors = Self.everyShape()
        for c in connectors {
            for formatting: JSONEncoder.OutputFormatting in [[.sortedKeys, .withoutEscapingSlashes], [.sortedKeys], [.prettyPrinted], []] {
                let text = try Self.stored(c, formatting)
                let fast = try XCTUnwrap(ReceiveConnector(storedJSON: text), "\(c.name), \(formatting): declined\n\(text)")
                let slow = try Self.viaJSONDecoder(text)
                XCTAssertEqual(fast, c, c.name)
                XCTAssertEqual(fast, slow, c.name)
                // What equality leaves out: how each entry was written (the stored form always names the port).
                XCTAssertEqual(fast.bindings.map(\.description), c.bindings.map(\.description), c.name)
                XCTAssertEqual(fast.bindings.map(\.portWasOmitted), slow.bindings.map(\.portWasOmitted), c.name)
                XCTAssertEqual(fast.remoteIPRanges.map(\.description), c.remoteIPRanges.map(\.description), c.name)
                XCTAssertEqual(try Self.stored(fast), try Self.stored(c), c.name)
            }
        }
    }

    func testEachParameterChangedAloneReadsBack() throws {
        // Every parameter of the table set to a value other than the default, one at a time, in the shell's words.
        let changes: [String: ParameterInput] = [
            "Name": .text("Other"), "Enabled": .bool(false), "Comment": .text("a \"note\""), "AuthMechanism": .text("Tls,BasicAuth"),
            "PermissionGroups": .text("Partners"), "RequireTLS": .bool(true), "MaxMessageSize": .text("10MB"), "Banner": .text("220 hello"),
            "Fqdn": .text("mail.fabrikam.com"), "ProtocolLoggingLevel": .text("Verbose"), "MaxInboundConnection": .text("unlimited"),
            "ConnectionTimeout": .text("00:20:00"), "TlsDomainCapabilities": .text("contoso.com:AcceptOorgProtocol"),
        ]
        let base = try XCTUnwrap(Fixture.mailboxDefaults().first)
        for (name, value) in changes {
            var c = base
            let parameter = try XCTUnwrap(ConnectorParameters.named(name), name)
            try parameter.apply(value, to: &c)
            XCTAssertNotEqual(c, base, name)
            XCTAssertEqual(ReceiveConnector(storedJSON: try Self.stored(c)), c, name)
        }
    }

    func testFlagsWrittenOtherwiseAreReadAsCodableReadsThem() throws {
        let text = try Self.stored(Self.awkward())
        for (from, to) in [
            (#""authMechanism":[]"#, #""authMechanism":["None"]"#),
            (#""authMechanism":[]"#, #""authMechanism":["tls","basicauth"]"#),
            (#""authMechanism":[]"#, #""authMechanism":["Tls, BasicAuth"]"#),
        ] {
            let changed = text.replacingOccurrences(of: from, with: to)
            XCTAssertNotEqual(changed, text)
            XCTAssertEqual(ReceiveConnector(storedJSON: changed), try Self.viaJSONDecoder(changed), to)
        }
    }

    func testWhatItDoesNotKnowIsLeftToJSONDecoder() throws {
        let original = Fixture.mailboxDefaults()[0]
        let text = try Self.stored(original)
        XCTAssertEqual(ReceiveConnector(storedJSON: text), original)
        let declined = [
            "unknown key": #"{"futureSetting":1,"# + text.dropFirst(),
            "missing key": text.replacingOccurrences(of: #""enabled":true,"#, with: ""),
            "repeated key": text.replacingOccurrences(of: #""enabled":true,"#, with: #""enabled":true,"enabled":false,"#),
            "fraction": text.replacingOccurrences(of: #""maxHopCount":30"#, with: #""maxHopCount":30.0"#),
            "string for a number": text.replacingOccurrences(of: #""maxHopCount":30"#, with: #""maxHopCount":"30""#),
            "unknown enum value": text.replacingOccurrences(of: #""protocolLoggingLevel":"None""#, with: #""protocolLoggingLevel":"Loud""#),
            "bad binding": text.replacingOccurrences(of: #""0.0.0.0:2525""#, with: #""0.0.0.0:99999""#),
            "trailing text": text + "x",
            "truncated": String(text.dropLast()),
            "not an object": "[]",
            "empty": "",
        ]
        for (what, bad) in declined {
            XCTAssertNotEqual(bad, text, what)
            XCTAssertNil(ReceiveConnector(storedJSON: bad), what)
        }
        // JSONDecoder ignores a key it doesn't know, so the store still reads such a row (through it).
        XCTAssertEqual(try Self.viaJSONDecoder(try XCTUnwrap(declined["unknown key"])), original)
        XCTAssertThrowsError(try Self.viaJSONDecoder(try XCTUnwrap(declined["missing key"])))
    }

    func testGUIDsInEitherCaseAndOthersLeftToJSONDecoder() throws {
        let original = Fixture.mailboxDefaults()[0]
        let text = try Self.stored(original)
        let upper = original.guid.uuidString
        XCTAssertTrue(text.contains(upper))
        XCTAssertEqual(ReceiveConnector(storedJSON: text.replacingOccurrences(of: upper, with: upper.lowercased()))?.guid, original.guid)
        for bad in [String(upper.dropLast()), upper.replacingOccurrences(of: "-", with: ""), "G" + upper.dropFirst(), upper + "0"] {
            let changed = text.replacingOccurrences(of: upper, with: bad)
            XCTAssertEqual(ReceiveConnector(storedJSON: changed), try? Self.viaJSONDecoder(changed), bad)
        }
    }

    func testEscapes() throws {
        let base = try Self.stored(Fixture.mailboxDefaults()[0])
        let original = #""comment":"""#
        XCTAssertTrue(base.contains(original))
        for (escaped, meant) in [
            (#"\u00e9\u4e2d"#, "é中"), (#"\ud83d\ude42"#, "🙂"), (#"\/\b\f\n\r\t\"\\"#, "/\u{08}\u{0C}\n\r\t\"\\"), ("plain", "plain"),
        ] {
            let c = try XCTUnwrap(ReceiveConnector(storedJSON: base.replacingOccurrences(of: original, with: #""comment":""# + escaped + "\"")))
            XCTAssertEqual(c.comment, meant, escaped)
        }
        for lone in [#"\ud83d"#, #"\ude42"#, #"\ud83dx"#, #"\x"#, #"\u12"#] {
            XCTAssertNil(ReceiveConnector(storedJSON: base.replacingOccurrences(of: original, with: #""comment":""# + lone + "\"")), lone)
        }
    }

    // MARK: The routing alone (ConnectorRoute(storedJSON:))

    func testTheRouteReadsWhatTheFullReaderReads() throws {
        let connectors = Self.everyShape()
        for c in connectors {
            for formatting: JSONEncoder.OutputFormatting in [[.sortedKeys, .withoutEscapingSlashes], [.sortedKeys], [.prettyPrinted], []] {
                let text = try Self.stored(c, formatting)
                let route = try XCTUnwrap(ConnectorRoute(storedJSON: text), "\(c.name), \(formatting): declined\n\(text)")
                XCTAssertEqual(route, ConnectorRoute(c), c.name)
                XCTAssertEqual(route, ConnectorRoute(try XCTUnwrap(ReceiveConnector(storedJSON: text))), c.name)
                XCTAssertEqual(route.bindings.map(\.description), c.bindings.map(\.description), c.name)
                // How each binding was written, which equality leaves out: as JSONDecoder reads it back.
                XCTAssertEqual(route.bindings.map(\.portWasOmitted), try Self.viaJSONDecoder(text).bindings.map(\.portWasOmitted), c.name)
                XCTAssertEqual(route.identity, c.identity, c.name)
                var bytes = text
                XCTAssertEqual(bytes.withUTF8 { ConnectorRoute(storedJSONBytes: $0) }, route, c.name)
            }
        }
    }

    func testTheRouteDeclinesWhatTheFullReaderDeclinesInTheJSONsShape() throws {
        let original = Fixture.mailboxDefaults()[0]
        let text = try Self.stored(original)
        XCTAssertEqual(ConnectorRoute(storedJSON: text), ConnectorRoute(original))
        let declined = [
            "unknown key": #"{"futureSetting":1,"# + text.dropFirst(),
            "missing key": text.replacingOccurrences(of: #""maxHopCount":30,"#, with: ""),
            "missing routing key": text.replacingOccurrences(of: #""enabled":true,"#, with: ""),
            "repeated key": text.replacingOccurrences(of: #""maxHopCount":30,"#, with: #""maxHopCount":30,"maxHopCount":31,"#),
            "fraction": text.replacingOccurrences(of: #""maxHopCount":30"#, with: #""maxHopCount":30.0"#),
            "object for a number": text.replacingOccurrences(of: #""maxHopCount":30"#, with: #""maxHopCount":{}"#),
            "unknown escape in a skipped string": text.replacingOccurrences(of: #""comment":"""#, with: #""comment":"\x""#),
            "control character in a skipped string": text.replacingOccurrences(of: #""comment":"""#, with: "\"comment\":\"\u{01}\""),
            "number in a skipped list": text.replacingOccurrences(of: #""tlsDomainCapabilities":[]"#, with: #""tlsDomainCapabilities":[1]"#),
            "bad binding": text.replacingOccurrences(of: #""0.0.0.0:2525""#, with: #""0.0.0.0:99999""#),
            "number for enabled": text.replacingOccurrences(of: #""enabled":true"#, with: #""enabled":1"#),
            "trailing text": text + "x",
            "truncated": String(text.dropLast()),
            "not an object": "[]",
            "empty": "",
        ]
        for (what, bad) in declined {
            XCTAssertNotEqual(bad, text, what)
            XCTAssertNil(ConnectorRoute(storedJSON: bad), what)
            XCTAssertNil(ReceiveConnector(storedJSON: bad), what)
        }
        // Values it steps over are still read as JSON: escapes and the optional keys' absence are fine.
        let escaped = text.replacingOccurrences(of: #""comment":"""#, with: #""comment":"\"q\" \u00e9 \ud83d\ude42 \\""#)
        XCTAssertNotEqual(escaped, text)
        XCTAssertEqual(ConnectorRoute(storedJSON: escaped), ConnectorRoute(original))
        XCTAssertNotNil(ReceiveConnector(storedJSON: escaped))
        XCTAssertNil(original.banner)
        XCTAssertFalse(text.contains(#""banner""#), "an optional value that is nil is left out, and the route is still read")
    }
}
