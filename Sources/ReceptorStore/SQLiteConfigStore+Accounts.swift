import Foundation
import GRDB
import ReceptorCore

// Accounts: the write rules are StoreWriteRules.swift's; signing in reads the accounts with their hashes.
extension SQLiteConfigStore {
    public func authenticate(login: String, password: String) throws -> MailboxAccount? {
        let accounts = try read { try Records.accountsWithHashes($0) }
        return StoreWriteRules.authenticate(login: login, password: password, among: accounts)
    }

    /// The addresses rule, where `OrganizationExport.validate` looks for it.
    static func validateAddresses(of account: MailboxAccount) throws { try StoreWriteRules.validateAddresses(of: account) }
}
