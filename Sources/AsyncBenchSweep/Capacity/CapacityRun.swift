import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import CAsyncBench

#if canImport(Glibc)
    import Glibc
#endif

/// One capacity search per backend: each probe a cell in a fresh process (one measured
/// repetition), its row judged by `probeOutcome`.
public enum CapacityRun {
    /// One backend's search; `probed` receives each probe's row.
    public static func search(
        _ backend: String, plan: CapacityPlan, executable: String, probed: (ResultRow, Double) -> Void,
        interrupted: (Int32) -> Void
    ) -> CapacityResult {
        let latencyMilliseconds = Double(plan.latencyNanoseconds) / 1e6
        if let bound = Registry.backend(named: backend)?.maxConcurrentTasks(plan.options) {
            return CapacityResult(
                backend: backend, workload: plan.workload, latencyMilliseconds: latencyMilliseconds, highest: bound,
                memoryPerTask: nil, peakRSS: nil, stoppedBy: .bound,
                message: "runs at most \(bound) task\(bound == 1 ? "" : "s") at once by construction", probes: 0,
                seconds: 0)
        }
        // A compiled or checked worker is built once, before the first probe.
        if let build = Registry.backend(named: backend)?.worker?.build, case .failure(let failure) = build.run() {
            return CapacityResult(
                backend: backend, workload: plan.workload, latencyMilliseconds: latencyMilliseconds, highest: nil,
                memoryPerTask: nil, peakRSS: nil, stoppedBy: .error,
                message: "the \(build.name) worker did not build: \(failure.firstErrorLine) (\(failure.step))",
                probes: 0,
                seconds: failure.seconds)
        }
        var stop = false
        // Creation time of the last probe that held every task, ns per task: the next probe's
        // wait is made long enough (twice its predicted creation) for all N to be alive at once.
        var creationPerTask: Double = 0
        return plan.search.run(
            backend: backend, workload: plan.workload, latencyMilliseconds: latencyMilliseconds,
            now: Measurement.monotonicNanoseconds
        ) { tasks, remaining in
            if stop { return CapacityProbe(.stopped(.error, "interrupted")) }
            let latency = max(plan.latencyNanoseconds, Int64(2 * 1.5 * creationPerTask * Double(tasks)))
            var spec = CellSpec(
                backend: backend, workload: plan.workload, tasks: tasks,
                latencyNanoseconds: latency, options: plan.options, reps: 1,
                warmup: 0, minReps: 1)
            // Fork children measure their own memory in the memory repetition: it is their cost.
            spec.memoryRepetition = Registry.backend(named: backend)?.needsSingleThreadedProcess == true
            // One wait plus twice the predicted creation (5 µs a task before any prediction) and
            // 5 s, per repetition; never past the budget.
            let creation = Int64(max(creationPerTask, 2_500) * 2 * Double(tasks))
            let repetitions: Int64 = spec.memoryRepetition ? 2 : 1
            let timeout = min(remaining, repetitions * (latency + creation + 5_000_000_000))
            let started = Measurement.monotonicNanoseconds()
            let outcome: CellProcess.Outcome
            do throws(SystemError) {
                outcome = try CellProcess.run(executable: executable, spec: spec, timeoutNanoseconds: timeout)
            } catch {
                return CapacityProbe(.stopped(.error, error.description))
            }
            if case .interrupted(let signal) = outcome {
                stop = true
                interrupted(signal)
                return CapacityProbe(.stopped(.error, "interrupted"))
            }
            let row = Sweep.row(spec: spec, outcome: outcome, timeout: timeout)
            probed(row, Double(Measurement.monotonicNanoseconds() - started) / 1e9)
            let result = probeOutcome(row, tasks: tasks, timeout: timeout)
            if case .concurrent = result, let create = row[RunnerColumns.createPerTask] {
                creationPerTask = create * 1000
            }
            return CapacityProbe(result)
        }
    }

    /// What a probe's row means for the search: all N alive at once (peak in flight = N, or for
    /// fork, which cannot count them, N waits within twice one wait), or why not.
    public static func probeOutcome(_ row: ResultRow, tasks: Int, timeout: Int64) -> CapacityProbe.Outcome {
        switch row.status {
        case .ok:
            let allAlive =
                row[RunnerColumns.tasksInFlightPeak].map { $0 == tasks }
                ?? ((row[RunnerColumns.efficiency] ?? 0) >= 0.5)
            if allAlive {
                return .concurrent(memoryPerTask: row[RunnerColumns.rssPerTask], peakRSS: row[RunnerColumns.peakRSS])
            }
            let wall = row[RunnerColumns.wallMedian].map { Units.trim($0, digits: 1) + " ms" } ?? "?"
            let waits = "waits of \(Units.formatDuration(nanoseconds: row.latencyNanoseconds))"
            guard let alive = row[RunnerColumns.tasksInFlightPeak] else {
                return .stopped(.notConcurrent, "\(waits) took \(wall) in all: they did not wait together")
            }
            return .partlyConcurrent(alive: alive, "\(waits) took \(wall), at most \(alive) alive at once")
        case .limit: return .stopped(.limit, row.message)
        case .timeout:
            return .stopped(
                .timeout,
                "not done within \(Units.formatDuration(nanoseconds: timeout)) (waits of \(Units.formatDuration(nanoseconds: row.latencyNanoseconds))); the probe was killed"
            )
        default: return .stopped(.error, "\(row.status.rawValue): \(row.message)")
        }
    }
}
