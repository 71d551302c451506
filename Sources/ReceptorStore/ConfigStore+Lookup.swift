import Foundation
import ReceptorCore

extension ConfigStore {
    /// The connector with this identity (`SERVER\Name`, compared without regard to case, as Exchange does), if any.
    public func connector(server: String, name: String) throws -> StoredConnector? {
        try connectors(server: server).first { $0.connector.name.caseInsensitiveCompare(name) == .orderedSame }
    }
}
