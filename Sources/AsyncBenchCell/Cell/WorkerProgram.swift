import AsyncBenchModel

/// A program outside this process that runs a backend's cells: another language's runtime
/// (Python's asyncio, Go...) with its own implementation of some workloads. It speaks the worker
/// protocol (docs/worker-protocol.md): the cell spec as one JSON line on its stdin, a `ready`
/// line once set up, `go` back, then its report as one JSON line on its stdout. The cell process
/// measures it from outside meanwhile (`WorkerCell`).
public struct WorkerProgram: Sendable {
    /// The workloads (by name) the worker implements.
    public var workloads: [String]
    /// The worker's command line (program first, found on PATH), or what is missing on this
    /// machine and how to install it, in one line.
    public var command: @Sendable () -> Result<[String], WorkerUnavailable>
    /// For a compiled or checked worker (Go, Rust, Node.js): the step the sweep runs once per
    /// run, before the first cell (`command` then names what it built); nil for one that runs
    /// from its source as it is (Python).
    public var build: WorkerBuild?

    public init(
        workloads: [String], build: WorkerBuild? = nil,
        command: @escaping @Sendable () -> Result<[String], WorkerUnavailable>
    ) {
        self.workloads = workloads
        self.build = build
        self.command = command
    }
}

/// Why a worker cannot run here: what is missing and what to install, in one line.
public struct WorkerUnavailable: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}

/// What a worker answers with: one JSON line on its stdout at the end. The cell process adds
/// what it measured from outside (idle and peak RSS, threads, the kernel's CPU and switches).
public struct WorkerReport: Codable, Sendable, Equatable {
    public var status: CellStatus
    public var message: String
    /// For a `limit`, the most tasks started before the refusal, when known.
    public var tasksReached: Int?
    /// The measured repetitions (warm-up excluded), timed by the worker itself.
    public var samples: [WorkerSample]
    /// The workload's own figures (its declared columns, by name), as the worker computed them.
    public var figures: Figures
    /// Workers whose tasks are processes: the sum over the children of each one's private memory
    /// (smaps_rollup Private_Clean + Private_Dirty + VmPTE) read just before it exits, in one
    /// untimed repetition after the measured ones, as the fork backend's children report it.
    public var childrenPrivateBytes: Int64?

    public init(
        status: CellStatus, message: String = "", tasksReached: Int? = nil, samples: [WorkerSample] = [],
        figures: Figures = Figures(), childrenPrivateBytes: Int64? = nil
    ) {
        self.status = status
        self.message = message
        self.tasksReached = tasksReached
        self.samples = samples
        self.figures = figures
        self.childrenPrivateBytes = childrenPrivateBytes
    }
}

/// One repetition as a worker timed it: its wall time (a monotonic clock around starting every
/// task and joining them) and its own getrusage difference over it (required: every runtime can
/// read it); the most tasks alive at once and the time to start them all, where it can tell.
public struct WorkerSample: Codable, Sendable, Equatable {
    public var wallNanoseconds: Int64
    public var userSeconds: Double
    public var systemSeconds: Double
    public var voluntarySwitches: Int
    public var involuntarySwitches: Int
    public var peakInFlight: Int?
    public var creationNanoseconds: Int64?

    public init(
        wallNanoseconds: Int64, userSeconds: Double, systemSeconds: Double, voluntarySwitches: Int,
        involuntarySwitches: Int
    ) {
        self.wallNanoseconds = wallNanoseconds
        self.userSeconds = userSeconds
        self.systemSeconds = systemSeconds
        self.voluntarySwitches = voluntarySwitches
        self.involuntarySwitches = involuntarySwitches
    }
}
