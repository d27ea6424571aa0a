import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults

/// Builds a plan's cells, workload by workload: backends × pinning × allocators × latencies ×
/// task counts, each with the reason it is skipped when it is.
struct CellBuilder {
    let options: RunOptions
    let backends: [String]
    /// `--tasks`, or nil for each workload's defaults.
    let tasks: [Int]?
    let backendOptions: BackendOptions
    let allocators: [Allocator]
    let repBudgetNanoseconds: Int64
    private(set) var cells: [PlannedCell] = []

    init(
        options: RunOptions, backends: [String], tasks: [Int]?, backendOptions: BackendOptions,
        allocators: [Allocator], repBudgetNanoseconds: Int64
    ) {
        self.options = options
        self.backends = backends
        self.tasks = tasks
        self.backendOptions = backendOptions
        self.allocators = allocators
        self.repBudgetNanoseconds = repBudgetNanoseconds
    }

    mutating func add(_ workload: any Workload.Type, _ plan: WorkloadPlan<JSONValue>) throws(UsageError) {
        let counts = tasks ?? workload.defaultTasks
        for backend in backends {
            for pinned in options.pin?.pinning ?? workload.defaultPinning {
                for allocator in allocators {
                    for latency in plan.latencies {
                        for (rate, count) in plan.rates.flatMap({ rate in counts.map { (rate, $0) } }) {
                            var spec = CellSpec(
                                backend: backend, workload: workload.name, tasks: count, latencyNanoseconds: latency,
                                parameters: plan.parameters, options: backendOptions, reps: options.reps,
                                warmup: options.warmup, pinned: pinned, allocator: allocator,
                                minReps: min(options.minReps, options.reps),
                                repBudgetNanoseconds: repBudgetNanoseconds)
                            spec.memoryRepetition = options.memoryRepetition
                            spec.rate = rate
                            if let only = options.onlyCells, !only.contains(spec.key) { continue }
                            // A task count the workload cannot run is refused when the user chose the
                            // workload, and skipped with the reason when it came with the defaults.
                            if let problem = workload.problem(tasks: count) {
                                guard options.usesDefaultWorkloads else {
                                    throw .workloadProblem(problem)
                                }
                                cells.append(PlannedCell(spec: spec, skipReason: problem))
                                continue
                            }
                            cells.append(PlannedCell(spec: spec, skipReason: skipReason(spec, workload)))
                        }
                    }
                }
            }
        }
    }

    /// Why a cell is not run: a combination that makes no sense, or one that would take too long.
    func skipReason(_ spec: CellSpec, _ workload: any Workload.Type) -> String? {
        if let reason = Registry.unsupportedReason(backend: spec.backend, workload: spec.workload) { return reason }
        let backend = Registry.backend(named: spec.backend)
        if backend?.spawnsHelpers == true, spec.tasks > options.maxSpawn {
            return
                "beyond --max-spawn \(options.maxSpawn): each spawned helper costs milliseconds of CPU (exec of this binary)"
        }
        let serialWaits = workload.waits(spec)
        guard serialWaits > 0, let workers = backend?.maxConcurrentTasks(backendOptions),
            (spec.tasks + workers - 1) / workers * serialWaits > options.sequentialMaxTasks
        else { return nil }
        let rounds = Int64((spec.tasks + workers - 1) / workers * serialWaits)
        let total = Units.formatDuration(nanoseconds: spec.latencyNanoseconds * rounds)
        return workers == 1
            ? "beyond --sequential-max-tasks \(options.sequentialMaxTasks): one repetition would take about \(total)"
            : "beyond --sequential-max-tasks \(options.sequentialMaxTasks) tasks per pool thread (\(workers) threads): one repetition would take about \(total)"
    }
}
