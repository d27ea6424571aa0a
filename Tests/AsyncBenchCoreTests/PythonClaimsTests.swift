import TestSupport
import Testing

@testable import AsyncBenchAnalysis
@testable import AsyncBenchCell
@testable import AsyncBenchModel
@testable import AsyncBenchResults
@testable import AsyncBenchSweep

/// The claims judged for Python's backends by the same rules as Swift's, beside them.
@Suite struct PythonClaimsTests {
    typealias Verdict = ClaimsReport.Verdict

    /// Python's sleep rows in the document's order: asyncio cheapest, threads dearer, processes most.
    static let pythonSleep = [
        ClaimsReportTests.row("python-asyncio", 100, wall: 11),
        ClaimsReportTests.row("python-asyncio", 1000, wall: 13, memory: 5_000_000),
        ClaimsReportTests.row("python-threads", 100, wall: 14),
        ClaimsReportTests.row("python-threads", 1000, wall: 90, memory: 12_000_000),
        ClaimsReportTests.row("python-processes", 100, wall: 60),
        ClaimsReportTests.row("python-processes", 1000, wall: 900),
    ]

    /// `cpu` rows of 8 tasks, each alone 25 ms: the speedup is 200 / `wall`.
    static func cpu(_ walls: [(String, Int64)]) -> [ResultRow] {
        walls.map { backend, wall in
            var spec = CellSpec.example(backend: backend, tasks: 8, latency: 0)
            spec.use("cpu")
            var report = CellReport.example(wallsMilliseconds: [wall, wall, wall])
            report.figures[CPUWorkload.singleTask] = 25
            return ResultRow(spec: spec, report: report)
        }
    }

    /// Pinned `switch` rows of one pair, 1000 rounds, taking `wall` ms.
    static func switches(_ walls: [(String, Int64)]) -> [ResultRow] {
        walls.map { backend, wall in
            var spec = CellSpec.example(backend: backend, tasks: 2, latency: 0)
            spec.use("switch")
            spec.pinned = true
            spec.update(SwitchWorkload.Parameters.self) { $0.rounds = 1000 }
            return ResultRow(spec: spec, report: .example(wallsMilliseconds: [wall, wall, wall]))
        }
    }

    /// Swift: async switches 6× cheaper than pthread, its pool parallel on the cpu work.
    static let swift =
        ClaimsReportTests.asDocumented + switches([("async", 1), ("pthread", 6)])
        + cpu([("async", 100), ("executor", 200), ("pthread", 100)])

    /// Python: an asyncio switch only 2× cheaper than a thread's; threads serial under the GIL,
    /// processes parallel, asyncio on one thread.
    static let python =
        pythonSleep + switches([("python-asyncio", 3), ("python-threads", 6)])
        + cpu([("python-asyncio", 200), ("python-threads", 200), ("python-processes", 105)])

    static func verdicts(_ findings: [ClaimsReport.Finding]?) -> [String: Verdict] {
        Dictionary(uniqueKeysWithValues: (findings ?? []).map { ($0.id, $0.verdict) })
    }

    @Test func pythonRowsAreJudgedByTheSameRulesWithoutChangingSwiftsFindings() throws {
        let alone = try ClaimsReportTests.report(Self.swift)
        let both = try ClaimsReportTests.report(Self.swift + Self.python)
        #expect(alone.pythonFindings == nil)
        let swift = Self.verdicts(both.findings)
        #expect(swift == Self.verdicts(alone.findings))
        #expect(swift["C1"] == .supported && swift["C7"] == .nuanced)
        // Swift's text does not change either: its tables leave the Python rows out.
        #expect(both.findings.map(\.body) == alone.findings.map(\.body))
        #expect(both.findings.map(\.headline) == alone.findings.map(\.headline))

        let python = Self.verdicts(both.pythonFindings)
        #expect(python["C1"] == .nuanced, "python-threads 2× python-asyncio per switch")
        #expect(python["C2"] == .supported)
        #expect(python["C3"] == .supported, "against Swift's sequential rows")
        #expect(python["C7"] == .supported, "asyncio and threads 1×, processes 1.9×")
        #expect(python["C8"] == .supported)
        for id in ["C4", "C5", "C6"] { #expect(python[id] == .notMeasured, "\(id)") }
    }

    @Test func pythonFindingsNameThePythonBackendsAndSayWhatSetsThemApart() throws {
        let findings = try #require(try ClaimsReportTests.report(Self.swift + Self.python).pythonFindings)
        func finding(_ id: String) throws -> ClaimsReport.Finding { try #require(findings.first { $0.id == id }) }
        let c1 = try finding("C1")
        #expect(c1.rule.contains("a switch on python-threads costs ≥ 5× one on python-asyncio"))
        #expect(c1.headline.contains("python-threads 3000 ns vs python-asyncio 1500 ns"), "\(c1.headline)")
        #expect(c1.body.contains("An asyncio switch is a trip through the event loop"))
        #expect(try finding("C3").body.contains("the baseline is Swift's `sequential` rows"))
        #expect(try finding("C8").rule.contains("python-processes's wall-time overhead per task is the highest"))
        #expect(!(try finding("C8").body.contains("schema 3")))
        let c7 = try finding("C7")
        #expect(c7.rule.contains("(python-asyncio, and python-uvloop when it ran)"))
        #expect(c7.headline == "N = 8: python-asyncio 1.00×, python-threads 1.00×, python-processes 1.90× on 2 cores")
        #expect(c7.body.contains("The GIL: one thread at a time runs Python code"))
        #expect(!c7.body.contains("Swift's default executor"))
        #expect(c7.contrast?.contains("under the GIL Python threads give no speedup") == true)
    }

    @Test func theLoopTripAndTheGILAreSaidOnlyWhenTheFiguresShowThem() throws {
        // asyncio switches 6× cheaper than threads; threads parallel (a free-threaded build).
        let rows =
            Self.swift + Self.pythonSleep + Self.switches([("python-asyncio", 1), ("python-threads", 6)])
            + Self.cpu([("python-asyncio", 200), ("python-threads", 105), ("python-processes", 105)])
        let findings = try #require(try ClaimsReportTests.report(rows).pythonFindings)
        let c1 = try #require(findings.first { $0.id == "C1" })
        #expect(c1.verdict == .supported)
        #expect(c1.contrast == nil && !c1.body.contains("trip through the event loop"))
        let c7 = try #require(findings.first { $0.id == "C7" })
        #expect(c7.verdict == .supported)
        #expect(!c7.body.contains("The GIL") && c7.body.contains("free-threaded"))
        #expect(c7.contrast?.contains("GIL") == false)
    }

    @Test func theSummaryHasASwiftAndAPythonColumnAndSaysWhereTheyDiffer() throws {
        let markdown = try ClaimsReportTests.report(Self.swift + Self.python).markdown()
        #expect(markdown.contains("| claim | Swift | Python | deciding figures (Swift; Python) |\n|---|---|---|---|\n"))
        #expect(
            markdown.contains(
                "| C7: Async only helps I/O-bound programs; CPU-bound work needs threads or processes. | **nuanced** | **supported** | Swift: N = 8: async 2.00×, executor 1.00×"
            ), "\(markdown)")
        #expect(markdown.contains("; Python: N = 8: python-asyncio 1.00×"))
        #expect(markdown.components(separatedBy: "\n### Python\n").count == 9, "one Python sub-section per claim")
        #expect(
            markdown.contains(
                "Swift and Python differ: asyncio runs every coroutine on one thread (python-asyncio 1.00×), unlike Swift's default pool; under the GIL Python threads give no speedup (python-threads 1.00×), processes do (python-processes 1.90×); Swift's verdict is nuanced, Python's supported."
            ))
        #expect(markdown.contains("Swift and Python differ: an asyncio switch is a trip through the event loop"))
        // C2 and C8 agree: no line for them.
        #expect(markdown.components(separatedBy: "Swift and Python differ:").count == 3)
    }

    @Test func aDifferenceWithoutAKnownReasonPointsToTheFigures() throws {
        var python = Self.pythonSleep
        // Threads as cheap as asyncio in time and memory: Python's C2 is contradicted.
        python[3] = ClaimsReportTests.row("python-threads", 1000, wall: 13, memory: 5_000_000)
        let report = try ClaimsReportTests.report(ClaimsReportTests.asDocumented + python)
        #expect(Self.verdicts(report.pythonFindings)["C2"] == .contradicted)
        #expect(
            report.markdown().contains(
                "Swift and Python differ: see the figures; Swift's verdict is supported, Python's contradicted."))
    }

    @Test func withoutPythonRowsTheReportHasNoPythonColumn() throws {
        let report = try ClaimsReportTests.report(Self.swift)
        let markdown = report.markdown()
        #expect(report.pythonFindings == nil)
        #expect(markdown.contains("| claim | verdict | deciding figures |\n|---|---|---|\n"))
        #expect(!markdown.contains("Python |") && !markdown.contains("### Python"))
        #expect(!markdown.contains("Swift and Python differ"))
    }
}
