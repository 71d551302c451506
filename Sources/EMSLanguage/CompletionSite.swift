import Foundation

/// Where the cursor stands in a command line that is still being typed, for tab completion: the word under
/// the cursor, the command it belongs to and the words before it. The text is read as the parser reads it
/// (quotes, brackets, pipelines, statements, comments, backtick continuations) but nothing here fails: an
/// unfinished line is the normal case.
public struct CompletionSite: Equatable, Sendable {
    public enum Position: Equatable, Sendable {
        /// A command name: the start of a statement, or after `|`.
        case command
        /// An argument of `command`; `preceding` are the command's earlier elements as typed (`-Name`,
        /// `"Relay"`, `-Enabled:$false`, `Tls, BasicAuth`), without the command name.
        case argument(command: String, preceding: [String])
        /// Inside `@{ }`, where only variables complete.
        case other
    }

    public var position: Position
    /// The word being typed, from its first character to the cursor, as typed (an opening quote included).
    public var word: String
    /// Where the word starts (a Character offset into the text).
    public var wordStart: Int
    /// Whether the cursor is inside a script block (`{ }`), where `$_` is the current object.
    public var inScriptBlock: Bool
    /// In a script block that follows `|`: the pipeline before the block's command
    /// (`Get-ReceiveConnector` in `Get-ReceiveConnector | where { $_.`), whose output `$_` stands for.
    public var upstreamPipeline: String?
    /// The pipeline before the word's own command (`Get-ReceiveConnector` in
    /// `Get-ReceiveConnector | Select-Object Ide`), whose objects that command receives.
    public var pipelineBefore: String?

    private struct Frame {
        /// "{" a script block, "(" a group or subexpression, "h" a hashtable, " " the line itself.
        var open: Character
        var openAt: Int
        var statementStart: Int
        var segmentStart: Int
    }

    /// The site of `text`'s end (the text is what lies before the cursor); nil inside a comment.
    public static func analyze(_ text: String) -> CompletionSite? {
        let chars = Array(text)
        let n = chars.count
        var frames = [Frame(open: " ", openAt: -1, statementStart: 0, segmentStart: 0)]
        var i = 0
        scan: while i < n {
            let c = chars[i]
            if CharClass.isQuote(c) {
                guard let end = closingQuote(chars, from: i) else { break scan }  // the word is an open string
                i = end + 1
                continue
            }
            if c == "`" {
                i += 2
                continue
            }
            if c == "<", i + 1 < n, chars[i + 1] == "#" {
                var j = i + 2
                while j + 1 < n, !(chars[j] == "#" && chars[j + 1] == ">") { j += 1 }
                if j + 1 >= n { return nil }
                i = j + 2
                continue
            }
            if c == "#", i == 0 || CharClass.isSpace(chars[i - 1]) || CharClass.isNewline(chars[i - 1]) {
                var j = i
                while j < n, !CharClass.isNewline(chars[j]) { j += 1 }
                if j >= n { return nil }
                i = j
                continue
            }
            switch c {
            case "{", "(":
                let open: Character = c == "{" && i > 0 && chars[i - 1] == "@" ? "h" : c
                frames.append(Frame(open: open, openAt: i, statementStart: i + 1, segmentStart: i + 1))
            case "}", ")":
                if frames.count > 1 { frames.removeLast() }
            case "|":
                frames[frames.count - 1].segmentStart = i + 1
            case ";":
                frames[frames.count - 1].statementStart = i + 1
                frames[frames.count - 1].segmentStart = i + 1
            default:
                // A line break ends the statement, unless the line ended in a pipe (the pipeline goes on).
                if CharClass.isNewline(c) && !endsInPipe(chars, before: i) {
                    frames[frames.count - 1].statementStart = i + 1
                    frames[frames.count - 1].segmentStart = i + 1
                }
            }
            i += 1
        }

        let frame = frames[frames.count - 1]
        let elements = Self.elements(chars, from: frame.segmentStart)
        var wordStart: Int
        var done = elements
        if let last = elements.last, last.upperBound == n {
            wordStart = last.lowerBound
            done.removeLast()
        } else {
            wordStart = n
        }
        // In a hashtable the word is what follows `Key=`.
        if frame.open == "h", let equals = chars[wordStart..<n].lastIndex(of: "=") { wordStart = equals + 1 }
        let texts = done.map { String(chars[$0]) }
        let position: Position =
            if frame.open == "h" {
                .other
            } else if let command = texts.first {
                .argument(command: command, preceding: Array(texts.dropFirst()))
            } else {
                .command
            }

        let block = frames.lastIndex { $0.open == "{" }
        return CompletionSite(
            position: position, word: String(chars[wordStart..<n]), wordStart: wordStart, inScriptBlock: block != nil,
            upstreamPipeline: block.flatMap { $0 > 0 ? pipeline(before: frames[$0 - 1], in: chars) : nil },
            pipelineBefore: pipeline(before: frame, in: chars))
    }

    /// The commands of `frame`'s statement before its current pipeline element, without the last `|`.
    private static func pipeline(before frame: Frame, in chars: [Character]) -> String? {
        guard frame.segmentStart > frame.statementStart else { return nil }
        var text = String(chars[frame.statementStart..<frame.segmentStart]).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasSuffix("|") { text.removeLast() }
        text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    /// The index of the quote that closes the string opened at `start` ('' and "" are escaped quotes; a
    /// backtick escapes in double quotes); nil when the string is still open.
    static func closingQuote(_ chars: [Character], from start: Int) -> Int? {
        let single = CharClass.isSingleQuote(chars[start])
        var j = start + 1
        while j < chars.count {
            let c = chars[j]
            if !single, c == "`" {
                j += 2
                continue
            }
            if single ? CharClass.isSingleQuote(c) : CharClass.isDoubleQuote(c) {
                if j + 1 < chars.count, single ? CharClass.isSingleQuote(chars[j + 1]) : CharClass.isDoubleQuote(chars[j + 1]) {
                    j += 2
                    continue
                }
                return j
            }
            j += 1
        }
        return nil
    }

    private static func endsInPipe(_ chars: [Character], before index: Int) -> Bool {
        var j = index - 1
        while j >= 0, CharClass.isSpace(chars[j]) { j -= 1 }
        return j >= 0 && chars[j] == "|"
    }

    /// The command elements from `start` to the end: separated by blanks outside quotes and brackets; a
    /// list written with blanks around its commas (`Tls, BasicAuth`) is one element.
    static func elements(_ chars: [Character], from start: Int) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var depth = 0
        var elementStart: Int?
        var j = start
        let n = chars.count
        func isBlank(_ k: Int) -> Bool {
            CharClass.isSpace(chars[k]) || CharClass.isNewline(chars[k]) || (chars[k] == "`" && k + 1 < n && CharClass.isNewline(chars[k + 1]))
        }
        while j < n {
            if depth == 0, isBlank(j) {
                if let s = elementStart {
                    var k = j
                    while k < n, isBlank(k) { k += chars[k] == "`" ? 2 : 1 }
                    if chars[j - 1] == "," || (k < n && chars[k] == ",") {
                        j = k
                        continue
                    }
                    result.append(s..<j)
                    elementStart = nil
                }
                j += chars[j] == "`" ? 2 : 1
                continue
            }
            if elementStart == nil { elementStart = j }
            let c = chars[j]
            if CharClass.isQuote(c) {
                j = (closingQuote(chars, from: j) ?? n - 1) + 1
                continue
            }
            if c == "`" {
                j += 2
                continue
            }
            if c == "{" || c == "(" { depth += 1 }
            if (c == "}" || c == ")") && depth > 0 { depth -= 1 }
            j += 1
        }
        if let s = elementStart { result.append(s..<min(j, n)) }
        return result
    }
}

/// The built-in commands as a host sees them (for tab completion): name, aliases and parameters.
public enum PSBuiltinCatalog {
    /// Each built-in's parameters, aliases, and the parameters its first positional arguments bind to.
    public static var commands: [(info: PSCommandInfo, aliases: [String], positional: [String])] {
        Builtins.all.map { ($0.info, $0.aliases, $0.positionalParameters(for: [])) }
    }
}
