import TestSupport
import Testing

@testable import AsyncBenchAnalysis
@testable import AsyncBenchCell
@testable import AsyncBenchModel
@testable import AsyncBenchResults
@testable import AsyncBenchSweep

#if canImport(Glibc)
    import Glibc
#endif

/// The claims report on small fixture runs: verdicts follow the stated rules.
@Suite struct ClaimsReportTests {
    /// A sleep row at `tasks` with every repetition taking `wall` ms and `memory` bytes above idle.
    static func row(_ backend: String, _ tasks: Int, wall: Int64, memory: Int = 0) -> ResultRow {
        ResultRow(
            spec: .example(backend: backend, tasks: tasks),
            report: .example(wallsMilliseconds: [wall, wall, wall], idle: 10 << 20, peak: (10 << 20) + memory))
    }

    /// A run where async is cheapest, threads cost more and processes most (the document's view).
    static let asDocumented = [
        row("async", 100, wall: 11), row("async", 1000, wall: 12, memory: 4_000_000),
        row("pthread", 100, wall: 13), row("pthread", 1000, wall: 60, memory: 8_500_000),
        row("fork", 100, wall: 35), row("fork", 1000, wall: 250),
        row("sequential", 10, wall: 100), row("sequential", 100, wall: 1000),
    ]

    static func report(_ rows: [ResultRow]) throws -> ClaimsReport {
        let directory = temporaryDirectory()
        let writer = try ResultsWriter(
            directory: directory, format: .csv, metadata: RegressionTests.machine, schema: Registry.schema)
        for row in rows { try writer.append(row) }
        try writer.finish(interrupted: false)
        return ClaimsReport(run: try RecordedRun.load(directory), availableCharts: [])
    }

    static func verdicts(_ report: ClaimsReport) -> [String: ClaimsReport.Verdict] {
        Dictionary(uniqueKeysWithValues: report.findings.map { ($0.id, $0.verdict) })
    }

    @Test func theDocumentedOrderSupportsC2C3C8() throws {
        let verdicts = Self.verdicts(try Self.report(Self.asDocumented))
        #expect(verdicts["C2"] == .supported)
        #expect(verdicts["C3"] == .supported)
        #expect(verdicts["C8"] == .supported)
        for id in ["C1", "C4", "C5", "C6", "C7"] { #expect(verdicts[id] == .notMeasured, "\(id)") }
    }

    @Test func aVerdictWhoseThresholdLiesInsideTheSpreadIsInconclusive() {
        let rule: ([Double]) -> ClaimsReport.Verdict = { $0[0] >= 5 ? .supported : .nuanced }
        #expect(ClaimsReport.robustVerdict([Spread(value: 6, low: 5.5, high: 8)], rule) == .supported)
        #expect(ClaimsReport.robustVerdict([Spread(value: 6, low: 4, high: 8)], rule) == .inconclusive)
        #expect(ClaimsReport.robustVerdict([Spread(6)], rule) == .supported, "an exact figure decides alone")
        let ratio = Spread(value: 10, low: 8, high: 12) / Spread(value: 2, low: 1, high: 4)
        #expect(ratio == Spread(value: 5, low: 2, high: 12))
    }

    @Test func repetitionsThatDisagreeMakeC3Inconclusive() throws {
        var rows = Self.asDocumented
        // The median repetition is fast (efficiency 10/12 ≥ 0.8), the slowest is 4× slower
        // (efficiency 0.25 < 0.5): either verdict could come out of another run.
        // (C3 is judged at N = 100, the largest N the sequential baseline ran.)
        rows[0] = ResultRow(
            spec: .example(backend: "async", tasks: 100), report: .example(wallsMilliseconds: [11, 12, 40]))
        let report = try Self.report(rows)
        #expect(Self.verdicts(report)["C3"] == .inconclusive)
        let c3 = try #require(report.findings.first { $0.id == "C3" })
        #expect(c3.headline.contains("(efficiency 0.83 [0.25–0.91])"), "\(c3.headline)")
        #expect(report.markdown().contains("**Verdict: inconclusive.** (A threshold of the rule lies inside"))
    }

    @Test func slowAsyncAndCheapProcessesContradictTheClaims() throws {
        var rows = Self.asDocumented
        rows[0] = Self.row("async", 100, wall: 25)  // 100 waits of 10 ms take 25 ms: efficiency 0.4
        rows[1] = Self.row("async", 1000, wall: 300, memory: 20_000_000)  // costlier than threads
        rows[5] = Self.row("fork", 1000, wall: 30)  // processes cheaper than threads
        let report = try Self.report(rows)
        let verdicts = Self.verdicts(report)
        #expect(verdicts["C2"] == .contradicted)
        #expect(verdicts["C3"] == .contradicted)
        #expect(verdicts["C8"] == .contradicted)
        let markdown = report.markdown()
        #expect(markdown.contains("| C3: Running coroutines concurrently"))
        #expect(markdown.contains("**contradicted**"))
    }

    @Test func jemallocRowsAreComparedNotJudged() throws {
        // jemalloc rows that would contradict C2 and C8 if they were judged.
        func jemalloc(_ backend: String, _ tasks: Int, wall: Int64, memory: Int, heap: Int64) -> ResultRow {
            var spec = CellSpec.example(backend: backend, tasks: tasks)
            spec.allocator = .jemalloc
            var report = CellReport.example(
                wallsMilliseconds: [wall, wall, wall], idle: 10 << 20, peak: (10 << 20) + memory)
            report.memory = MemoryProbe(
                allocations: Int64(tasks) * 3, frees: 0, heapBaselineBytes: 0, heapPeakBytes: heap, allocator: "j")
            return ResultRow(spec: spec, report: report)
        }
        var system = Self.row("async", 1000, wall: 12, memory: 4_000_000)
        system[RunnerColumns.heapPerTask] = 3000
        system[RunnerColumns.allocationsPerTask] = 3
        var rows = Self.asDocumented
        rows[1] = system
        rows += [
            jemalloc("async", 1000, wall: 400, memory: 90_000_000, heap: 1_500_000),
            jemalloc("fork", 1000, wall: 11, memory: 0, heap: 0),
        ]
        let report = try Self.report(rows)
        let verdicts = Self.verdicts(report)
        #expect(verdicts["C2"] == .supported)
        #expect(verdicts["C8"] == .supported)
        let markdown = report.markdown()
        #expect(markdown.contains("## The allocator's own effect: glibc malloc vs jemalloc"))
        // async at N = 1000: 3000 B → 1500 B of heap per task, the same 3 allocations.
        #expect(
            markdown.contains("| async sleep tasks=1000 latency=10ms | 2.9KiB → 1.5KiB (0.5×) | 3 → 3 (1×) |"),
            "\(markdown)")
        #expect(markdown.contains("- Cells: 10 "))

        let systemOnly = try Self.report(Self.asDocumented).markdown()
        #expect(systemOnly.contains("This run used the system allocator only"))
    }

    @Test func mixedFiguresAreNuanced() throws {
        var rows = Self.asDocumented
        rows[3] = Self.row("pthread", 1000, wall: 60, memory: 4_000_000)  // overhead 10×, memory equal
        rows[0] = Self.row("async", 100, wall: 15)  // efficiency 0.67
        let verdicts = Self.verdicts(try Self.report(rows))
        #expect(verdicts["C2"] == .nuanced)
        #expect(verdicts["C3"] == .nuanced)
    }

    @Test func aThreadLimitBelowAsyncsReachSupportsC2() throws {
        var rows = Self.asDocumented
        rows.append(Self.row("async", 20000, wall: 60, memory: 80_000_000))
        var limit = ResultRow(
            spec: .example(backend: "pthread", tasks: 20000), status: .limit, message: "pthread_create: EAGAIN")
        limit[RunnerColumns.tasksReached] = 15000
        rows.append(limit)
        let report = try Self.report(rows)
        #expect(Self.verdicts(report)["C2"] == .supported)
        #expect(report.findings[1].headline.contains("pthread hit a limit at N = 15000"))
    }

    @Test func aRunWithoutSleepRowsMeasuresNothing() throws {
        let crashed = ResultRow(
            spec: CellSpec(
                backend: "async", workload: "crash", tasks: 2,
                options: BackendOptions(threadStackBytes: 65536, maxThreads: 10, maxProcesses: 10), reps: 1, warmup: 0),
            status: .crashed, message: "killed by SIGSEGV")
        let report = try Self.report([crashed])
        #expect(report.findings.allSatisfy { $0.verdict == .notMeasured })
        #expect(report.findings.count == 8)
        #expect(report.markdown().contains("This run has no `sleep` rows, so it cannot settle C2."))
    }

    @Test func theReportNamesTheMachineAndThePublishedFigures() throws {
        let markdown = try Self.report(Self.asDocumented).markdown()
        #expect(markdown.contains("- Machine: 2 cores (Test CPU)"))
        #expect(markdown.contains("| Python 3.10 asyncio | 2,232 MB | pkolaczk 2023 |"))
        #expect(
            markdown.contains(
                "| Python 3.13 asyncio | 1,276 MB | hez2010's 2024 re-run of the same benchmark, other hardware |"))
        #expect(!markdown.contains("`python-asyncio` (this run)"), "no Python row without Python cells")
        #expect(markdown.contains("| creation | ~0.3 µs | ~17 µs | jimblandy/context-switch (Rust) |"))
        #expect(markdown.contains("Swift async (this run)"))
        #expect(markdown.contains("extrapolated"))
    }

    @Test func theCommittedFixtureRunHasAVerdictForEachMeasuredClaim() throws {
        let root = String(#filePath).split(separator: "/").dropLast(2).joined(separator: "/")
        let run = try RecordedRun.load("/" + root + "/Fixtures/sleep-run")
        let report = ClaimsReport(run: run, availableCharts: [])
        for id in ["C2", "C3", "C8"] {
            #expect(report.findings.first { $0.id == id }?.verdict != .notMeasured, "\(id)")
        }
    }
}

/// C4 from net rows: throughput and memory per task of async against pthread.
@Suite struct NetClaimTests {
    static func row(_ backend: String, _ tasks: Int, wall: Int64, memory: Int, status: CellStatus = .ok) -> ResultRow {
        var spec = CellSpec.example(backend: backend, tasks: tasks, latency: 20_000_000)
        spec.use(NetWorkload.name)
        if status != .ok { return ResultRow(spec: spec, status: status, message: "no") }
        var report = CellReport.example(
            wallsMilliseconds: [wall, wall, wall], idle: 10 << 20, peak: (10 << 20) + memory * tasks)
        report.figures[NetWorkload.sent] = tasks * 30
        report.figures[NetWorkload.answered] = tasks * 30
        report.figures[NetWorkload.failed] = 0
        report.figures.set(
            Percentiles([20_500_000, 21_000_000]), scale: 1e6, p50: NetWorkload.requestP50, p99: NetWorkload.requestP99,
            max: NetWorkload.requestMax)
        return ResultRow(spec: spec, report: report)
    }

    static func verdict(_ rows: [ResultRow]) throws -> ClaimsReport.Verdict? {
        try ClaimsReportTests.report(rows).findings.first { $0.id == "C4" }?.verdict
    }

    @Test func c4FollowsThroughputAndMemory() throws {
        // async: 1000 × 5 / 0.25 s = 20,000/s at 4 KiB; pthread 16,667/s at 10 KiB.
        #expect(
            try Self.verdict([
                Self.row("async", 1000, wall: 250, memory: 4096), Self.row("pthread", 1000, wall: 300, memory: 10240),
            ])
                == .supported)
        // Threads faster and lighter: contradicted.
        #expect(
            try Self.verdict([
                Self.row("async", 1000, wall: 400, memory: 10240), Self.row("pthread", 1000, wall: 200, memory: 4096),
            ])
                == .contradicted)
        // Threads 15% faster and lighter: within what varies from cell to cell, nuanced.
        #expect(
            try Self.verdict([
                Self.row("async", 1000, wall: 345, memory: 10240), Self.row("pthread", 1000, wall: 300, memory: 4096),
            ])
                == .nuanced)
        // Threads that fail where async completes: supported.
        #expect(
            try Self.verdict([
                Self.row("async", 10000, wall: 400, memory: 4096),
                Self.row("pthread", 10000, wall: 0, memory: 0, status: .limit),
            ]) == .supported)
        let markdown = try ClaimsReportTests.report([Self.row("async", 100, wall: 210, memory: 4096)]).markdown()
        #expect(markdown.contains("| async | 2381/s, p99 21 ms, 4KiB |"), "100 × 5 requests / 0.21 s: \(markdown)")
    }
}

/// A chart gnuplot did not finish (a full disk cuts it off without an error) is removed and named.
@Suite struct IncompleteChartTests {
    @Test func emptyOrCutOffChartsAreRemovedAndNamed() throws {
        let folder = temporaryDirectory()
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0, 0, 0, 0] + Array("IEND".utf8) + [0xAE, 0x42, 0x60, 0x82]
        func write(_ name: String, _ bytes: [UInt8]) throws {
            try Files.writeAtomically(String(decoding: bytes, as: UTF8.self), to: folder + "/" + name)
        }
        try write("whole.svg", Array("<svg>\n</svg>\n".utf8))
        try write("cut.svg", Array("<svg>\n<path d=".utf8))
        try write("empty.png", [])
        try write("cut.png", Array(png.dropLast(6)))
        let whole = folder + "/whole.png"
        let fd = open(whole, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        _ = png.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
        #expect(RunOutputs.removeIncompleteCharts(in: folder).sorted() == ["cut.png", "cut.svg", "empty.png"])
        #expect(Files.list(folder) == ["whole.png", "whole.svg"])
    }
}

/// REPORT.html: REPORT.md's subset of Markdown as HTML, charts inlined.
@Suite struct HTMLReportTests {
    @Test func headingsTablesListsAndChartsBecomeHTML() {
        let markdown = """
            # Title <1>

            Some **bold** and `code <x>` text
            on two lines.

            | claim | ratio |
            |---|--:|
            | C1 | 5× |

            - one item
              continued
            - two

            ![switch_ns.png](charts/switch_ns.png)
            ![gone.png](charts/gone.png)
            """
        let page = HTMLReport.page(markdown: markdown, title: "t") { name in
            name == "switch_ns" ? "<?xml version=\"1.0\"?>\n<svg id=\"chart\"></svg>" : nil
        }
        #expect(page.contains("<h1>Title &lt;1&gt;</h1>"))
        #expect(page.contains("<p>Some <strong>bold</strong> and <code>code &lt;x&gt;</code> text on two lines.</p>"))
        #expect(page.contains("<thead><tr><th>claim</th><th>ratio</th></tr></thead>"))
        #expect(page.contains("<tr><td>C1</td><td class=\"n\">5×</td></tr>"))
        #expect(page.contains("<li>one item continued</li>\n<li>two</li>"))
        #expect(page.contains("<figure>\n<svg id=\"chart\"></svg>"), "the SVG inline, without its XML prolog")
        #expect(!page.contains("<?xml"))
        #expect(page.contains("<p class=\"missing\">chart gone: not drawn</p>"))
    }

    @Test func theReportIsWrittenBesideREPORTmdWithTheChartsInline() throws {
        let directory = temporaryDirectory()
        let root = String(#filePath).split(separator: "/").dropLast(2).joined(separator: "/")
        for name in ["results.csv", "run.json"] {
            let text = try #require(Measurement.readFile("/" + root + "/Fixtures/sleep-run/" + name))
            try Files.writeAtomically(text, to: directory + "/" + name)
        }
        try Files.makeDirectories(directory + "/charts")
        try Files.writeAtomically("<svg id=\"efficiency\"></svg>", to: directory + "/charts/efficiency.svg")
        try Files.writeAtomically("png", to: directory + "/charts/efficiency.png")
        try RunOutputs.writeReport(directory: directory)
        let html = try #require(Measurement.readFile(directory + "/REPORT.html"))
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.hasSuffix("</html>\n"))
        #expect(html.contains("<svg id=\"efficiency\"></svg>"))
        #expect(html.contains("<strong>supported</strong>"), "the verdict table")
    }
}
