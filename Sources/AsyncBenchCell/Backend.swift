import AsyncBenchModel
import AsyncBenchResults
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// How N tasks are started, run concurrently and joined: one concurrency model.
///
/// A backend knows nothing about sleeping, sockets or files: it runs the `TaskBody` a workload
/// gives it. To add one: write a type conforming to this protocol in its own file and add it to
/// `Registry.backends`. `run` must start all `tasks`, wait for every one of them, and return how
/// many completed (through a `TaskTally`); when the system refuses more tasks it stops starting new ones, waits for those
/// it started, and throws `CellFailure.limit`.
public protocol Backend: Sendable {
    /// The name used with `--backend` and in the CSV `backend` column.
    static var name: String { get }
    /// One line for `--help` and the README.
    static var summary: String { get }
    /// True when the cell process must stay single-threaded while this backend runs (fork):
    /// the runner then starts no sampler thread.
    static var needsSingleThreadedProcess: Bool { get }
    /// The most tasks this backend runs at once (sequential: 1; threadpool: its pool size), or
    /// nil when unbounded. A repetition then takes about tasks / this × latency, so cells where
    /// tasks / this exceeds `--sequential-max-tasks` are skipped.
    static func maxConcurrentTasks(_ options: BackendOptions) -> Int?
    /// True for backends that run the workload's `async` body (async, executor): they alone run
    /// async-only workloads.
    static var runsAsyncBodies: Bool { get }
    /// True for backends that run each task in a separate helper program (spawn): they run only
    /// workloads with a helper form.
    static var spawnsHelpers: Bool { get }
    /// True when the backend starts one OS thread per task (pthread): its thread count then
    /// follows timing (how many are alive at once), not a policy, and `check` does not judge it.
    static var threadPerTask: Bool { get }

    /// Hidden backends exist for tests and are left out of `all` and listings.
    static var hidden: Bool { get }
    /// What the tasks run in: `swift` (the backends `--backend all` runs), or a worker's
    /// language (`python`), which is also the `--backend` name of its backends as a group.
    static var runtime: String { get }
    /// Set for a backend whose cells run in a worker program outside this process (another
    /// language's runtime): the cell hands it the cell spec and reads back its report instead of
    /// calling `run` (see docs/worker-protocol.md).
    static var worker: WorkerProgram? { get }

    init(options: BackendOptions)

    /// Runs `tasks` copies of `body` this backend's way; returns the tasks counted by a `TaskTally`.
    func run(tasks: Int, body: TaskBody) throws(CellFailure) -> TaskCount
}

extension Backend {
    public static var needsSingleThreadedProcess: Bool { false }
    public static func maxConcurrentTasks(_ options: BackendOptions) -> Int? { nil }
    public static var threadPerTask: Bool { false }
    public static var runsAsyncBodies: Bool { false }
    public static var spawnsHelpers: Bool { false }
    public static var hidden: Bool { false }
    public static var runtime: String { "swift" }
    public static var worker: WorkerProgram? { nil }
}

/// What a backend reports after a run: how many tasks completed, and how many were in flight at
/// once at the peak (nil where the backend cannot see it, e.g. fork children).
public struct TaskCount: Sendable, Equatable {
    public var completed: Int
    public var peakInFlight: Int?
    /// How long the backend's creation loop took to create and start every task, ns (nil when
    /// the backend creates none: the sequential baseline).
    public var creationNanoseconds: Int64?

    public init(completed: Int, peakInFlight: Int?, creationNanoseconds: Int64? = nil) {
        self.completed = completed
        self.peakInFlight = peakInFlight
        self.creationNanoseconds = creationNanoseconds
    }
}

/// Counts completed tasks, tasks in flight (and their peak), and keeps the first error, from any
/// thread or task.
///
/// Shared by every backend so that "every task accounted" means the same thing everywhere.
public final class TaskTally: Sendable {
    private struct State {
        var completed = 0
        var inFlight = 0
        var peakInFlight = 0
        var firstError: String?
        /// The first task that ran into a resource limit (too many open files...), if any.
        var limit: CellFailure?
        var creationNanoseconds: Int64?
    }
    private let state = Mutex(State())
    private let tracksInFlight: Bool

    /// `tracksInFlight` false: the backend only calls `complete`/`fail` after the fact (fork).
    public init(tracksInFlight: Bool = true) {
        self.tracksInFlight = tracksInFlight
    }

    /// Runs one task body on this thread and records its outcome.
    public func record(_ work: () throws -> Void) {
        begin()
        do {
            try work()
            end(error: nil)
        } catch {
            failed(error)
        }
    }

    /// Runs one async task body and records its outcome.
    public func recordAsync(_ work: () async throws -> Void) async {
        begin()
        do {
            try await work()
            end(error: nil)
        } catch {
            failed(error)
        }
    }

    /// Runs the backend's loop that creates (and starts) the tasks, and records how long it took:
    /// what `create_us_per_task` reports, measured the same way by every backend.
    public func creating<Failure: Error>(_ loop: () throws(Failure) -> Void) throws(Failure) {
        let start = Measurement.monotonicNanoseconds()
        defer {
            let elapsed = Measurement.monotonicNanoseconds() - start
            state.withLock { $0.creationNanoseconds = elapsed }
        }
        try loop()
    }

    /// Records that a task completed (for backends that learn of it afterwards).
    public func complete() { end(error: nil, started: false) }

    /// Records that a task ended with the failure `message`.
    public func fail(_ message: String) { end(error: message, started: false) }

    /// Records that a task started (for backends that see start and end separately: futures).
    public func taskStarted() { begin() }

    /// Records that a task that started ended, with `error` when it failed.
    public func taskEnded(error: (any Error)?) {
        if let error { failed(error) } else { end(error: nil) }
    }

    /// A task's error: a `CellFailure.limit` makes the cell a `limit` row, anything else an error.
    private func failed(_ error: any Error) {
        if let failure = error as? CellFailure, case .limit = failure {
            state.withLock { if $0.limit == nil { $0.limit = failure } }
        }
        end(error: String(describing: error))
    }

    private func begin() {
        state.withLock {
            $0.inFlight += 1
            $0.peakInFlight = max($0.peakInFlight, $0.inFlight)
        }
    }

    private func end(error: String?, started: Bool = true) {
        state.withLock {
            if started { $0.inFlight -= 1 }
            if let error {
                if $0.firstError == nil { $0.firstError = error }
            } else {
                $0.completed += 1
            }
        }
    }

    /// The tasks counted, or `CellFailure.taskFailed` if any task failed.
    public func result() throws(CellFailure) -> TaskCount {
        let (completed, peak, error, creation, limit) = state.withLock {
            ($0.completed, $0.peakInFlight, $0.firstError, $0.creationNanoseconds, $0.limit)
        }
        if case .limit(_, let cause)? = limit { throw .limit(reached: completed, cause: cause) }
        if let error { throw .taskFailed(error) }
        return TaskCount(
            completed: completed, peakInFlight: tracksInFlight ? peak : nil, creationNanoseconds: creation)
    }
}
