import TestSupport
import Testing

@testable import AsyncBenchAnalysis
@testable import AsyncBenchCell
@testable import AsyncBenchModel
@testable import AsyncBenchResults
@testable import AsyncBenchSweep
@testable import asyncbench

#if canImport(Glibc)
    import Glibc
#endif

/// Fixture runs written the way a sweep writes them, then compared and checked.
@Suite struct RegressionTests {
    static let machine = RunMetadata(
        commandLine: "asyncbench --backend all", date: "2026-11-25T00:00:00Z", cores: 2, cpuModel: "Test CPU",
        memoryBytes: 1 << 34, kernel: "Linux 6.1", swiftVersion: "6.3.1", allocator: "glibc 2.36 malloc",
        hostname: "test", settings: ["reps=3", "warmup=1", "min-reps=2", "rep-budget=2s"])

    /// A cell's row with the given repetitions (ms), memory and context switches.
    static func row(
        _ backend: String, tasks: Int, walls: [Int64], peak: Int = 20 << 20, switches: Int = 10,
        status: CellStatus = .ok
    ) -> ResultRow {
        let spec = CellSpec.example(backend: backend, tasks: tasks)
        guard status == .ok else { return ResultRow(spec: spec, status: status, message: "pthread_create: EAGAIN") }
        var report = CellReport.example(wallsMilliseconds: walls, idle: 10 << 20, peak: peak)
        for index in report.samples.indices { report.samples[index].voluntarySwitches = switches }
        return ResultRow(spec: spec, report: report)
    }

    static let defaultGate: @Sendable () throws(UsageError) -> RegressionGate = { () throws(UsageError) in
        try RegressionGate()
    }

    static let baselineRows = [
        row("async", tasks: 100, walls: [11, 10, 12]),
        row("pthread", tasks: 100, walls: [20, 19, 21], switches: 100),
        row("fork", tasks: 100, walls: [40, 38, 45]),
    ]

    /// Writes `rows` as a run folder and returns its path.
    static func write(_ rows: [ResultRow], metadata: RunMetadata = machine) throws -> String {
        let directory = temporaryDirectory()
        let writer = try ResultsWriter(directory: directory, format: .csv, metadata: metadata, schema: Registry.schema)
        for row in rows { try writer.append(row) }
        try writer.finish(interrupted: false)
        return directory
    }

    static func compare(_ current: [ResultRow], metrics: [Metric] = Metric.all) throws -> Comparison {
        Comparison(
            baseline: try RecordedRun.load(write(baselineRows)), baselineName: "base",
            current: try RecordedRun.load(write(current)), currentName: "now", metrics: metrics)
    }

    @Test func identicalRunsPassTheCheck() throws {
        let store = BaselineStore(directory: temporaryDirectory())
        try store.save(name: "main", run: Self.write(Self.baselineRows))
        let status = RegressionSession.check(
            baseline: "main", run: try Self.write(Self.baselineRows), store: store, gate: Self.defaultGate,
            format: .text, strict: false, executable: "/nonexistent", out: nil)
        #expect(status == .success)
        #expect(try Self.compare(Self.baselineRows).regressions.isEmpty)
    }

    @Test func aTwofoldSlowdownInOneCellFailsNamingTheCellAndMetric() throws {
        var current = Self.baselineRows
        current[1] = Self.row("pthread", tasks: 100, walls: [40, 38, 42], switches: 100)
        let comparison = try Self.compare(current)
        let regressed = comparison.regressions.map { "\($0.cell) \($0.metric)" }
        #expect(regressed.contains("pthread sleep tasks=100 latency=10ms wall"))
        #expect(regressed.contains("pthread sleep tasks=100 latency=10ms efficiency"))
        #expect(regressed.allSatisfy { $0.hasPrefix("pthread") }, "only the slowed cell regressed: \(regressed)")
        #expect(comparison.render(.markdown).contains("**regressed**"))

        let store = BaselineStore(directory: temporaryDirectory())
        try store.save(name: "main", run: Self.write(Self.baselineRows))
        let status = RegressionSession.check(
            baseline: "main", run: try Self.write(current), store: store, gate: Self.defaultGate,
            format: .text, strict: false, executable: "/nonexistent", out: nil)
        #expect(status == .failed)
    }

    @Test func aChangeWithinTheRepetitionsNoiseIsNotARegression() throws {
        // Median +20% (above the 10% threshold), but the repetitions spread over 12 ms each.
        var current = Self.baselineRows
        current[2] = Self.row("fork", tasks: 100, walls: [48, 40, 52])
        #expect(try Self.compare(current).regressions.isEmpty)
    }

    @Test func absoluteFloorsKeepTinyChangesOut() throws {
        // 2 µs → 3 µs wall is +50% but far below the 1 ms floor; 10 → 30 switches on 100 tasks is
        // +200% but 0.2 per task, below the 0.25 floor.
        let base = [Self.row("async", tasks: 100, walls: [0, 0, 0], switches: 10)]
        var tiny = CellReport.example(wallsMilliseconds: [0, 0, 0])
        for index in tiny.samples.indices {
            tiny.samples[index].wallNanoseconds = 3_000
            tiny.samples[index].voluntarySwitches = 30
        }
        let current = [ResultRow(spec: .example(backend: "async", tasks: 100), report: tiny)]
        let comparison = Comparison(
            baseline: try RecordedRun.load(Self.write(base)), baselineName: "a",
            current: try RecordedRun.load(Self.write(current)), currentName: "b", metrics: Metric.all)
        #expect(comparison.regressions.isEmpty, "\(comparison.regressions)")
        #expect(
            comparison.entries.contains { $0.metric == "ctx_per_task" && abs(($0.changePercent ?? 0) - 200) < 0.01 })
    }

    @Test func directionIsKnownPerMetric() throws {
        var current = Self.baselineRows
        current[0] = Self.row("async", tasks: 100, walls: [5, 5, 5])  // twice as fast
        let entries = try Self.compare(current).entries.filter { $0.cell.hasPrefix("async") }
        #expect(entries.first { $0.metric == "wall" }?.verdict == .improved)
        #expect(entries.first { $0.metric == "efficiency" }?.verdict == .improved, "efficiency: higher is better")
    }

    @Test func statusChangesNewAndMissingCells() throws {
        let current = [
            Self.row("async", tasks: 100, walls: [11, 10, 12]),
            Self.row("pthread", tasks: 100, walls: [], status: .limit),
            Self.row("sequential", tasks: 100, walls: [1000, 1000, 1000]),
        ]
        let entries = try Self.compare(current).entries
        #expect(entries.first { $0.cell.hasPrefix("pthread") }?.verdict == .regressed)
        #expect(entries.first { $0.cell.hasPrefix("pthread") }?.note.contains("ok → limit") == true)
        #expect(entries.first { $0.cell.hasPrefix("sequential") }?.verdict == .new)
        #expect(entries.first { $0.cell.hasPrefix("fork") }?.verdict == .missing)
    }

    @Test func countersGateJudgesOnlyCounters() throws {
        let gate = try RegressionGate(scope: .counters)
        #expect(gate.metrics.map(\.name) == ["allocs_per_task", "ctx_per_task", "threads"])
        var current = Self.baselineRows
        current[1] = Self.row("pthread", tasks: 100, walls: [40, 38, 42], switches: 100)  // slower, same counters
        #expect(try Self.compare(current, metrics: gate.metrics).regressions.isEmpty)
        current[1] = Self.row("pthread", tasks: 100, walls: [20, 19, 21], switches: 300)  // 3 switches per task now
        #expect(try Self.compare(current, metrics: gate.metrics).regressions.map(\.metric) == ["ctx_per_task"])
    }

    @Test func moreAllocationsPerTaskAreARegressionAndAFewMoreAreNot() throws {
        let gate = try RegressionGate(scope: .counters)
        func withAllocations(_ perTask: Double) -> [ResultRow] {
            Self.baselineRows.map { row in
                var row = row
                row[RunnerColumns.allocationsPerTask] = perTask
                return row
            }
        }
        func regressions(_ before: Double, _ after: Double) throws -> [String] {
            let comparison = Comparison(
                baseline: try RecordedRun.load(Self.write(withAllocations(before))), baselineName: "base",
                current: try RecordedRun.load(Self.write(withAllocations(after))), currentName: "now",
                metrics: gate.metrics)
            return comparison.regressions.map(\.metric).uniqued()
        }
        #expect(try regressions(10, 11) == [], "10% more is within the threshold")
        #expect(try regressions(10, 15) == ["allocs_per_task"])
    }

    @Test func thresholdsAndMetricsAreValidated() throws {
        let custom = try RegressionGate(metricNames: "wall,cpu", threshold: "wall=20%")
        #expect(custom.metrics.map(\.name) == ["wall", "cpu"])
        #expect(custom.metrics[0].relativeThreshold == 0.2)
        #expect(custom.metrics[1].relativeThreshold == Metric.named("cpu")?.relativeThreshold)
        #expect(try RegressionGate(threshold: "5%").metrics.allSatisfy { $0.relativeThreshold == 0.05 })
        #expect(throws: UsageError.self) { try RegressionGate(threshold: "10") }
        #expect(throws: UsageError.self) { try RegressionGate(metricNames: "speed") }
        #expect(throws: UsageError.self) { try RegressionGate(scope: .counters, metricNames: "wall") }
    }

    @Test func differentMachinesWarnAndStrictRefuses() throws {
        var other = Self.machine
        other.cores = 8
        other.kernel = "Linux 6.18"
        let comparison = Comparison(
            baseline: try RecordedRun.load(Self.write(Self.baselineRows)), baselineName: "a",
            current: try RecordedRun.load(Self.write(Self.baselineRows, metadata: other)), currentName: "b",
            metrics: Metric.all)
        #expect(comparison.machineDifferences == ["cores 2 vs 8", "kernel Linux 6.1 vs Linux 6.18"])

        let store = BaselineStore(directory: temporaryDirectory())
        try store.save(name: "main", run: Self.write(Self.baselineRows))
        let run = try Self.write(Self.baselineRows, metadata: other)
        let lenient = RegressionSession.check(
            baseline: "main", run: run, store: store, gate: Self.defaultGate, format: .text, strict: false,
            executable: "/nonexistent", out: nil)
        let strict = RegressionSession.check(
            baseline: "main", run: run, store: store, gate: Self.defaultGate, format: .text, strict: true,
            executable: "/nonexistent", out: nil)
        #expect(lenient == .success)
        #expect(strict == .dataError)
    }

    @Test func aMissingBaselineIsAnErrorNamingWhatExists() throws {
        let store = BaselineStore(directory: temporaryDirectory())
        try store.save(name: "v1", run: Self.write(Self.baselineRows))
        #expect(throws: DataError.baselineNotFound(name: "v2", directory: store.directory, known: ["v1"])) {
            try store.load("v2")
        }
        #expect(throws: DataError.badName("../x")) { try store.save(name: "../x", run: "/tmp") }
        let status = RegressionSession.check(
            baseline: "v2", run: try Self.write(Self.baselineRows), store: store, gate: Self.defaultGate,
            format: .text, strict: false, executable: "/nonexistent", out: nil)
        #expect(status == .dataError)
        #expect(store.names() == ["v1"])
    }

    @Test func malformedFilesAreRefusedWithFileLineAndProblem() throws {
        let good = CSV.header(Registry.schema) + CSV.row(Self.baselineRows[0], Registry.schema)
        let cases: [(String, String)] = [
            ("", "empty, no header line"),
            ("# only a comment\n", "empty, no header line"),
            ("a,b,c\n1,2,3\n", ":1: the header has no 'schema_version' column"),
            (good + "1,async,sleep\n", ":3: 3 fields, but the header has"),
            (good + String(CSV.row(Self.baselineRows[1], Registry.schema).dropLast(30)), ":3: "),
            (good.replacing(",ok,", with: ",fine,"), ":2: unknown status 'fine'"),
            (
                good + CSV.row(Self.baselineRows[0], Registry.schema),
                ":3: a second row for the cell async sleep tasks=100"
            ),
            (
                CSV.header(Registry.schema) + "\"2" + CSV.row(Self.baselineRows[0], Registry.schema).dropFirst(1),
                ":2: the file ends inside a quoted field"
            ),
        ]
        for (text, message) in cases {
            do {
                _ = try RecordedRun.parse(text, path: "f.csv")
                Issue.record("expected \(message)")
            } catch {
                #expect(error.description.hasPrefix("f.csv"), "\(error)")
                #expect(error.description.contains(message), "\(error.description) lacks \(message)")
            }
        }
    }

    @Test func aNewerSchemaIsRefusedNamingBothVersions() throws {
        let text = CSV.header(Registry.schema) + "99" + CSV.row(Self.baselineRows[0], Registry.schema).dropFirst(1)
        #expect(throws: DataError.schemaMismatch(path: "f.csv", found: 99, readable: Schema.readableVersions)) {
            try RecordedRun.parse(text, path: "f.csv")
        }
        let message = DataError.schemaMismatch(path: "f.csv", found: 99, readable: [1]).description
        #expect(message.contains("schema version 99") && message.contains("reads schema 1"))
    }

    @Test func aRecordedRunCanBeRepeated() throws {
        let run = try RecordedRun.load(Self.write(Self.baselineRows))
        var options = RunOptions(repeating: run)
        options.out = temporaryDirectory() + "/repeat"
        let plan = try RunPlan(options)
        #expect(plan.cells.map(\.spec.backend) == ["async", "pthread", "fork"])
        #expect(plan.cells.allSatisfy { $0.spec.tasks == 100 && $0.spec.latencyNanoseconds == 10_000_000 })
        #expect(plan.cells.allSatisfy { $0.spec.reps == 3 && $0.spec.warmup == 1 && $0.spec.minReps == 2 })
    }

    @Test func aRepeatedRunKeepsItsFileAndServerSettings() throws {
        #expect(Units.exactSize(4096) == "4KiB" && Units.exactSize(20_000) == "20000B")
        var run = try RecordedRun.load(Self.write(Self.baselineRows))
        run.metadata?.settings += [
            "file-size=20000B", "file-sync=yes", "file-dir=/var/tmp", "server=192.168.1.20:7000",
        ]
        let options = RunOptions(repeating: run).workloadOptions
        let file = options.group(FileWorkload.Options.self)
        #expect(file.fileSize == "20000B" && file.fileSync && file.fileDir == "/var/tmp")
        #expect(options.group(NetWorkload.Options.self).server == "192.168.1.20:7000")
        run.metadata?.settings = ["server=started per cell"]
        #expect(
            RunOptions(repeating: run).workloadOptions.group(NetWorkload.Options.self).server == nil,
            "a server per cell is no address to go back to")
    }

    @Test func trendFollowsAMetricAcrossBaselines() throws {
        let faster = [Self.row("async", tasks: 100, walls: [6, 5, 7])]
        let trend = Trend(
            metric: try #require(Metric.named("wall")),
            runs: [
                ("v1", try RecordedRun.load(Self.write(Self.baselineRows))),
                ("v2", try RecordedRun.load(Self.write(faster))),
            ])
        let async = try #require(trend.series.first { $0.cell.backend == "async" })
        #expect(async.values == [11, 6])
        let pthread = try #require(trend.series.first { $0.cell.backend == "pthread" })
        #expect(pthread.values == [20, nil])
        #expect(trend.table().contains("11 ms"))
        #expect(trend.gnuplotData.contains("0 11\n1 6"))
    }
}
