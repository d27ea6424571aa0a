/// The grammar of every name asyncbench writes into a results file and reads back: a backend, a
/// workload, an allocator, a text figure such as `kernel_source`. 1 to 64 ASCII letters, digits,
/// `.`, `_` and `-`, starting with a letter or a digit. Every name the `Registry` knows fits it,
/// and a name that fits it is inert wherever it goes: a gnuplot string, a Markdown table, HTML,
/// a shell word. A file holding another name is not asyncbench's (or was edited), and is refused.
public enum Name {
    public static let maximumLength = 64

    /// Why `text` is not a name, in words that follow the quoted name; nil when it is one.
    public static func problem(_ text: String) -> String? {
        guard let first = text.unicodeScalars.first else { return "is empty" }
        guard text.unicodeScalars.count <= maximumLength else {
            return "is longer than \(maximumLength) characters"
        }
        guard isAlphanumeric(first) else { return "does not start with a letter or a digit" }
        guard text.unicodeScalars.allSatisfy({ isAlphanumeric($0) || "._-".unicodeScalars.contains($0) }) else {
            return "holds a character other than ASCII letters, digits, '.', '_' and '-'"
        }
        return nil
    }

    public static func isValid(_ text: String) -> Bool { problem(text) == nil }

    static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}

extension String {
    /// The text quoted for a message: single-quoted, control characters escaped (`\n`, `\u{1b}`),
    /// cut to `limit` characters with an ellipsis, so a value read from a file cannot forge
    /// lines or terminal escapes in what asyncbench prints.
    public func quotedExcerpt(limit: Int = 80) -> String {
        let cut = count > limit ? String(prefix(limit)) + "…" : self
        return "'" + cut.controlEscaped + "'"
    }

    /// The text with control characters written as escapes: `\n`, `\r`, `\t`, else `\u{hex}`
    /// (C0, DEL, C1, and the Unicode line and paragraph separators), the rest as it is.
    public var controlEscaped: String {
        var output = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _
            where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028
                || scalar.value == 0x2029:
                output += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output
    }

    /// The text as one CSV field of free text from outside (a cell's message, a worker's, a
    /// stderr line): on one line with control characters escaped (`controlEscaped`), and, when it
    /// starts with `=`, `+`, `-` or `@` (a formula to a spreadsheet), prefixed with a single
    /// quote, which spreadsheets show as text.
    public var spreadsheetSafe: String {
        let line = controlEscaped
        guard let first = line.unicodeScalars.first, "=+-@".unicodeScalars.contains(first) else { return line }
        return "'" + line
    }

    /// A field written by `spreadsheetSafe` as its text again: the quote before a leading
    /// formula character dropped (a message that began with `'=` comes back as `=`: rare, and
    /// only its display changes).
    public var spreadsheetUnquoted: String {
        let scalars = unicodeScalars
        guard scalars.first == "'", let second = scalars.dropFirst().first, "=+-@".unicodeScalars.contains(second)
        else { return self }
        return String(dropFirst())
    }
}
