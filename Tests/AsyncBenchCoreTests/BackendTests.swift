import CAsyncBench
import Synchronization
import TestSupport
import Testing

@testable import AsyncBenchAnalysis
@testable import AsyncBenchCell
@testable import AsyncBenchModel
@testable import AsyncBenchResults
@testable import AsyncBenchSweep

#if canImport(Glibc)
    import Glibc
#endif

/// Every backend runs small sweeps with every task accounted for, really concurrently, and
/// turns a refused resource into a `limit`. Small N; no speed assertions beyond "concurrency
/// happened", checked with a wide margin.
/// Backends block the calling thread until their tasks finish; Swift Testing calls tests on the
/// cooperative pool, which the async backend needs too. Running two such tests at once could
/// block every pool thread, so every suite that runs backends sits in this serialized one.
@Suite(.serialized) struct BlockingBackendSuites {}

extension BlockingBackendSuites {
    @Suite struct BackendTests {
        static let options = BackendOptions(threadStackBytes: 65536, maxThreads: 1000, maxProcesses: 1000)

        static func backend(_ name: String) -> any Backend {
            Registry.backend(named: name)!.init(options: options)
        }

        /// A body that records each index it ran (threads and async tasks) and sleeps 1 ms.
        final class Recorder: Sendable {
            let seen = Mutex<[Int]>([])
            func body(tasks: Int) throws -> TaskBody {
                let sleep = try SleepWorkload.testBody(tasks: tasks, latency: 1_000_000)
                return TaskBody(
                    blocking: { index in
                        try sleep.blocking(index)
                        self.seen.withLock { $0.append(index) }
                    },
                    async: { index in
                        try await sleep.async(index)
                        self.seen.withLock { $0.append(index) }
                    },
                    process: sleep.process)
            }
        }

        @Test(arguments: ["async", "executor", "nio", "dispatch", "pthread", "threadpool", "fork", "sequential"])
        func everyTaskIsAccountedFor(name: String) throws {
            let recorder = Recorder()
            let count = try Self.backend(name).run(tasks: 25, body: recorder.body(tasks: 25))
            #expect(count.completed == 25)
            if name != "fork" {
                // Each index ran exactly once (fork children run in other processes).
                #expect(recorder.seen.withLock { $0.sorted() } == Array(0..<25))
                #expect(count.peakInFlight != nil)
            }
            if name == "sequential" { #expect(count.peakInFlight == 1) }
        }

        @Test func theExecutorRunsEveryTaskOnOneThreadNotTheCallers() throws {
            let threads = Mutex<Set<pthread_t>>([])
            let sleep = try SleepWorkload.testBody(tasks: 50, latency: 2_000_000)
            let body = TaskBody(
                blocking: { _ in },
                async: { index in
                    threads.withLock { _ = $0.insert(pthread_self()) }
                    try await sleep.async(index)
                    threads.withLock { _ = $0.insert(pthread_self()) }  // resumed on the same thread
                }, process: sleep.process)
            let count = try Self.backend("executor").run(tasks: 50, body: body)
            #expect(count.completed == 50)
            #expect(count.peakInFlight == 50, "every task was suspended in its wait at once")
            let seen = threads.withLock { $0 }
            #expect(seen.count == 1, "\(seen.count) threads ran the tasks")
            #expect(!seen.contains(pthread_self()))
        }

        @Test func nioRunsSleepsAsLoopTimersAndAsyncBodiesOnItsLoop() throws {
            // The native form: 100 timers on one loop, every task in flight at once, each lateness recorded.
            let sleep = try SleepWorkload.testBody(tasks: 100, latency: 20_000_000)
            #expect(sleep.eventLoop != nil)
            let nio = Self.backend("nio")
            let count = try nio.run(tasks: 100, body: sleep)
            #expect(count.completed == 100)
            #expect(count.peakInFlight == 100)
            sleep.measuredRepetitionEnded?()
            #expect((sleep.figures?()[SleepWorkload.latenessP50] ?? -1) >= 0)
            // Without a native form the async body runs on the loop's thread (one loop: one thread).
            let threads = Mutex<Set<pthread_t>>([])
            let body = TaskBody(
                blocking: { _ in },
                async: { index in
                    threads.withLock { _ = $0.insert(pthread_self()) }
                    try await sleep.async(index)
                    threads.withLock { _ = $0.insert(pthread_self()) }
                }, process: sleep.process)
            #expect(try nio.run(tasks: 50, body: body).completed == 50)
            #expect(threads.withLock { $0.count } == 1)
        }

        @Test func spawnRunsEachTaskInAHelperAndSeesItsFailures() throws {
            let spawn = Self.backend("spawn")
            let sleep = try SleepWorkload.testBody(tasks: 20, latency: 5_000_000)
            #expect(sleep.helper == ["sleep", "5000000"])
            let count = try spawn.run(tasks: 20, body: sleep)
            #expect(count.completed == 20)
            #expect(count.creationNanoseconds != nil)
            // A helper whose check fails exits 1: the cell fails, naming the child.
            var wrong = TaskBody(
                blocking: { _ in }, async: { _ in }, process: ProcessTask(function: CAsyncBench_task_cpu, context: 0))
            wrong.helper = ["cpu", "1000", "5"]
            #expect(throws: CellFailure.self) { try spawn.run(tasks: 2, body: wrong) }
            // A workload without a helper form is refused, not run.
            let pingpong = try SwitchWorkload.testBody(tasks: 2, .init(rounds: 1))
            #expect(throws: CellFailure.setup("this workload has no helper form for spawn")) {
                try spawn.run(tasks: 2, body: pingpong)
            }
            #expect(Registry.unsupportedReason(backend: "spawn", workload: "switch") != nil)
        }

        @Test func theThreadPoolNeverRunsMoreTasksThanItsSize() throws {
            let options = BackendOptions(threadStackBytes: 65536, maxThreads: 100, maxProcesses: 10, poolSize: 3)
            let threads = Mutex<Set<pthread_t>>([])
            let sleep = try SleepWorkload.testBody(tasks: 30, latency: 2_000_000)
            let body = TaskBody(
                blocking: { index in
                    threads.withLock { _ = $0.insert(pthread_self()) }
                    try sleep.blocking(index)
                }, async: { _ in }, process: sleep.process)
            let count = try ThreadPoolBackend(options: options).run(tasks: 30, body: body)
            #expect(count.completed == 30)
            #expect((count.peakInFlight ?? 99) <= 3)
            #expect(threads.withLock { $0.count } <= 3)
            #expect(count.creationNanoseconds != nil)
        }

        @Test(arguments: ["async", "executor", "nio", "dispatch", "pthread", "fork"])
        func tasksRunConcurrently(name: String) async throws {
            // 50 tasks × 200 ms = 10 s in sequence. Concurrently they need one wait plus start-up;
            // GCD adds threads for blocked blocks slowly, so its bound is looser (still far below 10 s).
            let body = try SleepWorkload.testBody(tasks: 50, latency: 200_000_000)
            let start = Measurement.monotonicNanoseconds()
            let backend = Self.backend(name)
            let count = try await offThePool { try backend.run(tasks: 50, body: body) }
            let seconds = Double(Measurement.monotonicNanoseconds() - start) / 1e9
            #expect(count.completed == 50)
            #expect(seconds < (name == "dispatch" ? 7.5 : 3.0), "\(name) took \(seconds) s for 50 × 200 ms")
            if name != "dispatch" && name != "fork" { #expect(count.peakInFlight! > 25) }
        }

        @Test func aTaskErrorFailsTheCell() {
            struct Boom: Error {}
            let body = TaskBody(
                blocking: { index in if index == 3 { throw Boom() } },
                async: { index in if index == 3 { throw Boom() } },
                process: ProcessTask(function: CAsyncBench_task_sleep, context: Int64(0)))
            for name in ["async", "dispatch", "pthread", "sequential"] {
                #expect(throws: CellFailure.self, "\(name)") { try Self.backend(name).run(tasks: 5, body: body) }
            }
        }

        @Test func aForkChildThatFailsIsReported() throws {
            let body = try CrashWorkload.testBody(tasks: 0, latency: 0)
            do {
                _ = try Self.backend("fork").run(tasks: 3, body: body)
                Issue.record("expected the crashing children to fail the cell")
            } catch {
                #expect(error.description.contains("killed by SIGSEGV"), "\(error)")
            }
        }

        @Test func capsBecomeLimitRows() throws {
            let capped = BackendOptions(threadStackBytes: 65536, maxThreads: 10, maxProcesses: 10)
            let body = try SleepWorkload.testBody(tasks: 11, latency: 0)
            for backend in [PthreadBackend(options: capped), ForkBackend(options: capped)] as [any Backend] {
                do {
                    _ = try backend.run(tasks: 11, body: body)
                    Issue.record("expected a limit")
                } catch {
                    #expect(error.status == .limit)
                    #expect(error.description.contains("--max-"))
                }
            }
        }

        @Test func aThreadStackTheSystemRefusesIsALimitWithTheHighestNReached() throws {
            // 2^40-byte stacks: the address space holds a few dozen at most, so pthread_create fails
            // with EAGAIN/ENOMEM after some threads started; they are joined and the N is reported.
            let huge = BackendOptions(threadStackBytes: 1 << 40, maxThreads: 1000, maxProcesses: 10)
            let body = try SleepWorkload.testBody(tasks: 1000, latency: 1_000_000)
            do {
                _ = try PthreadBackend(options: huge).run(tasks: 1000, body: body)
                Issue.record("expected pthread_create to fail")
            } catch {
                guard case .limit(let reached, let cause) = error else {
                    Issue.record("expected a limit, got \(error)")
                    return
                }
                #expect(reached != nil && reached! < 1000)
                #expect(cause.hasPrefix("pthread_create: "), "\(cause)")
                #expect(cause.contains("(errno "), "\(cause)")
            }
        }
    }

    @Suite struct MeasurementTests {
        @Test func procStatusParses() {
            let text = "Name:\tx\nVmHWM:\t  2048 kB\nVmRSS:\t  1024 kB\nThreads:\t7\n"
            #expect(
                Measurement.ProcStatus.parse(text)
                    == Measurement.ProcStatus(rssBytes: 1 << 20, peakRSSBytes: 2 << 20, threads: 7))
            let now = Measurement.ProcStatus.current()
            #expect(now.rssBytes > 0 && now.threads >= 1 && now.peakRSSBytes >= now.rssBytes)
            #expect(Int(CAsyncBench_thread_count()) >= 1)
        }

        @Test func waitStatusDecodes() {
            #expect(WaitStatus(raw: 0) == .exited(0))
            #expect(WaitStatus(raw: 3 << 8) == .exited(3))
            #expect(WaitStatus(raw: 11) == .signaled(11))
            #expect(WaitStatus.signalName(11) == "SIGSEGV")
        }

        @Test func summaryIsMedianMinMax() {
            #expect(Summary([3, 1, 2]) == Summary(median: 2, min: 1, max: 3))
            #expect(Summary([4, 1, 2, 3])?.median == 2.5)
            #expect(Summary([]) == nil)
        }

        @Test func samplerSeesTheThreadsThatExist() throws {
            let sampled = try Measurement.sampleThreads(intervalNanoseconds: 1_000_000) { () throws(CellFailure) in
                try PthreadBackend(options: BackendTests.options).run(
                    tasks: 20,
                    body: SleepWorkload.testBody(tasks: 20, latency: 50_000_000))
            }
            #expect(sampled.peakThreads >= 20)
        }
    }
}
