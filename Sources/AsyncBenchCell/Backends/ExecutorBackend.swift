import AsyncBenchModel
import AsyncBenchResults

/// Swift async tasks confined to one thread: a task group whose tasks prefer a task executor
/// that runs every job on a single dedicated pthread (a one-thread `WorkerPool`). The closest
/// Swift analogue of an asyncio event loop: waits suspend, but only one task runs at any moment,
/// so CPU work and blocking calls hold up every other task.
public struct ExecutorBackend: Backend {
    public static let name = "executor"
    public static let summary =
        "Swift async tasks on a task executor with a single thread (like an asyncio loop); waits suspend"

    public static let runsAsyncBodies = true

    let options: BackendOptions

    public init(options: BackendOptions) { self.options = options }

    public func run(tasks: Int, body: TaskBody) throws(CellFailure) -> TaskCount {
        let executor: SingleThreadExecutor
        do {
            executor = try SingleThreadExecutor(stackBytes: options.threadStackBytes)
        } catch {
            throw .limit(reached: 0, cause: error.description)
        }
        defer { executor.shutdown() }
        return try AsyncBackend.runTaskGroup(tasks: tasks, body: body, executors: [executor])
    }
}

/// A task executor that runs every job it is given on one thread, in order.
public final class SingleThreadExecutor: TaskExecutor {
    private let thread: WorkerPool

    public init(stackBytes: Int) throws(SystemError) {
        thread = try WorkerPool(size: 1, stackBytes: stackBytes)
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        thread.submit { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    /// Runs the jobs already queued, then stops the thread.
    public func shutdown() { thread.shutdown() }
}
