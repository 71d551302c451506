import Foundation
import GRDB
import ReceptorCore

/// The organization's transport settings live as one JSON value in `meta` (key `transport_config`): they
/// are few, read whole, and written whole by Set-TransportConfig (the rule is StoreWriteRules.swift's).
extension SQLiteConfigStore {
    public func transportConfig() throws -> TransportConfig {
        try read { try Records.transportConfig($0) }
    }
}

/// The recipient filter (`Set-RecipientFilterConfig`), likewise one JSON value in `meta`.
extension SQLiteConfigStore {
    public func recipientFilterConfig() throws -> RecipientFilterConfig {
        try read { try Records.recipientFilterConfig($0) }
    }
}

extension Records {
    static func recipientFilterConfig(_ db: Database) throws -> RecipientFilterConfig {
        guard let text = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'recipient_filter_config'") else {
            return RecipientFilterConfig()
        }
        return (try? JSONDecoder().decode(RecipientFilterConfig.self, from: Data(text.utf8))) ?? RecipientFilterConfig()
    }

    static func transportConfig(_ db: Database) throws -> TransportConfig {
        guard let text = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'transport_config'") else { return TransportConfig() }
        return (try? JSONDecoder().decode(TransportConfig.self, from: Data(text.utf8))) ?? TransportConfig()
    }
}
