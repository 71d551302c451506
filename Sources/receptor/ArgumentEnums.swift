import ArgumentParser
import ReceptorCore
import ReceptorListener

// The command line's enumerations, so help, validation and shell completion list their values.

extension ServerRole: ExpressibleByArgument {
    /// Case-insensitive, as Exchange's parameters are (`--role edge`).
    public init?(argument: String) {
        guard let role = try? ServerRole(parsing: argument) else { return nil }
        self = role
    }

    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

extension GroupCommit.Mode: ExpressibleByArgument {
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}
