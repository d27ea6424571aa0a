import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import CAsyncBench

/// What stopped a capacity search for one backend.
public enum CapacityStop: String, Codable, Sendable, CaseIterable {
    /// The system or a cap refused more tasks (threads, processes, memory): the row's `limit`.
    case limit
    /// The next N would need more memory than `--memory-budget` (estimated from the last N).
    case memoryGuard = "memory-guard"
    /// A probe ran past its timeout.
    case timeout
    /// The backend's own time budget (`--time-budget`) ran out first.
    case timeBudget = "time-budget"
    /// N tasks completed but were not all alive at once (a pool or cap ran them in turns).
    case notConcurrent = "not-concurrent"
    /// The search reached `--max-tasks`.
    case maxTasks = "max-tasks"
    /// The backend runs a fixed number of tasks at once by construction (sequential, threadpool).
    case bound
    /// A probe crashed or failed otherwise.
    case error
}

/// One backend's capacity: the highest N whose tasks all waited at once, and why it stopped.
public struct CapacityResult: Codable, Sendable, Equatable {
    public var backend: String
    public var workload: String
    public var latencyMilliseconds: Double
    /// The highest N that completed with all N tasks alive at once; nil when none did.
    public var highest: Int?
    /// RSS per task at that N ((peak − idle + children) / N), bytes.
    public var memoryPerTask: Double?
    /// Peak RSS of the cell process at that N, bytes.
    public var peakRSS: Int?
    public var stoppedBy: CapacityStop
    /// The N that failed (or would have), and why, in words.
    public var message: String
    /// Probes run (cells started).
    public var probes: Int
    public var seconds: Double
}

/// What one probe (one cell at N) told the search.
public struct CapacityProbe: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        /// Completed with every task alive at once.
        case concurrent(memoryPerTask: Double?, peakRSS: Int?)
        /// Failed (or completed without concurrency), with the reason and its explanation.
        case stopped(CapacityStop, String)
        /// Completed, but only `alive` tasks were alive at once: the next probe tries `alive`.
        case partlyConcurrent(alive: Int, String)
    }
    public var outcome: Outcome

    public init(_ outcome: Outcome) { self.outcome = outcome }
}

/// Doubling from `start`, then bisection between the highest concurrent N and the lowest that
/// failed, until they are within 1/16 of each other; probes the memory guard refuses count as
/// failures without running. Pure: the probe and the clock are passed in, so tests can drive it.
public struct CapacitySearch: Sendable {
    public var start: Int
    public var maxTasks: Int
    public var memoryBudgetBytes: Int
    public var timeBudgetNanoseconds: Int64
    /// Memory of an idle cell process, added to every estimate.
    public var baselineBytes: Int

    public init(start: Int, maxTasks: Int, memoryBudgetBytes: Int, timeBudgetNanoseconds: Int64, baselineBytes: Int) {
        self.start = start
        self.maxTasks = maxTasks
        self.memoryBudgetBytes = memoryBudgetBytes
        self.timeBudgetNanoseconds = timeBudgetNanoseconds
        self.baselineBytes = baselineBytes
    }

    /// Runs the search. `probe(N, timeout)` runs one cell; `now()` is a monotonic clock in ns.
    public func run(
        backend: String, workload: String, latencyMilliseconds: Double, now: () -> Int64,
        probe: (_ tasks: Int, _ timeoutNanoseconds: Int64) -> CapacityProbe
    ) -> CapacityResult {
        let began = now()
        var result = CapacityResult(
            backend: backend, workload: workload, latencyMilliseconds: latencyMilliseconds, highest: nil,
            memoryPerTask: nil, peakRSS: nil, stoppedBy: .maxTasks, message: "", probes: 0, seconds: 0)
        var failed: (tasks: Int, stop: CapacityStop, message: String)?
        var hint: Int?
        func finish(_ stop: CapacityStop, _ message: String) -> CapacityResult {
            result.stoppedBy = stop
            result.message = message
            result.seconds = Double(now() - began) / 1e9
            return result
        }
        while true {
            let highest = result.highest ?? 0
            if let failed, failed.tasks - highest <= max(1, highest / 16) {
                return finish(failed.stop, failed.message)
            }
            let candidate: Int
            if let next = hint, next > highest, next < (failed?.tasks ?? Int.max) {
                candidate = next
            } else if let failed {
                candidate = (highest + failed.tasks) / 2
            } else {
                candidate = result.highest.map { $0 * 2 } ?? start
            }
            hint = nil
            if candidate > maxTasks {
                if highest >= maxTasks || failed != nil {
                    return finish(.maxTasks, "reached --max-tasks \(maxTasks)")
                }
                failed = (maxTasks + 1, .maxTasks, "reached --max-tasks \(maxTasks)")
                continue
            }
            if let perTask = result.memoryPerTask,
                Double(candidate) * perTask * 1.25 + Double(baselineBytes) > Double(memoryBudgetBytes)
            {
                let estimate = Units.formatBytes(Int(Double(candidate) * perTask * 1.25) + baselineBytes)
                failed = (
                    candidate, .memoryGuard,
                    "N = \(candidate) would need about \(estimate) (\(Units.formatBytes(Int(perTask))) per task + 25%), over --memory-budget \(Units.formatBytes(memoryBudgetBytes))"
                )
                continue
            }
            let remaining = timeBudgetNanoseconds - (now() - began)
            if remaining < 1_000_000_000 {
                return finish(
                    .timeBudget,
                    "--time-budget \(Units.formatDuration(nanoseconds: timeBudgetNanoseconds)) used up"
                        + (failed.map { "; N = \($0.tasks) had failed (\($0.stop.rawValue))" } ?? ""))
            }
            result.probes += 1
            switch probe(candidate, remaining).outcome {
            case .concurrent(let perTask, let peak):
                result.highest = candidate
                result.memoryPerTask = perTask
                result.peakRSS = peak
            case .stopped(let stop, let message):
                failed = (candidate, stop, "N = \(candidate): \(message)")
            case .partlyConcurrent(let alive, let message):
                failed = (candidate, .notConcurrent, "N = \(candidate): \(message)")
                hint = alive
            }
        }
    }
}

/// The kernel's limits on threads and processes, read from /proc, and a cap that leaves room.
public enum KernelLimits {
    /// min(pid_max, threads-max, RLIMIT_NPROC) − threads running now − `headroom`: the most
    /// threads or processes a cell may hold while the rest of the machine (the shell, the sweep,
    /// a server) can still start processes.
    public static func taskCap(headroom: Int = 2048) -> Int {
        func number(_ path: String) -> Int? {
            Measurement.readFile(path).flatMap { Int($0.trimmingWhitespace()) }
        }
        var limit = min(number("/proc/sys/kernel/pid_max") ?? 32768, number("/proc/sys/kernel/threads-max") ?? 32768)
        let nproc = CAsyncBench_nproc_limit()
        if nproc > 0 { limit = min(limit, Int(nproc)) }
        // /proc/loadavg's fourth field is running/total scheduling entities (threads).
        let running =
            Measurement.readFile("/proc/loadavg")?.split(separator: " ").dropFirst(3).first?
            .split(separator: "/").last.flatMap { Int($0) } ?? 1000
        return max(1, limit - running - headroom)
    }
}
