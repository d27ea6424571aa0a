import CAsyncBench
import NIOCore

/// Each task waits `--latency`: the purest form of "waiting on I/O". Threads and processes
/// block in `clock_nanosleep` (CLOCK_MONOTONIC, resumed after signals); async tasks suspend in
/// `Task.sleep`, freeing their thread; on SwiftNIO a task is a timer scheduled on its loop. Each task records how late it woke (its lateness: the
/// scheduler's delay), in memory shared with forked children.
public struct SleepWorkload: Workload {
    public static let name = "sleep"
    public static let runsInHelper = true
    public static let summary = "Each task waits --latency (threads block in clock_nanosleep; async tasks suspend)"

    let nanoseconds: Int64

    public init(parameters: WorkloadParameters) {
        nanoseconds = parameters.latencyNanoseconds
    }

    public func makeBody(tasks: Int) throws(CellFailure) -> TaskBody {
        let nanoseconds = self.nanoseconds
        let slots = try LatenessSlots(tasks: tasks, nanoseconds: nanoseconds)
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
            taskLatenessNanoseconds: { slots.values },
            eventLoop: { loop, index in
                // A timer on the loop (epoll timerfd): no thread waits.
                let deadline = CAsyncBench_monotonic_ns() + nanoseconds
                return loop.scheduleTask(in: .nanoseconds(nanoseconds)) {
                    slots.record(index, CAsyncBench_monotonic_ns() - deadline)
                }.futureResult
            })
        body.helper = ["sleep", "\(nanoseconds)"]
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

        /// Every task's lateness from the last repetition.
        var values: [Int64] { slots.values }
    }
}
