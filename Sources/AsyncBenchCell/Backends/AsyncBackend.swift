import AsyncBenchModel
import AsyncBenchResults
import Dispatch

/// Swift structured concurrency: one child task per task in a task group, on the default
/// (multi-threaded, cooperative) executor. Waits suspend the task rather than block a thread.
/// `run` blocks its caller until the group is done: call it from a thread outside the
/// cooperative pool (the cell process's main thread), or the pool can run out of threads.
public struct AsyncBackend: Backend {
    public static let name = "async"
    public static let summary =
        "Swift structured concurrency: one child task per task in a task group; waits suspend"

    public static let runsAsyncBodies = true

    public init(options: BackendOptions) {}

    public func run(tasks: Int, body: TaskBody) throws(CellFailure) -> TaskCount {
        try Self.runTaskGroup(tasks: tasks, body: body, executors: [])
    }

    /// Runs `tasks` child tasks of one task group, each preferring one of `executors` in turn
    /// (none: the default pool), and blocks the calling thread until all are done.
    static func runTaskGroup(
        tasks: Int, body: TaskBody, executors: [any TaskExecutor]
    ) throws(CellFailure) -> TaskCount {
        let tally = TaskTally()
        let finished = DispatchSemaphore(value: 0)
        // The calling thread is not part of the cooperative pool, so blocking it here is safe.
        Task(executorPreference: executors.first) {
            await withTaskGroup(of: Void.self) { group in
                tally.creating {
                    for index in 0..<tasks {
                        let executor = executors.isEmpty ? nil : executors[index % executors.count]
                        group.addTask(executorPreference: executor) {
                            await tally.recordAsync { try await body.async(index) }
                        }
                    }
                }
            }
            finished.signal()
        }
        finished.wait()
        return try tally.result()
    }
}
