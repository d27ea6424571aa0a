import CAsyncBench
import Testing

@testable import AsyncBenchAnalysis
@testable import AsyncBenchCell
@testable import AsyncBenchModel
@testable import AsyncBenchResults
@testable import AsyncBenchSweep

#if canImport(Glibc)
    import Glibc
#endif

/// The heap figures: the binary's counting malloc pass-through, the allocator's bytes in use,
/// a process's own private memory, the per-task formulas, and the allocator option's fallback.
@Suite struct HeapTests {
    @Test func countingSeesEveryAllocationWhileOnAndNoneAfter() throws {
        CAsyncBench_alloc_counting(1)
        for size in 1...1000 {
            let pointer = malloc(size)
            #expect(pointer != nil)
            free(pointer)
        }
        let aligned = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 256)  // posix_memalign
        aligned.deallocate()
        CAsyncBench_alloc_counting(0)
        let counted = CAsyncBench_alloc_counts_read()
        // Other tests allocate concurrently, so at least what this test made.
        #expect(counted.allocations >= 1001)
        #expect(counted.frees >= 1001)
        for size in 1...1000 { free(malloc(size)) }
        let after = CAsyncBench_alloc_counts_read()
        #expect(after.allocations == counted.allocations, "counting is off: nothing more is counted")
        #expect(after.frees == counted.frees)
    }

    @Test func heapInUseSeesALargeAllocation() throws {
        let size = 64 << 20
        let before = CAsyncBench_heap_in_use()
        let pointer = try #require(malloc(size))
        let during = CAsyncBench_heap_in_use()
        free(pointer)
        #expect(before >= 0)
        // Other tests free memory concurrently: allow them 8 MiB.
        #expect(during - before >= Int64(size - (8 << 20)), "before \(before), during \(during)")
    }

    @Test func ownPrivateMemoryIsReadFromProc() {
        let bytes = CAsyncBench_own_private_bytes()
        // This process has written far more than one page of its own (heap, stacks, page tables).
        #expect(bytes > 1 << 20, "\(bytes)")
        #expect(bytes % 1024 == 0)
    }

    @Test func jemallocMissingIsAOneLineHintOrSystemRowsWithANote() throws {
        let nowhere = ["/nonexistent/lib/libjemalloc.so.2"]
        #expect(try Allocator.parse(.system, candidates: nowhere).allocators == [.system])
        #expect(throws: UsageError.self) { try Allocator.parse(.jemalloc, candidates: nowhere) }
        do {
            _ = try Allocator.parse(.jemalloc, candidates: nowhere)
        } catch {
            let message = String(describing: error)
            #expect(message.contains("jemalloc is not installed (no libjemalloc.so.2 in /nonexistent/lib)"))
            #expect(message.contains("apt-get install libjemalloc2"))
            #expect(!message.contains("\n"))
        }
        let both = try Allocator.parse(.both, candidates: nowhere)
        #expect(both.allocators == [.system])
        #expect(both.note?.hasPrefix("only system rows: jemalloc is not installed") == true)
        // A library that exists is found (any readable file stands in for it here).
        let found = try Allocator.parse(.both, candidates: nowhere + ["/proc/self/status"])
        #expect(found.allocators == [.system, .jemalloc])
        #expect(found.note == nil)
    }

    @Test func perTaskMemoryFormulas() {
        var report = CellReport.example(idle: 1_000_000, peak: 1_400_000)
        report.samples = report.samples.enumerated().map { index, sample in
            var sample = sample
            sample.creationNanoseconds = [40_000, 20_000, 30_000][index]
            return sample
        }
        report.memory = MemoryProbe(
            allocations: 44, frees: 40, heapBaselineBytes: 10_000, heapPeakBytes: 18_000, allocator: "glibc")
        let row = ResultRow(spec: .example(backend: "pthread", tasks: 4), report: report)
        #expect(row[RunnerColumns.heapPerTask] == 2000)  // (18000 − 10000) / 4
        #expect(row[RunnerColumns.allocationsPerTask] == 11)  // 44 / 4
        #expect(row[RunnerColumns.createPerTask] == 7.5)  // median 30 µs / 4
        #expect(row[RunnerColumns.rssPerTask] == 100_000)  // (1.4 MB − 1 MB) / 4
        #expect(row.allocator == "system")

        // Fork: the children's own memory joins the parent's growth; no heap figure.
        report.memory = MemoryProbe(
            allocations: 8, frees: 8, childrenPrivateBytes: 400_000, allocator: "glibc")
        let fork = ResultRow(spec: .example(backend: "fork", tasks: 4), report: report)
        #expect(fork[RunnerColumns.childrenPrivate] == 400_000)
        #expect(fork[RunnerColumns.rssPerTask] == 200_000)  // (400000 + 400000) / 4
        #expect(fork[RunnerColumns.heapPerTask] == nil)
    }
}

extension BlockingBackendSuites {
    /// The memory repetition, run in this process as a cell process runs it.
    @Suite struct MemoryRepetitionTests {
        @Test(arguments: ["async", "dispatch", "pthread", "fork", "sequential"])
        func everyBackendGetsHeapFiguresAndForkChildrenReportTheirMemory(name: String) throws {
            var spec = CellSpec.example(backend: name, tasks: 20, latency: 20_000_000)
            spec.reps = 1
            spec.warmup = 0
            let report = CellRunner.run(spec)
            #expect(report.status == .ok, "\(report.message)")
            let memory = try #require(report.memory)
            #expect(memory.allocator.hasPrefix("glibc") || memory.allocator.hasPrefix("jemalloc"))
            let row = ResultRow(spec: spec, report: report)
            #expect(row[RunnerColumns.allocationsPerTask] != nil)
            if name == "fork" {
                // Every child reported (each has at least its stack page and page tables of its own).
                #expect((memory.childrenPrivateBytes ?? 0) >= 20 * 8192, "\(memory)")
                #expect(row[RunnerColumns.heapPerTask] == nil)
            } else {
                #expect(memory.childrenPrivateBytes == nil)
                #expect(row[RunnerColumns.heapPerTask] != nil, "\(memory)")
            }
            if name == "sequential" {
                #expect(row[RunnerColumns.createPerTask] == nil)
            } else {
                #expect((row[RunnerColumns.createPerTask] ?? 0) > 0)
                // Threads and tasks are objects on the heap: creating 20 allocates at least 20 times.
                if name != "fork" { #expect((memory.allocations ?? 0) >= 20, "\(memory)") }
            }
        }

        @Test func theSwitchWorkloadSkipsTheMemoryRepetition() {
            var spec = CellSpec.example(backend: "pthread", tasks: 2)
            spec.use(SwitchWorkload.name)
            spec.update(SwitchWorkload.Parameters.self) { $0.rounds = 100 }
            spec.reps = 1
            spec.warmup = 0
            let report = CellRunner.run(spec)
            #expect(report.status == .ok, "\(report.message)")
            #expect(report.memory == nil)
        }
    }
}
