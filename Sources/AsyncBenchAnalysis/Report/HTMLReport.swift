import AsyncBenchModel

/// REPORT.html: the claims report as one self-contained page, readable offline: REPORT.md's
/// text (headings, paragraphs, lists, tables, bold and code) as HTML, with each chart's SVG
/// inlined where REPORT.md links its PNG. The Markdown is asyncbench's own, so this converts
/// the subset it writes, not Markdown at large.
public enum HTMLReport {
    /// The page for `markdown`; `svg(name)` gives a chart's SVG text (`name` without extension),
    /// or nil when it was not drawn (the chart is then named, not shown).
    public static func page(markdown: String, title: String, svg: (String) -> String?) -> String {
        var body = ""
        var paragraph: [String] = []
        var list: [String] = []
        var table: [[String]] = []
        var alignments: [Bool] = []

        func flush() {
            if !paragraph.isEmpty {
                body += "<p>" + inline(paragraph.joined(separator: " ")) + "</p>\n"
                paragraph = []
            }
            if !list.isEmpty {
                body += "<ul>\n" + list.map { "<li>" + inline($0) + "</li>\n" }.joined() + "</ul>\n"
                list = []
            }
            if let header = table.first {
                body +=
                    "<table>\n<thead><tr>" + header.map { "<th>" + inline($0) + "</th>" }.joined()
                    + "</tr></thead>\n<tbody>\n"
                for row in table.dropFirst() {
                    body += "<tr>"
                    for (index, cell) in row.enumerated() {
                        let right = index < alignments.count && alignments[index]
                        body += (right ? "<td class=\"n\">" : "<td>") + inline(cell) + "</td>"
                    }
                    body += "</tr>\n"
                }
                body += "</tbody>\n</table>\n"
                table = []
                alignments = []
            }
        }

        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("|") {
                if !paragraph.isEmpty || !list.isEmpty {
                    let rows = table
                    table = []
                    flush()
                    table = rows
                }
                let cells = cellsOf(line)
                if cells.allSatisfy({ $0.allSatisfy { "-:".contains($0) } && !$0.isEmpty }) {
                    alignments = cells.map { $0.hasSuffix(":") }
                } else {
                    table.append(cells)
                }
                continue
            }
            if !table.isEmpty { flush() }
            if line.isEmpty {
                flush()
            } else if let heading = line.firstIndex(where: { $0 != "#" }), line.hasPrefix("#"),
                line[heading] == " "
            {
                flush()
                let level = min(6, line.distance(from: line.startIndex, to: heading))
                let text = inline(String(line[line.index(after: heading)...]))
                body += "<h\(level)>\(text)</h\(level)>\n"
            } else if line.hasPrefix("!["), let open = line.firstIndex(of: "("), line.hasSuffix(")") {
                flush()
                let target = String(line[line.index(after: open)..<line.index(before: line.endIndex)])
                let name = target.split(separator: "/").last.map { String($0.split(separator: ".")[0]) } ?? target
                if let chart = svg(name), isInert(chart) {
                    body +=
                        "<figure>\n" + stripProlog(chart) + "\n<figcaption>\(escape(name))</figcaption>\n</figure>\n"
                } else {
                    body +=
                        "<p class=\"missing\">chart " + escape(name)
                        + (svg(name) == nil ? ": not drawn" : ": not shown (its SVG holds script, not gnuplot's)")
                        + "</p>\n"
                }
            } else if line.hasPrefix("- ") {
                if !paragraph.isEmpty {
                    let items = list
                    list = []
                    flush()
                    list = items
                }
                list.append(String(line.dropFirst(2)))
            } else if !list.isEmpty && line.hasPrefix("  ") {
                list[list.count - 1] += " " + line.trimmingWhitespace()
            } else {
                if !list.isEmpty { flush() }
                paragraph.append(line)
            }
        }
        flush()
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>\(escape(title))</title>
            <style>
            body { font: 15px/1.5 system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
            table { border-collapse: collapse; margin: 1em 0; font-size: 14px; }
            th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; vertical-align: top; }
            th { background: #f3f3f3; }
            td.n { text-align: right; font-variant-numeric: tabular-nums; }
            code { background: #f5f5f5; padding: 0 0.2em; }
            figure { margin: 1em 0; }
            figure svg { max-width: 100%; height: auto; }
            figcaption { color: #666; font-size: 13px; }
            .missing { color: #a00; }
            </style>
            </head>
            <body>
            \(body)</body>
            </html>

            """
    }

    /// The cells of a table line `| a | b |`.
    static func cellsOf(_ line: String) -> [String] {
        var cells = line.split(separator: "|", omittingEmptySubsequences: false).map {
            String($0).trimmingWhitespace()
        }
        if cells.first == "" { cells.removeFirst() }
        if cells.last == "" { cells.removeLast() }
        return cells
    }

    /// Escapes `text`, then turns `code`, **bold** and *emphasis* into their elements. A
    /// backslash before ASCII punctuation (`Markdown.text`'s escapes) makes it a plain character.
    static func inline(_ text: String) -> String {
        var output = ""
        var plain = ""
        var rest = Substring(text)
        while let character = rest.first {
            rest.removeFirst()
            if character == "\\", let next = rest.first, next.isASCII, next.isPunctuation || next.isSymbol,
                let ascii = next.asciiValue
            {
                // A placeholder emphasis and code cannot match; `restore` turns it back.
                plain.unicodeScalars.append(Unicode.Scalar(escapeBase + UInt32(ascii))!)
                rest.removeFirst()
            } else if character == "`", let close = rest.firstIndex(of: "`") {
                output += restore(emphasis(escape(plain))) + "<code>" + escape(String(rest[..<close])) + "</code>"
                plain = ""
                rest = rest[rest.index(after: close)...]
            } else {
                plain.append(character)
            }
        }
        return output + restore(emphasis(escape(plain)))
    }

    /// The private-use code points that stand for escaped ASCII punctuation inside `inline`.
    static let escapeBase: UInt32 = 0xE000

    /// Each placeholder back as its (HTML-escaped) character.
    static func restore(_ text: String) -> String {
        var output = ""
        for scalar in text.unicodeScalars {
            if (escapeBase..<escapeBase + 128).contains(scalar.value) {
                output += escape(String(Character(Unicode.Scalar(UInt8(scalar.value - escapeBase)))))
            } else {
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }

    /// **bold** and *emphasis* in already escaped text.
    static func emphasis(_ text: String) -> String {
        func wrap(_ text: String, _ marker: String, _ tag: String) -> String {
            let parts = text.split(separator: marker, omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 3 else { return text }
            var output = parts[0]
            for index in 1..<parts.count {
                let opening = index % 2 == 1
                // An unpaired last marker stays as it was.
                if opening && index == parts.count - 1 {
                    output += marker + parts[index]
                } else {
                    output += (opening ? "<\(tag)>" : "</\(tag)>") + parts[index]
                }
            }
            return output
        }
        return wrap(wrap(text, "**", "strong"), "*", "em")
    }

    static func escape(_ text: String) -> String {
        text.replacingAll("&", with: "&amp;").replacingAll("<", with: "&lt;").replacingAll(">", with: "&gt;")
            .replacingAll("\"", with: "&quot;")
    }

    /// Whether an SVG file may be inlined: gnuplot's charts hold no script, event handler,
    /// `javascript:` link or foreign HTML; a chart that does was not drawn by it (a run folder
    /// from elsewhere), and is named instead of run in the reader's browser.
    static func isInert(_ svg: String) -> Bool {
        let lower = svg.lowercased()
        if ["<script", "javascript:", "<foreignobject", "<iframe", "<embed", "<object"].contains(where: lower.contains)
        {
            return false
        }
        // An event handler attribute: whitespace, "on", letters, "=".
        var scalars = Array(lower.unicodeScalars)[...]
        while let index = scalars.firstIndex(where: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }) {
            scalars = scalars[(index + 1)...]
            guard scalars.starts(with: "on".unicodeScalars) else { continue }
            let name = scalars.dropFirst(2).prefix { ("a"..."z").contains($0) }
            let after = scalars.dropFirst(2 + name.count).drop { $0 == " " }
            if !name.isEmpty && after.first == "=" { return false }
        }
        return true
    }

    /// An SVG file's text without its XML declaration and doctype, to sit inside HTML.
    static func stripProlog(_ svg: String) -> String {
        guard let start = svg.firstRange(of: "<svg") else { return svg }
        return String(svg[start.lowerBound...])
    }
}
