/// One shell session: the host's commands, the output width and the user's variables,
/// kept by the host from one command line to the next.
///
/// Not Sendable: it holds mutable state and a reference to the (non-Sendable) host, and is
/// meant to be used from one thread at a time, like a PowerShell runspace.
public final class PSSession {
    /// Strongly held, so that a session created with a temporary host keeps working.
    public let host: any PSCommandHost
    /// Columns available to Format-Table and the default table output.
    public var width: Int
    /// User variables from assignments (`$x = ...`). Names are case-insensitive, as in PowerShell.
    public var variables: [String: PSValue]

    public init(host: any PSCommandHost, width: Int = 120) {
        self.host = host
        self.width = width
        self.variables = [:]
    }

    /// `$FormatEnumerationLimit` when the user set it to a non-negative number; by default
    /// arrays are shown in full.
    var enumerationLimit: Int? {
        if case .int(let limit)? = variable(named: "FormatEnumerationLimit"), limit >= 0 { return limit }
        return nil
    }

    func variable(named name: String) -> PSValue? {
        let name = PSSession.unscoped(name)
        if let value = variables[name] { return value }
        return variables.first { $0.key.caseInsensitiveEquals(name) }?.value
    }

    func assign(_ name: String, _ value: PSValue) throws {
        let name = PSSession.unscoped(name)
        if ["true", "false", "null"].contains(name.lowercased()) {
            throw PSRuntimeError("Cannot overwrite variable \(name) because it is read-only or constant.")
        }
        let key = variables.keys.first { $0.caseInsensitiveEquals(name) } ?? name
        variables[key] = value
    }

    /// `$global:x` and `$script:x` are the session's `$x`; there is only one scope here.
    private static func unscoped(_ name: String) -> String {
        for scope in ["global:", "script:", "local:", "private:"] where name.lowercased().hasPrefix(scope) {
            return String(name.dropFirst(scope.count))
        }
        return name
    }
}

extension PSSession {
    /// Parses and runs one line (several statements allowed); returns the rendered output text lines.
    public func run(_ line: String) throws -> [String] {
        let script = try PSParser.parse(line)
        let interpreter = Interpreter(session: self)
        var lines: [String] = []
        for statement in script.statements {
            let output = try interpreter.execute(statement)
            lines.append(contentsOf: PSFormatter.render(values: output, width: width, enumerationLimit: enumerationLimit))
        }
        return lines
    }

    /// The same, returning the raw values of the last statement, for tests and hosts.
    public func evaluate(_ line: String) throws -> [PSValue] {
        let script = try PSParser.parse(line)
        let interpreter = Interpreter(session: self)
        var last: [PSValue] = []
        for statement in script.statements {
            last = try interpreter.execute(statement)
        }
        return last
    }

    /// Runs a script block for the host (for example a -Filter given as `{ ... }`) with `$_`
    /// set to `item`; returns its output.
    public func invoke(_ block: ScriptBlock, item: PSValue? = nil) throws -> [PSValue] {
        try Interpreter(session: self).invoke(block, item: item)
    }
}
