import AsyncBenchModel
import AsyncBenchResults
import CAsyncBench
import NIOCore

/// Each task waits `--latency`: the purest form of "waiting on I/O". Threads and processes
/// block in `clock_nanosleep` (CLOCK_MONOTONIC, resumed after signals); async tasks suspend in
/// `Task.sleep`, freeing their thread; on SwiftNIO a task is a timer scheduled on its loop. Each
/// task records how late it woke (its lateness: the scheduler's delay), in memory shared with
/// forked children.
public enum SleepWorkload: Workload {
    public typealias Parameters = NoParameters
    public typealias Options = NoOptions

    public static let name = "sleep"
    public static let runsInHelper = true
    public static let summary = "Each task waits --latency (threads block in clock_nanosleep; async tasks suspend)"

    public static let latenessP50 = Column<Double>(
        "lateness_us_p50",
        "median of how late tasks woke past their deadline, µs (sleep: every task; blocking workloads: the tasks that did not block)",
        digits: 1, domain: .signed)
    public static let latenessP99 = Column<Double>(
        "lateness_us_p99", "99th percentile of task lateness, µs (sleep and blocking workloads)", digits: 1,
        domain: .signed)
    public static let latenessMax = Column<Double>(
        "lateness_us_max", "latest task wake-up past its deadline, µs (sleep and blocking workloads)", digits: 1,
        domain: .signed)
    public static let latenessP99RepetitionMin = Column<Double>(
        "lateness_us_p99_rep_min",
        "lowest p99 of task lateness in one measured repetition alone, µs: with _rep_max, the spread of lateness_us_p99 (sleep and blocking workloads)",
        digits: 1, domain: .signed)
    public static let latenessP99RepetitionMax = Column<Double>(
        "lateness_us_p99_rep_max", "highest p99 of task lateness in one measured repetition alone, µs", digits: 1,
        domain: .signed)
    public static let columns = [
        latenessP50.erased, latenessP99.erased, latenessMax.erased, latenessP99RepetitionMin.erased,
        latenessP99RepetitionMax.erased,
    ]
    /// How many tasks' lateness the percentiles cover (in the cell report only, not a column).
    public static let latenessSamples = Column<Int>("lateness_samples", "tasks behind the lateness percentiles")

    /// The lateness figures over every measured repetition of what `values` gives after each.
    static func lateness(_ values: @escaping @Sendable () -> [Int64], into body: inout TaskBody) {
        let lateness = SampleCollector()
        body.measuredRepetitionEnded = { lateness.append(values()) }
        body.figures = {
            var figures = Figures()
            let percentiles = lateness.percentiles
            figures.set(percentiles, scale: 1e3, p50: latenessP50, p99: latenessP99, max: latenessMax)
            figures[latenessSamples] = percentiles?.count
            if let spread = lateness.repetitionP99Range {
                figures[latenessP99RepetitionMin] = spread.lowerBound / 1e3
                figures[latenessP99RepetitionMax] = spread.upperBound / 1e3
            }
            return figures
        }
    }

    public static func body(_ cell: WorkloadCell<Parameters>) throws(CellFailure) -> TaskBody {
        let nanoseconds = cell.latencyNanoseconds
        let slots = try LatenessSlots(tasks: cell.tasks, nanoseconds: nanoseconds)
        var body = TaskBody(
            blocking: { index in
                let rc = CAsyncBench_sleep_task_run(slots.context, Int64(index))
                if rc != 0 { throw SystemError("clock_nanosleep", errno: rc) }
            },
            async: { index in
                let deadline = CAsyncBench_monotonic_ns() + nanoseconds
                try await Task.sleep(nanoseconds: UInt64(nanoseconds))
                slots.record(index, CAsyncBench_monotonic_ns() - deadline)
            },
            process: ProcessTask(function: CAsyncBench_task_sleep, context: slots.context, owner: slots),
            eventLoop: { loop, index in
                // A timer on the loop (epoll timerfd): no thread waits.
                let deadline = CAsyncBench_monotonic_ns() + nanoseconds
                return loop.scheduleTask(in: .nanoseconds(nanoseconds)) {
                    slots.record(index, CAsyncBench_monotonic_ns() - deadline)
                }.futureResult
            })
        body.helper = ["sleep", "\(nanoseconds)"]
        let tasks = cell.tasks
        lateness({ Array(slots.slots.values.prefix(tasks)) }, into: &body)
        return body
    }

    /// One lateness slot per task (shared with forked children) and the C task reading them.
    final class LatenessSlots: @unchecked Sendable {
        let context: UnsafeMutablePointer<CAsyncBench_sleep_task>
        let slots: SharedSlots

        init(tasks: Int, nanoseconds: Int64) throws(CellFailure) {
            slots = try SharedSlots(tasks: tasks, what: "lateness")
            context = .allocate(capacity: 1)
            context.initialize(
                to: CAsyncBench_sleep_task(nanoseconds: nanoseconds, lateness: slots.pointer, slots: Int64(slots.count))
            )
        }

        deinit { context.deallocate() }

        func record(_ index: Int, _ lateness: Int64) { slots.record(index, lateness) }
    }
}
