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
                if let chart = svg(name) {
                    body +=
                        "<figure>\n" + stripProlog(chart) + "\n<figcaption>\(escape(name))</figcaption>\n</figure>\n"
                } else {
                    body += "<p class=\"missing\">chart " + escape(name) + ": not drawn</p>\n"
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

    /// Escapes `text`, then turns `code`, **bold** and *emphasis* into their elements.
    static func inline(_ text: String) -> String {
        var output = ""
        var rest = Substring(text)
        while let tick = rest.firstIndex(of: "`") {
            output += emphasis(escape(String(rest[..<tick])))
            let after = rest[rest.index(after: tick)...]
            guard let close = after.firstIndex(of: "`") else {
                rest = after
                output += "`"
                continue
            }
            output += "<code>" + escape(String(after[..<close])) + "</code>"
            rest = after[after.index(after: close)...]
        }
        return output + emphasis(escape(String(rest)))
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
    }

    /// An SVG file's text without its XML declaration and doctype, to sit inside HTML.
    static func stripProlog(_ svg: String) -> String {
        guard let start = svg.firstRange(of: "<svg") else { return svg }
        return String(svg[start.lowerBound...])
    }
}
