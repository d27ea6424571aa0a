/// One cell of a sweep: a backend running `tasks` tasks of a workload with given parameters,
/// measured over `warmup + reps` repetitions inside one fresh process.
public struct CellSpec: Codable, Sendable, Equatable {
    public var backend: String
    public var workload: String
    public var tasks: Int
    /// How long each task waits (`--latency`), ns; 0 for workloads without a wait.
    public var latencyNanoseconds: Int64
    /// The requests per second the cell offers in all, spread over its tasks (`--rate`, for an
    /// open-loop workload: net-rate); 0 for the others.
    public var rate: Double = 0
    /// The workload's own parameters (its `Parameters` type, as JSON).
    public var parameters: JSONValue
    public var options: BackendOptions
    public var reps: Int
    public var warmup: Int
    /// Run the cell on one CPU (sched_setaffinity before anything starts), so that every
    /// handoff between its tasks is a context switch on that CPU.
    public var pinned: Bool
    /// The allocator the cell process runs under (jemalloc: preloaded into it).
    public var allocator: Allocator
    /// Measured repetitions stop early once at least `minReps` ran and their wall time adds up
    /// to `repBudgetNanoseconds` (0 = no budget: always `reps`).
    public var minReps: Int
    public var repBudgetNanoseconds: Int64
    /// How often the sampler thread reads the thread count.
    public var sampleIntervalNanoseconds: Int64
    /// Whether the cell ends with the untimed memory repetition (workloads that measure memory);
    /// capacity probes turn it off: they only need the measured repetition's peak RSS.
    public var memoryRepetition = true
    /// How the cell reads its kernel memory (set by `CellProcess` for each cell it starts; nil:
    /// not at all).
    public var kernelMemory: KernelMemory.Plan? = nil

    public init(
        backend: String, workload: String, tasks: Int, latencyNanoseconds: Int64 = 0,
        parameters: JSONValue = .object([:]),
        options: BackendOptions, reps: Int, warmup: Int, pinned: Bool = false, allocator: Allocator = .system,
        minReps: Int? = nil,
        repBudgetNanoseconds: Int64 = 0,
        sampleIntervalNanoseconds: Int64 = 1_000_000
    ) {
        self.backend = backend
        self.workload = workload
        self.tasks = tasks
        self.latencyNanoseconds = latencyNanoseconds
        self.parameters = parameters
        self.options = options
        self.reps = reps
        self.warmup = warmup
        self.pinned = pinned
        self.allocator = allocator
        self.minReps = minReps ?? reps
        self.repBudgetNanoseconds = repBudgetNanoseconds
        self.sampleIntervalNanoseconds = sampleIntervalNanoseconds
    }
}

/// How a cell ended. Everything but `ok` comes with a message saying why.
public enum CellStatus: String, Codable, Sendable, CaseIterable {
    /// Every repetition ran and every task was accounted for.
    case ok
    /// The system or a cap refused more tasks (threads, processes, memory): a result.
    case limit
    /// The cell ran past `--cell-timeout` and was killed with its whole process group.
    case timeout
    /// The cell process died from a signal.
    case crashed
    /// The cell failed otherwise (a task error, tasks unaccounted for, a setup failure).
    case error
    /// The cell was not run (e.g. beyond the sequential baseline's bound).
    case skipped
}

/// One measured repetition, as the cell process reports it.
public struct RepetitionSample: Codable, Sendable, Equatable {
    public var wallNanoseconds: Int64
    public var userSeconds: Double
    public var systemSeconds: Double
    public var voluntarySwitches: Int
    public var involuntarySwitches: Int
    public var peakThreads: Int
    /// Most tasks running at once (nil where the backend cannot see it: fork).
    public var peakInFlight: Int?
    /// Time the backend took to create and start all tasks (its creation loop), ns; nil for
    /// the sequential baseline, which creates none.
    public var creationNanoseconds: Int64? = nil

    public init(
        wallNanoseconds: Int64, userSeconds: Double, systemSeconds: Double, voluntarySwitches: Int,
        involuntarySwitches: Int, peakThreads: Int, peakInFlight: Int?, creationNanoseconds: Int64? = nil
    ) {
        self.wallNanoseconds = wallNanoseconds
        self.userSeconds = userSeconds
        self.systemSeconds = systemSeconds
        self.voluntarySwitches = voluntarySwitches
        self.involuntarySwitches = involuntarySwitches
        self.peakThreads = peakThreads
        self.peakInFlight = peakInFlight
        self.creationNanoseconds = creationNanoseconds
    }
}

/// Heap figures of one untimed memory repetition run after the measured ones, with allocation
/// counting on and (except for fork) the allocator's statistics sampled while tasks exist.
/// A worker program's cell has only its children's memory (python-processes).
public struct MemoryProbe: Codable, Sendable, Equatable {
    /// Allocation calls (malloc, calloc, realloc, posix_memalign, aligned_alloc, memalign) in
    /// the cell process during the repetition; a forked child's own calls are not counted. Nil
    /// for a worker program (its allocations are not counted).
    public var allocations: Int64?
    /// free calls during the repetition.
    public var frees: Int64?
    /// Heap in use just before the repetition, and its peak during it, by the allocator's own
    /// statistics (nil for fork, whose cell process stays single-threaded: no sampler).
    public var heapBaselineBytes: Int64? = nil
    public var heapPeakBytes: Int64? = nil
    /// Fork and python-processes: the sum over children of each child's private memory just
    /// before it exited.
    public var childrenPrivateBytes: Int64? = nil
    /// Fork: the sum of the children's page tables (VmPTE), which `childrenPrivateBytes` and the
    /// cell's kernel memory both hold.
    public var childrenPageTableBytes: Int64? = nil
    /// What the cell ran on, e.g. "glibc 2.36 malloc" or "jemalloc 5.3.0-0-g…".
    public var allocator: String
    /// A sampled kernel-memory source (cgroup v2, meminfo): its reading just before the
    /// repetition and its peak during it (nil for cgroup v1, whose peak the kernel keeps, and fork).
    public var kernelBaselineBytes: Int64? = nil
    public var kernelPeakBytes: Int64? = nil

    public init(
        allocations: Int64? = nil, frees: Int64? = nil, heapBaselineBytes: Int64? = nil, heapPeakBytes: Int64? = nil,
        childrenPrivateBytes: Int64? = nil, childrenPageTableBytes: Int64? = nil, allocator: String,
        kernelBaselineBytes: Int64? = nil, kernelPeakBytes: Int64? = nil
    ) {
        self.childrenPageTableBytes = childrenPageTableBytes
        self.kernelBaselineBytes = kernelBaselineBytes
        self.kernelPeakBytes = kernelPeakBytes
        self.allocations = allocations
        self.frees = frees
        self.heapBaselineBytes = heapBaselineBytes
        self.heapPeakBytes = heapPeakBytes
        self.childrenPrivateBytes = childrenPrivateBytes
        self.allocator = allocator
    }
}

/// What a cell process sends back over its pipe: one JSON line.
public struct CellReport: Codable, Sendable, Equatable {
    public var status: CellStatus
    public var message: String
    /// For a `limit`, the most tasks started before the system refused more, when known.
    public var tasksReached: Int?
    /// The measured repetitions (warm-up excluded) that completed.
    public var samples: [RepetitionSample]
    /// RSS of the cell process once set up, before the first repetition.
    public var idleRSSBytes: Int
    /// Peak RSS of the cell process over all repetitions (VmHWM, reset after the idle reading).
    public var peakRSSBytes: Int
    /// The memory repetition's figures (workloads that measure memory, when the cell got that far).
    public var memory: MemoryProbe? = nil
    /// The workload's own figures (its declared columns), as its body reported them.
    public var figures = Figures()
    /// Kernel memory once set up and at the peak (nil when the spec had no plan or it failed).
    public var kernel: KernelMemory.Reading? = nil
    /// Text files the workload made for the cell, by extension (e.g. `hgrm`: its latency
    /// histogram); the sweep writes them into the run's `histograms/` folder.
    public var files: [String: String]? = nil

    public init(
        status: CellStatus, message: String, tasksReached: Int?, samples: [RepetitionSample], idleRSSBytes: Int,
        peakRSSBytes: Int, memory: MemoryProbe? = nil, figures: Figures = Figures()
    ) {
        self.status = status
        self.message = message
        self.tasksReached = tasksReached
        self.samples = samples
        self.idleRSSBytes = idleRSSBytes
        self.peakRSSBytes = peakRSSBytes
        self.memory = memory
        self.figures = figures
    }
}

extension CellSpec {
    /// What identifies this cell across runs (the CSV's key columns).
    public var key: CellKey {
        CellKey(
            backend: backend, workload: workload, tasks: tasks,
            latencyMilliseconds: Double(latencyNanoseconds) / 1e6, pinned: pinned,
            allocator: allocator.rawValue, rate: rate)
    }
}
