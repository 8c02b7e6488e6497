/// Per-device values in a fleet template (`count = N`): `{...}` in a name, a TCP address, a Unix
/// socket path or a capture path is replaced for device i (0..<count) by an integer expression of
/// `i`, optionally formatted:
///
///     {i}            7
///     {i:04}         0007          zero-padded to 4 digits
///     {i % 4}        3             + - * / % and parentheses, integer arithmetic
///     {20000 + i / 10}  20000      (for device 7)
///
/// `{name}` (capture paths) is left for the caller. An expression that does not parse, divides by
/// zero or overflows is an error naming the text.
public enum DeviceTemplate {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Whether `text` holds a `{...}` expression in `i`.
    public static func isTemplate(_ text: String) -> Bool {
        text.contains("{") && text.contains("}")
    }

    /// `text` with every `{expression[:format]}` evaluated for device `index`; `{name}` is kept.
    public static func expand(_ text: String, index: Int) throws -> String {
        var output = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            output += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw Failure(description: "'\(text)': a '{' without its '}'")
            }
            let inner = rest[rest.index(after: open)..<close]
            if inner == "name" {
                output += "{name}"
            } else {
                output += try evaluate(inner, index: index, in: text)
            }
            rest = rest[rest.index(after: close)...]
        }
        return output + rest
    }

    private static func evaluate(_ inner: Substring, index: Int, in text: String) throws -> String {
        let parts = inner.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        var parser = Parser(tokens: try tokenize(parts[0], in: text), index: index, text: text)
        let value = try parser.expression()
        guard parser.atEnd else { throw Failure(description: "'\(text)': unexpected '\(parser.tokens[parser.position])' in {\(inner)}") }
        guard parts.count == 2 else { return String(value) }
        let format = parts[1]
        guard format.first == "0", let width = Int(format), width > 0, width <= 20 else {
            throw Failure(description: "'\(text)': the format in {\(inner)} must be 0 and a width, such as {i:04}")
        }
        let digits = String(value.magnitude)
        return (value < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - digits.count - (value < 0 ? 1 : 0))) + digits
    }

    private static func tokenize(_ expression: Substring, in text: String) throws -> [String] {
        var tokens: [String] = []
        var number = ""
        for character in expression {
            if character.isNumber {
                number.append(character)
                continue
            }
            if !number.isEmpty { tokens.append(number); number = "" }
            switch character {
            case " ": continue
            case "i", "+", "-", "*", "/", "%", "(", ")": tokens.append(String(character))
            default: throw Failure(description: "'\(text)': '\(character)' is not allowed in {\(expression)} (use i, digits, + - * / % and parentheses)")
            }
        }
        if !number.isEmpty { tokens.append(number) }
        guard !tokens.isEmpty else { throw Failure(description: "'\(text)': an empty {}") }
        return tokens
    }

    /// expression = term (("+" | "-") term)*; term = factor (("*" | "/" | "%") factor)*;
    /// factor = number | "i" | "-" factor | "(" expression ")".
    private struct Parser {
        var tokens: [String]
        var position = 0
        let index: Int
        let text: String

        init(tokens: [String], index: Int, text: String) {
            self.tokens = tokens
            self.index = index
            self.text = text
        }

        var atEnd: Bool { position == tokens.count }

        mutating func next() -> String? {
            guard position < tokens.count else { return nil }
            defer { position += 1 }
            return tokens[position]
        }

        func peek() -> String? { position < tokens.count ? tokens[position] : nil }

        mutating func expression() throws -> Int {
            var value = try term()
            while let op = peek(), op == "+" || op == "-" {
                position += 1
                let right = try term()
                let (result, overflow) = op == "+" ? value.addingReportingOverflow(right) : value.subtractingReportingOverflow(right)
                guard !overflow else { throw Failure(description: "'\(text)': arithmetic overflow") }
                value = result
            }
            return value
        }

        mutating func term() throws -> Int {
            var value = try factor()
            while let op = peek(), op == "*" || op == "/" || op == "%" {
                position += 1
                let right = try factor()
                if op == "*" {
                    let (result, overflow) = value.multipliedReportingOverflow(by: right)
                    guard !overflow else { throw Failure(description: "'\(text)': arithmetic overflow") }
                    value = result
                } else {
                    guard right != 0 else { throw Failure(description: "'\(text)': division by zero") }
                    value = op == "/" ? value / right : value % right
                }
            }
            return value
        }

        mutating func factor() throws -> Int {
            guard let token = next() else { throw Failure(description: "'\(text)': an expression ends too early") }
            switch token {
            case "i": return index
            case "-":
                let value = try factor()
                guard value != Int.min else { throw Failure(description: "'\(text)': arithmetic overflow") }
                return -value
            case "(":
                let value = try expression()
                guard next() == ")" else { throw Failure(description: "'\(text)': a '(' without its ')'") }
                return value
            default:
                guard let value = Int(token) else { throw Failure(description: "'\(text)': unexpected '\(token)'") }
                return value
            }
        }
    }
}
