import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import CAsyncBench

/// The stack size a pthread gets when none is set (glibc: RLIMIT_STACK, typically 8 MiB).
let systemDefaultThreadStackBytes = CAsyncBench_default_thread_stack()

extension ResultRow {
    /// A row for `spec` with no figures yet.
    public init(spec: CellSpec, status: CellStatus, message: String) {
        self.init(key: spec.key, status: status, message: message)
        self[RunnerColumns.reps] = 0
        self[RunnerColumns.warmup] = spec.warmup
        self[RunnerColumns.threadStack] =
            spec.options.threadStackBytes == 0 ? systemDefaultThreadStackBytes : spec.options.threadStackBytes
    }

    /// The row for a cell that reported back: the runner's figures, computed here once from the
    /// cell's repetitions, then its workload's.
    public init(spec: CellSpec, report: CellReport) {
        self.init(spec: spec, status: report.status, message: report.message)
        self[RunnerColumns.tasksReached] = report.status == .ok ? spec.tasks : report.tasksReached
        if report.peakRSSBytes > 0 {
            self[RunnerColumns.peakRSS] = report.peakRSSBytes
            self[RunnerColumns.idleRSS] = report.idleRSSBytes
        }
        let samples = report.samples
        // Without a measured repetition (e.g. a limit hit at once) there is no per-task figure.
        guard !samples.isEmpty else { return }
        let tasks = Double(spec.tasks)
        if let memory = report.memory {
            self[RunnerColumns.childrenPrivate] = memory.childrenPrivateBytes.map { Int($0) }
            self[RunnerColumns.allocationsPerTask] = memory.allocations.map { Double($0) / tasks }
            if let peak = memory.heapPeakBytes, let baseline = memory.heapBaselineBytes {
                self[RunnerColumns.heapPerTask] = Double(max(0, peak - baseline)) / tasks
            }
        }
        if report.peakRSSBytes > 0 {
            // Fork children are other processes: their own memory is added (see children_private_bytes).
            let growth =
                max(0, report.peakRSSBytes - report.idleRSSBytes) + Int(report.memory?.childrenPrivateBytes ?? 0)
            self[RunnerColumns.rssPerTask] = Double(growth) / tasks
        }
        if let kernel = report.kernel {
            // The cell's cgroup holds its forked children and worker programs: nothing to add.
            let perTask = Double(max(0, kernel.peakBytes - kernel.idleBytes)) / tasks
            self[RunnerColumns.kernelPerTask] = perTask
            self[RunnerColumns.kernelSource] = kernel.source.rawValue
            // Fork children's page tables are in both parts: counted once.
            let counted = Double(report.memory?.childrenPageTableBytes ?? 0) / tasks
            self[RunnerColumns.totalPerTask] = self[RunnerColumns.rssPerTask].map { $0 + max(0, perTask - counted) }
        }
        self[RunnerColumns.reps] = samples.count
        wallMillisecondsPerRep = samples.map { Double($0.wallNanoseconds) / 1e6 }
        let wall = Summary(wallMillisecondsPerRep)
        self[RunnerColumns.wallMedian] = wall?.median
        self[RunnerColumns.wallMin] = wall?.min
        self[RunnerColumns.wallMax] = wall?.max
        if let quartiles = Percentiles.ranks(wallMillisecondsPerRep, 25, 75) {
            self[RunnerColumns.wallQ1] = quartiles[0]
            self[RunnerColumns.wallQ3] = quartiles[1]
        }
        let workload = Registry.workload(named: spec.workload)
        if let wall, wall.median > 0, spec.latencyNanoseconds > 0 {
            // A task may wait several times one after another (net: once per request).
            let waits = Double(max(1, workload?.waits(spec) ?? 1))
            let latencyMilliseconds = Double(spec.latencyNanoseconds) / 1e6 * waits
            self[RunnerColumns.efficiency] = latencyMilliseconds / wall.median
            self[RunnerColumns.overheadPerTask] = (wall.median - latencyMilliseconds) * 1e3 / tasks
        }
        self[RunnerColumns.createPerTask] = Summary(samples.compactMap(\.creationNanoseconds).map(Double.init))
            .map { $0.median / 1e3 / tasks }
        self[RunnerColumns.cpuUser] = Summary(samples.map(\.userSeconds))?.median
        self[RunnerColumns.cpuSystem] = Summary(samples.map(\.systemSeconds))?.median
        self[RunnerColumns.voluntarySwitches] = Summary(samples.map { Double($0.voluntarySwitches) })?.median
        self[RunnerColumns.voluntarySwitchesMin] = samples.map(\.voluntarySwitches).min()
        self[RunnerColumns.voluntarySwitchesMax] = samples.map(\.voluntarySwitches).max()
        self[RunnerColumns.involuntarySwitches] = Summary(samples.map { Double($0.involuntarySwitches) })?.median
        self[RunnerColumns.threadsPeak] = samples.map(\.peakThreads).max()
        self[RunnerColumns.tasksInFlightPeak] = samples.compactMap(\.peakInFlight).max()
        workload?.addFigures(spec, report: report, into: &self)
    }
}
