import Testing

@testable import AsyncBenchAnalysis
@testable import AsyncBenchCell
@testable import AsyncBenchModel
@testable import AsyncBenchResults
@testable import AsyncBenchSweep

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
    @Test func readmeDocumentsEveryColumnAndStatus() throws {
        let root = String(#filePath).split(separator: "/").dropLast(3).joined(separator: "/")
        let readme = try #require(Measurement.readFile("/" + root + "/README.md"))
        let schema = try #require(Measurement.readFile("/" + root + "/docs/schema.md"))
        #expect(schema == Registry.schema.markdown, "docs/schema.md is out of date: asyncbench schema > docs/schema.md")
        for status in CellStatus.allCases {
            #expect(readme.contains("`\(status.rawValue)`"), "README does not explain status \(status.rawValue)")
        }
        #expect(readme.contains("### CSV schema (version \(Schema.version))"))
        for metric in Metric.all {
            #expect(readme.contains("| `\(metric.name)` |"), "README's metric table lacks \(metric.name)")
        }
    }
}
