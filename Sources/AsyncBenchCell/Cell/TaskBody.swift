import AsyncBenchModel
import AsyncBenchResults
import CAsyncBench
import NIOCore

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
    /// Set by the runner for its memory repetition only: where forked children report their
    /// own memory (the fork backend passes it to its children).
    public var childMemory: ChildMemorySlots? = nil
    /// Called by the runner just before each repetition starts its tasks (e.g. to set a deadline
    /// the repetition's tasks share).
    public var beforeRepetition: (@Sendable () -> Void)?
    /// The task as event-loop work (futures, scheduled tasks), for workloads with a native form
    /// on SwiftNIO's loops; the `nio` backend runs the `async` body on its loops otherwise.
    public var eventLoop: (@Sendable (any EventLoop, Int) -> EventLoopFuture<Void>)?
    /// Called by the runner after each measured repetition (not after warm-up ones), e.g. to
    /// keep what the repetition's tasks timed.
    public var measuredRepetitionEnded: (@Sendable () -> Void)? = nil
    /// The workload's own figures of the cell (in its declared columns' units), asked once when
    /// the cell ends, however it ended; they go into the cell report.
    public var figures: (@Sendable () -> Figures)? = nil
    /// The task as arguments of the helper program the `spawn` backend starts (after
    /// `CASYNCBENCH_HELPER_FLAG`), for workloads a separate program can run; nil otherwise.
    public var helper: [String]? = nil
    /// Text files the workload made for the cell, by extension (net-rate: its latency
    /// histogram as `hgrm`), asked once when the cell ends; the sweep writes them beside the
    /// results.
    public var files: (@Sendable () -> [String: String])? = nil

    public init(
        blocking: @escaping @Sendable (Int) throws -> Void,
        async: @escaping @Sendable (Int) async throws -> Void,
        process: ProcessTask,
        dispatch: (@Sendable (Int) throws -> Void)? = nil,
        beforeRepetition: (@Sendable () -> Void)? = nil,
        eventLoop: (@Sendable (any EventLoop, Int) -> EventLoopFuture<Void>)? = nil
    ) {
        self.blocking = blocking
        self.async = async
        self.process = process
        self.dispatch = dispatch
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
