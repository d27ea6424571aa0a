import CAsyncBench

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

    /// Prepares a workload for one cell. Throws `CellFailure.setup` when it cannot.
    init(parameters: WorkloadParameters) throws(CellFailure)

    /// The body each of the cell's tasks runs; called once per cell, before any timing.
    func makeBody() throws(CellFailure) -> TaskBody
}

extension Workload {
    public static var hidden: Bool { false }
}

/// The parameters a workload reads. Workloads added later add fields here.
public struct WorkloadParameters: Codable, Sendable, Equatable {
    /// How long each task waits, in nanoseconds (`--latency`).
    public var latencyNanoseconds: Int64

    public init(latencyNanoseconds: Int64) {
        self.latencyNanoseconds = latencyNanoseconds
    }
}

/// One task's code in the three forms the backends run it in.
///
/// - `blocking`: on a thread that may block (pthread, dispatch, sequential);
/// - `async`: inside a Swift task, waits suspend instead of blocking;
/// - `process`: in a forked child, which may only run async-signal-safe C code.
///
/// Each form receives the task's index, 0..<tasks.
public struct TaskBody: Sendable {
    public var blocking: @Sendable (Int) throws -> Void
    public var async: @Sendable (Int) async throws -> Void
    public var process: ProcessTask

    public init(
        blocking: @escaping @Sendable (Int) throws -> Void,
        async: @escaping @Sendable (Int) async throws -> Void,
        process: ProcessTask
    ) {
        self.blocking = blocking
        self.async = async
        self.process = process
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

    private final class ContextStorage {
        let pointer: UnsafeMutableRawPointer

        init<Context: BitwiseCopyable>(_ value: Context) {
            pointer = UnsafeMutableRawPointer.allocate(
                byteCount: MemoryLayout<Context>.size, alignment: MemoryLayout<Context>.alignment)
            pointer.storeBytes(of: value, as: Context.self)
        }

        deinit { pointer.deallocate() }
    }
}
