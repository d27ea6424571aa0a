import Testing

@testable import AsyncBenchAnalysis
@testable import AsyncBenchCell
@testable import AsyncBenchModel
@testable import AsyncBenchResults
@testable import AsyncBenchSweep
@testable import asyncbench

@Suite struct CSVTests {
    @Test func plainFieldsAreNotQuoted() {
        #expect(CSV.line(["a", "b c", "1.5"]) == "a,b c,1.5\n")
    }

    @Test func specialCharactersAreQuotedAndQuotesDoubled() {
        #expect(CSV.escape("a,b") == "\"a,b\"")
        #expect(CSV.escape("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSV.escape("two\nlines") == "\"two\nlines\"")
        #expect(CSV.escape("cr\r\nlf") == "\"cr\r\nlf\"")
    }

    @Test func parseRoundTripsEscapedFieldsAndSkipsComments() {
        let fields = ["plain", "with,comma", "with \"quotes\"", "multi\nline", ""]
        let text = "# a comment, with a comma\n" + CSV.line(["h1", "h2", "h3", "h4", "h5"]) + CSV.line(fields)
        #expect(CSV.parse(text) == [["h1", "h2", "h3", "h4", "h5"], fields])
    }

    @Test func headerMatchesSchemaAndEveryRowHasEveryColumn() throws {
        let header = try #require(CSV.parse(CSV.header(Registry.schema)).first)
        #expect(header == Registry.schema.entries.map(\.name))
        #expect(header.first == "schema_version")
        #expect(Set(header).count == header.count, "column names are unique")

        let spec = CellSpec.example(tasks: 4)
        let ok = ResultRow(spec: spec, report: .example())
        let skipped = ResultRow(spec: spec, status: .skipped, message: "beyond the bound, see \"x\", y")
        for row in [ok, skipped] {
            let parsed = CSV.parse(CSV.row(row, Registry.schema))
            #expect(parsed.count == 1)
            #expect(parsed.first?.count == header.count)
        }
        let skippedFields = try #require(CSV.parse(CSV.row(skipped, Registry.schema)).first)
        let column = { (name: String) in skippedFields[header.firstIndex(of: name)!] }
        #expect(column("status") == "skipped")
        #expect(column("message") == "beyond the bound, see \"x\", y")
        #expect(column("wall_ms_median") == "", "a cell that did not run has no figures")
    }

    @Test func figuresFollowTheirDefinitions() throws {
        let spec = CellSpec.example(tasks: 4)
        let report = CellReport.example(wallsMilliseconds: [12, 10, 14], idle: 1000, peak: 5000)
        let row = ResultRow(spec: spec, report: report)
        let fields = try #require(CSV.parse(CSV.header(Registry.schema) + CSV.row(row, Registry.schema)).last)
        let header = Registry.schema.entries.map(\.name)
        let value = { (name: String) in fields[header.firstIndex(of: name)!] }
        #expect(value("schema_version") == "\(Schema.version)")
        #expect(value("backend") == "pthread")
        #expect(value("tasks") == "4")
        #expect(value("latency_ms") == "10")
        #expect(value("reps") == "3")
        #expect(value("wall_ms_median") == "12")
        #expect(value("wall_ms_min") == "10")
        #expect(value("wall_ms_max") == "14")
        #expect(value("efficiency") == "0.8333")  // 10 / 12
        #expect(value("overhead_us_per_task") == "500")  // (12 - 10) ms / 4 tasks
        #expect(value("rss_bytes_per_task") == "1000")  // (5000 - 1000) / 4
        #expect(value("status") == "ok")
        #expect(value("message") == "")
    }
}

extension CellSpec {
    static func example(backend: String = "pthread", tasks: Int, latency: Int64 = 10_000_000) -> CellSpec {
        CellSpec(
            backend: backend, workload: "sleep", tasks: tasks,
            latencyNanoseconds: latency,
            options: BackendOptions(threadStackBytes: 65536, maxThreads: 1000, maxProcesses: 1000),
            reps: 3, warmup: 1)
    }

    /// Changes this cell's parameters, of the workload's type `Parameters`.
    mutating func update<Parameters: Codable>(_ type: Parameters.Type, _ change: (inout Parameters) -> Void) {
        var decoded = parameters.decode(Parameters.self)!
        change(&decoded)
        parameters = JSONValue(encoding: decoded)
    }

    /// Makes this a cell of `workload`, with that workload's default parameters.
    mutating func use(_ workload: String) {
        self.workload = workload
        let type = Registry.workload(named: workload)!
        parameters = try! type.erasedPlan(.defaults, latencies: [latencyNanoseconds]).parameters
    }
}

extension CellReport {
    static func example(wallsMilliseconds: [Int64] = [11, 10, 12], idle: Int = 1 << 20, peak: Int = 2 << 20)
        -> CellReport
    {
        CellReport(
            status: .ok, message: "", tasksReached: nil,
            samples: wallsMilliseconds.map {
                RepetitionSample(
                    wallNanoseconds: $0 * 1_000_000, userSeconds: 0.001, systemSeconds: 0.002,
                    voluntarySwitches: 10, involuntarySwitches: 1, peakThreads: 5, peakInFlight: 4)
            }, idleRSSBytes: idle, peakRSSBytes: peak)
    }
}

@Suite struct ParameterJSONTests {
    @Test func parametersSurviveTheSpecsJSON() throws {
        var net = NetWorkload.Parameters()
        net.seed = UInt64.max
        net.loss = 0.25
        #expect(JSONValue(encoding: net).decode(NetWorkload.Parameters.self) == net, "a seed above Int64's range")
        let file = FileWorkload.Parameters(fileBytes: 20_000, fileSync: true, fileParent: "/tmp")
        #expect(JSONValue(encoding: file).decode(FileWorkload.Parameters.self) == file)
    }
}

@Suite struct DocumentationTests {
    static let root = "/" + String(#filePath).split(separator: "/").dropLast(3).joined(separator: "/")

    static func read(_ path: String) throws -> String { try #require(Measurement.readFile(root + "/" + path)) }

    @Test func theDocsDocumentEveryColumnStatusAndMetric() throws {
        let schema = try Self.read("docs/schema.md")
        #expect(schema == Registry.schema.markdown, "docs/schema.md is out of date: asyncbench schema > docs/schema.md")
        let output = try Self.read("docs/output.md")
        for status in CellStatus.allCases {
            #expect(
                output.contains("`\(status.rawValue)`"), "docs/output.md does not explain status \(status.rawValue)")
        }
        #expect(output.contains("### CSV schema (version \(Schema.version))"))
        let regression = try Self.read("docs/regression-ci.md")
        for metric in Metric.all {
            #expect(
                regression.contains("| `\(metric.name)` |"), "docs/regression-ci.md's metric table lacks \(metric.name)"
            )
        }
    }

    @Test func theCommandReferenceIsTheParsersOwnHelp() throws {
        #expect(
            try Self.read("docs/cli-reference.md") == AsyncBench.CLIReference.markdown(),
            "docs/cli-reference.md is out of date: asyncbench cli-reference > docs/cli-reference.md")
    }

    @Test func theFrontPageIsShortAndQuotesTheReferenceVerdicts() throws {
        let readme = try Self.read("README.md")
        #expect(readme.utf8.count <= 12 * 1024, "README.md is \(readme.utf8.count) bytes; the rest goes to docs/")
        // Its verdict table says what Results/main/REPORT.md computed, claim by claim.
        let report = try Self.read("Results/main/REPORT.md")
        for id in (1...8).map({ "C\($0)" }) {
            // "| C1: the claim | **verdict** | deciding figures |"
            let verdict = report.split(separator: "\n").first { $0.hasPrefix("| \(id): ") }.flatMap { line in
                let cells = line.split(separator: "|").map { String($0).trimmingWhitespace() }
                return cells.count > 1 ? cells[1].replacingAll("*", with: "") : nil
            }
            let row = readme.split(separator: "\n").first { $0.hasPrefix("| \(id) ") }
            let quoted = row?.split(separator: "|").map { String($0).trimmingWhitespace() }.last
            #expect(
                verdict != nil && quoted == verdict,
                "\(id): README says \(quoted ?? "nothing"), the report \(verdict ?? "nothing")")
        }
    }
}
