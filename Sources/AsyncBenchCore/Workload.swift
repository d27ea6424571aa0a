import CAsyncBench
import NIOCore

/// What one task does (sleep, a request, a file write...), offered in the forms backends need.
///
/// A workload knows nothing about how tasks are started or joined. To add one: write a type
/// conforming to this protocol in its own file and add it to `Registry.workloads`.
public protocol Workload: Sendable {
    /// The name used on the command line and in the CSV `workload` column.
    static var name: String { get }
    /// One line for `--help` and the README.
    static var summary: String { get }
    /// Hidden workloads exist for tests (e.g. `crash`) and are left out of listings.
    static var hidden: Bool { get }

    /// The task counts swept when `--tasks` is not given.
    static var defaultTasks: [Int] { get }
    /// Whether tasks wait `--latency` (sleep); the others are swept at latency 0 only.
    static var usesLatency: Bool { get }
    /// True when the cell times one task alone on its calling thread first, so that
    /// `speedup` = tasks × that time / wall (the `cpu` workload).
    static var reportsSpeedup: Bool { get }
    /// False for workloads whose timing a 1 ms sampler thread would disturb (a pinned ping-pong
    /// shares its CPU with it): their thread count is read once after each repetition.
    static var samplesThreads: Bool { get }
    /// True when the cell runs one extra, untimed memory repetition for the heap columns (heap
    /// bytes and allocations per task, fork children's memory); false where N is a handful of
    /// peers and a repetition is long (switch).
    static var measuresMemory: Bool { get }
    /// Pinned (true) and/or unpinned (false) cells swept when `--pin` is not given.
    static var defaultPinning: [Bool] { get }
    /// True for a workload that only means something inside async code (offloading a blocking
    /// call): backends that do not run async bodies skip it.
    static var asyncOnly: Bool { get }
    /// True for the workloads where some tasks make a blocking call (`--blocking-fraction`,
    /// `--block-ms`): their rows carry those parameters.
    static var makesBlockingCalls: Bool { get }
    /// True when a separate program (the `spawn` backend's helper) can run the task.
    static var runsInHelper: Bool { get }
    /// True for the workloads whose tasks write and read files (`--file-size`): their rows carry
    /// the file columns.
    static var writesFiles: Bool { get }
    /// Why `tasks` does not fit this workload (e.g. pairs need an even count), or nil.
    static func problem(tasks: Int) -> String?
    /// The `--latency` waits one task makes one after another (net: one per request); 0 for
    /// workloads that do not wait, which one thread runs quickly enough at any N. Decides which
    /// sequential and thread-pool cells `--sequential-max-tasks` skips.
    static func waitsPerTask(_ parameters: WorkloadParameters) -> Int
    /// Context switches one repetition makes per pair of peers, for workloads that measure a
    /// switch (`switch_ns` = wall / this); nil for the others.
    static func switchesPerRepetition(_ parameters: WorkloadParameters) -> Int?

    /// Prepares a workload for one cell. Throws `CellFailure.setup` when it cannot.
    init(parameters: WorkloadParameters) throws(CellFailure)

    /// The body each of the cell's `tasks` tasks runs; called once per cell, before any timing.
    func makeBody(tasks: Int) throws(CellFailure) -> TaskBody
}

extension Workload {
    public static var hidden: Bool { false }
    public static var defaultTasks: [Int] { [1, 10, 100, 1000, 10000] }
    public static var defaultPinning: [Bool] { [false] }
    public static var usesLatency: Bool { true }
    public static var samplesThreads: Bool { true }
    public static var measuresMemory: Bool { true }
    public static var asyncOnly: Bool { false }
    public static var makesBlockingCalls: Bool { false }
    public static var runsInHelper: Bool { false }
    public static var writesFiles: Bool { false }
    public static var reportsSpeedup: Bool { false }
    public static func problem(tasks: Int) -> String? { nil }
    public static func switchesPerRepetition(_ parameters: WorkloadParameters) -> Int? { nil }
    public static func waitsPerTask(_ parameters: WorkloadParameters) -> Int { 1 }
}

/// The parameters a workload reads. Workloads added later add fields here.
public struct WorkloadParameters: Codable, Sendable, Equatable {
    /// How long each task waits, in nanoseconds (`--latency`).
    public var latencyNanoseconds: Int64
    /// Round trips each pair of peers makes (`--rounds`, the `switch` workload).
    public var rounds: Int
    /// Rounds of CPU work each task does (`--work`, the `cpu` workload).
    public var work: Int
    /// Share of tasks that make a blocking call (`--blocking-fraction`, the blocking workloads).
    public var blockingFraction: Double
    /// How long that blocking call blocks, ns (`--block-ms`).
    public var blockNanoseconds: Int64
    /// The net workload: requests per task, payload bytes, the latency server's address (the
    /// sweep starts one per cell and fills in its port), a request's timeout, and the server's
    /// jitter, seed and fault rates.
    public var requests = 10
    public var payload = 64
    public var serverHost = "127.0.0.1"
    public var serverPort = 0
    public var requestTimeoutNanoseconds: Int64 = 5_000_000_000
    public var jitterNanoseconds: Int64 = 0
    public var seed: UInt64 = 1
    public var loss = 0.0
    public var reset = 0.0
    /// The file workload: bytes per file (`--file-size`), whether each write ends with fsync
    /// (`--file-sync`), and the private folder its files go to (the sweep makes one per cell and
    /// removes it afterwards; empty: the workload makes and removes its own under `--file-dir`).
    public var fileBytes = 4096
    public var fileSync = false
    public var fileDirectory = ""
    /// Where private folders of the file workload are made (`--file-dir`; empty: $TMPDIR or /tmp).
    public var fileParent = ""

    public init(
        latencyNanoseconds: Int64, rounds: Int = 200_000, work: Int = 10_000_000, blockingFraction: Double = 0.1,
        blockNanoseconds: Int64 = 20_000_000
    ) {
        self.latencyNanoseconds = latencyNanoseconds
        self.rounds = rounds
        self.work = work
        self.blockingFraction = blockingFraction
        self.blockNanoseconds = blockNanoseconds
    }
}

/// One task's code in the three forms the backends run it in.
///
/// - `blocking`: on a thread that may block (pthread, dispatch, sequential);
/// - `async`: inside a Swift task, waits suspend instead of blocking;
/// - `process`: in a forked child, which may only run async-signal-safe C code;
/// - `dispatch` (optional): as a Dispatch block, when the workload has a Dispatch-native way to
///   wait (semaphores); the dispatch backend runs `blocking` otherwise;
/// - `eventLoop` (optional): as futures on a SwiftNIO event loop (a timer for a wait).
///
/// Each form receives the task's index, 0..<tasks.
public struct TaskBody: Sendable {
    public var blocking: @Sendable (Int) throws -> Void
    public var async: @Sendable (Int) async throws -> Void
    public var process: ProcessTask
    public var dispatch: (@Sendable (Int) throws -> Void)?
    /// Each task's lateness in the last repetition (ns past its deadline), for workloads that
    /// wait until a deadline (sleep); read by the runner after each measured repetition.
    public var taskLatenessNanoseconds: (@Sendable () -> [Int64])?
    /// Set by the runner for its memory repetition only: where forked children report their
    /// own memory (the fork backend passes it to its children).
    public var childMemory: ChildMemorySlots? = nil
    /// Called by the runner just before each repetition starts its tasks (e.g. to set a deadline
    /// the repetition's tasks share).
    public var beforeRepetition: (@Sendable () -> Void)?
    /// The task as event-loop work (futures, scheduled tasks), for workloads with a native form
    /// on SwiftNIO's loops; the `nio` backend runs the `async` body on its loops otherwise.
    public var eventLoop: (@Sendable (any EventLoop, Int) -> EventLoopFuture<Void>)?
    /// What each task timed in the last repetition, ns, for the runner: each request's round trip
    /// (net), each file's write-read-verify (file).
    public var operationLatencyNanoseconds: (@Sendable () -> [Int64])? = nil
    /// Requests sent, answered and failed so far over every repetition (net workload).
    public var requestCounts: (@Sendable () -> RequestCounts)? = nil
    /// The task as arguments of the helper program the `spawn` backend starts (after
    /// `CASYNCBENCH_HELPER_FLAG`), for workloads a separate program can run; nil otherwise.
    public var helper: [String]? = nil

    public init(
        blocking: @escaping @Sendable (Int) throws -> Void,
        async: @escaping @Sendable (Int) async throws -> Void,
        process: ProcessTask,
        dispatch: (@Sendable (Int) throws -> Void)? = nil,
        taskLatenessNanoseconds: (@Sendable () -> [Int64])? = nil,
        beforeRepetition: (@Sendable () -> Void)? = nil,
        eventLoop: (@Sendable (any EventLoop, Int) -> EventLoopFuture<Void>)? = nil
    ) {
        self.blocking = blocking
        self.async = async
        self.process = process
        self.dispatch = dispatch
        self.taskLatenessNanoseconds = taskLatenessNanoseconds
        self.beforeRepetition = beforeRepetition
        self.eventLoop = eventLoop
    }
}

/// The body a forked child runs: a C function (async-signal-safe calls only) and its context.
///
/// The context is a copy of `value` held for as long as this value lives, so the pointer the
/// child receives stays valid in the parent's address space that fork copied.
public struct ProcessTask: @unchecked Sendable {
    public let function: CAsyncBench_task_fn
    private let storage: ContextStorage

    /// The context pointer passed to `function`.
    public var context: UnsafeMutableRawPointer { storage.pointer }

    public init<Context: BitwiseCopyable>(function: CAsyncBench_task_fn, context value: Context) {
        self.function = function
        self.storage = ContextStorage(value)
    }

    /// A task whose context is memory the caller owns and keeps alive (e.g. an array of pipes).
    public init(function: CAsyncBench_task_fn, context pointer: UnsafeMutableRawPointer, owner: AnyObject) {
        self.function = function
        self.storage = ContextStorage(borrowing: pointer, owner: owner)
    }

    private final class ContextStorage {
        let pointer: UnsafeMutableRawPointer
        /// Set when the memory belongs to `owner`, which this keeps alive instead of freeing it.
        let owner: AnyObject?

        init<Context: BitwiseCopyable>(_ value: Context) {
            pointer = UnsafeMutableRawPointer.allocate(
                byteCount: MemoryLayout<Context>.size, alignment: MemoryLayout<Context>.alignment)
            pointer.storeBytes(of: value, as: Context.self)
            owner = nil
        }

        init(borrowing pointer: UnsafeMutableRawPointer, owner: AnyObject) {
            self.pointer = pointer
            self.owner = owner
        }

        deinit {
            if owner == nil { pointer.deallocate() }
        }
    }
}

/// What a cell's clients did with the latency server, over every repetition (warm-up included,
/// as the server counts them): sent = answered + failed.
public struct RequestCounts: Codable, Sendable, Equatable {
    public var sent = 0
    public var answered = 0
    public var failed = 0
    /// Of the failed: no response within the timeout, and connections reset or closed by the server.
    public var timedOut = 0
    public var reset = 0
    /// Median time to connect, ns.
    public var connectNanoseconds: Int64? = nil

    public init(sent: Int = 0, answered: Int = 0, failed: Int = 0, connectNanoseconds: Int64? = nil) {
        self.sent = sent
        self.answered = answered
        self.failed = failed
        self.connectNanoseconds = connectNanoseconds
    }
}
