import Foundation
import EMSLanguage
import ReceptorCore

/// Kinds of store objects Tab completes by name.
public enum CompletionObjectKind: Sendable, Equatable {
    /// Receive connectors: `Name` for the current server's, `SERVER\Name` for every one.
    case connector
    case server
    case acceptedDomain
    case mailbox
    /// Users and groups for -User: the well-known principals and the accounts.
    case user
}

/// Where completion finds what is not in the cmdlet registry or the parameter table: the store's names and
/// the session's variables.
public protocol CompletionSource: AnyObject {
    func names(of kind: CompletionObjectKind) -> [String]
    /// The session's variables, without `$`.
    func variableNames() -> [String]
    /// Property names of the object(s) a variable holds (none when it holds no object).
    func propertyNames(ofVariable name: String) -> [String]
    /// Property names of the objects a pipeline writes; called only for pipelines that change nothing.
    func propertyNames(ofPipeline text: String) -> [String]
}

/// The result of Tab: which characters to replace, and the texts that may replace them, in the order
/// repeated Tabs cycle through.
public struct TabCompletion: Equatable, Sendable {
    /// Character offsets into the line.
    public var replacement: Range<Int>
    public var candidates: [String]
}

/// Tab completion as PowerShell does it: cmdlet names (also after `|`), parameter names after `-`, values
/// of enumerated parameters (from the parameter table and the types themselves), `$true`/`$false`, store
/// objects for -Identity, -Server and the first positional argument, variables, and `$var.` / `$_.`
/// property names. Candidates come from the cmdlet registry, the parameter table and the source; nothing
/// here keeps a list of its own. Pure: the line in, the candidates out.
public struct TabCompleter {
    let source: any CompletionSource

    public init(source: any CompletionSource) { self.source = source }

    /// Completes the word that ends at `cursor` (a Character offset into `line`); nil when there is nothing
    /// to complete there.
    public func complete(_ line: String, cursor: Int) -> TabCompletion? {
        let prefix = String(line.prefix(cursor))
        guard let site = CompletionSite.analyze(prefix) else { return nil }
        let end = site.wordStart + site.word.count
        func result(_ candidates: [String], from start: Int = site.wordStart) -> TabCompletion? {
            candidates.isEmpty ? nil : TabCompletion(replacement: start..<end, candidates: Self.unique(candidates))
        }

        let word = site.word
        if word.hasPrefix("$") { return result(variables(word, site: site)) }
        switch site.position {
        case .other:
            return nil
        case .command:
            return result(commands(matching: word))
        case .argument(let commandName, let preceding):
            guard let command = CommandSpec(named: commandName) else { return nil }
            if let first = word.first, CharClass.isDash(first), !(word.dropFirst().first?.isNumber ?? false) {
                if let colon = word.firstIndex(of: ":") {
                    let name = String(word[word.index(after: word.startIndex)..<colon])
                    guard let parameter = command.resolve(name) else { return nil }
                    let valueStart = site.wordStart + word.distance(from: word.startIndex, to: word.index(after: colon))
                    return value(String(word[word.index(after: colon)...]), start: valueStart, parameter: parameter, command: command, site: site)
                        .flatMap { result($0.candidates, from: $0.start) }
                }
                let given = Set(preceding.compactMap { Self.parameterName($0).flatMap(command.resolve)?.lowercased() })
                let typed = String(word.dropFirst())
                return result(
                    command.parameters.filter { !given.contains($0.lowercased()) && Self.hasPrefix($0, typed) }.map { "-" + $0 })
            }
            guard let parameter = command.parameterTaking(after: preceding) else { return nil }
            return value(word, start: site.wordStart, parameter: parameter, command: command, site: site).flatMap {
                result($0.candidates, from: $0.start)
            }
        }
    }

    // MARK: - Words

    private func commands(matching word: String) -> [String] {
        guard !word.isEmpty, !CharClass.isQuote(word.first!), !CharClass.isDash(word.first!) || word.count > 1 else {
            return word.isEmpty ? CommandSpec.allNames : []
        }
        let pattern = WildcardPattern.hasWildcards(word) ? word : word + "*"
        guard let wildcard = try? WildcardPattern(pattern) else { return [] }
        return CommandSpec.allNames.filter(wildcard.matches)
    }

    private func variables(_ word: String, site: CompletionSite) -> [String] {
        let body = word.dropFirst()
        if let dot = body.firstIndex(of: ".") {
            let variable = String(body[..<dot])
            let member = String(body[body.index(after: dot)...])
            guard !member.contains(".") else { return [] }
            let properties: [String]
            if variable == "_" || variable.caseInsensitiveCompare("PSItem") == .orderedSame {
                guard site.inScriptBlock, let upstream = site.upstreamPipeline, Self.changesNothing(upstream) else { return [] }
                properties = source.propertyNames(ofPipeline: upstream)
            } else {
                properties = source.propertyNames(ofVariable: variable)
            }
            return properties.filter { Self.hasPrefix($0, member) }.sorted { $0.lowercased() < $1.lowercased() }.map { "$\(variable).\($0)" }
        }
        let names =
            ["true", "false", "null"] + (site.inScriptBlock ? ["_"] : []) + source.variableNames().sorted { $0.lowercased() < $1.lowercased() }
        return names.filter { Self.hasPrefix($0, String(body)) }.map { "$" + $0 }
    }

    /// Values for `parameter` matching `typed` (perhaps quoted, perhaps the last item of a comma list).
    private func value(_ typed: String, start: Int, parameter: String, command: CommandSpec, site: CompletionSite) -> (
        candidates: [String], start: Int
    )? {
        let completion = command.valueCompletion(parameter)
        var text = Substring(typed)
        var start = start
        var quote: Character?
        var listed: [String] = []
        if let first = text.first, CharClass.isQuote(first) {
            quote = first
            text = text.dropFirst()
        } else if let comma = text.lastIndex(of: ",") {
            listed = text[..<comma].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            var rest = text[text.index(after: comma)...]
            while let c = rest.first, CharClass.isSpace(c) { rest = rest.dropFirst() }
            start += text.distance(from: text.startIndex, to: rest.startIndex)
            text = rest
        }
        let names: [String]
        switch completion {
        case .none: return nil
        case .names(let values): names = values
        case .boolean: names = ["$true", "$false"]
        case .objects(let kind): names = source.names(of: kind).sorted { $0.lowercased() < $1.lowercased() }
        case .commands: names = CommandSpec.allNames
        case .properties:
            guard let upstream = site.pipelineBefore, Self.changesNothing(upstream) else { return nil }
            names = source.propertyNames(ofPipeline: upstream).sorted { $0.lowercased() < $1.lowercased() }
        }
        let prefix = String(text)
        var matches = names.filter { Self.hasPrefix($0, prefix) && !listed.contains($0.lowercased()) }
        // `SERVER\Name` forms only once something is typed: an empty word offers the current server's names.
        if prefix.isEmpty, matches.contains(where: { !$0.contains("\\") }) { matches.removeAll { $0.contains("\\") } }
        if completion == .boolean { return (matches, start) }
        return (matches.map { Self.quoted($0, with: quote) }, start)
    }

    // MARK: - Rules

    /// A value as a command line must write it: in the quote the user opened, else in single quotes when it
    /// holds a blank or a character the shell reads specially (as PowerShell quotes completions).
    static func quoted(_ value: String, with quote: Character?) -> String {
        let special: Set<Character> = [" ", "\t", "'", "\"", "$", "`", ",", ";", "(", ")", "{", "}", "|", "@", "#", "&", "<", ">"]
        let q = quote ?? (value.contains(where: special.contains) ? "'" : nil)
        guard let q else { return value }
        if CharClass.isSingleQuote(q) { return "'" + value.replacingOccurrences(of: "'", with: "''") + "'" }
        var escaped = ""
        for c in value {
            if c == "`" || c == "$" || c == "\"" { escaped.append("`") }
            escaped.append(c)
        }
        return "\"" + escaped + "\""
    }

    /// Whether running `pipeline` (to learn what `$_` holds) can change nothing: no assignment, no cmdlet
    /// that changes state.
    static func changesNothing(_ pipeline: String) -> Bool {
        if pipeline.contains("=") { return false }
        let words = pipeline.split { !($0.isLetter || $0.isNumber || $0 == "-") }
        return !words.contains { word in ReceptorHost.byName[word.lowercased()]?.changesState ?? false }
    }

    static func parameterName(_ element: String) -> String? {
        guard let first = element.first, CharClass.isDash(first), element.count > 1, !(element.dropFirst().first?.isNumber ?? true) else {
            return nil
        }
        return String(element.dropFirst().prefix { $0 != ":" })
    }

    static func hasPrefix(_ text: String, _ prefix: String) -> Bool {
        prefix.isEmpty || text.lowercased().hasPrefix(prefix.lowercased())
    }

    static func unique(_ items: [String]) -> [String] {
        var seen = Set<String>()
        return items.filter { seen.insert($0.lowercased()).inserted }
    }
}

/// A command as completion sees it: a Receptor cmdlet (parameters, positions, values) or a built-in of the
/// language (parameters only).
struct CommandSpec {
    let parameters: [String]
    let switches: Set<String>
    let positional: [String]
    let cmdlet: (any Cmdlet.Type)?

    init?(named name: String) {
        if let cmdlet = ReceptorHost.byName[name.lowercased()] {
            let info = cmdlet.info
            parameters = info.parameters
            switches = info.switches
            positional = cmdlet.positional
            self.cmdlet = cmdlet
            return
        }
        guard
            let builtin = PSBuiltinCatalog.commands.first(where: { command in
                ([command.info.name] + command.aliases).contains { $0.caseInsensitiveCompare(name) == .orderedSame }
            })
        else { return nil }
        parameters = builtin.info.parameters + builtin.info.switches.filter { s in !builtin.info.parameters.contains(s) }.sorted()
        switches = builtin.info.switches
        positional = builtin.positional
        cmdlet = nil
    }

    /// Every cmdlet and built-in name, sorted as PowerShell lists completions.
    static var allNames: [String] {
        (ReceptorHost.cmdlets.map { $0.name } + PSBuiltinCatalog.commands.map { $0.info.name }).sorted { $0.lowercased() < $1.lowercased() }
    }

    /// The canonical name of a parameter written in full or by an unambiguous prefix, as the binder reads it.
    func resolve(_ typed: String) -> String? {
        if let exact = parameters.first(where: { $0.caseInsensitiveCompare(typed) == .orderedSame }) { return exact }
        let matches = parameters.filter { TabCompleter.hasPrefix($0, typed) }
        return matches.count == 1 ? matches[0] : nil
    }

    func isSwitch(_ parameter: String) -> Bool { switches.contains(parameter) }

    /// A cmdlet's own completions; for the language's built-ins, -Property takes the piped objects' properties.
    func valueCompletion(_ parameter: String) -> ValueCompletion {
        if let cmdlet { return cmdlet.valueCompletion(for: parameter) }
        return parameter == "Property" ? .properties : .none
    }

    /// The parameter the next word is a value of: the one just named (`-TransportRole <Tab>`), else the
    /// next free position (`Get-ReceiveConnector <Tab>` → Identity).
    func parameterTaking(after preceding: [String]) -> String? {
        var named = Set<String>()
        var positionals = 0
        var expectsValue: String?
        for element in preceding {
            if expectsValue != nil {
                expectsValue = nil  // this element was the named parameter's value
                continue
            }
            if let name = TabCompleter.parameterName(element) {
                let parameter = resolve(name) ?? name
                named.insert(parameter.lowercased())
                if !element.contains(":") && !isSwitch(parameter) { expectsValue = parameter }
            } else {
                positionals += 1
            }
        }
        if let expectsValue { return expectsValue }
        let free = positional.filter { !named.contains($0.lowercased()) }
        return positionals < free.count ? free[positionals] : nil
    }
}
