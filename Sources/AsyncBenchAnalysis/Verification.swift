import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import AsyncBenchSweep
import CAsyncBench

#if canImport(Glibc)
    import Glibc
#endif

/// `asyncbench verify`: asyncbench's figures beside independent tools on the same machine, in
/// the same run. Switch cost: the `switch` workload pinned to one CPU, for pthread and fork,
/// beside `perf bench sched pipe -T` and `perf bench sched pipe` pinned to the same CPU (both
/// pass a byte over a pair of pipes), each the median of three runs. Memory: a cell's peak RSS
/// beside the kernel's ru_maxrss for that process (wait4). Net: closed-loop throughput beside
/// wrk's on the same latency server (`Verification+Net.swift`).
public enum Verification {
    /// One comparison: asyncbench's figure, the independent one, and whether they agree.
    public struct Check: Sendable {
        public var what: String
        public var asyncbench: Double
        public var reference: Double?
        public var unit: String
        public var referenceName: String
        public var tolerance: Double

        public var ratio: Double? { reference.map { asyncbench / $0 } }
        public var agrees: Bool? { ratio.map { abs($0 - 1) <= tolerance } }
    }

    /// Parses `perf bench sched pipe` output: its "usecs/op" (one op = one round trip).
    public static func perfMicrosecondsPerOperation(_ output: String) -> Double? {
        for line in output.split(separator: "\n") where line.contains("usecs/op") {
            if let value = line.split(separator: " ").first.flatMap({ Double($0) }) { return value }
        }
        return nil
    }

    /// What the checks found: every comparison (perf's absent when it is not installed), or the
    /// asyncbench cell that did not complete.
    public enum Outcome: Sendable {
        case checked([Check], perfMissing: Bool)
        case cellFailed(String)
    }

    /// The rounds a switch measurement needs to be beside perf's (enough to swamp start-up).
    public static let rounds = 1000...100_000_000

    /// Refuses `rounds` outside `Verification.rounds`, naming the option.
    public static func check(rounds: Int) throws(UsageError) {
        guard Self.rounds.contains(rounds) else {
            throw .outOfRange(option: "--rounds", value: "\(rounds)", range: "between 1000 and 100000000 to verify")
        }
    }

    /// `run --verify`: the checks with the run's `--rounds`.
    public static func run(executable: String, options: WorkloadOptions) -> Outcome {
        run(executable: executable, rounds: options.group(SwitchWorkload.Options.self).rounds)
    }

    /// Runs the checks (each asyncbench figure from a cell in a fresh process).
    public static func run(executable: String, rounds: Int) -> Outcome {
        var checks: [Check] = []
        let cpu = firstAllowedCPU()
        let perf = Subprocess.capture(["perf", "--version"])
        let perfMissing = perf == nil
        for (backend, threads) in [("pthread", true), ("fork", false)] {
            var spec = CellSpec(
                backend: backend, workload: SwitchWorkload.name, tasks: 2,
                parameters: JSONValue(encoding: SwitchWorkload.Parameters(rounds: rounds)),
                options: BackendOptions(threadStackBytes: 65536, maxThreads: 16, maxProcesses: 16), reps: 3, warmup: 1)
            spec.pinned = true
            guard
                case .reported(let report)? = try? CellProcess.run(
                    executable: executable, spec: spec, timeoutNanoseconds: 300_000_000_000),
                report.status == .ok,
                let switchNanoseconds = ResultRow(spec: spec, report: report)[SwitchWorkload.switchNanoseconds]
            else {
                return .cellFailed("the pinned \(backend) switch cell did not complete")
            }
            var reference: Double?
            if !perfMissing {
                // Three perf runs, their median: asyncbench's figure is a median of three too.
                let arguments = ["taskset", "-c", "\(cpu)", "perf", "bench", "sched", "pipe", "-l", "\(rounds)"]
                let runs = (0..<3).compactMap { _ in
                    Subprocess.capture(arguments + (threads ? ["-T"] : [])).flatMap(perfMicrosecondsPerOperation)
                }
                reference = Summary(runs).map { $0.median * 1000 / 2 }
            }
            checks.append(
                Check(
                    what: "switch, \(backend) pinned to CPU \(cpu)", asyncbench: switchNanoseconds,
                    reference: reference,
                    unit: "ns", referenceName: "perf bench sched pipe" + (threads ? " -T" : ""), tolerance: 0.15))
        }
        // Memory: one sleep cell's peak RSS against the kernel's accounting of the same process.
        let memorySpec = CellSpec(
            backend: "pthread", workload: SleepWorkload.name, tasks: 1000,
            latencyNanoseconds: 10_000_000,
            options: BackendOptions(threadStackBytes: 65536, maxThreads: 16000, maxProcesses: 16), reps: 3, warmup: 1)
        var usage = rusage()
        if case .reported(let report)? = try? CellProcess.run(
            executable: executable, spec: memorySpec, timeoutNanoseconds: 120_000_000_000, usage: &usage)
        {
            checks.append(
                Check(
                    what: "peak RSS, pthread sleep N = 1000", asyncbench: Double(report.peakRSSBytes),
                    reference: Double(usage.ru_maxrss) * 1024, unit: "B", referenceName: "kernel ru_maxrss (wait4)",
                    tolerance: 0.10))
        }
        if let net = netCheck(executable: executable) { checks.append(net) }
        return .checked(checks, perfMissing: perfMissing)
    }

    /// The checks as a table.
    public static func render(_ checks: [Check]) -> String {
        let header = ["figure", "asyncbench", "independent", "tool", "ratio", "within"]
        let rows = checks.map { check in
            [
                check.what, format(check.asyncbench, check.unit), check.reference.map { format($0, check.unit) } ?? "—",
                check.referenceName, check.ratio.map { Units.fixed($0, digits: 3) } ?? "—",
                check.agrees.map { ($0 ? "yes" : "NO") + " (±\(Int(check.tolerance * 100))%)" } ?? "not checked",
            ]
        }
        return SummaryTable.align([header] + rows, rightAligned: [1, 2, 4])
    }

    static func format(_ value: Double, _ unit: String) -> String {
        unit == "B" ? Units.formatBytes(Int(value)) : Units.trim(value, digits: 0) + " " + unit
    }

    /// The CPU the switch cells pin to: the first this process may run on (the cells inherit
    /// its mask and pin themselves to the same one).
    static func firstAllowedCPU() -> Int { max(0, Int(CAsyncBench_first_allowed_cpu())) }
}
