import ArgumentParser
import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults

/// The options of a run as the user typed them; `RunPlan` validates them. The workloads' own
/// options are their option groups, in `workloadOptions`.
public struct RunOptions: Sendable {
    public var backends = "all"
    /// Every claim's workloads: the main job.
    public var workloads =
        "sleep,switch,cpu,blocking,blocking-offload,net,file,file-offload,file-sync,file-sync-offload"
    /// nil: each workload's default task counts (sleep 1,10,100,1000,10000; switch 2).
    public var tasks: String? = nil
    public var latencies = "10ms"
    /// nil: each workload's default (switch both, the others no).
    public var pin: PinChoice? = nil
    /// The options of every workload (`--rounds`, `--requests`, `--file-size`...).
    public var workloadOptions = WorkloadOptions.defaults
    /// When set, only these cells are run (what `check` uses to repeat a recorded run).
    public var onlyCells: Set<CellKey>? = nil
    public var reps = 5
    public var warmup = 1
    public var minReps = 2
    public var repBudget = "2s"
    public var out: String? = nil
    public var format = OutputFormat.csv
    public var threadStack = "64KiB"
    public var cellTimeout = "120s"
    public var maxThreads = 16_000
    public var maxProcesses = 16_000
    /// Threads of the threadpool backend (`--pool-size`); nil: one per core.
    public var poolSize: Int? = nil
    /// Event loops of the nio backend (`--loops`).
    public var loops = 1
    /// Largest task count of the spawn backend's cells (`--max-spawn`).
    public var maxSpawn = 1000
    public var sequentialMaxTasks = 100
    /// Each cell under the system allocator, jemalloc, or both.
    public var allocator = AllocatorChoice.system
    public var overwrite = false
    public var progress = true
    /// A named set of options (`--preset`), applied over the others: see `RunPlan.presets`.
    public var preset: String? = nil
    /// Whether sleep and cpu cells end with the untimed memory repetition (heap columns).
    public var memoryRepetition = true
    /// Run cells the memory guard would refuse (`--force`).
    public var force = false
    /// The sweep's time budget (`--budget`): a duration, `none`, or nil for the default
    /// (`RunPlan.mainJobBudget` for the main job, none for a sweep whose workloads, task counts or
    /// preset were chosen).
    public var budget: String? = nil

    public init() {}

    /// Whether the workloads are the default ones (every claim's), not the user's choice.
    public var usesDefaultWorkloads: Bool { workloads == RunOptions().workloads }
}

/// `--pin`: cells on one CPU (yes), on all of them (no), or each cell both ways.
public enum PinChoice: String, Sendable, CaseIterable {
    case no, yes, both

    /// The pinnings swept.
    public var pinning: [Bool] {
        switch self {
        case .no: return [false]
        case .yes: return [true]
        case .both: return [false, true]
        }
    }
}

extension OutputFormat: ExpressibleByArgument {}
extension PinChoice: ExpressibleByArgument {}
extension AllocatorChoice: ExpressibleByArgument {}
