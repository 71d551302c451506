// ReceptorSMTP — the pure SMTP protocol engine of Receptor's listener.
//
// No I/O: no sockets, files or clocks. Bytes and events go in, actions come out; time is a value passed
// with every event. The SwiftNIO layer only carries bytes and executes actions.
//
//   SMTPInputFramer   bytes → command lines / DATA bodies / BDAT chunks (restartable, bounded)
//   SMTPCommandParser line → SMTPCommand (pure syntax)
//   SMTPSession       events → actions (the state machine; enforces the connector and the rights
//                     PermissionModel.effectiveRights resolves for the session's authentication state)
//   SMTPConnection    framer + session wired together; what the I/O layer drives per connection
//
// Decisions where the reference (receive-connectors.md) is silent or unconfirmed — what an Exchange
// administrator would expect:
//
// * Reply texts not documented by Microsoft (unconfirmed): 500 5.5.2 Line too long; 500 5.5.2 Syntax
//   error, NUL character in command; 501 5.5.4 Invalid arguments / Unrecognized parameter; 503 5.5.2 Need
//   mail command / Need rcpt command / Sender already specified / DATA not allowed after BDAT;
//   504 5.7.4 Unrecognized authentication type; 501 5.5.2 Cannot decode response; 501 5.7.0
//   Authentication aborted; 550 5.6.11 Message contains bare linefeeds; 552 5.3.4 Header size exceeds
//   fixed maximum size; 554 5.4.6 Hop count exceeded - possible mail loop; 421 4.7.0 Too many errors on
//   this connection; 421 4.7.0 Too many failed logon attempts; 421 4.4.2 <fqdn> Connection dropped (both
//   timeouts); 421 4.3.2 Service not available (connector removed or disabled); 250 2.0.0 CHUNK received
//   OK, n octets; 451 4.3.0 Temporary server error (spool failure); 454 4.7.0 for STARTTLS without a
//   certificate and for an unreachable account store.
// * Only CRLF . CRLF ends DATA, and only after a line that itself ended with CRLF: `\n.\n`, `\n.\r\n`
//   and `\r\n.\n` are content (no SMTP smuggling). Bare LF is tolerated as a command terminator.
// * Sender check (§5b): Accept-Any-Sender skips it; an account may send only as its own primary address or
//   UPN (as Exchange's Send-As check); other sessions need Accept-Authoritative-Domain-Sender for a sender
//   in an authoritative accepted domain, and pass otherwise (a partner sends as its own domain).
// * AUTH succeeds only if the account then holds ms-Exch-SMTP-Submit on the connector (§5b); otherwise
//   535 and a logon failure. PLAIN with an authorization identity other than the login is refused.
// * Protocol errors (syntax and sequence errors, over-long lines, NUL) count toward MaxProtocolErrors;
//   policy refusals (relay, size, 452) do not. The error past the limit is answered, then 421 and close.
//   The failed logon that reaches MaxLogonFailures is answered 535, then 421 and close.
// * TarpitInterval delays every 5xx to an anonymous session; AuthTarpitInterval delays every 535.
// * MaxHopCount: more Received fields than the limit is a loop. MaxLocalHopCount counts Received fields
//   whose `by` names the connector Fqdn or the server FQDN (0 = off).
// * Header firewall (§9c): X-Receptor-* headers are treated like X-MS-Exchange-Organization-* (stripped
//   without Accept-Headers-Organization), so a client cannot forge our AuthAs stamps.
// * A message without Message-ID gets `<session-id-n@fqdn>`, prepended with the Received and X-Receptor-*
//   headers. RFC 3848 protocol names: SMTP (HELO), ESMTP, ESMTPS, ESMTPA, ESMTPSA.
// * STARTTLS requires EHLO/HELO first (503 5.5.2 Send hello first), as Exchange does; after the handshake
//   the session forgets HELO, any AUTH and the transaction (RFC 3207).
