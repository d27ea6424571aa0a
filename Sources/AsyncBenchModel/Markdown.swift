/// Text from outside asyncbench (a run.json's machine line, a command line, a cell's or a
/// worker's message, a path) written into Markdown (REPORT.md, `compare --format markdown`)
/// so that it shows as itself: one line, and no character of it is Markdown or HTML syntax (a
/// table's `|`, a link, an image, an HTML tag, emphasis). REPORT.html's converter reads the
/// same escapes back (`HTMLReport.inline`).
public enum Markdown {
    /// The punctuation escaped with a backslash (CommonMark lets any ASCII punctuation be):
    /// what could make a table cell, a link or image, code, an HTML tag or entity, or emphasis.
    /// (`_` is left: names hold it, and it cannot start anything but emphasis between words.)
    static let special = Set("\\`*[]<>|!&".unicodeScalars)

    /// `text` on one line (control characters escaped, `controlEscaped`), its Markdown
    /// punctuation backslash-escaped.
    public static func text(_ text: String) -> String {
        var output = ""
        for scalar in text.controlEscaped.unicodeScalars {
            if special.contains(scalar) { output += "\\" }
            output.unicodeScalars.append(scalar)
        }
        return output
    }

    /// `text` as inline code (`` `text` ``) when it holds no backtick (code shows every other
    /// character as it is), else as escaped text; on one line either way.
    public static func code(_ text: String) -> String {
        let line = text.controlEscaped
        return line.contains("`") ? Self.text(text) : "`" + line + "`"
    }
}
