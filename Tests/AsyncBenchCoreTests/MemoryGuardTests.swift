import Testing

@testable import AsyncBenchAnalysis
@testable import AsyncBenchCell
@testable import AsyncBenchModel
@testable import AsyncBenchResults
@testable import AsyncBenchSweep

/// The memory guard refuses a cell whose estimate (a smaller sibling's memory per task) would not
/// fit, and judges nothing it cannot estimate.
@Suite struct MemoryGuardTests {
    /// An ok row at `tasks` with 1 MiB idle and `perTask` bytes per task above it.
    static func row(_ backend: String, _ tasks: Int, perTask: Int) -> ResultRow {
        ResultRow(
            spec: .example(backend: backend, tasks: tasks),
            report: .example(idle: 1 << 20, peak: (1 << 20) + tasks * perTask))
    }

    @Test func aCellThatWouldNotFitIsRefusedWithTheEstimate() throws {
        let rows = [Self.row("pthread", 100, perTask: 10_000), Self.row("pthread", 1000, perTask: 8_000)]
        // 100,000 × 8,000 B × 1.25 + 1 MiB ≈ 1 GB: too much for 1 GiB available, fine with 24 GiB.
        let spec = CellSpec.example(backend: "pthread", tasks: 100_000)
        #expect(MemoryGuard.estimate(spec, after: rows) == 1_000_000_000 + (1 << 20))
        let refusal = try #require(MemoryGuard.refusal(spec, after: rows, availableBytes: 1 << 30))
        #expect(refusal.hasPrefix("memory guard: about 954.7MiB needed"))
        #expect(refusal.contains("--force"))
        #expect(MemoryGuard.refusal(spec, after: rows, availableBytes: 24 << 30) == nil)
    }

    @Test func nothingIsJudgedWithoutASmallerSiblingOfTheSameKind() {
        let rows = [Self.row("async", 1000, perTask: 4_000)]
        let spec = CellSpec.example(backend: "pthread", tasks: 100_000)
        #expect(MemoryGuard.estimate(spec, after: rows) == nil)
        #expect(MemoryGuard.refusal(spec, after: rows, availableBytes: 1 << 20) == nil)
        var jemalloc = CellSpec.example(backend: "async", tasks: 100_000)
        jemalloc.allocator = .jemalloc
        #expect(MemoryGuard.estimate(jemalloc, after: rows) == nil)
    }
}
