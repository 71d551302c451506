/// The syntax tree `PSParser` produces. Public so that tests and hosts can inspect it.

/// A list of statements (one line, or the body of a script block or `$( )`).
public struct PSScript: Sendable, Equatable {
    public var statements: [PSStatement]

    public init(statements: [PSStatement]) { self.statements = statements }
}

public enum PSStatement: Sendable, Equatable {
    /// `cmd | cmd | ...`, or an expression optionally piped into commands.
    case pipeline(PSPipeline)
    /// `$name = pipeline`
    case assignment(variable: String, value: PSPipeline)
}

public struct PSPipeline: Sendable, Equatable {
    public var elements: [PSPipelineElement]

    public init(elements: [PSPipelineElement]) { self.elements = elements }
}

public enum PSPipelineElement: Sendable, Equatable {
    /// Only allowed first in a pipeline, as in PowerShell.
    case expression(PSExpression)
    case command(PSCommand)
}

/// A command with its arguments as written; binding to parameters happens at run time,
/// because only then is it known which parameters are switches.
public struct PSCommand: Sendable, Equatable {
    public var name: String
    public var elements: [PSCommandElement]

    public init(name: String, elements: [PSCommandElement]) {
        self.name = name
        self.elements = elements
    }
}

public enum PSCommandElement: Sendable, Equatable {
    /// `-Name`, or `-Name:value` (then `argument` holds the value).
    case parameter(name: String, argument: PSCommandArgument?)
    /// A value: positional, or the value of the preceding `-Name`.
    case argument(PSCommandArgument)
}

public struct PSCommandArgument: Sendable, Equatable {
    public var expression: PSExpression
    /// The argument as typed, e.g. `36MB` or `"0.0.0.0","[::]:"`.
    public var sourceText: String

    public init(expression: PSExpression, sourceText: String) {
        self.expression = expression
        self.sourceText = sourceText
    }
}

public indirect enum PSExpression: Sendable, Equatable {
    /// Numbers, single-quoted strings, barewords, double-quoted strings without expansions.
    case constant(PSValue)
    case expandableString([PSStringPart])
    case variable(String)
    /// `expr.Name`
    case member(PSExpression, String)
    /// `expr.Name(args)`
    case methodCall(PSExpression, String, [PSExpression])
    /// `expr[index]`
    case index(PSExpression, PSExpression)
    /// `a, b, c`
    case arrayLiteral([PSExpression])
    /// `( pipeline )`
    case parenthesized(PSPipeline)
    /// `$( statements )`
    case subexpression(PSScript)
    /// `@( statements )`
    case arraySubexpression(PSScript)
    /// `@{ key = value; ... }`
    case hashtable([PSHashtableEntry])
    case scriptBlock(ScriptBlock)
    case unary(PSUnaryOperator, PSExpression)
    case binary(PSBinaryOperator, PSExpression, PSExpression)
}

public enum PSStringPart: Sendable, Equatable {
    case text(String)
    case variable(String)
    case subexpression(PSScript)
}

public struct PSHashtableEntry: Sendable, Equatable {
    public var key: String
    public var value: PSPipeline

    public init(key: String, value: PSPipeline) {
        self.key = key
        self.value = value
    }
}

public enum PSUnaryOperator: String, Sendable, Equatable {
    /// `-not` and `!`
    case not
    /// `-x`
    case negate
    /// `+x`
    case plus
    /// `,x` builds a one-element array.
    case comma
}

public enum PSBinaryOperator: Sendable, Equatable {
    case and, or, xor
    case add, subtract, multiply, divide, modulo
    /// `-join`
    case join
    /// `-eq`, `-clike`, `-imatch`, ... (`caseSensitive` for the `c` variants).
    case comparison(PSComparisonOperator, caseSensitive: Bool)
}

public enum PSComparisonOperator: String, Sendable, Equatable, CaseIterable {
    case eq, ne, gt, ge, lt, le
    case like, notlike, match, notmatch
    case contains, notcontains
    case `in`, notin
    case replace, split
}
