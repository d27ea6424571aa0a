import AsyncBenchModel

/// RFC 4180 CSV: fields with a comma, quote, CR or LF are quoted, quotes doubled.
///
/// A results file starts with `#` comment lines (schema version, command, machine) that gnuplot
/// skips (`pandas.read_csv(path, comment="#")` does too), then the header, then one row per cell.
public enum CSV {
    public static func escape(_ field: String) -> String {
        guard field.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
        else {
            return field
        }
        return "\"" + field.replacingAll("\"", with: "\"\"") + "\""
    }

    public static func line(_ fields: [String]) -> String {
        fields.map(escape).joined(separator: ",") + "\n"
    }

    public static func header(_ schema: Schema) -> String { line(schema.header) }

    public static func row(_ row: ResultRow, _ schema: Schema) -> String {
        line(schema.fields(row))
    }

    /// The `#` lines at the top of a results file. Line breaks and other control characters in
    /// values are escaped (`\n`, `\u{1b}`): each stays one comment line.
    public static func preamble(_ metadata: RunMetadata) -> String {
        metadata.summaryLines.map { "# " + $0.controlEscaped + "\n" }.joined()
    }

    /// Splits CSV text into records of fields (quoted fields may hold commas, quotes, newlines).
    /// Lines starting with `#` outside quotes, and blank lines, are skipped.
    public static func parse(_ text: String) -> [[String]] {
        records(text).map(\.fields)
    }

    /// The longest line a results or capacity file may hold: a row is a few KB (its message is
    /// one line of a cell's stderr); a longer line is not asyncbench's, and is refused before
    /// any work is spent on it.
    public static let maximumLineBytes = 1 << 20

    /// What makes `text` unreadable as CSV before it is parsed: a NUL byte (binary data) or a line
    /// longer than `maximumLineBytes`. Returns the 1-based line and the problem, or nil.
    public static func byteProblem(in text: String) -> (line: Int, problem: String)? {
        var line = 1
        var length = 0
        for byte in text.utf8 {
            switch byte {
            case 0:
                return (line, "holds a NUL byte: binary data, not an asyncbench results file")
            case UInt8(ascii: "\n"):
                line += 1
                length = 0
            default:
                length += 1
                if length > maximumLineBytes {
                    return (
                        line,
                        "is longer than \(maximumLineBytes) bytes (a results row is a few KB): not an asyncbench results file, or an edited one"
                    )
                }
            }
        }
        return nil
    }

    /// A record and the 1-based line of the file it starts on.
    public struct Record: Equatable, Sendable {
        public var line: Int
        public var fields: [String]
        /// False when the text ended inside a quoted field (a truncated file).
        public var complete: Bool
    }

    /// Like `parse`, keeping where each record starts, for error messages.
    public static func records(_ text: String) -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field = ""
        var quoted = false
        var atLineStart = true
        var skipping = false
        var line = 1
        var recordLine = 1
        var scalars = Array(text.unicodeScalars)[...]
        while let scalar = scalars.popFirst() {
            if scalar == "\n" { line += 1 }
            if skipping {
                if scalar == "\n" {
                    skipping = false
                    atLineStart = true
                }
                continue
            }
            if atLineStart {
                if scalar == "#" {
                    skipping = true
                    continue
                }
                if scalar == "\n" || scalar == "\r" { continue }  // blank lines hold no record
                recordLine = line
                atLineStart = false
            }
            if quoted {
                if scalar == "\"" {
                    if scalars.first == "\"" {
                        scalars.removeFirst()
                        field.unicodeScalars.append("\"")
                    } else {
                        quoted = false
                    }
                } else {
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"": quoted = true
            case ",":
                fields.append(field)
                field = ""
            case "\r": break
            case "\n":
                fields.append(field)
                records.append(Record(line: recordLine, fields: fields, complete: true))
                fields = []
                field = ""
                atLineStart = true
            default: field.unicodeScalars.append(scalar)
            }
        }
        if !atLineStart {
            fields.append(field)
            records.append(Record(line: recordLine, fields: fields, complete: !quoted))
        }
        return records
    }
}
