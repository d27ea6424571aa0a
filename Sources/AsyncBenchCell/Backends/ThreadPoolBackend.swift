import AsyncBenchModel
import AsyncBenchResults

/// A fixed pool of `--pool-size` pthreads (default: one per core) pulling tasks from a queue:
/// what most thread-based servers do instead of a thread per task. Each task blocks its pool
/// thread while it waits, so at most `--pool-size` tasks run at once; a repetition starts the
/// pool, queues every task (the creation cost: one work item each), and drains and joins it.
public struct ThreadPoolBackend: Backend {
    public static let name = "threadpool"
    public static let summary =
        "A fixed pool of --pool-size pthreads (default: one per core) pulling tasks from a queue; each blocks while it waits"

    let options: BackendOptions

    public init(options: BackendOptions) { self.options = options }

    public static func maxConcurrentTasks(_ options: BackendOptions) -> Int? { options.poolSize }

    public func run(tasks: Int, body: TaskBody) throws(CellFailure) -> TaskCount {
        let pool: WorkerPool
        do {
            pool = try WorkerPool(size: options.poolSize, stackBytes: options.threadStackBytes)
        } catch {
            throw .limit(reached: 0, cause: error.description)
        }
        let tally = TaskTally()
        tally.creating {
            for index in 0..<tasks {
                pool.submit { tally.record { try body.blocking(index) } }
            }
        }
        pool.shutdown()
        return try tally.result()
    }
}
