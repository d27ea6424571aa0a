import CAsyncBench

#if canImport(Glibc)
    import Glibc
#endif

/// The options of `asyncbench capacity`, as typed; `CapacityPlan` validates them.
public struct CapacityOptions: Sendable {
    public var backends = "all"
    public var workload = "sleep"
    /// How long each task waits: long enough that all N are alive at once.
    public var latency = "2s"
    public var start = 1000
    public var maxTasks = RunPlan.maxTasks
    /// nil: 16 GiB or 60% of the memory available now, whichever is less.
    public var memoryBudget: String? = nil
    public var timeBudget = "60s"
    public var threadStack = "64KiB"
    /// nil: the kernel's limit less the threads running now less 2048 (`KernelLimits.taskCap`).
    public var maxThreads: Int? = nil
    public var maxProcesses: Int? = nil
    public var out: String? = nil
    public var overwrite = false
    public var progress = true

    public init() {}
}

/// A validated capacity run: which backends, the search's bounds, where results go.
public struct CapacityPlan: Sendable {
    public var backends: [String]
    public var workload: String
    public var latencyNanoseconds: Int64
    public var search: CapacitySearch
    public var options: BackendOptions
    public var outputDirectory: String
    public var progress: Bool
    public var settings: [String]

    public init(_ typed: CapacityOptions) throws(UsageError) {
        var run = RunOptions()
        run.backends = typed.backends
        run.workloads = typed.workload
        run.latencies = typed.latency
        run.threadStack = typed.threadStack
        run.out = typed.out
        run.overwrite = typed.overwrite
        run.maxThreads = typed.maxThreads ?? KernelLimits.taskCap()
        run.maxProcesses = typed.maxProcesses ?? KernelLimits.taskCap()
        run.tasks = "1"
        run.reps = 1
        run.warmup = 0
        guard typed.workload == SleepWorkload.name else {
            throw .workloadProblem(
                "capacity searches the sleep workload (--workload sleep); got '\(typed.workload)'")
        }
        // RunPlan checks the shared options (backends, latency, stack, caps, output folder).
        let plan = try RunPlan(run)
        guard let first = plan.cells.first else { throw .workloadProblem("no backend to search") }
        backends = plan.cells.map(\.spec.backend).uniqued()
        workload = typed.workload
        latencyNanoseconds = first.spec.latencyNanoseconds
        guard latencyNanoseconds >= 10_000_000 else {
            throw .outOfRange(
                option: "--latency", value: typed.latency, range: "at least 10ms (tasks must all be waiting at once)")
        }
        options = first.spec.options
        guard (1...RunPlan.maxTasks).contains(typed.start) else {
            throw .outOfRange(option: "--start", value: "\(typed.start)", range: "between 1 and \(RunPlan.maxTasks)")
        }
        guard (typed.start...RunPlan.maxTasks).contains(typed.maxTasks) else {
            throw .outOfRange(
                option: "--max-tasks", value: "\(typed.maxTasks)", range: "between --start and \(RunPlan.maxTasks)")
        }
        let available = Measurement.memoryAvailableBytes() ?? (16 << 30)
        let budget =
            try typed.memoryBudget.map { text throws(UsageError) in
                try Units.parseSize(text, option: "--memory-budget")
            } ?? min(16 << 30, available / 10 * 6)
        guard budget >= 64 << 20 else {
            throw .outOfRange(option: "--memory-budget", value: typed.memoryBudget ?? "", range: "at least 64MiB")
        }
        let time = try Units.parseDuration(typed.timeBudget, option: "--time-budget")
        guard time >= 1_000_000_000 else {
            throw .outOfRange(option: "--time-budget", value: typed.timeBudget, range: "at least 1s")
        }
        search = CapacitySearch(
            start: typed.start, maxTasks: typed.maxTasks, memoryBudgetBytes: budget, timeBudgetNanoseconds: time,
            baselineBytes: 32 << 20)
        outputDirectory = plan.outputDirectory
        progress = typed.progress
        settings = [
            "latency=\(Units.formatDuration(nanoseconds: latencyNanoseconds))", "start=\(typed.start)",
            "max-tasks=\(typed.maxTasks)", "memory-budget=\(Units.formatBytes(budget))",
            "time-budget=\(Units.formatDuration(nanoseconds: time))",
            "thread-stack=\(options.threadStackBytes == 0 ? "default" : Units.formatBytes(options.threadStackBytes))",
            "max-threads=\(options.maxThreads)", "max-procs=\(options.maxProcesses)",
            "pool-size=\(options.poolSize)", "loops=\(options.loops)",
        ]
    }
}

/// `asyncbench capacity`: per backend, the highest number of concurrent tasks it completes
/// (`CapacitySearch`), within the memory and time budgets and below the kernel's limits. Every
/// probe is a cell in a fresh process (one measured repetition); its row goes to results.csv,
/// the per-backend result to capacity.csv, then the charts and REPORT.md as after a sweep.
public enum CapacitySession {
    public static func execute(plan: CapacityPlan, commandLine: [String], executable: String) -> Int32 {
        var metadata = RunMetadata.current(commandLine: commandLine)
        metadata.settings = plan.settings
        let showProgress = plan.progress && isatty(STDERR_FILENO) == 1
        _ = CAsyncBench_install_interrupt_handlers()
        let writer: ResultsWriter
        do {
            writer = try ResultsWriter(directory: plan.outputDirectory, format: .csv, metadata: metadata)
        } catch {
            RunSession.writeStandardError("asyncbench: error: \(error)\n")
            return ExitStatus.runFailed.rawValue
        }
        var results: [CapacityResult] = []
        var interrupted: Int32?
        for backend in plan.backends where interrupted == nil {
            let result = search(backend, plan: plan, executable: executable) { row, seconds in
                if showProgress {
                    RunSession.writeStandardError(
                        "[\(backend)] N = \(row.tasks): \(row.status.rawValue) (\(Units.trim(seconds, digits: 1)) s)\n")
                }
                do { try writer.append(row) } catch { RunSession.writeStandardError("asyncbench: error: \(error)\n") }
            } interrupted: {
                interrupted = $0
            }
            if interrupted == nil { results.append(result) }
            do {
                try Files.writeAtomically(
                    CapacityFile.text(results, metadata: metadata), to: plan.outputDirectory + "/capacity.csv")
            } catch {
                RunSession.writeStandardError("asyncbench: error: \(error)\n")
                return ExitStatus.runFailed.rawValue
            }
        }
        try? writer.finish(interrupted: interrupted != nil)
        print("\(metadata.machineLine)\n\n" + CapacityFile.table(results))
        print("capacity: \(plan.outputDirectory)/capacity.csv (probes: \(writer.resultsPath))")
        if let signal = interrupted {
            RunSession.writeStandardError(
                "asyncbench: interrupted by \(WaitStatus.signalName(signal)): \(results.count) of \(plan.backends.count) backends searched\n"
            )
            return 128 + signal
        }
        for line in ReportSession.finishRun(directory: plan.outputDirectory, format: .csv, executable: executable) {
            print(line)
        }
        return ExitStatus.success.rawValue
    }

    /// One backend's search; `probed` receives each probe's row.
    static func search(
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
    static func probeOutcome(_ row: ResultRow, tasks: Int, timeout: Int64) -> CapacityProbe.Outcome {
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

/// capacity.csv: one row per backend (its columns are documented in the README), and the table
/// printed after a capacity run.
public enum CapacityFile {
    public static let columns = [
        "schema_version", "backend", "workload", "latency_ms", "highest_tasks", "memory_per_task_bytes",
        "peak_rss_bytes", "stopped_by", "probes", "seconds", "message",
    ]

    static func text(_ results: [CapacityResult], metadata: RunMetadata) -> String {
        var text = CSV.preamble(metadata) + CSV.line(columns)
        for result in results {
            text += CSV.line([
                "\(Schema.version)", result.backend, result.workload, Units.trim(result.latencyMilliseconds, digits: 6),
                result.highest.map(String.init) ?? "", result.memoryPerTask.map { Units.trim($0, digits: 1) } ?? "",
                result.peakRSS.map(String.init) ?? "", result.stoppedBy.rawValue, "\(result.probes)",
                Units.trim(result.seconds, digits: 1), result.message,
            ])
        }
        return text
    }

    static func table(_ results: [CapacityResult]) -> String {
        let header = ["backend", "highest N at once", "memory/task", "peak RSS", "stopped by", "probes", "seconds"]
        let lines = results.map { result in
            [
                result.backend, result.highest.map(String.init) ?? "none",
                result.memoryPerTask.map { Units.formatBytes(Int($0.rounded())) } ?? "-",
                result.peakRSS.map(Units.formatBytes) ?? "-", result.stoppedBy.rawValue, "\(result.probes)",
                Units.trim(result.seconds, digits: 1),
            ]
        }
        var text = SummaryTable.align([header] + lines, rightAligned: [1, 2, 3, 5, 6])
        for result in results where !result.message.isEmpty {
            text += "\(result.backend): \(result.message)\n"
        }
        return text
    }

    /// The capacity results as a Markdown table (REPORT.md).
    static func markdown(_ results: [CapacityResult]) -> String {
        var text =
            "| backend | highest N at once | memory per task there | peak RSS there | stopped by | why |\n|---|--:|--:|--:|---|---|\n"
        for result in results {
            text +=
                "| \(result.backend) | \(result.highest.map(String.init) ?? "none") | \(result.memoryPerTask.map { Units.formatBytes(Int($0.rounded())) } ?? "—") | \(result.peakRSS.map(Units.formatBytes) ?? "—") | \(result.stoppedBy.rawValue) | \(result.message.replacingAll("|", with: "/")) |\n"
        }
        return text
    }

    /// Reads capacity.csv back (for the report); nil when the file is absent or unreadable.
    public static func load(_ path: String) -> [CapacityResult]? {
        guard let text = Measurement.readFile(path) else { return nil }
        let records = CSV.records(text)
        guard let header = records.first else { return nil }
        return records.dropFirst().compactMap { record in
            let values = Dictionary(zip(header.fields, record.fields), uniquingKeysWith: { first, _ in first })
            guard let backend = values["backend"], let stop = values["stopped_by"].flatMap(CapacityStop.init) else {
                return nil
            }
            return CapacityResult(
                backend: backend, workload: values["workload"] ?? "",
                latencyMilliseconds: Double(values["latency_ms"] ?? "") ?? 0,
                highest: values["highest_tasks"].flatMap { Int($0) },
                memoryPerTask: values["memory_per_task_bytes"].flatMap { Double($0) },
                peakRSS: values["peak_rss_bytes"].flatMap { Int($0) }, stoppedBy: stop,
                message: values["message"] ?? "", probes: Int(values["probes"] ?? "") ?? 0,
                seconds: Double(values["seconds"] ?? "") ?? 0)
        }
    }
}
