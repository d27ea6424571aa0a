import ArgumentParser
import AsyncBenchModel
import AsyncBenchResults
import CAsyncBench
import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Two peers hand a token back and forth `--rounds` times; `switch_ns` = wall / (2 × rounds).
/// Tasks 2k and 2k+1 are a pair. Each model hands over its own way: threads and processes over a
/// pair of pipes (what `perf bench sched pipe` and `-T` do), Dispatch blocks with semaphores,
/// async tasks by resuming each other's continuation. Pinned cells (`--pin`) run on one CPU, so
/// every handoff is a real switch on that CPU.
public enum SwitchWorkload: Workload {
    public static let name = "switch"
    public static let summary =
        "Pairs of peers pass a token --rounds times (pipes, semaphores or continuations); reports ns per switch"
    public static let defaultTasks = [2]
    public static let defaultPinning = [false, true]
    public static let usesLatency = false
    public static let samplesThreads = false
    /// Two peers per pair and a repetition of ~1 s: a memory repetition would add time, not insight.
    public static let measuresMemory = false

    /// `--rounds`: how many times each task or pair repeats its step (switch, yield).
    public struct Options: WorkloadOptionGroup {
        @Option(help: "Round trips per pair of peers (switch workload); yields per task (yield workload).")
        public var rounds = 10_000

        public init() {}
        public var settings: [String] { ["rounds=\(rounds)"] }
        public static func arguments(setting name: String, value: String) -> [String]? {
            name == "rounds" ? ["--rounds", value] : nil
        }

        /// The rounds, checked.
        public func checked() throws(UsageError) -> Int {
            guard (1...100_000_000).contains(rounds) else {
                throw .outOfRange(option: "--rounds", value: "\(rounds)", range: "between 1 and 100000000")
            }
            return rounds
        }
    }

    public struct Parameters: Codable, Sendable, Equatable {
        /// Round trips each pair makes.
        public var rounds: Int
        public init(rounds: Int) { self.rounds = rounds }
    }

    public static let rounds = Column<Int>("rounds", "round trips per pair of peers (switch only)")
    public static let switchNanoseconds = Column<Double>(
        "switch_ns", "wall_ms_median / (2 × rounds), ns: one handoff between peers (switch only)", digits: 1,
        summary: "ns/switch")
    public static let columns = [rounds.erased, switchNanoseconds.erased]

    public static func plan(_ options: Options, latencies: [Int64]) throws(UsageError) -> WorkloadPlan<Parameters> {
        WorkloadPlan(parameters: Parameters(rounds: try options.checked()), latencies: [0])
    }

    public static func problem(tasks: Int) -> String? {
        tasks % 2 == 0 ? nil : "the switch workload runs pairs of peers: --tasks must be even, got \(tasks)"
    }

    public static func figures(_ cell: WorkloadCell<Parameters>, report: CellReport, into row: inout ResultRow) {
        guard let wall = row[RunnerColumns.wallMedian] else { return }
        row[rounds] = cell.parameters.rounds
        row[switchNanoseconds] = wall * 1e6 / Double(2 * cell.parameters.rounds)
    }

    /// The channels of `tasks / 2` pairs: pipes, semaphores and batons, reused by every repetition
    /// (each repetition leaves them as it found them: every token sent is received).
    public static func body(_ cell: WorkloadCell<Parameters>) throws(CellFailure) -> TaskBody {
        let pairs = cell.tasks / 2
        let rounds = cell.parameters.rounds
        guard rounds >= 1 else { throw .setup("--rounds must be at least 1, got \(rounds)") }
        let pipes = try PipePairs(count: pairs, rounds: rounds)
        let semaphores = (0..<pairs).map { _ in (DispatchSemaphore(value: 0), DispatchSemaphore(value: 0)) }
        let batons = (0..<pairs).map { _ in (Baton(), Baton()) }
        return TaskBody(
            blocking: { index in
                let rc = withExtendedLifetime(pipes) { CAsyncBench_pingpong_peer(pipes.context, Int64(index)) }
                if rc != 0 { throw SystemError("pipe ping-pong", errno: rc) }
            },
            async: { index in
                let (toSecond, toFirst) = batons[index / 2]
                for _ in 0..<rounds {
                    if index % 2 == 0 {
                        toSecond.signal()
                        await toFirst.wait()
                    } else {
                        await toSecond.wait()
                        toFirst.signal()
                    }
                }
            },
            process: ProcessTask(function: CAsyncBench_task_pingpong, context: pipes.context, owner: pipes),
            dispatch: { index in
                let (toSecond, toFirst) = semaphores[index / 2]
                for _ in 0..<rounds {
                    if index % 2 == 0 {
                        toSecond.signal()
                        toFirst.wait()
                    } else {
                        toSecond.wait()
                        toFirst.signal()
                    }
                }
            })
    }

    /// The pipes of every pair and the C context that points at them; closed when released.
    final class PipePairs: @unchecked Sendable {
        let context: UnsafeMutablePointer<CAsyncBench_pingpong>
        let pairs: UnsafeMutablePointer<CAsyncBench_pipe_pair>
        let count: Int

        init(count: Int, rounds: Int) throws(CellFailure) {
            self.count = count
            pairs = .allocate(capacity: max(1, count))
            context = .allocate(capacity: 1)
            context.initialize(to: CAsyncBench_pingpong(rounds: Int64(rounds), pairs: pairs))
            var opened = 0
            for index in 0..<count {
                var pair = CAsyncBench_pipe_pair()
                let first = withUnsafeMutablePointer(to: &pair.to_peer1) {
                    $0.withMemoryRebound(to: Int32.self, capacity: 2) { CAsyncBench_pipe_cloexec($0) }
                }
                let second =
                    first != 0
                    ? first
                    : withUnsafeMutablePointer(to: &pair.to_peer0) {
                        $0.withMemoryRebound(to: Int32.self, capacity: 2) { CAsyncBench_pipe_cloexec($0) }
                    }
                if second != 0 {
                    if first == 0 {
                        close(pair.to_peer1.0)
                        close(pair.to_peer1.1)
                    }
                    Self.closeAll(pairs, opened)
                    context.deallocate()
                    pairs.deallocate()
                    throw .limit(reached: index * 2, cause: SystemError("pipe2", errno: second).description)
                }
                (pairs + index).initialize(to: pair)
                opened += 1
            }
        }

        deinit {
            Self.closeAll(pairs, count)
            context.deallocate()
            pairs.deallocate()
        }

        static func closeAll(_ pairs: UnsafeMutablePointer<CAsyncBench_pipe_pair>, _ count: Int) {
            for index in 0..<count {
                let pair = pairs[index]
                for fd in [pair.to_peer1.0, pair.to_peer1.1, pair.to_peer0.0, pair.to_peer0.1] { Glibc.close(fd) }
            }
        }
    }
}

/// A reusable one-way handoff between two async tasks: `signal` resumes the task parked in
/// `wait`, or lets the next `wait` return at once. A switch is one resumed continuation.
final class Baton: Sendable {
    private struct State {
        var waiter: CheckedContinuation<Void, Never>?
        var pending = 0
    }
    private let state = Mutex(State())

    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.pending += 1
            return nil
        }
        waiter?.resume()
    }

    /// True when no signal is waiting to be taken and no task is parked: a balanced exchange.
    var isIdle: Bool { state.withLock { $0.pending == 0 && $0.waiter == nil } }

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                if state.pending > 0 {
                    state.pending -= 1
                    return true
                }
                state.waiter = continuation
                return false
            }
            if ready { continuation.resume() }
        }
    }
}
