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

    public static var header: String { line(Schema.columns.map(\.name)) }

    public static func row(_ row: ResultRow) -> String {
        line(Schema.columns.map { $0.value(row) })
    }

    /// The `#` lines at the top of a results file. Line breaks in values are flattened.
    public static func preamble(_ metadata: RunMetadata) -> String {
        metadata.summaryLines.map { "# " + $0.flattened + "\n" }.joined()
    }

    /// Splits CSV text into records of fields (quoted fields may hold commas, quotes, newlines).
    /// Lines starting with `#` outside quotes are skipped.
    public static func parse(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var atLineStart = true
        var skipping = false
        var iterator = Array(text.unicodeScalars).makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let scalar = pending {
                pending = nil
                return scalar
            }
            return iterator.next()
        }
        while let scalar = next() {
            if skipping {
                if scalar == "\n" {
                    skipping = false
                    atLineStart = true
                }
                continue
            }
            if atLineStart && scalar == "#" {
                skipping = true
                continue
            }
            atLineStart = false
            if quoted {
                if scalar == "\"" {
                    if let following = next() {
                        if following == "\"" {
                            field.unicodeScalars.append("\"")
                        } else {
                            quoted = false
                            pending = following
                        }
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
                record.append(field)
                field = ""
            case "\r": break
            case "\n":
                record.append(field)
                records.append(record)
                record = []
                field = ""
                atLineStart = true
            default: field.unicodeScalars.append(scalar)
            }
        }
        if !field.isEmpty || !record.isEmpty {
            record.append(field)
            records.append(record)
        }
        return records
    }
}

extension String {
    /// Every `target` character replaced with `replacement`.
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var result = ""
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }

    /// The text on one line: CR and LF become spaces.
    var flattened: String {
        String(String.UnicodeScalarView(unicodeScalars.map { $0 == "\n" || $0 == "\r" ? " " : $0 }))
    }
}
