import TestSupport
import Testing

@testable import AsyncBenchAnalysis
@testable import AsyncBenchCell
@testable import AsyncBenchModel
@testable import AsyncBenchResults
@testable import AsyncBenchSweep

/// Issue 26: a figure or a name read from a file is checked against its column; text from
/// outside is written so that it cannot forge a CSV line, a formula, Markdown, HTML or gnuplot.
@Suite struct FieldCheckTests {
    /// A results file of `RegressionTests.baselineRows` with `column` of row `index` set to `value`.
    static func results(_ column: String, _ value: String, row index: Int = 0) throws -> String {
        let schema = Registry.schema
        let column = try #require(schema.header.firstIndex(of: column))
        var text = CSV.header(schema)
        for (number, row) in RegressionTests.baselineRows.enumerated() {
            var fields = schema.fields(row)
            if number == index { fields[column] = value }
            text += CSV.line(fields)
        }
        return text
    }

    /// The message `RecordedRun.parse` refuses `text` with, or nil when it reads it.
    static func refusal(_ text: String) -> String? {
        do {
            _ = try RecordedRun.parse(text, path: "f.csv")
            return nil
        } catch {
            return error.description
        }
    }

    @Test func numbersFollowOneDecimalGrammar() {
        for good in ["0", "12", "-5", "12.5", "1e3", "1.5E-3", "1e+19", "-0.25"] {
            #expect(DecimalText.parse(good) != nil, "\(good)")
        }
        for bad in [
            "", "nan", "NaN", "inf", "-inf", "infinity", "0x10", "+5", " 5", "5 ", ".5", "5.", "1e", "1_000", "--5",
        ] {
            #expect(DecimalText.parse(bad) == nil, "\(bad)")
        }
        #expect(DecimalText.parse("1e999") == .infinity, "overflow is read, then refused as not finite")
        #expect(Int.parse("0x10") == nil && Double.parse("0x10") == nil)
        #expect(Int.parse("16") == 16 && Int.parse("1e3") == 1000 && Int.parse("2.5") == nil)
    }

    @Test func aFigureOutsideItsColumnRefusesTheFileNamingLineAndColumn() throws {
        let cases: [(String, String, String)] = [
            ("wall_ms_median", "nan", "is not a decimal number"),
            ("wall_ms_median", "1e999", "is not a finite number"),
            ("wall_ms_median", "-5", "is negative"),
            ("wall_ms_median", "1e300", "is beyond ±1e15"),
            ("peak_rss_bytes", "0x10", "is not a whole number"),
            ("peak_rss_bytes", "2.5", "is not a whole number"),
            ("cpu_user_s", "inf", "is not a decimal number"),
            ("kernel_source", "cgroup v1; rm", "holds a character other than"),
        ]
        for (column, value, problem) in cases {
            let message = Self.refusal(try Self.results(column, value, row: 1))
            #expect(
                message?.hasPrefix("f.csv:3: column \(column): '\(value)' \(problem)") == true, "\(message ?? "read")")
        }
        // A difference may be negative: lateness, overhead.
        #expect(Self.refusal(try Self.results("lateness_us_p50", "-12.5")) == nil)
        #expect(Self.refusal(try Self.results("overhead_us_per_task", "-0.3")) == nil)
        #expect(Self.refusal(try Self.results("lateness_us_p50", "-1e300"))?.contains("beyond ±1e15") == true)
    }

    @Test func keyColumnsHoldNamesAndNumbersOnly() throws {
        let injection = "a' . system(\"id > /tmp/x\") . 'b"
        let cases: [(String, String, String)] = [
            ("backend", injection, "column backend: 'a' . system(\"id > /tmp/x\") . 'b' is not a backend name"),
            ("workload", "sleep\nx", "column workload: 'sleep\\nx' is not a workload name"),
            ("backend", "", "column backend: '' is not a backend name (is empty)"),
            ("latency_ms", "nan", "column latency_ms: 'nan' is not a decimal number"),
            ("latency_ms", "-1", "column latency_ms: '-1' is negative"),
            ("rate_rps", "1e999", "column rate_rps: '1e999' is not a finite number"),
            ("tasks", "0x10", "tasks '0x10' is not a positive whole number"),
            ("tasks", "+5", "tasks '+5' is not a positive whole number"),
        ]
        for (column, value, expected) in cases {
            let message = Self.refusal(try Self.results(column, value))
            #expect(
                message?.hasPrefix("f.csv:2: ") == true && message?.contains(expected) == true, "\(message ?? "read")")
        }
    }

    @Test func badFiguresInCapacityFilesAndRunJSONAreRefused() throws {
        let folder = try RegressionTests.write(RegressionTests.baselineRows)
        var capacity = CapacityFile.text(
            [
                CapacityResult(
                    backend: "async", workload: "sleep", latencyMilliseconds: 2000, highest: 1000,
                    memoryPerTask: 300, peakRSS: 1 << 20, stoppedBy: .limit, message: "=HYPERLINK(\"x\")\n# y",
                    probes: 3, seconds: 1)
            ], metadata: RegressionTests.machine)
        #expect(capacity.contains(",\"'=HYPERLINK(\"\"x\"\")\\n# y\"\n"), "\(capacity)")
        try Files.writeAtomically(capacity, to: folder + "/capacity.csv")
        #expect(try RecordedRun.load(folder).capacity?.first?.message == "=HYPERLINK(\"x\")\\n# y")
        capacity = capacity.replacing(",300,", with: ",1e999,")
        try Files.writeAtomically(capacity, to: folder + "/capacity.csv")
        #expect(throws: DataError.self) { try RecordedRun.load(folder) }
        do {
            _ = try RecordedRun.load(folder)
        } catch {
            #expect(error.description.contains("capacity.csv:7: column memory_per_task_bytes: '1e999'"), "\(error)")
        }
        try Files.writeAtomically("", to: folder + "/capacity.csv")
        var metadata = RegressionTests.machine
        metadata.cores = -2
        #expect(metadata.problem?.contains("'cores' field, -2.0, is outside") == true)
        try Files.writeAtomically(JSONCoding.json(metadata, pretty: true), to: folder + "/run.json")
        do {
            _ = try RecordedRun.load(folder)
            Issue.record("a run.json with -2 cores was read")
        } catch {
            #expect(error.description.contains("run.json:1:") && error.description.contains("'cores'"), "\(error)")
        }
    }

    @Test func textFromOutsideStaysOneLineAndNeverAFormula() {
        #expect("=1+1".spreadsheetSafe == "'=1+1")
        #expect("-5 ms".spreadsheetSafe == "'-5 ms" && "@x".spreadsheetSafe == "'@x" && "+x".spreadsheetSafe == "'+x")
        #expect("ok\n# dropped\r\tx\u{1b}[31m\u{2028}".spreadsheetSafe == "ok\\n# dropped\\r\\tx\\u{1b}[31m\\u{2028}")
        #expect("'=1+1".spreadsheetUnquoted == "=1+1" && "'x".spreadsheetUnquoted == "'x")
        var row = RegressionTests.row("pthread", tasks: 100, walls: [1], status: .error)
        row.message = "=cmd|' /C calc'!A0\n#comment line"
        let line = CSV.row(row, Registry.schema)
        #expect(line.split(separator: "\n").count == 1, "\(line)")
        #expect(line.hasSuffix(",'=cmd|' /C calc'!A0\\n#comment line\n"), "\(line)")
        let back = try? RecordedRun.parse(CSV.header(Registry.schema) + line, path: "f.csv")
        #expect(back?.rows.first?.message == "=cmd|' /C calc'!A0\\n#comment line")
    }

    @Test func messagesPrintedToTheTerminalStayOneLine() throws {
        var row = RegressionTests.row("pthread", tasks: 100, walls: [1], status: .error)
        row.message = "boom\n\u{1b}[2Jcleared"
        let table = SummaryTable.render([row])
        #expect(table.contains("error: boom\\n\\u{1b}[2Jcleared") && !table.contains("\u{1b}"), "\(table)")
        let run = RecordedRun(path: "f.csv", schemaVersion: Schema.version, metadata: nil, rows: [row])
        let trend = Trend(metric: try #require(Metric.named("wall")), runs: [("a|b", run)])
        #expect(!trend.table(markdown: true).contains("a|b"), "a label's | would split the table")
    }

    @Test func markdownAndHTMLShowTextAsItself() {
        let hostile = "x | <img src=x onerror=alert(1)> [link](javascript:alert(1)) `code` **b**\n# h"
        let markdown = Markdown.text(hostile)
        #expect(!markdown.contains("\n") && !markdown.contains(" <img") && !markdown.contains(" | "), "\(markdown)")
        let html = HTMLReport.inline(markdown)
        #expect(
            html == "x | &lt;img src=x onerror=alert(1)&gt; [link](javascript:alert(1)) `code` **b**\\n# h", "\(html)")
        #expect(HTMLReport.inline("`a` and **b**") == "<code>a</code> and <strong>b</strong>", "unchanged for our own")
        #expect(Markdown.code("ls `id`") == Markdown.text("ls `id`") && Markdown.code("ls -l") == "`ls -l`")
        let page = HTMLReport.page(markdown: "![c](charts/c.png)\n", title: "t") { _ in
            "<svg><script>alert(1)</script></svg>"
        }
        #expect(!page.contains("<script>") && page.contains("not shown"), "\(page)")
        #expect(
            !HTMLReport.isInert("<svg><rect onload =\"x\"/></svg>")
                && HTMLReport.isInert("<svg><text>on x=5</text></svg>"))
    }

    @Test func trendNamesReachGnuplotOnlyAsData() throws {
        var row = RegressionTests.row("async", tasks: 100, walls: [6, 5, 7])
        row.key.backend = "a`id`b"  // not a name a file may hold, but the script must not care
        let run = RecordedRun(path: "f.csv", schemaVersion: Schema.version, metadata: nil, rows: [row])
        let trend = Trend(
            metric: try #require(Metric.named("wall")), runs: [("v1'`id`", run), ("v2\n!sh", run)])
        let script = trend.gnuplotScript(dataPath: "d.dat", chartPath: "c.png")
        #expect(!script.contains("a`id`b"), "the cell's name is in the data file only")
        #expect(script.contains("'v1''`id`' 0, 'v2\\n!sh' 1"), "labels single-quoted, one line: \(script)")
        #expect(script.contains("title columnheader(1)"))
        #expect(trend.gnuplotData.hasPrefix("\"a`id`b sleep tasks=100"), "\(trend.gnuplotData)")
    }

    @Test func namesFollowTheGrammar() {
        for name in Registry.backends.map({ $0.name }) + Registry.workloads.map({ $0.name }) + ["x", "v1.2", "a_b"] {
            #expect(Name.isValid(name), "\(name)")
        }
        for bad in ["", "-x", ".x", "a b", "a'b", "a\"b", "a`b", "é", String(repeating: "a", count: 65)] {
            #expect(!Name.isValid(bad), "\(bad)")
        }
    }
}
