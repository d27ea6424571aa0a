import AsyncBenchModel
import AsyncBenchResults
import CAsyncBench

/// Runs one cell inside the fresh process the sweep started for it, and measures it.
///
/// Per repetition: wall time on CLOCK_MONOTONIC around `Backend.run`; CPU and context switches
/// from getrusage (self + reaped children) minus the sampler thread's own; the peak thread count
/// from a sampler thread reading /proc (not for backends that need a single-threaded process).
/// Repetitions: `warmup` discarded, then up to `reps` measured, stopping early once `minReps` ran
/// and their wall time reached `repBudgetNanoseconds` (so a slow cell does not dominate a sweep).
/// Per cell: RSS once set up (idle) and the peak RSS after it (VmHWM, reset after the idle reading),
/// and kernel memory the same way (`KernelMemory`: under cgroup v1 the kernel keeps the peak of the
/// cell's own cgroup); then, for workloads that measure memory, one untimed memory repetition
/// (`measureMemory`), which samples the kernel sources that keep no peak.
public enum CellRunner {
    /// Runs `spec` and returns its report; never throws: failures become the report's status.
    public static func run(_ spec: CellSpec) -> CellReport {
        var report = CellReport(
            status: .ok, message: "", tasksReached: nil, samples: [], idleRSSBytes: 0, peakRSSBytes: 0)
        do throws(CellFailure) {
            guard let backendType = Registry.backend(named: spec.backend) else {
                throw .setup("unknown backend '\(spec.backend)'")
            }
            if spec.pinned {
                var cpu: Int32 = 0
                let rc = CAsyncBench_pin_to_first_cpu(&cpu)
                if rc != 0 { throw .setup(SystemError("sched_setaffinity", errno: rc).description) }
            }
            // Into the cell's own cgroup before anything starts: its children are born inside.
            var meter: KernelMemory.Meter?
            if let plan = spec.kernelMemory {
                do {
                    meter = try KernelMemory.Meter(plan: plan)
                } catch {
                    throw .setup("cannot move the cell into its memory cgroup (\(error.description))")
                }
            }
            try ResourceCheck.openFiles()
            // A worker backend's cell runs in its worker program (which inherits the pinning and
            // the cgroup), measured from outside.
            if let worker = backendType.worker { return WorkerCell.run(spec, worker, kernel: meter) }
            guard let workloadType = Registry.workload(named: spec.workload) else {
                throw .setup("unknown workload '\(spec.workload)'")
            }
            if spec.allocator == .jemalloc, CAsyncBench_jemalloc_version() == nil {
                throw .setup("jemalloc was asked for but is not loaded in the cell process (LD_PRELOAD did not take)")
            }
            let backend = backendType.init(options: spec.options)
            let body = try workloadType.makeBody(spec)
            defer {
                report.figures = body.figures?() ?? Figures()
                report.files = body.files?()
            }
            report.idleRSSBytes = Measurement.ProcStatus.current().rssBytes
            let kernelIdle = meter?.idle()
            do {
                try Measurement.resetPeakRSS()
            } catch {
                throw .setup(error.description)
            }
            let sampleInterval =
                backendType.needsSingleThreadedProcess || !workloadType.samplesThreads
                ? nil : spec.sampleIntervalNanoseconds
            for _ in 0..<spec.warmup {
                _ = try measure(backend: backend, tasks: spec.tasks, body: body, sampleInterval: sampleInterval)
            }
            var measured: Int64 = 0
            for repetition in 1...spec.reps {
                let sample = try measure(
                    backend: backend, tasks: spec.tasks, body: body, sampleInterval: sampleInterval)
                report.samples.append(sample)
                body.measuredRepetitionEnded?()
                measured += sample.wallNanoseconds
                if spec.repBudgetNanoseconds > 0, repetition >= spec.minReps, measured >= spec.repBudgetNanoseconds {
                    break
                }
            }
            // Timings taken at the address-space limit are the limit's (the runtimes retry).
            do {
                try ResourceCheck.addressSpaceHeadroom()
            } catch {
                report.samples = []
                throw error
            }
            // Peak RSS covers the measured repetitions only, not the memory repetition's sampling.
            report.peakRSSBytes = Measurement.ProcStatus.current().peakRSSBytes
            if let meter, let idle = kernelIdle, let peak = meter.kernelPeak() {
                report.kernel = KernelMemory.Reading(source: meter.source, idleBytes: idle, peakBytes: peak)
            }
            if spec.runsMemoryRepetition {
                let memory = try measureMemory(
                    backend: backend, backendType: backendType, tasks: spec.tasks, body: body,
                    sampleInterval: spec.sampleIntervalNanoseconds, kernel: meter?.sampled)
                report.memory = memory
                // Sampled sources (cgroup v2, meminfo) are read in the memory repetition only.
                if let meter, let idle = memory.kernelBaselineBytes, let peak = memory.kernelPeakBytes {
                    report.kernel = KernelMemory.Reading(source: meter.source, idleBytes: idle, peakBytes: peak)
                }
            }
        } catch {
            report.status = error.status
            report.message = error.description
            report.tasksReached = error.reached
        }
        if report.peakRSSBytes == 0 { report.peakRSSBytes = Measurement.ProcStatus.current().peakRSSBytes }
        return report
    }

    /// One repetition: runs the backend once and checks every task completed.
    static func measure(
        backend: any Backend, tasks: Int, body: TaskBody, sampleInterval: Int64?
    ) throws(CellFailure) -> RepetitionSample {
        func timed() throws(CellFailure) -> (wall: Int64, usage: Measurement.Usage, count: TaskCount) {
            body.beforeRepetition?()
            let usageBefore = Measurement.Usage.current()
            let start = Measurement.monotonicNanoseconds()
            let count = try backend.run(tasks: tasks, body: body)
            let wall = Measurement.monotonicNanoseconds() - start
            let usage = Measurement.Usage.current() - usageBefore
            guard count.completed == tasks else { throw .unaccounted(expected: tasks, completed: count.completed) }
            return (wall, usage, count)
        }
        let wall: Int64
        var usage: Measurement.Usage
        let count: TaskCount
        let peakThreads: Int
        if let sampleInterval {
            let sampled = try Measurement.sampleThreads(intervalNanoseconds: sampleInterval, during: timed)
            (wall, usage, count) = sampled.result
            usage = usage - sampled.samplerUsage
            peakThreads = sampled.peakThreads
        } else {
            (wall, usage, count) = try timed()
            peakThreads = Measurement.ProcStatus.current().threads
        }
        return RepetitionSample(
            wallNanoseconds: wall, userSeconds: max(0, usage.userSeconds),
            systemSeconds: max(0, usage.systemSeconds),
            voluntarySwitches: max(0, usage.voluntarySwitches),
            involuntarySwitches: max(0, usage.involuntarySwitches), peakThreads: peakThreads,
            peakInFlight: count.peakInFlight, creationNanoseconds: count.creationNanoseconds)
    }
}
