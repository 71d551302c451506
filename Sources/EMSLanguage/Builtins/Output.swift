/// Out-Null, Out-String, Write-Output and Write-Host.

struct OutNullCommand: BuiltinCommand {
    static let name = "Out-Null"
    static let parameters = ["InputObject"]

    static func run(_ arguments: BuiltinArguments, input: [PSValue], interpreter: Interpreter) throws -> [PSValue] {
        []
    }
}

struct OutStringCommand: BuiltinCommand {
    static let name = "Out-String"
    static let parameters = ["InputObject", "Width", "Stream"]
    static let switches: Set<String> = ["Stream"]

    static func run(_ arguments: BuiltinArguments, input: [PSValue], interpreter: Interpreter) throws -> [PSValue] {
        let width = try arguments.int("Width") ?? interpreter.session.width
        let lines = PSFormatter.render(
            values: arguments.inputItems(input), width: width, enumerationLimit: interpreter.session.enumerationLimit)
        if arguments.isOn("Stream") { return lines.map(PSValue.string) }
        // One string with a trailing newline, as PowerShell's Out-String returns.
        return lines.isEmpty ? [] : [.string(lines.joined(separator: "\n") + "\n")]
    }
}

struct WriteOutputCommand: BuiltinCommand {
    static let name = "Write-Output"
    static let aliases = ["echo", "write"]
    static let parameters = ["InputObject", "NoEnumerate"]
    static let switches: Set<String> = ["NoEnumerate"]
    static let takesRemainingArguments = true

    static func run(_ arguments: BuiltinArguments, input: [PSValue], interpreter: Interpreter) throws -> [PSValue] {
        var values = arguments.remaining.map(\.value)
        if let inputObject = arguments["InputObject"] { values.insert(inputObject, at: 0) }
        if values.isEmpty { return input }
        return arguments.isOn("NoEnumerate") ? values : values.flatMap(PSValue.enumerate)
    }
}

/// Returns the text the host should show, as a string per call (the host decides where
/// it goes; this module does no I/O).
struct WriteHostCommand: BuiltinCommand {
    static let name = "Write-Host"
    static let parameters = ["Object", "NoNewline", "Separator", "ForegroundColor", "BackgroundColor"]
    static let switches: Set<String> = ["NoNewline"]
    static let takesRemainingArguments = true

    static func run(_ arguments: BuiltinArguments, input: [PSValue], interpreter: Interpreter) throws -> [PSValue] {
        var values = arguments.remaining.map(\.value)
        if let object = arguments["Object"] { values.insert(object, at: 0) }
        if values.isEmpty { values = input }
        let separator = arguments["Separator"]?.text ?? " "
        return [.string(values.flatMap(\.elements).map(\.text).joined(separator: separator))]
    }
}
