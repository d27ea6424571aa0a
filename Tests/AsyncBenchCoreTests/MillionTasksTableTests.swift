import TestSupport
import Testing

@testable import AsyncBenchAnalysis
@testable import AsyncBenchCell
@testable import AsyncBenchModel
@testable import AsyncBenchResults

/// The 1M-tasks table of the report: this run's peak memory and time per runtime and N, the
/// published figures beside each row, "not published" where there are none.
@Suite struct MillionTasksTableTests {
    @Test func eachRowHasThisRunsFiguresAndThePublishedOnes() throws {
        let rows = [
            ClaimsReportTests.row("go", 1, wall: 10_001, memory: 0),
            ClaimsReportTests.row("go", 1_000_000, wall: 12_500, memory: 2_000 << 20),
            ClaimsReportTests.row("async", 1_000_000, wall: 17_000, memory: 1_000 << 20),
        ]
        let markdown = try ClaimsReportTests.report(rows).markdown()
        // Peak = idle 10 MiB + the memory above it; the time is the median wall.
        #expect(
            markdown.contains("| go | Go (goroutines) | 1000000 | 2010 | 12.5 s | 2658 | 2585.6 (10.83 s) |"),
            "\(markdown)")
        #expect(markdown.contains("| go | Go (goroutines) | 1 | 10 | 10 s | 1.8 | 3.6 (10 s) |"), "\(markdown)")
        #expect(markdown.contains("| async | not published | 1000000 | 1010 | 17 s | not published | not published |"))
        #expect(markdown.contains("| async | not published | 1 | — | — |"), "a row this run does not have")
        #expect(markdown.contains("https://pkolaczk.github.io/memory-consumption-of-async/"))
        #expect(markdown.contains("https://hez2010.github.io/async-runtimes-benchmarks-2024/take2.html"))
    }

    @Test func aRunWithoutMillionTaskRowsHasNoTable() throws {
        let markdown = try ClaimsReportTests.report([ClaimsReportTests.row("go", 10, wall: 11)]).markdown()
        #expect(!markdown.contains("| backend | published as | N |"))
    }
}
