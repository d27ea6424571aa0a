import AsyncBenchModel
import AsyncBenchResults
import CAsyncBench
import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A fixed number of OS threads running submitted work items in FIFO order: the thread pool of a
/// thread-based server (the `threadpool` backend), and the pool that async code offloads blocking
/// calls to (Python's `asyncio.to_thread`).
///
/// Each `submit` allocates one work item, appends it to a locked queue and wakes one thread
/// (a semaphore), as real pools do. `shutdown` lets the threads drain the queue, then joins them.
public final class WorkerPool: Sendable {
    private struct Queue {
        var items: [(@Sendable () -> Void)?] = []
        var head = 0
    }
    private let queue = Mutex(Queue())
    private let waiting = DispatchSemaphore(value: 0)
    private let threads: Mutex<[pthread_t]>
    /// How many threads the pool runs.
    public let size: Int

    /// Starts `size` threads with `stackBytes` stacks (0 = the system default).
    public init(size: Int, stackBytes: Int) throws(SystemError) {
        self.size = size
        threads = Mutex([])
        for _ in 0..<size {
            let start = Unmanaged.passRetained(self)
            var thread = pthread_t()
            let rc = CAsyncBench_thread_create(
                &thread, stackBytes,
                { argument in
                    Unmanaged<WorkerPool>.fromOpaque(argument!).takeRetainedValue().work()
                    return nil
                }, start.toOpaque())
            if rc != 0 {
                start.release()
                shutdown()
                throw SystemError("pthread_create (pool thread)", errno: rc)
            }
            threads.withLock { $0.append(thread) }
        }
    }

    /// Queues `item` for the next free thread.
    public func submit(_ item: @escaping @Sendable () -> Void) {
        enqueue(item)
    }

    /// Runs `call` on one of the pool's threads and suspends the calling task until it returns:
    /// how async code offloads a blocking call (`asyncio.to_thread`).
    public func perform<Result: Sendable>(_ call: @escaping @Sendable () -> Result) async -> Result {
        await withCheckedContinuation { (done: CheckedContinuation<Result, Never>) in
            submit { done.resume(returning: call()) }
        }
    }

    /// The pool async workloads offload blocking calls to: min(32, cores + 4) threads, as Python's
    /// default executor. A pool that cannot start is a `limit`.
    static func offloadPool() throws(CellFailure) -> WorkerPool {
        do {
            return try WorkerPool(size: min(32, BackendOptions.cores + 4), stackBytes: 0)
        } catch {
            throw .limit(reached: nil, cause: error.description)
        }
    }

    /// Runs every item already queued, then stops and joins the threads.
    public func shutdown() {
        let started = threads.withLock { threads in
            defer { threads.removeAll() }
            return threads
        }
        for _ in started { enqueue(nil) }  // one stop mark per thread, after every queued item
        for thread in started { pthread_join(thread, nil) }
    }

    private func enqueue(_ item: (@Sendable () -> Void)?) {
        queue.withLock { $0.items.append(item) }
        waiting.signal()
    }

    private func work() {
        while true {
            waiting.wait()
            let item = queue.withLock { queue -> (@Sendable () -> Void)? in
                let item = queue.items[queue.head]
                queue.head += 1
                if queue.head == queue.items.count {
                    queue.items.removeAll(keepingCapacity: true)
                    queue.head = 0
                }
                return item
            }
            guard let item else { return }
            item()
        }
    }
}
