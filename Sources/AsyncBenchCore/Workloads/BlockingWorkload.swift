import CAsyncBench

/// Claim C6: one blocking call inside async code stalls the other tasks. Every task waits until
/// a deadline shared by the repetition (its start + `--latency`); the `--blocking-fraction` of
/// tasks spread evenly among them (0.1: tasks 9, 19, ...) first make a blocking call of
/// `--block-ms` (nanosleep on the thread they run on). `lateness_us_*` summarize how late the
/// *other* tasks woke past the deadline: what a blocked thread costs the tasks sharing it.
/// Threads and processes make the call the same way, in their own thread.
public struct BlockingWorkload: Workload {
    public static let name = "blocking"
    public static let summary =
        "Tasks wait --latency to a shared deadline; --blocking-fraction of them first block their thread for --block-ms"
    public static let defaultTasks = [10, 100]
    public static let makesBlockingCalls = true

    let parameters: WorkloadParameters

    public init(parameters: WorkloadParameters) throws(CellFailure) {
        self.parameters = try BlockingTasks.check(parameters)
    }

    public func makeBody(tasks: Int) throws(CellFailure) -> TaskBody {
        try BlockingTasks(parameters: parameters, tasks: tasks, offload: nil).body
    }
}

/// C6's remedy: the same tasks, but async code hands each blocking call to a dedicated thread
/// pool and awaits it (Python's `asyncio.to_thread`; the pool has min(32, cores + 4) threads,
/// as Python's default executor). Async backends only.
public struct OffloadedBlockingWorkload: Workload {
    public static let name = "blocking-offload"
    public static let summary =
        "The blocking workload with each blocking call offloaded to a thread pool and awaited (asyncio.to_thread); async backends only"
    public static let defaultTasks = BlockingWorkload.defaultTasks
    public static let asyncOnly = true
    public static let makesBlockingCalls = true

    let parameters: WorkloadParameters

    public init(parameters: WorkloadParameters) throws(CellFailure) {
        self.parameters = try BlockingTasks.check(parameters)
    }

    public func makeBody(tasks: Int) throws(CellFailure) -> TaskBody {
        try BlockingTasks(parameters: parameters, tasks: tasks, offload: WorkerPool.offloadPool()).body
    }
}

/// The tasks of both blocking workloads: the C task context, the lateness slots, and the pool
/// blocking calls are offloaded to (nil: made in place).
final class BlockingTasks: @unchecked Sendable {
    let context: UnsafeMutablePointer<CAsyncBench_blocking_task>
    let slots: SharedSlots
    let offload: WorkerPool?

    static func check(_ parameters: WorkloadParameters) throws(CellFailure) -> WorkloadParameters {
        guard (0...1).contains(parameters.blockingFraction) else {
            throw .setup("--blocking-fraction must be between 0 and 1")
        }
        guard parameters.blockNanoseconds >= 0 else { throw .setup("--block-ms must not be negative") }
        return parameters
    }

    init(parameters: WorkloadParameters, tasks: Int, offload: WorkerPool?) throws(CellFailure) {
        slots = try SharedSlots(tasks: tasks, what: "lateness")
        self.offload = offload
        context = .allocate(capacity: 1)
        context.initialize(
            to: CAsyncBench_blocking_task(
                start_ns: 0, nanoseconds: parameters.latencyNanoseconds, block_ns: parameters.blockNanoseconds,
                fraction: parameters.blockingFraction, lateness: slots.pointer, slots: Int64(slots.count)))
    }

    deinit {
        offload?.shutdown()
        context.deallocate()
    }

    var body: TaskBody {
        TaskBody(
            blocking: { index in
                let rc = CAsyncBench_blocking_task_run(self.context, Int64(index))
                if rc != 0 { throw SystemError("clock_nanosleep", errno: rc) }
            },
            async: { index in try await self.runAsync(index) },
            process: ProcessTask(function: CAsyncBench_task_blocking, context: context, owner: self),
            taskLatenessNanoseconds: { self.slots.values.filter { $0 != Int64.min } },
            beforeRepetition: { self.context.pointee.start_ns = CAsyncBench_monotonic_ns() })
    }

    func runAsync(_ index: Int) async throws {
        let task = context.pointee
        let blocks = CAsyncBench_task_blocks(Int64(index), task.fraction) != 0
        if blocks {
            let block = task.block_ns
            if let offload {
                _ = await offload.perform { CAsyncBench_sleep_ns(block) }
            } else {
                _ = CAsyncBench_sleep_ns(block)  // in place: this thread is blocked
            }
        }
        let deadline = task.start_ns + task.nanoseconds
        let remaining = deadline - CAsyncBench_monotonic_ns()
        if remaining > 0 { try await Task.sleep(nanoseconds: UInt64(remaining)) }
        slots.record(index, blocks ? Int64.min : CAsyncBench_monotonic_ns() - deadline)
    }
}
