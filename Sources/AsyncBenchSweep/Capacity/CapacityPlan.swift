import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import CAsyncBench

#if canImport(Glibc)
    import Glibc
#endif

/// The options of `asyncbench capacity`, as typed; `CapacityPlan` validates them.
public struct CapacityOptions: Sendable {
    public var backends = "all"
    public var workload = "sleep"
    /// How long each task waits: long enough that all N are alive at once.
    public var latency = "2s"
    public var start = 1000
    public var maxTasks = RunPlan.maxTasks
    /// nil: 16 GiB or 60% of the memory available now, whichever is less.
    public var memoryBudget: String? = nil
    public var timeBudget = "60s"
    public var threadStack = "64KiB"
    /// nil: the kernel's limit less the threads running now less 2048 (`KernelLimits.taskCap`).
    public var maxThreads: Int? = nil
    public var maxProcesses: Int? = nil
    public var out: String? = nil
    public var overwrite = false
    public var progress = true

    public init() {}
}

/// A validated capacity run: which backends, the search's bounds, where results go.
public struct CapacityPlan: Sendable {
    public var backends: [String]
    public var workload: String
    public var latencyNanoseconds: Int64
    public var search: CapacitySearch
    public var options: BackendOptions
    public var outputDirectory: String
    /// The output folder's lock, held as long as this plan (and so the search) lives.
    public var outputLock: OutputLock
    public var progress: Bool
    public var settings: [String]

    public init(_ typed: CapacityOptions) throws(UsageError) {
        var run = RunOptions()
        run.backends = typed.backends
        run.workloads = typed.workload
        run.latencies = typed.latency
        run.threadStack = typed.threadStack
        run.out = typed.out
        run.overwrite = typed.overwrite
        run.maxThreads = typed.maxThreads ?? KernelLimits.taskCap()
        run.maxProcesses = typed.maxProcesses ?? KernelLimits.taskCap()
        run.tasks = "1"
        run.reps = 1
        run.warmup = 0
        guard typed.workload == SleepWorkload.name else {
            throw .workloadProblem(
                "capacity searches the sleep workload (--workload sleep); got '\(typed.workload)'")
        }
        // Every option of its own is checked before RunPlan, which makes and locks the output
        // folder last: refused input leaves nothing behind.
        guard (1...RunPlan.maxTasks).contains(typed.start) else {
            throw .outOfRange(option: "--start", value: "\(typed.start)", range: "between 1 and \(RunPlan.maxTasks)")
        }
        guard (typed.start...RunPlan.maxTasks).contains(typed.maxTasks) else {
            throw .outOfRange(
                option: "--max-tasks", value: "\(typed.maxTasks)", range: "between --start and \(RunPlan.maxTasks)")
        }
        let available = Measurement.memoryAvailableBytes() ?? (16 << 30)
        let budget =
            try typed.memoryBudget.map { text throws(UsageError) in
                try Units.parseSize(text, option: "--memory-budget")
            } ?? min(16 << 30, available / 10 * 6)
        guard budget >= 64 << 20 else {
            throw .outOfRange(option: "--memory-budget", value: typed.memoryBudget ?? "", range: "at least 64MiB")
        }
        let time = try Units.parseDuration(typed.timeBudget, option: "--time-budget")
        guard time >= 1_000_000_000 else {
            throw .outOfRange(option: "--time-budget", value: typed.timeBudget, range: "at least 1s")
        }
        for text in try RunPlan.list(typed.latency, option: "--latency") {
            guard try Units.parseDuration(text, option: "--latency") >= 10_000_000 else {
                throw .outOfRange(
                    option: "--latency", value: typed.latency,
                    range: "at least 10ms (tasks must all be waiting at once)")
            }
        }
        // RunPlan checks the shared options (backends, latency, stack, caps, output folder).
        let plan = try RunPlan(run)
        guard let first = plan.cells.first else { throw .workloadProblem("no backend to search") }
        backends = plan.cells.map(\.spec.backend).uniqued()
        workload = typed.workload
        latencyNanoseconds = first.spec.latencyNanoseconds
        options = first.spec.options
        search = CapacitySearch(
            start: typed.start, maxTasks: typed.maxTasks, memoryBudgetBytes: budget, timeBudgetNanoseconds: time,
            baselineBytes: 32 << 20)
        outputDirectory = plan.outputDirectory
        outputLock = plan.outputLock
        progress = typed.progress
        settings = [
            "latency=\(Units.formatDuration(nanoseconds: latencyNanoseconds))", "start=\(typed.start)",
            "max-tasks=\(typed.maxTasks)", "memory-budget=\(Units.formatBytes(budget))",
            "time-budget=\(Units.formatDuration(nanoseconds: time))",
            "thread-stack=\(options.threadStackBytes == 0 ? "default" : Units.formatBytes(options.threadStackBytes))",
            "max-threads=\(options.maxThreads)", "max-procs=\(options.maxProcesses)",
            "pool-size=\(options.poolSize)", "loops=\(options.loops)",
        ]
    }
}
