import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults

extension ClaimsReport {
    /// A family of concurrency models (Swift's backends, or Python's): the backend that plays
    /// each role of a claim's rule. The rules are the same for every family; only the names they
    /// are applied to, and the few facts peculiar to a runtime, differ.
    public struct Models: Sendable, Equatable {
        /// The runtimes a family can be, for the facts peculiar to one.
        public enum Runtime: Sendable, Equatable { case swift, python }

        public var runtime: Runtime
        /// The family's name in the report ("Swift", "Python").
        public var name: String
        /// Async tasks as the runtime runs them by default (Swift's pool, Python's asyncio loop).
        public var pool: String
        /// Async tasks on one thread's event loop: the asyncio model.
        public var loop: String
        /// Other async models judged beside `pool` and `loop` (SwiftNIO's loop, uvloop).
        public var otherLoops: [String]
        /// A thread per task.
        public var thread: String
        /// A process per task.
        public var process: String
        /// Tasks one after another: the baseline.
        public var sequential: String

        /// Swift's backends.
        public static let swift = Models(
            runtime: .swift, name: "Swift", pool: AsyncBackend.name, loop: ExecutorBackend.name,
            otherLoops: [NIOBackend.name], thread: PthreadBackend.name, process: ForkBackend.name,
            sequential: SequentialBackend.name)

        /// Python's worker backends. Python has no sequential backend: sleeping one after another
        /// does not depend on the runtime, so Swift's `sequential` rows are the baseline.
        public static let python = Models(
            runtime: .python, name: "Python", pool: PythonAsyncioBackend.name, loop: PythonAsyncioBackend.name,
            otherLoops: [PythonUvloopBackend.name], thread: PythonThreadsBackend.name,
            process: PythonProcessesBackend.name, sequential: SequentialBackend.name)

        /// Every async model of the family, each once: `pool`, `loop`, then `otherLoops`.
        var asyncModels: [String] { ([pool, loop] + otherLoops).uniqued() }

        /// Whether `backend` is one of this family's (the shared baseline belongs to both).
        func owns(_ backend: String) -> Bool {
            let python = Registry.backend(named: backend)?.runtime == PythonWorker.runtime
            return backend == sequential || (runtime == .python) == python
        }

        /// `run` with only this family's rows.
        func rows(of run: RecordedRun) -> RecordedRun {
            var run = run
            run.rows = run.rows.filter { owns($0.key.backend) }
            return run
        }

        /// "on `executor` (one thread, as an asyncio loop; `async` when executor did not run)":
        /// the model the one-loop rules (C5, C6) are judged on.
        var loopPhrase: String {
            loop == pool
                ? "on `\(loop)` (one thread, an asyncio loop)"
                : "on `\(loop)` (one thread, as an asyncio loop; `\(pool)` when \(loop) did not run)"
        }

        /// The model the one-loop rules are judged on among `backends`: `loop`, else `pool`.
        func loopModel(among backends: [String]) -> String {
            backends.contains(loop) ? loop : pool
        }
    }

    /// Whether `run` has rows of a Python backend.
    static func hasPythonRows(_ run: RecordedRun) -> Bool {
        run.rows.contains { Registry.backend(named: $0.key.backend)?.runtime == PythonWorker.runtime }
    }
}
