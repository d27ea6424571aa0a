import Testing

@testable import AsyncBenchAnalysis
@testable import AsyncBenchCell
@testable import AsyncBenchModel
@testable import AsyncBenchResults
@testable import AsyncBenchSweep

/// The terminal summary printed after a run.
@Suite struct SummaryTableTests {
    @Test func cellsSkippedForOneReasonShareALine() {
        func row(_ backend: String, _ tasks: Int, _ status: CellStatus, _ message: String) -> ResultRow {
            var spec = CellSpec.example(backend: backend, tasks: tasks, latency: 0)
            spec.use("file-offload")
            return ResultRow(spec: spec, status: status, message: message)
        }
        let table = SummaryTable.render([
            row("pthread", 1, .skipped, "async only"), row("pthread", 100, .skipped, "async only"),
            row("pthread", 1000, .skipped, "async only"), row("fork", 1, .skipped, "async only"),
            row("fork", 100, .limit, "EAGAIN"), row("fork", 1000, .skipped, "async only"),
        ])
        let lines = table.split(separator: "\n").dropFirst()
        #expect(lines.count == 4, "\(table)")
        #expect(lines.first?.contains("1,100,1000") == true)
        #expect(lines.filter { $0.contains("skipped: async only") }.count == 3)
    }
}
