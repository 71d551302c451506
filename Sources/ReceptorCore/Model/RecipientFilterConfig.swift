/// The organization's recipient filter (`Set-RecipientFilterConfig`): whether a recipient in an
/// Authoritative accepted domain must be a mailbox to be accepted at RCPT.
///
/// Exchange leaves validation off and bounces unknown recipients later with a non-delivery report. Receptor
/// sends no reports, so it validates by default: otherwise every local part a sender makes up becomes a
/// mailbox folder (inode exhaustion, and mail nobody reads).
public struct RecipientFilterConfig: Hashable, Sendable, Codable {
    public var recipientValidationEnabled: Bool

    public init(recipientValidationEnabled: Bool = true) {
        self.recipientValidationEnabled = recipientValidationEnabled
    }
}
