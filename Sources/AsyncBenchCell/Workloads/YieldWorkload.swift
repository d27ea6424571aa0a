import AsyncBenchModel
import AsyncBenchResults

#if canImport(Glibc)
    import Glibc
#endif

/// Each task gives up its thread or executor `--rounds` times, one after another: `Task.yield()`
/// in async tasks (the executor runs another ready task, if any), `sched_yield()` in threads and
/// processes (the kernel runs another ready thread, if any). `yield_ns` = wall / (tasks ×
/// rounds): what one yield costs when the tasks take turns. Measures the scheduler's hand-over
/// itself, without a peer to wake (compare `switch`).
public enum YieldWorkload: Workload {
    public typealias Options = SwitchWorkload.Options
    public typealias Parameters = SwitchWorkload.Parameters

    public static let name = "yield"
    public static let summary =
        "Each task yields its thread or executor --rounds times (Task.yield, sched_yield); reports ns per yield"
    public static let defaultTasks = [1, 2, 10]
    public static let usesLatency = false
    /// A 1 ms sampler thread would take turns with the yielding threads.
    public static let samplesThreads = false
    public static let measuresMemory = false

    public static let yieldNanoseconds = Column<Double>(
        "yield_ns", "wall_ms_median / (tasks × rounds), ns: one yield while the tasks take turns (yield only)",
        digits: 1, summary: "ns/yield")
    public static let columns = [SwitchWorkload.rounds.erased, yieldNanoseconds.erased]

    public static func plan(_ options: Options, latencies: [Int64]) throws(UsageError) -> WorkloadPlan<Parameters> {
        WorkloadPlan(parameters: Parameters(rounds: try options.checked()), latencies: [0])
    }

    public static func body(_ cell: WorkloadCell<Parameters>) throws(CellFailure) -> TaskBody {
        let rounds = cell.parameters.rounds
        guard rounds >= 1 else { throw .setup("--rounds must be at least 1, got \(rounds)") }
        return TaskBody(
            blocking: { _ in
                for _ in 0..<rounds { sched_yield() }
            },
            async: { _ in
                for _ in 0..<rounds { await Task.yield() }
            },
            // A forked child runs only this C-convention loop: sched_yield is async-signal-safe, and
            // the rounds are read from the context without touching the Swift runtime.
            process: ProcessTask(
                function: { context, _ in
                    let rounds = context?.load(as: Int.self) ?? 0
                    for _ in 0..<rounds { sched_yield() }
                    return 0
                }, context: rounds))
    }

    public static func figures(_ cell: WorkloadCell<Parameters>, report: CellReport, into row: inout ResultRow) {
        guard let wall = row[RunnerColumns.wallMedian] else { return }
        row[SwitchWorkload.rounds] = cell.parameters.rounds
        row[yieldNanoseconds] = wall * 1e6 / Double(cell.tasks * cell.parameters.rounds)
    }
}
