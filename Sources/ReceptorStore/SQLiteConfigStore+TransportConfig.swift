import Foundation
import GRDB
import ReceptorCore

/// The organization's transport settings live as one JSON value in `meta` (key `transport_config`): they
/// are few, read whole, and written whole by Set-TransportConfig.
extension SQLiteConfigStore {
    public func transportConfig() throws -> TransportConfig {
        try read { try Records.transportConfig($0) }
    }

    public func setTransportConfig(_ config: TransportConfig) throws {
        for domain in config.tlsReceiveDomainSecureList + config.tlsSendDomainSecureList {
            do { try TransportConfig.validateDomainSecureEntry(domain) } catch { throw StoreError.refused(error.message) }
        }
        let data = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
        try write { db in
            try db.execute(
                sql: "INSERT INTO meta (key, value) VALUES ('transport_config', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                arguments: [data])
            _ = try Records.bumpGeneration(db, summary: "Set-TransportConfig")
        }
    }
}

/// The recipient filter (`Set-RecipientFilterConfig`), likewise one JSON value in `meta`.
extension SQLiteConfigStore {
    public func recipientFilterConfig() throws -> RecipientFilterConfig {
        try read { try Records.recipientFilterConfig($0) }
    }

    public func setRecipientFilterConfig(_ config: RecipientFilterConfig) throws {
        let data = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
        try write { db in
            try db.execute(
                sql: "INSERT INTO meta (key, value) VALUES ('recipient_filter_config', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                arguments: [data])
            _ = try Records.bumpGeneration(db, summary: "Set-RecipientFilterConfig")
        }
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
