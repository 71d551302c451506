import XCTest
@testable import ReceptorSMTP

final class CommandParserTests: XCTestCase {
    let parser = SMTPCommandParser(postmasterDomain: "contoso.test")

    func parse(_ s: String, _ p: SMTPCommandParser? = nil) -> Result<SMTPCommand, SMTPCommandError> {
        Result { () throws(SMTPCommandError) in try (p ?? parser).parse(Array(s.utf8)) }
    }

    func command(_ s: String, file: StaticString = #filePath, line: UInt = #line) -> SMTPCommand? {
        switch parse(s) {
        case .success(let c): return c
        case .failure(let e): XCTFail("\(s): \(e)", file: file, line: line); return nil
        }
    }

    func error(_ s: String, _ p: SMTPCommandParser? = nil) -> SMTPCommandError? {
        if case .failure(let e) = parse(s, p) { return e }
        return nil
    }

    func addr(_ s: String) -> MailAddress {
        guard case .success(let a) = MailAddress.parse(s, maxLength: 571, allowUTF8: false) else { fatalError(s) }
        return a
    }

    func testVerbsAreCaseInsensitive() {
        XCTAssertEqual(command("ehlo Mail.Fabrikam.com"), .ehlo("Mail.Fabrikam.com"))
        XCTAssertEqual(command("HeLo x"), .helo("x"))
        XCTAssertEqual(command("EHLO"), .ehlo(nil))
        XCTAssertEqual(command("quit"), .quit)
        XCTAssertEqual(command("Data"), .data)
        XCTAssertEqual(command("rset"), .rset)
        XCTAssertEqual(command("noop anything"), .noop)
        XCTAssertEqual(command("starttls"), .starttls)
        XCTAssertEqual(command("help"), .help(nil))
        XCTAssertEqual(command("HELP mail"), .help("mail"))
        XCTAssertEqual(command("VRFY kate"), .vrfy("kate"))
        XCTAssertEqual(command("EXPN staff"), .expn("staff"))
    }

    func testUnknownAndMalformed() {
        XCTAssertEqual(error("XYZZY"), .unrecognizedCommand)
        XCTAssertEqual(error(""), .unrecognizedCommand)
        XCTAssertEqual(error(" MAIL FROM:<a@b.c>"), .unrecognizedCommand)
        // Keywords are matched in ASCII case only: a dotless ı upper-cases to I in Unicode, not here.
        XCTAssertEqual(error("ma\u{131}l FROM:<a@b.c>"), .unrecognizedCommand)
        XCTAssertEqual(error("ehlo x.test".replacingOccurrences(of: "e", with: "\u{0435}")), .unrecognizedCommand)
        if case .success(.mail) = parse("mail from:<a@b.c>") {} else { XCTFail("lower-case keywords are fine") }
        XCTAssertEqual(error("MAILFROM:<a@b.c>"), .unrecognizedCommand)
        XCTAssertEqual(error("DATA now"), .unexpectedArguments(.data))
        XCTAssertEqual(error("STARTTLS x"), .unexpectedArguments(.starttls))
        XCTAssertEqual(error("STARTTLS x")?.reply.description, "501 5.5.4 Syntax error (no parameters allowed)")
        XCTAssertEqual(error("VRFY"), .syntax(.vrfy))
        XCTAssertEqual(error("NO\0OP"), .containsNUL)
        XCTAssertEqual(error("XYZZY")?.reply.description, "500 5.3.3 Unrecognized command")
    }

    func testMailFrom() {
        XCTAssertEqual(command("MAIL FROM:<chris@contoso.com>"), .mail(MailFromCommand(sender: addr("chris@contoso.com"))))
        XCTAssertEqual(command("mail from:<>"), .mail(MailFromCommand(sender: nil)))
        XCTAssertEqual(command("MAIL FROM:chris@contoso.com"), .mail(MailFromCommand(sender: addr("chris@contoso.com"))))
        XCTAssertEqual(command("MAIL FROM: <chris@contoso.com>"), .mail(MailFromCommand(sender: addr("chris@contoso.com"))))
        XCTAssertEqual(command("MAIL FROM:<@relay.example,@b.example:chris@contoso.com>"), .mail(MailFromCommand(sender: addr("chris@contoso.com"))))
        XCTAssertEqual(
            command("MAIL FROM:<a@b.c> SIZE=1000 BODY=8bitmime RET=HDRS ENVID=QQ+2B314 AUTH=<> SMTPUTF8"),
            .mail(
                MailFromCommand(
                    sender: addr("a@b.c"), size: 1000, body: .eightBitMIME, ret: .headers,
                    envelopeID: "QQ+2B314", authParameter: "<>", smtpUTF8: true)))
        XCTAssertEqual(
            command("MAIL FROM:<\"john doe>x\"@contoso.com> BODY=BINARYMIME"),
            .mail(MailFromCommand(sender: MailAddress(localPart: "\"john doe>x\"", domain: "contoso.com"), body: .binaryMIME)))
        XCTAssertEqual(command("MAIL FROM:<a@[192.0.2.1]>"), .mail(MailFromCommand(sender: MailAddress(localPart: "a", domain: "[192.0.2.1]"))))
        XCTAssertEqual(
            command("MAIL FROM:<a@[IPv6:2001:db8::1]>"), .mail(MailFromCommand(sender: MailAddress(localPart: "a", domain: "[IPv6:2001:db8::1]"))))
    }

    func testMailFromErrors() {
        XCTAssertEqual(error("MAIL TO:<a@b.c>"), .syntax(.mail))
        XCTAssertEqual(error("MAIL FROM:<a@b.c"), .syntax(.mail))
        XCTAssertEqual(error("MAIL FROM:"), .syntax(.mail))
        XCTAssertEqual(error("MAIL FROM:<a@b.c> SIZE=abc"), .syntax(.mail))
        XCTAssertEqual(error("MAIL FROM:<a@b.c> SIZE=1 SIZE=2"), .syntax(.mail))
        XCTAssertEqual(error("MAIL FROM:<a@b.c> BODY=9BIT"), .syntax(.mail))
        XCTAssertEqual(error("MAIL FROM:<a@b.c> ENVID=a=b"), .syntax(.mail))
        XCTAssertEqual(error("MAIL FROM:<a@b.c> XFOO=1"), .unrecognizedParameter(.mail, "XFOO"))
        XCTAssertEqual(error("MAIL FROM:<a@b.c> XFOO=1")?.reply.description, "501 5.5.4 Unrecognized parameter")
        for bad in [
            "chris", "chris@", "@contoso.com", "chris@@contoso.com", "chris..x@contoso.com", ".chris@contoso.com",
            "chris@contoso..com", "chris@-contoso.com", "chris@[300.1.1.1]", "chr is@contoso.com",
            "chris@contoso.com.x!",
        ] {
            XCTAssertEqual(error("MAIL FROM:<\(bad)>")?.reply.description, "550 5.1.7 Invalid address", bad)
        }
        // An unclosed quote swallows the closing bracket: the path itself is malformed.
        XCTAssertEqual(error("MAIL FROM:<\"open@contoso.com>"), .syntax(.mail))
        XCTAssertEqual(error("MAIL FROM:<kåte@contoso.com>")?.reply.description, "550 5.1.7 Invalid address")
        if case .mail(let m)? = command("MAIL FROM:<kåte@contoso.com> SMTPUTF8") { XCTAssertEqual(m.sender?.localPart, "kåte") } else { XCTFail() }
    }

    func testAddressLengthLimits() {
        let local = String(repeating: "a", count: 571 - "@contoso.com".count)
        XCTAssertNotNil(command("MAIL FROM:<\(local)@contoso.com>"))
        XCTAssertEqual(error("MAIL FROM:<a\(local)@contoso.com>"), .invalidSender(.tooLong))
        let long = SMTPCommandParser(maxAddressLength: 1860)
        let local2 = String(repeating: "b", count: 1860 - "@contoso.com".count)
        XCTAssertNil(error("MAIL FROM:<\(local2)@contoso.com>", long))
        XCTAssertEqual(error("MAIL FROM:<b\(local2)@contoso.com>", long), .invalidSender(.tooLong))
    }

    func testRcptTo() {
        XCTAssertEqual(
            command("RCPT TO:<kate@contoso.test> NOTIFY=success,failure"),
            .rcpt(RcptToCommand(recipient: addr("kate@contoso.test"), notify: .on(success: true, failure: true, delay: false))))
        XCTAssertEqual(
            command("rcpt to:<kate@contoso.test> notify=NEVER ORCPT=rfc822;kate+40contoso.test"),
            .rcpt(RcptToCommand(recipient: addr("kate@contoso.test"), notify: .never, originalRecipient: "rfc822;kate+40contoso.test")))
        XCTAssertEqual(command("RCPT TO:<Postmaster>"), .rcpt(RcptToCommand(recipient: MailAddress(localPart: "Postmaster", domain: "contoso.test"))))
        XCTAssertEqual(error("RCPT TO:<kate>")?.reply.description, "501 5.1.3 Invalid address")
        XCTAssertEqual(error("RCPT TO:<>")?.reply.description, "501 5.1.3 Invalid address")
        XCTAssertEqual(error("RCPT TO:<a@b.c> NOTIFY=NEVER,SUCCESS"), .syntax(.rcpt))
        XCTAssertEqual(error("RCPT TO:<a@b.c> NOTIFY=SUCCESS,SUCCESS"), .syntax(.rcpt))
        XCTAssertEqual(error("RCPT TO:<a@b.c> ORCPT=kate@x"), .syntax(.rcpt))
        XCTAssertEqual(error("RCPT FROM:<a@b.c>"), .syntax(.rcpt))
        let withDefault = SMTPCommandParser(defaultDomain: "contoso.test")
        XCTAssertEqual(try? withDefault.parse(Array("RCPT TO:<kate>".utf8)), .rcpt(RcptToCommand(recipient: addr("kate@contoso.test"))))
    }

    func testBDATAndAUTH() {
        XCTAssertEqual(command("BDAT 1000"), .bdat(size: 1000, last: false))
        XCTAssertEqual(command("bdat 0 last"), .bdat(size: 0, last: true))
        XCTAssertEqual(error("BDAT"), .syntax(.bdat))
        XCTAssertEqual(error("BDAT -1"), .syntax(.bdat))
        XCTAssertEqual(error("BDAT 10 FIRST"), .syntax(.bdat))
        XCTAssertEqual(error("BDAT 9999999999999999999"), .syntax(.bdat))
        XCTAssertEqual(command("auth plain"), .auth(mechanism: "PLAIN", initialResponse: nil))
        XCTAssertEqual(command("AUTH LOGIN a2F0ZQ=="), .auth(mechanism: "LOGIN", initialResponse: "a2F0ZQ=="))
        XCTAssertEqual(error("AUTH"), .syntax(.auth))
        XCTAssertEqual(error("AUTH PLAIN a b"), .syntax(.auth))
    }

    /// The parser finds boundaries on the UTF-8 bytes: blanks, runs of spaces, quotes and escapes, and non-ASCII
    /// text next to them behave as the RFC's ASCII grammar says.
    func testBoundariesOnBytes() {
        XCTAssertEqual(command("MAIL FROM:<a@b.c>  \t"), .mail(MailFromCommand(sender: addr("a@b.c"))))
        XCTAssertEqual(
            command("MAIL FROM:<a@b.c>   SIZE=10    BODY=7BIT "),
            .mail(MailFromCommand(sender: addr("a@b.c"), size: 10, body: .sevenBit)))
        XCTAssertEqual(command("EHLO   client.test   extra"), .ehlo("client.test"))
        XCTAssertEqual(command("auth   login    a2F0ZQ=="), .auth(mechanism: "LOGIN", initialResponse: "a2F0ZQ=="))
        XCTAssertEqual(
            command("RCPT TO:<\"a\\\"@b\"@contoso.test>"),
            .rcpt(RcptToCommand(recipient: MailAddress(localPart: "\"a\\\"@b\"", domain: "contoso.test"))))
        XCTAssertEqual(error("RCPT TO:<\"a\\\">@contoso.test>"), .syntax(.rcpt))  // the escaped quote leaves the string open
        XCTAssertEqual(error("MAIL FROM:<a@b.c>x"), .syntax(.mail))
        XCTAssertEqual(error("MAIL FRÖM:<a@b.c>"), .syntax(.mail))
        XCTAssertEqual(error("MAİL FROM:<a@b.c>"), .unrecognizedCommand)
        XCTAssertEqual(error("RCPT TO:<ké\u{301}te@contoso.test>")?.reply.description, "501 5.1.3 Invalid address")
        let utf8 = SMTPCommandParser(utf8Recipients: true)
        XCTAssertEqual(
            try? utf8.parse(Array("RCPT TO:<ké\u{301}te@bücher.test>".utf8)),
            .rcpt(RcptToCommand(recipient: MailAddress(localPart: "ké\u{301}te", domain: "bücher.test"))))
        XCTAssertEqual(error("MAIL FROM:<\"a\u{7}\"@b.c>")?.reply.description, "550 5.1.7 Invalid address")
        XCTAssertEqual(error("MAIL FROM:<a.@b.c>")?.reply.description, "550 5.1.7 Invalid address")
    }

    func testHeloNames() {
        for ok in [
            "mail.fabrikam.com", "localhost", "my_host.corp", "[192.0.2.7]", "[IPv6:::1]", "MAIL.EXAMPLE.ORG.", "a-b.c-d.e",
            String(repeating: "a", count: 63) + ".com", "x." + String(repeating: "b", count: 63),
        ] {
            XCTAssertTrue(HeloName.isValid(ok), ok)
        }
        for bad in [
            "", "bad host", "host!", "-lead.com", "a..b", "[1.2.3]", "[IPv6:zz]", "hóst.com", String(repeating: "a", count: 64) + ".com",
            "trail-.com", "a.-b", "a.b-", ".", "a..", ".a", "x." + String(repeating: "b", count: 64),
        ] {
            XCTAssertFalse(HeloName.isValid(bad), bad)
        }
    }

    func testRepliesEncode() {
        XCTAssertEqual(
            SMTPReply.help.textLines(),
            ["214-This server supports the following commands:", "214 HELO EHLO STARTTLS RCPT DATA RSET MAIL QUIT HELP AUTH BDAT"])
        XCTAssertEqual(SMTPReply.unableToRelay.encoded(), Array("550 5.7.1 Unable to relay\r\n".utf8))
        XCTAssertEqual(SMTPReply.unableToRelay.textLines(enhanced: false), ["550 Unable to relay"])
        XCTAssertEqual(SMTPReply(334, nil, "").textLines(), ["334 "])
        XCTAssertEqual(SMTPReply.customBanner("220 changed").textLines(), ["220 changed"])
        // The bytes are the text lines, CRLF-terminated, with and without enhanced codes and for every line count.
        let multi = SMTPReply(250, EnhancedStatusCode(2, 0, 0), lines: ["first", "sécond", "third"])
        let wide = SMTPReply(550, EnhancedStatusCode(5, 10, 230), "Wide parts")  // multi-digit enhanced parts
        for reply in [SMTPReply.help, .unableToRelay, SMTPReply(334, nil, ""), multi, wide] {
            for enhanced in [true, false] {
                XCTAssertEqual(reply.encoded(enhanced: enhanced), Array(reply.textLines(enhanced: enhanced).map { $0 + "\r\n" }.joined().utf8))
            }
        }
        XCTAssertEqual(multi.encoded(enhanced: false), Array("250-first\r\n250-sécond\r\n250 third\r\n".utf8))
        XCTAssertEqual(wide.encoded(), Array("550 5.10.230 Wide parts\r\n".utf8))
        // Appending to what a buffer already holds, as the listener does with its network buffer.
        var buffer = Array("x".utf8)
        SMTPReply.unableToRelay.encode(into: &buffer)
        XCTAssertEqual(buffer, Array("x550 5.7.1 Unable to relay\r\n".utf8))
    }
}
