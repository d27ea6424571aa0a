import AsyncBenchModel
import AsyncBenchResults
import NIOCore
import NIOPosix

/// SwiftNIO event loops, the model Swift servers run on: a `MultiThreadedEventLoopGroup` of
/// `--loops` threads (default 1), tasks spread over its loops round-robin. A workload with a
/// native event-loop form runs as futures and scheduled tasks (sleep: a loop timer; cpu: a
/// submitted closure); the others run their async body on the loops through a task executor
/// that enqueues every job on its loop (what NIO's async/await code does). Waits never block a
/// loop thread, but CPU work and blocking calls hold up every task on that loop.
public struct NIOBackend: Backend {
    public static let name = "nio"
    public static let summary =
        "SwiftNIO: --loops event loops (default 1); sleeps as loop timers, other work as futures or async code on the loops"
    public static let runsAsyncBodies = true

    let loops: EventLoops

    public init(options: BackendOptions) { loops = EventLoops(count: options.loops) }

    public func run(tasks: Int, body: TaskBody) throws(CellFailure) -> TaskCount {
        guard let native = body.eventLoop else {
            return try AsyncBackend.runTaskGroup(tasks: tasks, body: body, executors: loops.executors)
        }
        let tally = TaskTally()
        var futures: [EventLoopFuture<Void>] = []
        futures.reserveCapacity(tasks)
        tally.creating {
            for index in 0..<tasks {
                let loop = loops.group.next()
                futures.append(
                    loop.flatSubmit {
                        tally.taskStarted()
                        return native(loop, index)
                    }.always { result in
                        if case .failure(let error) = result {
                            tally.taskEnded(error: error)
                        } else {
                            tally.taskEnded(error: nil)
                        }
                    })
            }
        }
        do {
            try EventLoopFuture.andAllComplete(futures, on: loops.group.next()).wait()
        } catch {
            throw .taskFailed(String(describing: error))
        }
        return try tally.result()
    }

    /// The event loop group, shut down when the backend is released.
    final class EventLoops: Sendable {
        let group: MultiThreadedEventLoopGroup
        /// One task executor per loop, for async bodies.
        let executors: [any TaskExecutor]

        init(count: Int) {
            group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, count))
            executors = group.makeIterator().map { EventLoopTaskExecutor(loop: $0) }
        }

        deinit { try? group.syncShutdownGracefully() }
    }
}

/// A task executor that runs each job on one event loop (as `loop.execute`).
final class EventLoopTaskExecutor: TaskExecutor {
    let loop: any EventLoop

    init(loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
