/// A transport service's receive protocol log settings (reference §8c): `Set-TransportService` (Hub on a
/// Mailbox server, the Edge service on Edge) and `Set-FrontendTransportService` (Front End) with
/// `-ReceiveProtocolLogPath`, `-ReceiveProtocolLogMaxFileSize`, `-ReceiveProtocolLogMaxDirectorySize` and
/// `-ReceiveProtocolLogMaxAge`.
public struct ReceiveProtocolLogSettings: Hashable, Sendable, Codable {
    /// nil: unlimited.
    public var maxFileSize: ByteSize?
    /// nil: unlimited. When the folder is full, the oldest files go first.
    public var maxDirectorySize: ByteSize?
    /// `00:00:00` turns age-based deletion off.
    public var maxAge: EnhancedTimeSpan
    /// nil: the service's default folder under the data directory (`logs/<Service>/ProtocolLog/SmtpReceive`).
    public var path: String?

    public init(
        maxFileSize: ByteSize? = .megabytes(10), maxDirectorySize: ByteSize? = .megabytes(250),
        maxAge: EnhancedTimeSpan = EnhancedTimeSpan(seconds: 30 * 86400), path: String? = nil
    ) {
        self.maxFileSize = maxFileSize; self.maxDirectorySize = maxDirectorySize; self.maxAge = maxAge; self.path = path
    }

    /// Exchange's defaults: 10 MB files, a 250 MB folder, 30 days.
    public static let exchangeDefaults = ReceiveProtocolLogSettings()

    /// The largest size Exchange takes: 909.5 TB (999999999999999 bytes).
    public static let maximumSize = ByteSize(bytes: 999_999_999_999_999)
    /// The longest age Exchange takes: 24855.03:14:07.
    public static let maximumAge = EnhancedTimeSpan(seconds: ((24855 * 24 + 3) * 60 + 14) * 60 + 7)

    /// The service names settings are kept under, as the log folders are named.
    public static let services = ["FrontEnd", "Hub", "Edge"]

    /// Parses a size parameter: a ByteQuantifiedSize or `unlimited`, within Exchange's range.
    public static func parseSize(_ text: String, parameter: String) throws(ValueError) -> ByteSize? {
        if text.trimmingCharacters(in: .whitespaces).lowercased() == "unlimited" { return nil }
        let size = try ByteSize(parsing: text)
        guard size.bytes >= 1, size <= maximumSize else {
            throw ValueError("\(parameter) must be between 1 byte and 909.5 TB (999999999999999 bytes), or unlimited; \(text) is outside that range.")
        }
        return size
    }

    public static func parseAge(_ text: String, parameter: String) throws(ValueError) -> EnhancedTimeSpan {
        let age = try EnhancedTimeSpan(parsing: text)
        guard age <= maximumAge else {
            throw ValueError("\(parameter) must be between 00:00:00 and 24855.03:14:07; \(text) is longer.")
        }
        return age
    }

    /// The rule between the two sizes (§8c): a file may not be larger than the folder that holds it.
    public func validate() throws(ValueError) {
        if let file = maxFileSize, let folder = maxDirectorySize, file > folder {
            throw ValueError("ReceiveProtocolLogMaxFileSize (\(file)) must not be larger than ReceiveProtocolLogMaxDirectorySize (\(folder)).")
        }
        if maxFileSize == nil, maxDirectorySize != nil {
            throw ValueError(
                "ReceiveProtocolLogMaxFileSize can't be unlimited while ReceiveProtocolLogMaxDirectorySize is limited (\(maxDirectorySize!)).")
        }
        if let path, !path.hasPrefix("/") {
            throw ValueError("ReceiveProtocolLogPath must be an absolute path; \"\(path)\" is not.")
        }
    }

    /// `10 MB (10,485,760 bytes)` or `Unlimited`, as Exchange prints these properties.
    public static func display(_ size: ByteSize?) -> String { size.map(\.description) ?? "Unlimited" }
}

extension Server {
    /// Which service's settings `Set-TransportService` changes on this server: Hub on Mailbox, Edge on Edge.
    public var transportServiceName: String { role == .edge ? "Edge" : "Hub" }

    /// The receive protocol log settings of one of this server's services (Exchange's defaults until set).
    public func receiveProtocolLog(service: String) -> ReceiveProtocolLogSettings {
        receiveProtocolLogs[service] ?? .exchangeDefaults
    }
}
