import Foundation
import EMSLanguage

/// The file cmdlets of bulk relay administration: `Get-Content ips.txt` (one value a line),
/// `Import-Csv relays.csv`, `… | Export-Csv connectors.csv -NoTypeInformation` and `… | Out-File report.txt`.
/// Paths are relative to the working directory. A missing or unreadable file is one line naming it; a file
/// is written whole or not at all (a temporary file renamed over it).
enum ShellFiles {
    static func read(_ path: String, command: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ShellError("\(command): Cannot find path '\(path)' because it does not exist.")
        }
        guard !isDirectory.boolValue else { throw ShellError("\(command): '\(path)' is a folder, not a file.") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ShellError("\(command): Cannot read '\(path)': permission denied or unreadable.")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// The file's lines, without their line breaks; a final line break makes no empty last line.
    static func lines(_ text: String) -> [String] {
        // "\r\n" is one Character in Swift: split on every kind of line break.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        if lines.last == "" { lines.removeLast() }
        if let first = lines.first, first.hasPrefix("\u{FEFF}") { lines[0] = String(first.dropFirst()) }
        return lines
    }

    static func write(_ text: String, to path: String, append: Bool, command: String) throws {
        var contents = text
        if append, FileManager.default.fileExists(atPath: path) { contents = try read(path, command: command) + text }
        let temporary =
            (path as NSString).deletingLastPathComponent.isEmpty
            ? ".\(UUID().uuidString).tmp" : (path as NSString).deletingLastPathComponent + "/.\(UUID().uuidString).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(contents.utf8)) else {
            throw ShellError("\(command): Cannot write '\(path)': the folder does not exist or is not writable.")
        }
        guard rename(temporary, path) == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw ShellError("\(command): Cannot write '\(path)': \(String(cString: strerror(errno))).")
        }
    }

    static func path(_ inv: CmdletInvocation) throws -> String {
        guard let path = try inv.string("Path"), !path.isEmpty else { throw ShellError("\(inv.name): -Path is required.") }
        return path
    }
}

struct GetContent: Cmdlet {
    static let name = "Get-Content"
    static let parameters = ["Path"]
    static let positional = ["Path"]
    static let changesState = false
    static let requiredParameters = ["Path"]
    static let synopsis = "Reads a text file, one value a line: -RemoteIPRanges (Get-Content ips.txt)."
    static func run(_ inv: CmdletInvocation, input: [PSValue], context: ShellContext) throws -> [PSValue] {
        ShellFiles.lines(try ShellFiles.read(try ShellFiles.path(inv), command: name)).map { .string($0) }
    }
}

/// CSV as Windows PowerShell 5.1 (the Exchange Management Shell's) writes it: every field quoted, quotes
/// doubled, a `#TYPE` line unless -NoTypeInformation, the first object's properties as the columns, and a
/// multi-valued property as PowerShell turns an array into a string (the values joined with spaces).
enum CSV {
    static func field(_ text: String) -> String { "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = ""
        var quoted = false, atFieldStart = true
        var chars = Array(text)
        if chars.first == "\u{FEFF}" { chars.removeFirst() }
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < chars.count, chars[i + 1] == "\"" { field.append("\""); i += 1 } else { quoted = false }
                } else {
                    field.append(c)
                }
            } else if c == "\"" && atFieldStart {
                quoted = true
            } else if c == "," {
                row.append(field); field = ""; atFieldStart = true; i += 1; continue
            } else if c == "\n" || c == "\r\n" || c == "\r" {
                row.append(field); rows.append(row); row = []; field = ""; atFieldStart = true; i += 1; continue
            } else {
                field.append(c)
            }
            atFieldStart = false
            i += 1
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows.filter { !($0.count == 1 && $0[0].isEmpty) }
    }
}

struct ImportCsv: Cmdlet {
    static let name = "Import-Csv"
    static let parameters = ["Path"]
    static let positional = ["Path"]
    static let changesState = false
    static let requiredParameters = ["Path"]
    static let synopsis = "Reads a CSV file as objects, one a row: Import-Csv relays.csv | ForEach-Object { … $_.IP … }."
    static func run(_ inv: CmdletInvocation, input: [PSValue], context: ShellContext) throws -> [PSValue] {
        let path = try ShellFiles.path(inv)
        var rows = CSV.parse(try ShellFiles.read(path, command: name))
        if let first = rows.first?.first, first.hasPrefix("#TYPE") { rows.removeFirst() }
        guard let header = rows.first else { return [] }
        return rows.dropFirst().map { row in
            .object(
                PSObject(
                    typeName: "CSV:\((path as NSString).lastPathComponent)",
                    properties: header.enumerated().map { index, name in
                        PSProperty(name, index < row.count ? .string(row[index]) : .null)
                    }))
        }
    }
}

struct ExportCsv: Cmdlet {
    static let name = "Export-Csv"
    static let parameters = ["Path"]
    static let switches = ["NoTypeInformation", "Append"]
    static let positional = ["Path"]
    static let requiredParameters = ["Path"]
    static let synopsis =
        "Writes the objects piped in as CSV: Get-ReceiveConnector | Select Identity,RemoteIPRanges | Export-Csv c.csv -NoTypeInformation."
    static func run(_ inv: CmdletInvocation, input: [PSValue], context: ShellContext) throws -> [PSValue] {
        let path = try ShellFiles.path(inv)
        let objects = input.map { value -> PSObject in
            if case .object(let o) = value { return o }
            return PSObject(typeName: "String", properties: [PSProperty("Length", .int(value.text.count))])
        }
        var lines: [String] = []
        let append = inv.flag("Append") && FileManager.default.fileExists(atPath: path)
        if let first = objects.first {
            if !inv.flag("NoTypeInformation") && !append { lines.append("#TYPE \(first.typeName)") }
            if !append { lines.append(first.propertyNames.map(CSV.field).joined(separator: ",")) }
            for o in objects {
                lines.append(first.propertyNames.map { CSV.field(o[$0]?.text ?? "") }.joined(separator: ","))
            }
        }
        if inv.whatIf { context.say("What if: Writing \(objects.count) row(s) to \(path)."); return [] }
        try ShellFiles.write(lines.map { $0 + "\r\n" }.joined(), to: path, append: append, command: name)
        return []
    }
}

struct OutFile: Cmdlet {
    static let name = "Out-File"
    static let parameters = ["FilePath", "Width"]
    static let switches = ["Append"]
    static let positional = ["FilePath"]
    static let requiredParameters = ["FilePath"]
    static let synopsis = "Writes what the pipeline would show into a file: Get-ReceiveConnector | Format-List | Out-File report.txt."
    static func run(_ inv: CmdletInvocation, input: [PSValue], context: ShellContext) throws -> [PSValue] {
        guard let path = try inv.string("FilePath"), !path.isEmpty else { throw ShellError("\(name): -FilePath is required.") }
        let width = try inv.string("Width").flatMap(Int.init) ?? 120
        let text = PSFormatter.render(values: input, width: width).map { $0 + "\n" }.joined()
        if inv.whatIf { context.say("What if: Writing to \(path)."); return [] }
        try ShellFiles.write(text, to: path, append: inv.flag("Append"), command: name)
        return []
    }
}
