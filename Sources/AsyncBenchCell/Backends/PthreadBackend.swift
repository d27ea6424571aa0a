import AsyncBenchModel
import AsyncBenchResults
import CAsyncBench

#if canImport(Glibc)
    import Glibc
#endif

/// One OS thread per task: `pthread_create` with the stack size from `--thread-stack`
/// (default 64 KiB; 0 = the system default, 8 MiB here), then `pthread_join` on all.
/// Each thread blocks while it waits. Creation stops at the first failure (EAGAIN at the
/// kernel's thread limit) or at `--max-threads`, and the cell reports a `limit`.
public struct PthreadBackend: Backend {
    public static let name = "pthread"
    public static let summary =
        "One pthread_create per task (stack from --thread-stack), joined; each thread blocks while it waits"

    public static let threadPerTask = true

    let options: BackendOptions

    public init(options: BackendOptions) { self.options = options }

    public func run(tasks: Int, body: TaskBody) throws(CellFailure) -> TaskCount {
        try options.checkCap(tasks: tasks, cap: options.maxThreads, what: "threads", flag: "--max-threads")
        let tally = TaskTally()
        var threads: [pthread_t] = []
        threads.reserveCapacity(tasks)
        var failure: SystemError?
        tally.creating {
            for index in 0..<tasks {
                let start = Unmanaged.passRetained(ThreadStart(body: body, index: index, tally: tally))
                var thread = pthread_t()
                let rc = CAsyncBench_thread_create(
                    &thread, options.threadStackBytes,
                    { argument in
                        let start = Unmanaged<ThreadStart>.fromOpaque(argument!).takeRetainedValue()
                        start.tally.record { try start.body.blocking(start.index) }
                        return nil
                    }, start.toOpaque())
                if rc != 0 {
                    start.release()
                    failure = SystemError("pthread_create", errno: rc)
                    return
                }
                threads.append(thread)
            }
        }
        for thread in threads { pthread_join(thread, nil) }
        if let failure { throw .limit(reached: threads.count, cause: failure.description) }
        return try tally.result()
    }

    private final class ThreadStart {
        let body: TaskBody
        let index: Int
        let tally: TaskTally

        init(body: TaskBody, index: Int, tally: TaskTally) {
            self.body = body
            self.index = index
            self.tally = tally
        }
    }
}

extension BackendOptions {
    /// Refuses a cell larger than a cap before it starts anything, as a `limit`.
    func checkCap(tasks: Int, cap: Int, what: String, flag: String) throws(CellFailure) {
        guard tasks > cap else { return }
        throw .limit(
            reached: nil,
            cause:
                "\(tasks) \(what) exceed \(flag) \(cap), the cap that keeps the machine below its kernel limit; raise \(flag) to try"
        )
    }
}
