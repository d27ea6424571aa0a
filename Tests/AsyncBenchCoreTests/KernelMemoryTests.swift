import CAsyncBench
import Synchronization
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

/// The kernel-memory figures: the readers of each source's file, the cgroup path, the per-task
/// formulas and the report's wording. The cells that measure it are in `KernelMemoryCellTests`.
@Suite struct KernelMemoryTests {
    static func file(_ text: String) throws -> String {
        let path = temporaryDirectory() + "/file"
        try Files.writeAtomically(text, to: path)
        return path
    }

    @Test func eachSourcesFileIsSummedInBytes() throws {
        let meminfo = try Self.file(
            "MemTotal:       24683584 kB\nSlab:             140960 kB\nSUnreclaim:        26604 kB\nKernelStack:        1572 kB\nPageTables:         3268 kB\nSecPageTables:         0 kB\n"
        )
        #expect(CAsyncBench_kernel_bytes(meminfo, Int32(CASYNCBENCH_KERNEL_MEMINFO)) == (26604 + 1572 + 3268) * 1024)
        let stat = try Self.file(
            "anon 4096\nkernel 9000\nkernel_stack 16384\npagetables 8192\nslab 1000\nslab_reclaimable 600\n")
        #expect(CAsyncBench_kernel_bytes(stat, Int32(CASYNCBENCH_KERNEL_CGROUP2_STAT)) == 16384 + 8192 + 1000)
        let kmem = try Self.file("23265280\n")
        #expect(CAsyncBench_kernel_bytes(kmem, Int32(CASYNCBENCH_KERNEL_CGROUP1_KMEM)) == 23_265_280)
        let none = try Self.file("anon 4096\n")
        #expect(CAsyncBench_kernel_bytes(none, Int32(CASYNCBENCH_KERNEL_CGROUP2_STAT)) == -1)
        #expect(CAsyncBench_kernel_bytes("/nonexistent/file", Int32(CASYNCBENCH_KERNEL_MEMINFO)) == -1)
        #expect(KernelMemory.File.meminfo.read().map { $0 > 0 } == true)
    }

    @Test func theOwnCgroupIsFoundForEachVersion() {
        let text = "9:name=systemd:/\n4:memory:/process_api/abc\n3:cpu,cpuacct:/x\n0::/user.slice/s\n"
        #expect(KernelMemory.ownCgroup(text, controller: "memory") == "/process_api/abc")
        #expect(KernelMemory.ownCgroup(text, controller: "cpuacct") == "/x")
        #expect(KernelMemory.ownCgroup(text, controller: "") == "/user.slice/s")
        #expect(KernelMemory.ownCgroup("0::/\n", controller: "memory") == nil)
    }

    @Test func kernelAndTotalPerTaskFormulas() {
        var report = CellReport.example(idle: 1_000_000, peak: 1_400_000)
        report.kernel = KernelMemory.Reading(source: .cgroupV1, idleBytes: 50_000, peakBytes: 850_000)
        let row = ResultRow(spec: .example(tasks: 100), report: report)
        #expect(row[RunnerColumns.rssPerTask] == 4000)
        #expect(row[RunnerColumns.kernelPerTask] == 8000)
        #expect(row[RunnerColumns.totalPerTask] == 12000)
        #expect(row[RunnerColumns.kernelSource] == "cgroup-v1")
        #expect(SleepFigures.memoryPerTask(row) == 12000)
        #expect(SleepFigures.memoryText(row) == "11.7KiB (user 3.9KiB + kernel 7.8KiB)")
        // Fork: the children's page tables are in their private memory and in the kernel figure.
        var fork = report
        fork.memory = MemoryProbe(
            allocations: 0, frees: 0, childrenPrivateBytes: 600_000, childrenPageTableBytes: 200_000,
            allocator: "glibc")
        let forked = ResultRow(spec: .example(backend: "fork", tasks: 100), report: fork)
        #expect(forked[RunnerColumns.rssPerTask] == 10000)  // (400,000 + 600,000) / 100
        #expect(forked[RunnerColumns.kernelPerTask] == 8000)
        #expect(forked[RunnerColumns.totalPerTask] == 16000)  // 10,000 + 8,000 − 2,000 counted in both
        // A kernel peak below the idle reading (freed between them) is no growth, not a negative cost.
        report.kernel = KernelMemory.Reading(source: .meminfo, idleBytes: 900_000, peakBytes: 850_000)
        let shrunk = ResultRow(spec: .example(tasks: 100), report: report)
        #expect(shrunk[RunnerColumns.kernelPerTask] == 0)
        // Without a reading (runs before the columns), the claims judge RSS alone.
        let old = ResultRow(spec: .example(tasks: 100), report: .example(idle: 1_000_000, peak: 1_400_000))
        #expect(old[RunnerColumns.kernelPerTask] == nil)
        #expect(SleepFigures.memoryPerTask(old) == 4000)
        #expect(SleepFigures.memoryText(old) == "3.9KiB (RSS only)")
    }

    @Test func staleCgroupsOfDeadRunsAreRemovedAndLiveOnesKept() throws {
        let parent = temporaryDirectory()
        // A pid that cannot be alive (above pid_max), and this process's own.
        for name in ["asyncbench-99999999-1", "asyncbench-\(getpid())-1", "other-1"] {
            try Files.makeDirectories(parent + "/" + name)
        }
        #expect(KernelMemory.removeStale(in: parent) == [parent + "/asyncbench-99999999-1"])
        #expect(Files.list(parent).sorted() == ["asyncbench-\(getpid())-1", "other-1"])
    }
}

extension BlockingBackendSuites {
    /// Cells that run in a cgroup of their own: the kernel's memory for 2000 sleeping threads,
    /// against an independent reading of /proc/meminfo taken from this process during the cell.
    @Suite struct KernelMemoryCellTests {
        /// The asyncbench binary SwiftPM built beside this test bundle.
        static var executable: String? {
            var directory = Files.executablePath ?? ""
            while let last = directory.lastIndex(of: "/") {
                directory = String(directory[..<last])
                if access(directory + "/asyncbench", X_OK) == 0 { return directory + "/asyncbench" }
            }
            return nil
        }

        static func spec(_ backend: String, tasks: Int) -> CellSpec {
            CellSpec(
                backend: backend, workload: "sleep", tasks: tasks, latencyNanoseconds: 1_500_000_000,
                options: BackendOptions(threadStackBytes: 65536, maxThreads: 4000, maxProcesses: 1000),
                reps: 1, warmup: 0)
        }

        /// Runs `spec` in a cell process while a thread here samples /proc/meminfo's kernel bytes;
        /// returns the cell's row and the meminfo growth (peak during − the reading before).
        static func runSampled(_ spec: CellSpec, executable: String) throws -> (row: ResultRow, meminfo: Int64) {
            let before = try #require(KernelMemory.File.meminfo.read())
            let peak = Atomic<Int64>(before)
            let stop = Atomic<Bool>(false)
            let sampler = Thread {
                while !stop.load(ordering: .acquiring) {
                    if let bytes = KernelMemory.File.meminfo.read() { peak.max(bytes, ordering: .relaxed) }
                    usleep(2000)
                }
            }
            let outcome = try CellProcess.run(
                executable: executable, spec: spec, timeoutNanoseconds: 60_000_000_000)
            stop.store(true, ordering: .releasing)
            sampler.join()
            guard case .reported(let report) = outcome else {
                Issue.record("the cell did not report: \(outcome)")
                throw CellFailure.setup("no report")
            }
            return (ResultRow(spec: spec, report: report), peak.load(ordering: .relaxed) - before)
        }

        @Test func threadKernelMemoryAgreesWithMeminfoAndAsyncTasksCostFarLess() throws {
            let executable = try #require(Self.executable, "the asyncbench binary is built beside the tests")
            guard KernelMemory.runSource.source != .meminfo else {
                // The cell would read the same file this test reads: nothing independent to compare.
                return
            }
            let tasks = 2000
            let (threads, meminfo) = try Self.runSampled(Self.spec("pthread", tasks: tasks), executable: executable)
            #expect(threads.status == .ok, "\(threads.message)")
            let perThread = try #require(threads[RunnerColumns.kernelPerTask])
            let independent = Double(meminfo) / Double(tasks)
            // Other tests run beside this one and the whole system is in meminfo: a wide margin.
            #expect(
                perThread > independent * 0.6 && perThread < independent * 1.6,
                "cgroup: \(perThread) B per thread, /proc/meminfo: \(independent) B per thread")
            #expect(threads[RunnerColumns.totalPerTask] == threads[RunnerColumns.rssPerTask].map { $0 + perThread })
            // The cell's cgroup is gone once it ended.
            let parent = try #require(KernelMemory.runSource.cgroupParent)
            #expect(!Files.list(parent).contains { $0.hasPrefix("asyncbench-\(getpid())-") })

            let (async, _) = try Self.runSampled(Self.spec("async", tasks: tasks), executable: executable)
            let perTask = try #require(async[RunnerColumns.kernelPerTask])
            #expect(perTask * 5 < perThread, "async \(perTask) B per task, pthread \(perThread) B per thread")
        }
    }
}

/// A plain thread for the sampler (the test must not take a cooperative-pool thread for it).
private final class Thread: @unchecked Sendable {
    private var thread = pthread_t()
    private let body: @Sendable () -> Void

    init(_ body: @escaping @Sendable () -> Void) {
        self.body = body
        let unmanaged = Unmanaged.passRetained(self)
        pthread_create(
            &thread, nil,
            { argument in
                let this = Unmanaged<Thread>.fromOpaque(argument!).takeRetainedValue()
                this.body()
                return nil
            }, unmanaged.toOpaque())
    }

    func join() { pthread_join(thread, nil) }
}
