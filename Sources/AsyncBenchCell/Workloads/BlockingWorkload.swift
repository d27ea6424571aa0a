import ArgumentParser
import AsyncBenchModel
import AsyncBenchResults
import CAsyncBench

/// Claim C6: one blocking call inside async code stalls the other tasks. Every task waits until
/// a deadline shared by the repetition (its start + `--latency`); the `--blocking-fraction` of
/// tasks spread evenly among them (0.1: tasks 9, 19, ...) first make a blocking call of
/// `--block-ms` (nanosleep on the thread they run on). `lateness_us_*` summarize how late the
/// *other* tasks woke past the deadline: what a blocked thread costs the tasks sharing it.
/// Threads and processes make the call the same way, in their own thread.
public enum BlockingWorkload: Workload {
    public static let name = "blocking"
    public static let summary =
        "Tasks wait --latency to a shared deadline; --blocking-fraction of them first block their thread for --block-ms"
    public static let defaultTasks = [10, 100]

    /// The options of both blocking workloads.
    public struct Options: WorkloadOptionGroup {
        @Option(help: "Share of tasks that make a blocking call, 0 to 1 (blocking workloads; 0.1 = every tenth task).")
        public var blockingFraction = 0.1

        @Option(help: "How long that blocking call blocks its thread, in ms (blocking workloads).")
        public var blockMs = 20

        public init() {}
        public var settings: [String] { ["blocking-fraction=\(blockingFraction)", "block-ms=\(blockMs)"] }
        public static func arguments(setting name: String, value: String) -> [String]? {
            ["blocking-fraction", "block-ms"].contains(name) ? ["--\(name)", value] : nil
        }
    }

    public struct Parameters: Codable, Sendable, Equatable {
        /// Share of tasks that block, and for how long, ns.
        public var blockingFraction: Double
        public var blockNanoseconds: Int64
        public init(blockingFraction: Double, blockNanoseconds: Int64) {
            self.blockingFraction = blockingFraction
            self.blockNanoseconds = blockNanoseconds
        }
    }

    public static let blockingFraction = Column<Double>(
        "blocking_fraction", "share of tasks that make a blocking call (--blocking-fraction; blocking workloads only)",
        digits: 4)
    public static let blockMilliseconds = Column<Double>(
        "block_ms", "how long that call blocks its thread, ms (--block-ms; blocking workloads only)")
    public static let columns = [blockingFraction.erased, blockMilliseconds.erased] + SleepWorkload.columns

    public static func plan(_ options: Options, latencies: [Int64]) throws(UsageError) -> WorkloadPlan<Parameters> {
        guard (0...1).contains(options.blockingFraction) else {
            throw .outOfRange(
                option: "--blocking-fraction", value: "\(options.blockingFraction)", range: "between 0 and 1")
        }
        guard (0...60_000).contains(options.blockMs) else {
            throw .outOfRange(option: "--block-ms", value: "\(options.blockMs)", range: "between 0 and 60000")
        }
        return WorkloadPlan(
            parameters: Parameters(
                blockingFraction: options.blockingFraction, blockNanoseconds: Int64(options.blockMs) * 1_000_000),
            latencies: latencies)
    }

    public static func figures(_ cell: WorkloadCell<Parameters>, report: CellReport, into row: inout ResultRow) {
        row.figures.merge(report.figures, only: columns)
        row[blockingFraction] = cell.parameters.blockingFraction
        row[blockMilliseconds] = Double(cell.parameters.blockNanoseconds) / 1e6
    }

    public static func body(_ cell: WorkloadCell<Parameters>) throws(CellFailure) -> TaskBody {
        try BlockingTasks(cell, offload: nil).body
    }
}

/// C6's remedy: the same tasks, but async code hands each blocking call to a dedicated thread
/// pool and awaits it (Python's `asyncio.to_thread`; the pool has min(32, cores + 4) threads,
/// as Python's default executor). Async backends only.
public enum OffloadedBlockingWorkload: OffloadedWorkload {
    public typealias InPlace = BlockingWorkload

    public static let name = "blocking-offload"
    public static let summary =
        "The blocking workload with each blocking call offloaded to a thread pool and awaited (asyncio.to_thread); async backends only"

    public static func body(_ cell: WorkloadCell<Parameters>) throws(CellFailure) -> TaskBody {
        try BlockingTasks(cell, offload: WorkerPool.offloadPool()).body
    }
}

/// The tasks of both blocking workloads: the C task context, the lateness slots, and the pool
/// blocking calls are offloaded to (nil: made in place).
final class BlockingTasks: @unchecked Sendable {
    let context: UnsafeMutablePointer<CAsyncBench_blocking_task>
    let slots: SharedSlots
    let offload: WorkerPool?

    init(_ cell: WorkloadCell<BlockingWorkload.Parameters>, offload: WorkerPool?) throws(CellFailure) {
        slots = try SharedSlots(tasks: cell.tasks, what: "lateness")
        let parameters = cell.parameters
        self.offload = offload
        context = .allocate(capacity: 1)
        context.initialize(
            to: CAsyncBench_blocking_task(
                start_ns: 0, nanoseconds: cell.latencyNanoseconds, block_ns: parameters.blockNanoseconds,
                fraction: parameters.blockingFraction, lateness: slots.pointer, slots: Int64(slots.count)))
    }

    deinit {
        offload?.shutdown()
        context.deallocate()
    }

    var body: TaskBody {
        var body = TaskBody(
            blocking: { index in
                let rc = CAsyncBench_blocking_task_run(self.context, Int64(index))
                if rc != 0 { throw SystemError("clock_nanosleep", errno: rc) }
            },
            async: { index in try await self.runAsync(index) },
            process: ProcessTask(function: CAsyncBench_task_blocking, context: context, owner: self),
            beforeRepetition: { self.context.pointee.start_ns = CAsyncBench_monotonic_ns() })
        // The tasks that blocked are not counted: their lateness is their own block.
        SleepWorkload.lateness({ self.slots.values.filter { $0 != Int64.min } }, into: &body)
        return body
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
