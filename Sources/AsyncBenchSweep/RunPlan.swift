import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults

#if canImport(Glibc)
    import Glibc
#endif

/// A cell of the plan: run it, or report it as skipped with the reason.
public struct PlannedCell: Sendable {
    public var spec: CellSpec
    public var skipReason: String?
}

/// A validated run: every cell to run, in order, and where results go. Built before anything
/// runs, so bad input is refused with a message and nothing is started or written.
public struct RunPlan: Sendable {
    /// Every cell in run order; those with a `skipReason` are reported but not run.
    public var cells: [PlannedCell]
    public var cellTimeoutNanoseconds: Int64
    public var outputDirectory: String
    public var format: OutputFormat
    public var progress: Bool
    /// Run cells the memory guard would refuse.
    public var force: Bool
    /// The settings every cell shares, as `name=value`, for the run's metadata.
    public var settings: [String]
    /// The allocators every cell runs under, in order.
    public var allocators: [Allocator]
    /// One-line notes for the user before the sweep (e.g. why there are no jemalloc rows).
    public var notes: [String] = []
    /// The output folder's lock, held as long as this plan (and so the run) lives.
    public var outputLock: OutputLock
    /// The sweep's time budget, when it has one.
    public var budget: TimeBudget?
    /// The order the cells run in (indices into `cells`): as listed, or, with a time budget,
    /// every series' smallest N first, then the next, so that no workload waits for the budget
    /// another spent.
    public var runOrder: [Int] = []

    /// The main job's time budget (`asyncbench` with the default workloads and task counts).
    public static let mainJobBudget = "90s"

    /// Largest --tasks accepted: well past any cap, but refuses typos such as 1e12.
    public static let maxTasks = 10_000_000

    /// The cells' indices, each series' (backend, workload, latency, pinning, allocator) k-th
    /// smallest N in the k-th pass, in plan order within a pass.
    static func smallestFirst(_ cells: [PlannedCell]) -> [Int] {
        func series(_ spec: CellSpec) -> String {
            "\(spec.backend) \(spec.workload) \(spec.latencyNanoseconds) \(spec.rate) \(spec.pinned) \(spec.allocator.rawValue)"
        }
        var counts: [String: Set<Int>] = [:]
        for cell in cells { counts[series(cell.spec), default: []].insert(cell.spec.tasks) }
        let ranks = cells.map { cell in
            counts[series(cell.spec)]?.sorted().firstIndex(of: cell.spec.tasks) ?? 0
        }
        return cells.indices.sorted { (ranks[$0], $0) < (ranks[$1], $1) }
    }

    /// `--preset` names and what each sets.
    public static let presets: [(name: String, summary: String, apply: @Sendable (inout RunOptions) -> Void)] = [
        (
            "million-tasks",
            "pkolaczk's \"How much memory do you need to run 1 million concurrent tasks?\" (2023): N = 1, 10000, 100000, 1000000 tasks that each sleep 10 s, launched together, on async, executor, nio (a loop timer per task), pthread (threads as far as the kernel allows), Python's asyncio and uvloop, Go, Node.js and tokio (each skipped where its runtime is missing); peak memory of the whole process and completion time, beside the published 2023 and 2024 figures. --backend narrows it to the backends named",
            { options in
                // A --backend given narrows the preset (e.g. --backend go,node); the default runs all.
                if options.backends == RunOptions().backends { options.backends = millionTasksBackends }
                options.workloads = "sleep"
                options.tasks = "1,10000,100000,1000000"
                options.latencies = "10s"
                options.reps = 1
                options.warmup = 0
                options.minReps = 1
                options.memoryRepetition = false
                options.maxThreads = KernelLimits.taskCap()
            }
        )
    ]

    /// The backends of `--preset million-tasks`: the runtimes pkolaczk compared that asyncbench
    /// has, and Swift's, those registered in this build.
    public static var millionTasksBackends: String {
        [
            "async", "executor", "nio", "pthread", "python-asyncio", "python-uvloop", "go", "node", "tokio",
            "tokio-current-thread",
        ].filter { Registry.backend(named: $0) != nil }.joined(separator: ",")
    }

    public init(_ typed: RunOptions) throws(UsageError) {
        var options = typed
        if let name = typed.preset {
            guard let preset = Self.presets.first(where: { $0.name == name }) else {
                throw .outOfRange(
                    option: "--preset", value: name, range: Self.presets.map(\.name).joined(separator: " or "))
            }
            preset.apply(&options)
        }
        let backendNames = try Self.names(
            options.backends, option: "--backend", known: Registry.backends.map { $0.name },
            groups: Registry.backendGroups
        ) {
            .unknownBackend(
                $0, known: Registry.listedBackendNames + Registry.backendGroups.keys.filter { $0 != "all" }.sorted())
        }
        var workloadNames = try Self.names(
            options.workloads, option: "--workload", known: Registry.workloads.map { $0.name }
        ) { .unknownWorkload($0, known: Registry.visibleWorkloadNames) }
        // --rate makes the net workload open-loop: its cells run as net-rate.
        if options.workloadOptions.group(NetWorkload.Options.self).rate != nil,
            let net = workloadNames.firstIndex(of: NetWorkload.name)
        {
            workloadNames.remove(at: net)
            if !workloadNames.contains(NetRateWorkload.name) { workloadNames.insert(NetRateWorkload.name, at: net) }
            notes.append("net: --rate given, so its cells run open-loop, as the net-rate workload")
        }
        let tasks = try options.tasks.map { list throws(UsageError) in
            try Self.list(list, option: "--tasks").map { text throws(UsageError) in
                let digits = text.hasPrefix("-") ? text.dropFirst() : text[...]
                guard let value = Int(text) else {
                    // All digits, but past Int: a whole number, too large.
                    guard !digits.isEmpty, digits.allSatisfy({ ("0"..."9").contains($0) }) else {
                        throw .badInteger(option: "--tasks", value: text)
                    }
                    throw .outOfRange(option: "--tasks", value: text, range: "between 1 and \(Self.maxTasks)")
                }
                guard (1...Self.maxTasks).contains(value) else {
                    throw .outOfRange(option: "--tasks", value: text, range: "between 1 and \(Self.maxTasks)")
                }
                return value
            }
        }
        let latencies = try Self.list(options.latencies, option: "--latency").map {
            text throws(UsageError) in try Units.parseDuration(text, option: "--latency")
        }
        guard (1...1000).contains(options.reps) else {
            throw .outOfRange(option: "--reps", value: "\(options.reps)", range: "between 1 and 1000")
        }
        guard (0...100).contains(options.warmup) else {
            throw .outOfRange(option: "--warmup", value: "\(options.warmup)", range: "between 0 and 100")
        }
        guard options.minReps >= 1 else {
            throw .outOfRange(option: "--min-reps", value: "\(options.minReps)", range: "at least 1")
        }
        let repBudget = try Units.parseDuration(options.repBudget, option: "--rep-budget")
        let mainJob = options.usesDefaultWorkloads && options.tasks == nil && typed.preset == nil
        switch options.budget ?? (mainJob ? Self.mainJobBudget : "none") {
        case "none": budget = nil
        case let text:
            let nanoseconds = try Units.parseDuration(text, option: "--budget")
            guard nanoseconds >= 1_000_000_000 else {
                throw .outOfRange(option: "--budget", value: text, range: "at least 1s, or none")
            }
            budget = TimeBudget(nanoseconds: nanoseconds)
        }
        let stack = try Self.threadStack(options.threadStack)
        cellTimeoutNanoseconds = try Units.parseDuration(options.cellTimeout, option: "--cell-timeout")
        guard cellTimeoutNanoseconds >= 1_000_000 else {
            throw .outOfRange(option: "--cell-timeout", value: options.cellTimeout, range: "at least 1ms")
        }
        for (value, option) in [
            (options.maxThreads, "--max-threads"), (options.maxProcesses, "--max-procs"),
            (options.sequentialMaxTasks, "--sequential-max-tasks"),
        ] where value < 1 {
            throw .outOfRange(option: option, value: "\(value)", range: "at least 1")
        }
        let allocation = try Allocator.parse(options.allocator)
        allocators = allocation.allocators
        notes += allocation.note.map { [$0] } ?? []
        let poolSize = options.poolSize ?? BackendOptions.cores
        guard (1...1024).contains(poolSize) else {
            throw .outOfRange(option: "--pool-size", value: "\(poolSize)", range: "between 1 and 1024")
        }
        guard options.maxSpawn >= 1 else {
            throw .outOfRange(option: "--max-spawn", value: "\(options.maxSpawn)", range: "at least 1")
        }
        guard (1...1024).contains(options.loops) else {
            throw .outOfRange(option: "--loops", value: "\(options.loops)", range: "between 1 and 1024")
        }
        let backendOptions = BackendOptions(
            threadStackBytes: stack, maxThreads: options.maxThreads, maxProcesses: options.maxProcesses,
            poolSize: poolSize, loops: options.loops)
        var builder = CellBuilder(
            options: options, backends: backendNames, tasks: tasks, backendOptions: backendOptions,
            allocators: allocators, repBudgetNanoseconds: repBudget)
        for name in workloadNames {
            guard let workload = Registry.workload(named: name) else { continue }
            // Each workload checks its own options, once, and only when it runs.
            let planned = try workload.erasedPlan(options.workloadOptions, latencies: latencies)
            notes += planned.notes
            try builder.add(workload, planned)
        }
        notes += Self.unusedOptions(options.workloadOptions, running: workloadNames)
        cells = builder.cells
        guard !cells.isEmpty else { throw .workloadProblem("no cell to run: the options select none") }
        runOrder = budget == nil ? Array(cells.indices) : Self.smallestFirst(cells)
        self.format = options.format
        self.progress = options.progress
        force = options.force
        settings =
            [
                "reps=\(options.reps)", "warmup=\(options.warmup)", "min-reps=\(min(options.minReps, options.reps))",
                "rep-budget=\(Units.formatDuration(nanoseconds: repBudget))",
                "cell-timeout=\(Units.formatDuration(nanoseconds: cellTimeoutNanoseconds))",
                "thread-stack=\(stack == 0 ? "default" : Units.formatBytes(stack))",
                "max-threads=\(options.maxThreads)",
                "max-procs=\(options.maxProcesses)", "pool-size=\(poolSize)", "loops=\(options.loops)",
                "max-spawn=\(options.maxSpawn)",
                "sequential-max-tasks=\(options.sequentialMaxTasks)",
                "budget=\(budget.map { Units.formatDuration(nanoseconds: $0.nanoseconds) } ?? "none")",
            ] + options.workloadOptions.settings + (typed.preset.map { ["preset=\($0)"] } ?? []) + [
                "memory-repetition=\(options.memoryRepetition ? "yes" : "no")",
                "allocator=\(allocators.map(\.rawValue).joined(separator: ","))",
            ]
        outputDirectory = options.out ?? "runs/\(RunMetadata.utcTimestamp(separator: ""))"
        outputLock = try OutputFolder.prepare(outputDirectory, overwrite: options.overwrite)
    }
}
