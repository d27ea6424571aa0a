import CAsyncBench

/// One row of results: a cell's parameters, its figures, status and message.
///
/// Every figure is computed here, once, from the cell's repetitions; `CSV` and the JSON output
/// write these values and `Schema.columns` documents them.
public struct ResultRow: Codable, Sendable, Equatable {
    public var backend: String
    public var workload: String
    public var tasks: Int
    /// `tasks` when the cell ran; for a `limit`, the most tasks started before the refusal.
    public var tasksReached: Int?
    public var latencyNanoseconds: Int64
    public var pinned: Bool
    /// `system` or `jemalloc`: the allocator the cell process ran under.
    public var allocator: String
    /// Round trips per pair (`switch` workload only).
    public var rounds: Int?
    /// Median wall / (2 × rounds): the cost of one handoff between peers (`switch` only).
    public var switchNanoseconds: Double?
    /// Rounds of CPU work per task (`cpu` only).
    public var work: Int?
    /// Share of tasks that block, and for how long, ms (blocking workloads only).
    public var blockingFraction: Double?
    public var blockMilliseconds: Double?
    /// Requests per task and payload bytes (net only).
    public var requestsPerTask: Int?
    public var payloadBytes: Int?
    /// What the cell's clients did over every repetition (net only).
    public var requestCounts: RequestCounts?
    /// The latency server's own count of replies, and how late its replies went out at p99, ns.
    public var serverAnswered: Int?
    public var serverLatenessP99Nanoseconds: Double?
    /// Round trips of every request of the measured repetitions, ns (net only).
    public var requestLatency: Percentiles?
    /// Bytes per file, and each file's write-read-verify time over the measured repetitions, ns
    /// (file workloads only).
    public var fileBytes: Int?
    public var fileLatency: Percentiles?
    /// One task alone on one thread, ms (`cpu` only).
    public var singleTaskMilliseconds: Double?
    /// tasks × single task / median wall: CPUs put to work (`cpu` only).
    public var speedup: Double?
    /// How late tasks woke past their deadline, µs, over all measured repetitions (`sleep` only).
    public var lateness: Percentiles?
    public var reps: Int
    public var warmup: Int
    public var wallMilliseconds: Summary?
    public var efficiency: Double?
    public var overheadMicrosecondsPerTask: Double?
    /// The backend's creation loop (create and start every task) / tasks, µs, median over reps.
    public var createMicrosecondsPerTask: Double?
    public var cpuUserSeconds: Double?
    public var cpuSystemSeconds: Double?
    public var voluntarySwitches: Double?
    public var voluntarySwitchesRange: ClosedRange<Int>?
    public var involuntarySwitches: Double?
    public var peakRSSBytes: Int?
    public var idleRSSBytes: Int?
    public var rssBytesPerTask: Double?
    /// Fork: the children's own private memory, summed (memory repetition).
    public var childrenPrivateBytes: Int64?
    /// Heap in use at the peak of the memory repetition above the figure before it, / tasks.
    public var heapBytesPerTask: Double?
    /// Allocation calls in the memory repetition / tasks.
    public var allocationsPerTask: Double?
    public var threadsPeak: Int?
    public var tasksInFlightPeak: Int?
    public var threadStackBytes: Int
    public var status: CellStatus
    public var message: String
    /// Wall time of each measured repetition, for tools that want more than median/min/max.
    public var wallMillisecondsPerRep: [Double]

    /// A row for `spec` with no figures yet.
    public init(spec: CellSpec, status: CellStatus, message: String) {
        backend = spec.backend
        workload = spec.workload
        tasks = spec.tasks
        latencyNanoseconds = spec.parameters.latencyNanoseconds
        pinned = spec.pinned
        allocator = spec.allocator.rawValue
        reps = 0
        warmup = spec.warmup
        threadStackBytes =
            spec.options.threadStackBytes == 0 ? systemDefaultThreadStackBytes : spec.options.threadStackBytes
        self.status = status
        self.message = message
        wallMillisecondsPerRep = []
    }

    /// The row for a cell that reported back.
    public init(spec: CellSpec, report: CellReport) {
        self.init(spec: spec, status: report.status, message: report.message)
        tasksReached = report.status == .ok ? spec.tasks : report.tasksReached
        if report.peakRSSBytes > 0 {
            peakRSSBytes = report.peakRSSBytes
            idleRSSBytes = report.idleRSSBytes
        }
        let samples = report.samples
        // Without a measured repetition (e.g. a limit hit at once) there is no per-task figure.
        guard !samples.isEmpty else { return }
        let tasks = Double(spec.tasks)
        if let memory = report.memory {
            childrenPrivateBytes = memory.childrenPrivateBytes
            allocationsPerTask = Double(memory.allocations) / tasks
            if let peak = memory.heapPeakBytes, let baseline = memory.heapBaselineBytes {
                heapBytesPerTask = Double(max(0, peak - baseline)) / tasks
            }
        }
        if report.peakRSSBytes > 0 {
            // Fork children are other processes: their own memory is added (see children_private_bytes).
            let growth = max(0, report.peakRSSBytes - report.idleRSSBytes) + Int(childrenPrivateBytes ?? 0)
            rssBytesPerTask = Double(growth) / tasks
        }
        reps = samples.count
        wallMillisecondsPerRep = samples.map { Double($0.wallNanoseconds) / 1e6 }
        wallMilliseconds = Summary(wallMillisecondsPerRep)
        lateness = report.latenessNanoseconds
        if Registry.workload(named: spec.workload)?.makesBlockingCalls == true {
            blockingFraction = spec.parameters.blockingFraction
            blockMilliseconds = Double(spec.parameters.blockNanoseconds) / 1e6
        }
        if let counts = report.requests {
            requestsPerTask = spec.parameters.requests
            payloadBytes = spec.parameters.payload
            requestCounts = counts
            requestLatency = report.operationLatencyNanoseconds
        } else if Registry.workload(named: spec.workload)?.writesFiles == true {
            fileBytes = spec.parameters.fileBytes
            fileLatency = report.operationLatencyNanoseconds
        }
        let switches = Registry.workload(named: spec.workload)?.switchesPerRepetition(spec.parameters)
        if let switches, let wall = wallMilliseconds {
            rounds = spec.parameters.rounds
            switchNanoseconds = wall.median * 1e6 / Double(switches)
        }
        if let single = report.singleTaskNanoseconds, let wall = wallMilliseconds, wall.median > 0 {
            work = spec.parameters.work
            singleTaskMilliseconds = Double(single) / 1e6
            speedup = Double(spec.tasks) * Double(single) / 1e6 / wall.median
        }
        if let wall = wallMilliseconds, wall.median > 0, spec.parameters.latencyNanoseconds > 0 {
            // A net task waits once per request, one after another.
            let latencyMilliseconds =
                Double(spec.parameters.latencyNanoseconds) / 1e6 * Double(requestsPerTask ?? 1)
            efficiency = latencyMilliseconds / wall.median
            overheadMicrosecondsPerTask = (wall.median - latencyMilliseconds) * 1e3 / Double(spec.tasks)
        }
        createMicrosecondsPerTask = Summary(samples.compactMap(\.creationNanoseconds).map(Double.init))
            .map { $0.median / 1e3 / tasks }
        cpuUserSeconds = Summary(samples.map(\.userSeconds))?.median
        cpuSystemSeconds = Summary(samples.map(\.systemSeconds))?.median
        voluntarySwitches = Summary(samples.map { Double($0.voluntarySwitches) })?.median
        if let low = samples.map(\.voluntarySwitches).min(), let high = samples.map(\.voluntarySwitches).max() {
            voluntarySwitchesRange = low...high
        }
        involuntarySwitches = Summary(samples.map { Double($0.involuntarySwitches) })?.median
        threadsPeak = samples.map(\.peakThreads).max()
        tasksInFlightPeak = samples.compactMap(\.peakInFlight).max()
    }

    public var latencyMilliseconds: Double { Double(latencyNanoseconds) / 1e6 }

    /// Files written, read back and verified per second of one repetition: tasks / median wall.
    public var filesPerSecond: Double? {
        guard fileBytes != nil, let wall = wallMilliseconds?.median, wall > 0 else { return nil }
        return Double(tasks) / (wall / 1e3)
    }

    /// Requests attempted per second of one repetition: tasks × requests / median wall.
    public var throughput: Double? {
        guard let requests = requestsPerTask, let wall = wallMilliseconds?.median, wall > 0 else { return nil }
        return Double(tasks * requests) / (wall / 1e3)
    }
}

/// The stack size a pthread gets when none is set (glibc: RLIMIT_STACK, typically 8 MiB).
let systemDefaultThreadStackBytes = CAsyncBench_default_thread_stack()

/// The CSV schema: column names, in order, with what each holds. Bump `version` whenever a
/// column is removed, renamed or changes meaning; adding columns at the end keeps readers working
/// but still bumps it.
public enum Schema {
    public static let version = 4
    /// The schema versions `RecordedRun` can read (older ones are listed here while still readable):
    /// 1 lacks `pinned`, `rounds` and `switch_ns` (its cells ran unpinned); 2 lacks `allocator`
    /// (its cells ran on the system allocator) and the heap and creation columns; 3 lacks the file columns.
    public static let readableVersions = [1, 2, 3, 4]
    /// The columns that identify a cell across runs (its parameters); every readable version has
    /// them (`pinned`, from version 2, is read as `no` when absent; `allocator`, from version 3,
    /// as `system`).
    public static let keyColumns = ["backend", "workload", "tasks", "latency_ms"]

    public struct Column: Sendable {
        public let name: String
        public let meaning: String
        let value: @Sendable (ResultRow) -> String
    }

    /// Every column, in file order.
    public static let columns: [Column] = [
        Column(name: "schema_version", meaning: "version of this schema (\(version))") { _ in "\(version)" },
        Column(
            name: "backend", meaning: "how tasks run: async, executor, dispatch, pthread, threadpool, fork, sequential"
        ) { $0.backend },
        Column(
            name: "workload",
            meaning: "what each task does: sleep, switch, cpu, blocking, blocking-offload, net, file, file-offload"
        ) {
            $0.workload
        },
        Column(name: "tasks", meaning: "number of concurrent tasks N in the cell") { "\($0.tasks)" },
        Column(name: "tasks_reached", meaning: "tasks when ok; for a limit, the most tasks started before the refusal")
        {
            optional($0.tasksReached)
        },
        Column(name: "latency_ms", meaning: "the wait each task makes (--latency), ms; 0 for workloads without one") {
            number($0.latencyMilliseconds, digits: 6)
        },
        Column(name: "pinned", meaning: "yes: the cell ran on one CPU (sched_setaffinity); no: on every CPU") {
            $0.pinned ? "yes" : "no"
        },
        Column(
            name: "allocator",
            meaning: "system: glibc malloc; jemalloc: libjemalloc.so.2 preloaded into the cell process (--allocator)"
        ) {
            $0.allocator
        },
        Column(name: "rounds", meaning: "round trips per pair of peers (switch only)") { optional($0.rounds) },
        Column(name: "switch_ns", meaning: "wall_ms_median / (2 × rounds), ns: one handoff between peers (switch only)")
        {
            number($0.switchNanoseconds, digits: 1)
        },
        Column(name: "work", meaning: "rounds of CPU work per task (cpu only)") { optional($0.work) },
        Column(
            name: "blocking_fraction",
            meaning: "share of tasks that make a blocking call (--blocking-fraction; blocking workloads only)"
        ) {
            number($0.blockingFraction, digits: 4)
        },
        Column(
            name: "block_ms", meaning: "how long that call blocks its thread, ms (--block-ms; blocking workloads only)"
        ) {
            number($0.blockMilliseconds)
        },
        Column(name: "requests", meaning: "requests each task sends one after another (--requests; net only)") {
            optional($0.requestsPerTask)
        },
        Column(name: "payload_bytes", meaning: "bytes of each request's and response's payload (--payload; net only)") {
            optional($0.payloadBytes)
        },
        Column(
            name: "requests_sent",
            meaning: "requests the cell's clients sent over every repetition, warm-up included (net only)"
        ) {
            optional($0.requestCounts?.sent)
        },
        Column(name: "requests_answered", meaning: "of them, answered with the right id (net only)") {
            optional($0.requestCounts?.answered)
        },
        Column(
            name: "requests_failed",
            meaning: "of them, failed: timed out, reset, closed or a wrong id (net only; sent = answered + failed)"
        ) {
            optional($0.requestCounts?.failed)
        },
        Column(
            name: "requests_timed_out",
            meaning: "of the failed, those with no response within --request-timeout (net only)"
        ) {
            optional($0.requestCounts?.timedOut)
        },
        Column(
            name: "requests_reset",
            meaning: "of the failed, those whose connection the server reset or closed (net only)"
        ) {
            optional($0.requestCounts?.reset)
        },
        Column(
            name: "server_answered",
            meaning: "replies the latency server counted for the cell (net only; must equal requests_answered)"
        ) {
            optional($0.serverAnswered)
        },
        Column(name: "throughput_rps", meaning: "tasks × requests / wall_ms_median, requests per second (net only)") {
            number($0.throughput, digits: 1)
        },
        Column(
            name: "request_ms_p50", meaning: "median round trip of a request, ms (net only; exact over every request)"
        ) {
            number($0.requestLatency.map { $0.p50 / 1e6 })
        },
        Column(name: "request_ms_p90", meaning: "90th percentile round trip, ms (net only)") {
            number($0.requestLatency.map { $0.p90 / 1e6 })
        },
        Column(name: "request_ms_p99", meaning: "99th percentile round trip, ms (net only)") {
            number($0.requestLatency.map { $0.p99 / 1e6 })
        },
        Column(name: "request_ms_max", meaning: "slowest round trip, ms (net only)") {
            number($0.requestLatency.map { $0.max / 1e6 })
        },
        Column(
            name: "request_overhead_ms_p50",
            meaning: "request_ms_p50 − latency_ms: time above the injected latency, ms (net only)"
        ) { row in
            number(row.requestLatency.map { $0.p50 / 1e6 - row.latencyMilliseconds })
        },
        Column(name: "request_overhead_ms_p99", meaning: "request_ms_p99 − latency_ms, ms (net only)") { row in
            number(row.requestLatency.map { $0.p99 / 1e6 - row.latencyMilliseconds })
        },
        Column(name: "connect_us", meaning: "median time to connect to the server, µs (net only)") {
            number($0.requestCounts?.connectNanoseconds.map { Double($0) / 1e3 }, digits: 1)
        },
        Column(
            name: "server_lateness_us_p99",
            meaning:
                "99th percentile of how late the server's replies went out past their schedule, µs (net only; over 1000: the server lagged)"
        ) {
            number($0.serverLatenessP99Nanoseconds.map { $0 / 1e3 }, digits: 1)
        },
        Column(name: "file_bytes", meaning: "bytes of each task's file (--file-size; file workloads only)") {
            optional($0.fileBytes)
        },
        Column(
            name: "files_per_s",
            meaning: "tasks / wall_ms_median: files written, read back and verified per second (file workloads only)"
        ) {
            number($0.filesPerSecond, digits: 1)
        },
        Column(
            name: "file_ms_p50",
            meaning:
                "median time of one file's write + read back + verify, ms (file workloads only; exact over every file)"
        ) {
            number($0.fileLatency.map { $0.p50 / 1e6 }, digits: 4)
        },
        Column(name: "file_ms_p99", meaning: "99th percentile of that time, ms (file workloads only)") {
            number($0.fileLatency.map { $0.p99 / 1e6 }, digits: 4)
        },
        Column(name: "file_ms_max", meaning: "slowest file, ms (file workloads only)") {
            number($0.fileLatency.map { $0.max / 1e6 }, digits: 4)
        },
        Column(name: "single_task_ms", meaning: "one task alone on one thread, median of three, ms (cpu only)") {
            number($0.singleTaskMilliseconds)
        },
        Column(name: "speedup", meaning: "tasks × single_task_ms / wall_ms_median: CPUs put to work (cpu only)") {
            number($0.speedup, digits: 2)
        },
        Column(name: "reps", meaning: "measured repetitions that completed (warm-up excluded)") { "\($0.reps)" },
        Column(name: "warmup", meaning: "warm-up repetitions run first and discarded") { "\($0.warmup)" },
        Column(
            name: "wall_ms_median", meaning: "median wall time of one repetition (start all N tasks → all joined), ms"
        ) {
            number($0.wallMilliseconds?.median)
        },
        Column(name: "wall_ms_min", meaning: "fastest repetition, ms") { number($0.wallMilliseconds?.min) },
        Column(name: "wall_ms_max", meaning: "slowest repetition, ms") { number($0.wallMilliseconds?.max) },
        Column(
            name: "efficiency", meaning: "latency_ms / wall_ms_median: 1.0 = N waits cost one wait; sequential ≈ 1/N"
        ) {
            number($0.efficiency, digits: 4)
        },
        Column(
            name: "overhead_us_per_task",
            meaning: "(wall_ms_median − latency_ms) / tasks, µs: what each extra task adds"
        ) {
            number($0.overheadMicrosecondsPerTask)
        },
        Column(
            name: "create_us_per_task",
            meaning:
                "the backend's loop that creates and starts every task (addTask, queue.async, pthread_create, fork) / tasks, µs, median; empty for sequential"
        ) {
            number($0.createMicrosecondsPerTask)
        },
        Column(
            name: "lateness_us_p50",
            meaning:
                "median of how late tasks woke past their deadline, µs (sleep: every task; blocking workloads: the tasks that did not block)"
        ) {
            number($0.lateness.map { $0.p50 / 1e3 }, digits: 1)
        },
        Column(name: "lateness_us_p99", meaning: "99th percentile of task lateness, µs (sleep and blocking workloads)")
        {
            number($0.lateness.map { $0.p99 / 1e3 }, digits: 1)
        },
        Column(
            name: "lateness_us_max", meaning: "latest task wake-up past its deadline, µs (sleep and blocking workloads)"
        ) {
            number($0.lateness.map { $0.max / 1e3 }, digits: 1)
        },
        Column(
            name: "cpu_user_s", meaning: "user CPU seconds of one repetition (median), cell process + reaped children"
        ) {
            number($0.cpuUserSeconds, digits: 6)
        },
        Column(
            name: "cpu_sys_s", meaning: "system CPU seconds of one repetition (median), cell process + reaped children"
        ) {
            number($0.cpuSystemSeconds, digits: 6)
        },
        Column(
            name: "ctx_voluntary",
            meaning: "voluntary context switches in one repetition (median), incl. reaped children"
        ) {
            number($0.voluntarySwitches, digits: 1)
        },
        Column(name: "ctx_voluntary_min", meaning: "fewest voluntary context switches in one repetition") {
            optional($0.voluntarySwitchesRange?.lowerBound)
        },
        Column(name: "ctx_voluntary_max", meaning: "most voluntary context switches in one repetition") {
            optional($0.voluntarySwitchesRange?.upperBound)
        },
        Column(
            name: "ctx_involuntary",
            meaning: "involuntary context switches in one repetition (median), incl. reaped children"
        ) {
            number($0.involuntarySwitches, digits: 1)
        },
        Column(
            name: "peak_rss_bytes", meaning: "peak resident memory of the cell process during the repetitions (VmHWM)"
        ) {
            optional($0.peakRSSBytes)
        },
        Column(
            name: "idle_rss_bytes",
            meaning: "resident memory of the cell process once set up, before the first repetition"
        ) {
            optional($0.idleRSSBytes)
        },
        Column(
            name: "rss_bytes_per_task",
            meaning: "(peak_rss_bytes − idle_rss_bytes + children_private_bytes) / tasks"
        ) {
            number($0.rssBytesPerTask, digits: 1)
        },
        Column(
            name: "children_private_bytes",
            meaning:
                "fork only: sum over the children of each one's private memory (smaps_rollup Private_Clean + Private_Dirty + VmPTE) read just before it exits, in the memory repetition"
        ) {
            $0.childrenPrivateBytes.map { "\($0)" } ?? ""
        },
        Column(
            name: "heap_bytes_per_task",
            meaning:
                "(peak − before) of the allocator's bytes in use (glibc mallinfo2 uordblks + hblkhd; jemalloc stats.allocated), sampled every 1 ms in the memory repetition, / tasks; empty for fork and switch"
        ) {
            number($0.heapBytesPerTask, digits: 1)
        },
        Column(
            name: "allocs_per_task",
            meaning:
                "malloc/calloc/realloc/posix_memalign/aligned_alloc/memalign calls of the cell process in the memory repetition / tasks (fork children's not counted); empty for switch"
        ) {
            number($0.allocationsPerTask, digits: 2)
        },
        Column(
            name: "threads_peak",
            meaning:
                "most threads the cell process had at once (sampled from /proc every 1 ms; fork: read after the run)"
        ) {
            optional($0.threadsPeak)
        },
        Column(
            name: "tasks_in_flight_peak", meaning: "most tasks running at once (started, not finished); empty for fork"
        ) {
            optional($0.tasksInFlightPeak)
        },
        Column(
            name: "thread_stack_bytes",
            meaning: "stack size of each pthread (--thread-stack; 'default' is resolved to the system's)"
        ) {
            "\($0.threadStackBytes)"
        },
        Column(name: "status", meaning: "ok | limit | timeout | crashed | error | skipped") { $0.status.rawValue },
        Column(name: "message", meaning: "why a cell is not ok (the errno text, the signal, the cap); empty when ok") {
            $0.message
        },
    ]

    static func number(_ value: Double?, digits: Int = 3) -> String {
        guard let value, value.isFinite else { return "" }
        return Units.trim(value, digits: digits)
    }

    static func optional(_ value: Int?) -> String { value.map { "\($0)" } ?? "" }
}
