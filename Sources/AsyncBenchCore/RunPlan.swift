import CAsyncBench

#if canImport(Glibc)
    import Glibc
#endif

/// The options of a run as the user typed them; `RunPlan` validates them.
public struct RunOptions: Sendable {
    public var backends = "all"
    public var workloads = "sleep,net,file,file-offload"
    /// nil: each workload's default task counts (sleep 1,10,100,1000,10000; switch 2).
    public var tasks: String? = nil
    public var latencies = "10ms"
    /// `no`, `yes` or `both`; nil: each workload's default (switch both, the others no).
    public var pin: String? = nil
    public var rounds = 200_000
    public var work = 10_000_000
    /// The net workload: requests per task, payload, request timeout, and the latency server's
    /// jitter, seed and fault rates.
    public var requests = 10
    public var payload = 64
    public var requestTimeout = "5s"
    public var jitter = "0ms"
    public var seed: UInt64 = 1
    public var loss = 0.0
    public var reset = 0.0
    /// `HOST:PORT` of an `asyncbench server` started elsewhere, for the net workload (`--server`);
    /// nil: each net cell starts its own on loopback.
    public var server: String? = nil
    /// The file workloads: bytes per file, fsync after each write, and the folder in which each
    /// cell gets a private temporary folder (empty: $TMPDIR or /tmp).
    public var fileSize = "4KiB"
    public var fileSync = false
    public var fileDirectory = ""
    /// Share of tasks that block, and for how long (the blocking workloads).
    public var blockingFraction = 0.1
    public var blockMilliseconds = 20
    /// When set, only these cells are run (what `check` uses to repeat a recorded run).
    public var onlyCells: Set<CellKey>? = nil
    public var reps = 5
    public var warmup = 1
    public var minReps = 2
    public var repBudget = "2s"
    public var out: String? = nil
    public var format = "csv"
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
    /// `system`, `jemalloc` or `both` (each cell under each allocator).
    public var allocator = "system"
    public var overwrite = false
    public var progress = true
    /// A named set of options (`--preset`), applied over the others: see `RunPlan.presets`.
    public var preset: String? = nil
    /// Whether sleep and cpu cells end with the untimed memory repetition (heap columns).
    public var memoryRepetition = true
    /// Run cells the memory guard would refuse (`--force`).
    public var force = false

    public init() {}
}

/// Output formats of the results file.
public enum OutputFormat: String, Sendable, CaseIterable {
    case csv, json
}

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

    /// Largest --tasks accepted: well past any cap, but refuses typos such as 1e12.
    public static let maxTasks = 10_000_000

    /// `--preset` names and what each sets.
    public static let presets: [(name: String, summary: String, apply: @Sendable (inout RunOptions) -> Void)] = [
        (
            "million-tasks",
            "pkolaczk's \"How much memory do you need to run 1 million concurrent tasks?\" (2023): N = 1, 10000, 100000, 1000000 tasks that each sleep 10 s, launched together, on async, executor, nio (a loop timer per task) and pthread (threads as far as the kernel allows); peak memory of the whole process and completion time",
            { options in
                options.backends = "async,executor,nio,pthread"
                options.workloads = SleepWorkload.name
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
            options.backends, option: "--backend", known: Registry.backends.map { $0.name }, all: true
        ) { .unknownBackend($0, known: Registry.backends.map { $0.name }) }
        let workloadNames = try Self.names(
            options.workloads, option: "--workload", known: Registry.workloads.map { $0.name }, all: false
        ) { .unknownWorkload($0, known: Registry.visibleWorkloadNames) }
        let tasks = try options.tasks.map { list throws(UsageError) in
            try Self.list(list, option: "--tasks").map { text throws(UsageError) in
                guard let value = Int(text) else { throw .badInteger(option: "--tasks", value: text) }
                guard (1...Self.maxTasks).contains(value) else {
                    throw .outOfRange(option: "--tasks", value: text, range: "between 1 and \(Self.maxTasks)")
                }
                return value
            }
        }
        let pinning = try options.pin.map { text throws(UsageError) -> [Bool] in
            switch text {
            case "no": return [false]
            case "yes": return [true]
            case "both": return [false, true]
            default: throw .outOfRange(option: "--pin", value: text, range: "no, yes or both")
            }
        }
        guard (1...10_000_000_000).contains(options.work) else {
            throw .outOfRange(option: "--work", value: "\(options.work)", range: "between 1 and 10000000000")
        }
        guard (1...100_000_000).contains(options.rounds) else {
            throw .outOfRange(option: "--rounds", value: "\(options.rounds)", range: "between 1 and 100000000")
        }
        guard (0...1).contains(options.blockingFraction) else {
            throw .outOfRange(
                option: "--blocking-fraction", value: "\(options.blockingFraction)", range: "between 0 and 1")
        }
        guard (0...60_000).contains(options.blockMilliseconds) else {
            throw .outOfRange(
                option: "--block-ms", value: "\(options.blockMilliseconds)", range: "between 0 and 60000")
        }
        guard (1...100_000).contains(options.requests) else {
            throw .outOfRange(option: "--requests", value: "\(options.requests)", range: "between 1 and 100000")
        }
        guard (0...65536).contains(options.payload) else {
            throw .outOfRange(option: "--payload", value: "\(options.payload)", range: "between 0 and 65536 bytes")
        }
        guard (0...1).contains(options.loss), (0...1).contains(options.reset), options.loss + options.reset <= 1 else {
            throw .outOfRange(
                option: "--loss and --reset", value: "\(options.loss) and \(options.reset)",
                range: "between 0 and 1, summing to 1 at most")
        }
        let requestTimeout = try Units.parseDuration(options.requestTimeout, option: "--request-timeout")
        guard requestTimeout >= 1_000_000 else {
            throw .outOfRange(option: "--request-timeout", value: options.requestTimeout, range: "at least 1ms")
        }
        let jitter = try Units.parseDuration(options.jitter, option: "--jitter")
        let fileBytes = try Units.parseSize(options.fileSize, option: "--file-size")
        guard (1...FileTasks.maxFileBytes).contains(fileBytes) else {
            throw .outOfRange(option: "--file-size", value: options.fileSize, range: "between 1 byte and 1GiB")
        }
        if !options.fileDirectory.isEmpty {
            guard Files.isDirectory(options.fileDirectory), access(options.fileDirectory, W_OK | X_OK) == 0 else {
                throw .workloadProblem(
                    "--file-dir '\(options.fileDirectory)' is not an existing folder this user can write to; create it or pick another"
                )
            }
        }
        let latencies = try Self.list(options.latencies, option: "--latency").map {
            text throws(UsageError) in try Units.parseDuration(text, option: "--latency")
        }
        let usesServer = workloadNames.contains(NetWorkload.name)
        let external = try options.server.flatMap { text throws(UsageError) in
            usesServer ? try Self.externalServer(text) : nil
        }
        if options.server != nil && !usesServer {
            notes.append("--server applies to the net workload only, which this run does not include")
        }
        if let external {
            notes.append(
                "net: the latency server at \(external.address) injects \(Units.formatDuration(nanoseconds: external.latency)) ± \(Units.formatDuration(nanoseconds: external.jitter)), its own settings (--latency, --jitter, --seed, --loss and --reset apply to servers asyncbench starts)"
            )
            if let warning = Self.portReuseWarning(host: external.host) { notes.append(warning) }
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
        guard let format = OutputFormat(rawValue: options.format) else { throw .badFormat(options.format) }
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

        cells = []
        for workload in workloadNames {
            guard let type = Registry.workload(named: workload) else { continue }
            let counts = tasks ?? type.defaultTasks
            let external = type.name == NetWorkload.name ? external : nil
            let waits = external.map { [$0.latency] } ?? (type.usesLatency ? latencies : [0])
            if type.name == NetWorkload.name, let longest = waits.max(),
                longest + (external?.jitter ?? jitter) >= requestTimeout
            {
                let reply = Units.formatDuration(nanoseconds: longest + (external?.jitter ?? jitter))
                throw .outOfRange(
                    option: "--request-timeout", value: options.requestTimeout,
                    range: "longer than the latency server's slowest reply (\(reply)), or every request times out")
            }
            for backend in backendNames {
                for pinned in pinning ?? type.defaultPinning {
                    for allocator in allocators {
                        for latency in waits {
                            for count in counts {
                                var parameters = WorkloadParameters(
                                    latencyNanoseconds: latency, rounds: options.rounds, work: options.work,
                                    blockingFraction: options.blockingFraction,
                                    blockNanoseconds: Int64(options.blockMilliseconds) * 1_000_000)
                                parameters.requests = options.requests
                                parameters.payload = options.payload
                                parameters.requestTimeoutNanoseconds = requestTimeout
                                parameters.jitterNanoseconds = jitter
                                parameters.seed = options.seed
                                parameters.loss = options.loss
                                parameters.reset = options.reset
                                if let external {
                                    parameters.serverHost = external.host
                                    parameters.serverPort = external.port
                                    parameters.jitterNanoseconds = external.jitter
                                }
                                parameters.fileBytes = fileBytes
                                parameters.fileSync = options.fileSync
                                parameters.fileParent = options.fileDirectory
                                var spec = CellSpec(
                                    backend: backend, workload: workload, tasks: count,
                                    parameters: parameters,
                                    options: backendOptions, reps: options.reps, warmup: options.warmup, pinned: pinned,
                                    allocator: allocator, minReps: min(options.minReps, options.reps),
                                    repBudgetNanoseconds: repBudget)
                                spec.memoryRepetition = options.memoryRepetition
                                if let only = options.onlyCells, !only.contains(spec.key) { continue }
                                if let problem = type.problem(tasks: count) { throw .workloadProblem(problem) }
                                var skipReason = Registry.unsupportedReason(backend: backend, workload: workload)
                                if skipReason == nil, Registry.backend(named: backend)?.spawnsHelpers == true,
                                    count > options.maxSpawn
                                {
                                    skipReason =
                                        "beyond --max-spawn \(options.maxSpawn): each spawned helper costs milliseconds of CPU (exec of this binary)"
                                }
                                let serialWaits = type.waitsPerTask(parameters)
                                if skipReason == nil, serialWaits > 0,
                                    let workers = Registry.backend(named: backend)?.maxConcurrentTasks(backendOptions),
                                    (count + workers - 1) / workers * serialWaits > options.sequentialMaxTasks
                                {
                                    let rounds = Int64((count + workers - 1) / workers * serialWaits)
                                    let total = Units.formatDuration(nanoseconds: latency * rounds)
                                    skipReason =
                                        workers == 1
                                        ? "beyond --sequential-max-tasks \(options.sequentialMaxTasks): one repetition would take about \(total)"
                                        : "beyond --sequential-max-tasks \(options.sequentialMaxTasks) tasks per pool thread (\(workers) threads): one repetition would take about \(total)"
                                }
                                cells.append(PlannedCell(spec: spec, skipReason: skipReason))
                            }
                        }
                    }
                }
            }
        }
        guard !cells.isEmpty else { throw .workloadProblem("no cell to run: the options select none") }
        self.format = format
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
                "rounds=\(options.rounds)", "work=\(options.work)", "blocking-fraction=\(options.blockingFraction)",
                "block-ms=\(options.blockMilliseconds)", "requests=\(options.requests)", "payload=\(options.payload)",
                "request-timeout=\(Units.formatDuration(nanoseconds: requestTimeout))",
                "jitter=\(Units.formatDuration(nanoseconds: jitter))", "seed=\(options.seed)", "loss=\(options.loss)",
                "reset=\(options.reset)", "server=\(options.server ?? "started per cell")",
                "file-size=\(Self.exactSize(fileBytes))",
                "file-sync=\(options.fileSync ? "yes" : "no")",
                "file-dir=\(options.fileDirectory.isEmpty ? (getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp") : options.fileDirectory)",
            ] + (typed.preset.map { ["preset=\($0)"] } ?? []) + [
                "memory-repetition=\(options.memoryRepetition ? "yes" : "no")",
                "allocator=\(allocators.map(\.rawValue).joined(separator: ","))",
            ]
        outputDirectory = options.out ?? "runs/\(RunMetadata.utcTimestamp(separator: ""))"
        try Self.prepareOutput(outputDirectory, overwrite: options.overwrite)
    }

    /// `--server HOST:PORT`: the address (the host resolved to IPv4), and what the server there
    /// injects, asked over its control request, so that a server that is not there is refused
    /// before anything runs.
    static func externalServer(_ text: String) throws(UsageError) -> (
        address: String, host: String, port: Int, latency: Int64, jitter: Int64
    ) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (1...65535).contains(port), colon != text.startIndex
        else {
            throw .outOfRange(option: "--server", value: text, range: "HOST:PORT, e.g. 192.168.1.20:7000")
        }
        let name = String(text[..<colon])
        guard let host = ServerControl.resolve(name) else {
            throw .workloadProblem("--server: cannot resolve '\(name)' to an IPv4 address; give the server's address")
        }
        let statistics: LatencyServer.Statistics
        do {
            statistics = try ServerControl.statistics(host: host, port: port)
        } catch {
            throw .workloadProblem(
                "--server: no asyncbench server answers at \(text) (\(error)); start one there with 'asyncbench server --host 0.0.0.0 --port \(port) --latency 20ms'"
            )
        }
        return (text, host, port, statistics.latencyNanoseconds ?? 0, statistics.jitterNanoseconds ?? 0)
    }

    /// Every connection a client closes leaves a TIME_WAIT socket for 60 s holding its local port.
    /// Linux reuses those ports for new connections only to loopback unless
    /// net.ipv4.tcp_tw_reuse is 1: to another address, connects stall once the ephemeral range is
    /// used up. Says so (with the numbers) when that applies, else nil.
    static func portReuseWarning(host: String) -> String? {
        guard !host.hasPrefix("127."),
            let reuse = Measurement.readFile("/proc/sys/net/ipv4/tcp_tw_reuse")?.trimmingWhitespace(), reuse != "1"
        else { return nil }
        let range = (Measurement.readFile("/proc/sys/net/ipv4/ip_local_port_range") ?? "").split(
            whereSeparator: \.isWhitespace
        )
        .compactMap { Int($0) }
        let ports = range.count == 2 ? range[1] - range[0] + 1 : 28_232
        return
            "net: this machine reuses TIME_WAIT ports only to loopback (net.ipv4.tcp_tw_reuse=\(reuse)): after about \(ports) connections to \(host) within 60 s, connects wait for free ports (see connect_us); 'sysctl -w net.ipv4.tcp_tw_reuse=1' lifts that"
    }

    /// `bytes` as a size `Units.parseSize` reads back exactly: 4KiB, or 20000B.
    static func exactSize(_ bytes: Int) -> String {
        let short = Units.formatBytes(bytes)
        return (try? Units.parseSize(short, option: "")) == bytes ? short : "\(bytes)B"
    }

    static func list(_ text: String, option: String) throws(UsageError) -> [String] {
        let items = text.split(separator: ",").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
        guard !items.isEmpty else { throw .emptyList(option: option) }
        return items
    }

    static func names(
        _ text: String, option: String, known: [String], all: Bool, unknown: (String) -> UsageError
    ) throws(UsageError) -> [String] {
        var result: [String] = []
        for name in try list(text, option: option) {
            if all && name == "all" {
                result += known
            } else if known.contains(name) {
                result.append(name)
            } else {
                throw unknown(name)
            }
        }
        return result.uniqued()
    }

    static func threadStack(_ text: String) throws(UsageError) -> Int {
        if text == "default" || text == "0" { return 0 }
        let bytes = try Units.parseSize(text, option: "--thread-stack")
        let minimum = CAsyncBench_min_thread_stack()
        guard bytes >= minimum, bytes <= 1 << 30 else {
            throw .outOfRange(
                option: "--thread-stack", value: text,
                range: "'default' or between \(Units.formatBytes(minimum)) and 1GiB")
        }
        return bytes
    }

    /// Creates the output folder (and parents), checks it is writable, and refuses to replace
    /// an earlier run in it unless `overwrite`.
    static func prepareOutput(_ path: String, overwrite: Bool) throws(UsageError) {
        do {
            try Files.makeDirectories(path)
        } catch {
            throw .outputNotWritable(path: path, reason: error.description)
        }
        if !overwrite {
            for name in ["results.csv", "results.json", "run.json"] where access(path + "/" + name, F_OK) == 0 {
                throw .outputExists(path: path)
            }
        }
        let probe = path + "/.asyncbench-write-test"
        let fd = open(probe, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw .outputNotWritable(path: path, reason: SystemError("open", errno: errno).description)
        }
        close(fd)
        unlink(probe)
    }
}
