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

@Suite struct UnitsTests {
    @Test(arguments: [
        ("10ms", Int64(10_000_000)), ("1s", 1_000_000_000), ("250us", 250_000), ("500ns", 500),
        ("1.5s", 1_500_000_000), (" 20ms ", 20_000_000), ("2m", 120_000_000_000),
    ])
    func durationsWithUnitsParse(text: String, nanoseconds: Int64) throws {
        #expect(try Units.parseDuration(text, option: "--latency") == nanoseconds)
    }

    @Test(arguments: ["10", "", "ms", "ten ms", "10 parsecs", "10msx"])
    func malformedDurationsAreRefused(text: String) {
        #expect(throws: UsageError.badDuration(option: "--latency", value: text)) {
            try Units.parseDuration(text, option: "--latency")
        }
    }

    @Test(arguments: ["1e20s", "1000000s", "20000m"])
    func durationsTooLongAreOutOfRange(text: String) {
        #expect(
            throws: UsageError.outOfRange(option: "--latency", value: "'\(text)'", range: "below 1000000s (11.5 days)")
        ) {
            try Units.parseDuration(text, option: "--latency")
        }
    }

    @Test func sizesParse() throws {
        #expect(try Units.parseSize("64KiB", option: "x") == 65536)
        #expect(try Units.parseSize("8MiB", option: "x") == 8 << 20)
        #expect(try Units.parseSize("16384", option: "x") == 16384)
        #expect(throws: UsageError.self) { try Units.parseSize("64kb", option: "x") }
        #expect(Units.formatBytes(65536) == "64KiB")
        #expect(Units.formatDuration(nanoseconds: 10_000_000) == "10ms")
    }
}

@Suite struct RunPlanTests {
    /// Options that pass validation, writing into a fresh temporary folder.
    static func options(_ change: (inout RunOptions) -> Void = { _ in }) -> RunOptions {
        var options = RunOptions()
        options.out = temporaryDirectory() + "/out"
        change(&options)
        return options
    }

    @Test func defaultsExpandToEveryBackendAndTaskCount() throws {
        let plan = try RunPlan(Self.options { $0.poolSize = 2 })
        // Every claim's workload on every backend: sleep at 5 task counts, switch pinned and
        // not, cpu at 1, the cores and twice the cores, blocking and blocking-offload at 2, net,
        // file and file-offload at 3, file-sync and file-sync-offload at 2.
        #expect(
            plan.cells.map(\.spec.workload).uniqued() == [
                "sleep", "switch", "cpu", "blocking", "blocking-offload", "net", "file", "file-offload", "file-sync",
                "file-sync-offload",
            ])
        let cpu = CPUWorkload.defaultTasks.count
        #expect(plan.cells.count == Registry.visibleBackendNames.count * (5 + 2 + cpu + 2 + 2 + 3 + 3 + 3 + 2 + 2))
        // The main job runs under its time budget, each series' smallest N first.
        #expect(plan.budget?.nanoseconds == 90_000_000_000)
        #expect(plan.settings.contains("budget=90s"))
        let order = plan.runOrder.map { plan.cells[$0].spec }
        let lastWorkloadFirst = try #require(order.firstIndex { $0.workload == "file-sync-offload" })
        let sleepSecond = try #require(order.firstIndex { $0.workload == "sleep" && $0.tasks == 10 })
        #expect(lastWorkloadFirst < sleepSecond, "every workload's smallest N comes before any second N")
        let sleep = plan.cells.filter { $0.spec.workload == "sleep" }
        let run = sleep.filter { $0.skipReason == nil }
        #expect(Set(run.map(\.spec.backend)) == Set(Registry.visibleBackendNames))
        // Only the backends that run a bounded number of tasks at once are bounded by default:
        // 100 tasks per thread (the sequential baseline: 100; a pool of 2 threads: 200).
        let skipped = sleep.filter { $0.skipReason != nil }
        // and spawn (each helper costs milliseconds) above --max-spawn 1000.
        #expect(skipped.map(\.spec.backend) == ["threadpool", "threadpool", "spawn", "sequential", "sequential"])
        #expect(skipped.map(\.spec.tasks) == [1000, 10000, 10000, 1000, 10000])
        #expect(skipped.first?.skipReason?.contains("100 tasks per pool thread (2 threads)") == true)
        // net: 10 requests a task one after another, so one thread takes 10 waits per task.
        let netSkipped = plan.cells.filter { $0.spec.workload == "net" && $0.skipReason != nil }
        #expect(
            netSkipped.map { "\($0.spec.backend) \($0.spec.tasks)" } == [
                "threadpool 100", "threadpool 1000", "spawn 1", "spawn 100", "spawn 1000", "sequential 100",
                "sequential 1000",
            ])
        let files = plan.cells.filter { $0.spec.workload.hasPrefix("file") && $0.skipReason == nil }
        #expect(
            files.filter { $0.spec.workload == "file" }.count == (Registry.visibleBackendNames.count - 1) * 3,
            "all but spawn")
        #expect(
            Set(files.filter { $0.spec.workload == "file-offload" }.map(\.spec.backend)) == [
                "async", "executor", "nio",
            ])
        let synced = files.filter { $0.spec.workload.hasPrefix("file-sync") }
        #expect(synced.allSatisfy { $0.spec.parameters.decode(FileWorkload.Parameters.self)?.fileSync == true })
        #expect(
            files.filter { $0.spec.workload == "file" }.allSatisfy {
                $0.spec.parameters.decode(FileWorkload.Parameters.self)?.fileSync == false
            }, "the page cache unless --file-sync")
    }

    @Test func anOddNIsRefusedForSwitchWhenChosenAndSkippedWhenItCameWithTheDefaults() throws {
        let plan = try RunPlan(Self.options { $0.tasks = "1,4" })
        let odd = plan.cells.filter { $0.spec.workload == "switch" && $0.spec.tasks == 1 }
        #expect(!odd.isEmpty && odd.allSatisfy { $0.skipReason?.contains("--tasks must be even, got 1") == true })
        #expect(plan.cells.contains { $0.spec.workload == "switch" && $0.spec.tasks == 4 && $0.skipReason == nil })
        #expect(throws: UsageError.self) {
            try RunPlan(
                Self.options {
                    $0.workloads = "switch"
                    $0.tasks = "1"
                })
        }
    }

    @Test func aSweepWhoseWorkloadsOrTasksAreChosenHasNoBudgetUnlessGiven() throws {
        let chosen = try RunPlan(Self.options { $0.workloads = "sleep" })
        #expect(chosen.budget == nil && chosen.runOrder == Array(chosen.cells.indices))
        #expect(chosen.settings.contains("budget=none"))
        let given = try RunPlan(
            Self.options {
                $0.workloads = "sleep"
                $0.budget = "10m"
            })
        #expect(given.budget?.nanoseconds == 600_000_000_000)
        #expect(try RunPlan(Self.options { $0.budget = "none" }).budget == nil)
        #expect(throws: UsageError.self) { try RunPlan(Self.options { $0.budget = "5ms" }) }
    }

    @Test func theBudgetSkipsACellEstimatedOverItsShareAndTheLargerNOfItsSeries() {
        let budget = TimeBudget(nanoseconds: 90_000_000_000)
        // 100 tasks took 160 ms a repetition over a 10 ms wait: 10,000 would take ~15 s each.
        let small = ResultRow(
            spec: .example(backend: "dispatch", tasks: 100),
            report: .example(wallsMilliseconds: [160, 160, 160]))
        let big = CellSpec.example(backend: "dispatch", tasks: 10_000)
        let estimate = TimeBudget.estimate(big, after: [small])
        #expect(estimate?.from == 100)
        #expect((estimate?.seconds ?? 0) > 30, "\(estimate?.seconds ?? 0) s: warm-up, 2 repetitions, memory")
        let refusal = budget.refusal(big, after: [small], elapsedNanoseconds: 0)
        #expect(refusal?.hasPrefix("time budget: estimated") == true, "\(refusal ?? "")")
        #expect(refusal?.contains("more than a twelfth of the 90s budget; --budget none runs it") == true)
        let skipped = ResultRow(spec: big, status: .skipped, message: refusal ?? "")
        let bigger = CellSpec.example(backend: "dispatch", tasks: 100_000)
        #expect(
            budget.refusal(bigger, after: [small, skipped], elapsedNanoseconds: 0)
                == "time budget: a smaller N of this series was over it; --budget none runs them all")
        // A cheap cell fits; with no smaller sibling, nothing is estimated.
        #expect(budget.refusal(.example(backend: "dispatch", tasks: 200), after: [small], elapsedNanoseconds: 0) == nil)
        #expect(budget.refusal(big, after: [], elapsedNanoseconds: 0) == nil)
        // Out of budget: even a cheap cell is refused, saying how much was left.
        let late = budget.refusal(
            .example(backend: "dispatch", tasks: 200), after: [small], elapsedNanoseconds: 89_900_000_000)
        #expect(late?.contains("more than the 0.1 s left of the 90s budget") == true, "\(late ?? "")")
    }

    @Test func progressShowsTheTimeLeftAtThePaceSoFarWithinTheBudget() {
        #expect(Sweep.eta(elapsed: 10_000_000_000, done: 10, of: 30, budget: nil) == ", 10 s, ~20 s left")
        #expect(
            Sweep.eta(elapsed: 10_000_000_000, done: 10, of: 30, budget: TimeBudget(nanoseconds: 15_000_000_000))
                == ", 10 s, ~5 s left")
        #expect(Sweep.eta(elapsed: 500_000_000, done: 3, of: 30, budget: nil) == "", "nothing to say yet")
    }

    @Test func aServerElsewhereIsWarnedOfPortsHeldInTimeWait() {
        #expect(ExternalServer.portReuseWarning(host: "127.0.0.1") == nil, "loopback reuses TIME_WAIT ports")
        let reuse = Measurement.readFile("/proc/sys/net/ipv4/tcp_tw_reuse")?.trimmingWhitespace()
        let warning = ExternalServer.portReuseWarning(host: "192.0.2.2")
        if reuse == "1" {
            #expect(warning == nil)
        } else {
            #expect(warning?.contains("tcp_tw_reuse=\(reuse ?? "")") == true, "\(warning ?? "nil")")
            #expect(warning?.contains("sysctl -w net.ipv4.tcp_tw_reuse=1") == true)
        }
    }

    @Test func theMillionTasksPresetIsPkolaczksProtocol() throws {
        let plan = try RunPlan(Self.options { $0.preset = "million-tasks" })
        let every = ["async", "executor", "nio", "pthread", "python-asyncio", "python-uvloop", "go", "node"]
        #expect(Array(plan.cells.map(\.spec.backend).uniqued().prefix(8)) == every)
        #expect(Set(plan.cells.map(\.spec.backend)).isSubset(of: every + ["tokio", "tokio-current-thread"]))
        // --backend narrows the preset; the rest stays.
        let narrowed = try RunPlan(
            Self.options {
                $0.preset = "million-tasks"
                $0.backends = "go,node"
            })
        #expect(narrowed.cells.map(\.spec.backend).uniqued() == ["go", "node"])
        #expect(narrowed.cells.map(\.spec.tasks).uniqued() == [1, 10_000, 100_000, 1_000_000])
        #expect(plan.cells.map(\.spec.tasks).uniqued() == [1, 10_000, 100_000, 1_000_000])
        #expect(plan.cells.allSatisfy { $0.spec.latencyNanoseconds == 10_000_000_000 })
        #expect(plan.cells.allSatisfy { $0.spec.reps == 1 && $0.spec.warmup == 0 && !$0.spec.memoryRepetition })
        #expect(plan.settings.contains("preset=million-tasks"))
        #expect(throws: UsageError.self) { try RunPlan(Self.options { $0.preset = "billion-tasks" }) }
    }

    @Test(arguments: [("10ms", Int64(5_000_000_000)), ("1s", 5_000_000_000), ("10s", 30_000_000_000)])
    func theRequestTimeoutFollowsTheLatencyUnlessGiven(latency: String, timeout: Int64) throws {
        let plan = try RunPlan(
            Self.options {
                $0.backends = "async"
                $0.workloads = "net"
                $0.tasks = "1"
                $0.latencies = "10ms," + latency
            })
        for cell in plan.cells {
            let parameters = try #require(cell.spec.parameters.decode(NetWorkload.Parameters.self))
            #expect(parameters.requestTimeoutNanoseconds == timeout, "3 × the slowest reply, at least 5 s")
        }
        #expect(plan.settings.contains("request-timeout=auto"))
    }

    @Test func listsAreParsedAndDeduplicated() throws {
        let plan = try RunPlan(
            Self.options {
                $0.backends = "pthread, async,pthread"
                $0.workloads = "sleep"
                $0.tasks = "3,7"
                $0.latencies = "1ms,2ms"
            })
        #expect(
            plan.cells.map(\.spec.backend) == Array(repeating: "pthread", count: 4)
                + Array(repeating: "async", count: 4))
        #expect(plan.cells.prefix(4).map(\.spec.tasks) == [3, 7, 3, 7])
        #expect(
            plan.cells.prefix(4).map(\.spec.latencyNanoseconds) == [
                1_000_000, 1_000_000, 2_000_000, 2_000_000,
            ])
    }

    @Test(
        arguments: [
            ({ @Sendable (o: inout RunOptions) in o.backends = "pthreads" }, "unknown backend 'pthreads'"),
            ({ @Sendable (o: inout RunOptions) in o.workloads = "nap" }, "unknown workload 'nap'"),
            ({ @Sendable (o: inout RunOptions) in o.tasks = "0" }, "--tasks must be between 1 and"),
            ({ @Sendable (o: inout RunOptions) in o.tasks = "-5" }, "--tasks must be between 1 and"),
            ({ @Sendable (o: inout RunOptions) in o.tasks = "10,abc" }, "--tasks must be a whole number, got 'abc'"),
            ({ @Sendable (o: inout RunOptions) in o.tasks = "," }, "--tasks needs at least one value"),
            ({ @Sendable (o: inout RunOptions) in o.tasks = "1,,2" }, "--tasks '1,,2' has an empty item"),
            ({ @Sendable (o: inout RunOptions) in o.backends = "async," }, "--backend 'async,' has an empty item"),
            ({ @Sendable (o: inout RunOptions) in o.latencies = "10" }, "--latency must be a duration with a unit"),
            ({ @Sendable (o: inout RunOptions) in o.latencies = "fast" }, "--latency must be a duration with a unit"),
            ({ @Sendable (o: inout RunOptions) in o.reps = 0 }, "--reps must be between 1 and 1000"),
            ({ @Sendable (o: inout RunOptions) in o.warmup = -1 }, "--warmup must be between 0 and 100"),
            (
                { @Sendable (o: inout RunOptions) in o.threadStack = "1KiB" },
                "--thread-stack must be 'default' or between"
            ),
            ({ @Sendable (o: inout RunOptions) in o.cellTimeout = "soon" }, "--cell-timeout must be a duration"),
            (
                { @Sendable (o: inout RunOptions) in o.out = "/proc/asyncbench-cannot-be-here" },
                "cannot write to output folder"
            ),
        ] as [(@Sendable (inout RunOptions) -> Void, String)])
    func badInputIsRefusedWithAMessage(change: @Sendable (inout RunOptions) -> Void, message: String) {
        do {
            _ = try RunPlan(Self.options(change))
            Issue.record("expected a UsageError containing \(message)")
        } catch {
            #expect(error.description.contains(message), "\(error.description)")
        }
    }

    @Test func anOutputFileInTheWayIsRefused() throws {
        let directory = temporaryDirectory()
        let file = directory + "/a-file"
        close(open(file, O_WRONLY | O_CREAT, 0o644))
        #expect(throws: UsageError.self) { try RunPlan(Self.options { $0.out = file }) }
    }

    @Test func anEarlierRunIsNotOverwrittenSilently() throws {
        let directory = temporaryDirectory()
        close(open(directory + "/results.csv", O_WRONLY | O_CREAT, 0o644))
        #expect(throws: UsageError.outputExists(path: directory, file: "results.csv")) {
            try RunPlan(Self.options { $0.out = directory })
        }
        _ = try RunPlan(
            Self.options {
                $0.out = directory
                $0.overwrite = true
            })
    }

    @Test func nothingIsCreatedWhenOtherInputIsBad() {
        let out = temporaryDirectory() + "/never"
        #expect(throws: UsageError.self) {
            try RunPlan(
                Self.options {
                    $0.out = out
                    $0.tasks = "0"
                })
        }
        #expect(access(out, F_OK) != 0)
    }
}

/// The output folder is locked for the run's lifetime, and --overwrite replaces a run whole.
@Suite struct OutputFolderTests {
    @Test func aSecondRunOnALiveRunsFolderIsRefusedWithItsPid() throws {
        let out = temporaryDirectory() + "/out"
        var first: RunPlan? = try RunPlan(RunPlanTests.options { $0.out = out })
        #expect(first != nil)
        for overwrite in [false, true] {
            #expect(throws: UsageError.outputInUse(path: out, pid: "\(getpid())")) {
                try RunPlan(
                    RunPlanTests.options {
                        $0.out = out
                        $0.overwrite = overwrite
                    })
            }
        }
        first = nil  // the run ended: its lock is gone
        #expect(throws: Never.self) { try RunPlan(RunPlanTests.options { $0.out = out }) }
    }

    @Test func overwriteRemovesEveryFileOfTheReplacedRun() throws {
        let out = temporaryDirectory() + "/out"
        try Files.makeDirectories(out + "/charts")
        for name in ["results.csv", "run.json", "REPORT.md", "charts/efficiency.png"] {
            try Files.writeAtomically("old", to: out + "/" + name)
        }
        try Files.writeAtomically("mine", to: out + "/notes.txt")
        #expect(throws: UsageError.outputExists(path: out, file: "results.csv")) {
            try RunPlan(RunPlanTests.options { $0.out = out })
        }
        _ = try RunPlan(
            RunPlanTests.options {
                $0.out = out
                $0.overwrite = true
            })
        #expect(
            Files.list(out) == [".asyncbench.lock", "notes.txt"],
            "the old run's report and charts are gone, nothing else")
    }
}
