import AsyncBenchModel

/// The columns every cell has, whatever its workload: the runner's own figures (time, CPU,
/// context switches, memory, threads), measured the same way for every backend and workload.
public enum RunnerColumns {
    public static let tasksReached = Column<Int>(
        "tasks_reached", "tasks when ok; for a limit, the most tasks started before the refusal")
    public static let reps = Column<Int>("reps", "measured repetitions that completed (warm-up excluded)")
    public static let warmup = Column<Int>("warmup", "warm-up repetitions run first and discarded")
    public static let wallMedian = Column<Double>(
        "wall_ms_median", "median wall time of one repetition (start all N tasks → all joined), ms")
    public static let wallMin = Column<Double>("wall_ms_min", "fastest repetition, ms")
    public static let wallMax = Column<Double>("wall_ms_max", "slowest repetition, ms")
    public static let wallQ1 = Column<Double>(
        "wall_ms_q1",
        "first quartile of the measured repetitions' wall times (nearest rank), ms: with wall_ms_q3 the middle half of them, the spread the claims report judges a verdict against (one odd repetition moves the median little)"
    )
    public static let wallQ3 = Column<Double>(
        "wall_ms_q3", "third quartile of the measured repetitions' wall times (nearest rank), ms")
    public static let efficiency = Column<Double>(
        "efficiency", "latency_ms / wall_ms_median: 1.0 = N waits cost one wait; sequential ≈ 1/N", digits: 4)
    public static let overheadPerTask = Column<Double>(
        "overhead_us_per_task", "(wall_ms_median − latency_ms) / tasks, µs: what each extra task adds", domain: .signed)
    public static let createPerTask = Column<Double>(
        "create_us_per_task",
        "the backend's loop that creates and starts every task (addTask, queue.async, pthread_create, fork) / tasks, µs, median; empty for sequential"
    )
    public static let cpuUser = Column<Double>(
        "cpu_user_s", "user CPU seconds of one repetition (median), cell process + reaped children", digits: 6)
    public static let cpuSystem = Column<Double>(
        "cpu_sys_s", "system CPU seconds of one repetition (median), cell process + reaped children", digits: 6)
    public static let voluntarySwitches = Column<Double>(
        "ctx_voluntary", "voluntary context switches in one repetition (median), incl. reaped children", digits: 1)
    public static let voluntarySwitchesMin = Column<Int>(
        "ctx_voluntary_min", "fewest voluntary context switches in one repetition")
    public static let voluntarySwitchesMax = Column<Int>(
        "ctx_voluntary_max", "most voluntary context switches in one repetition")
    public static let involuntarySwitches = Column<Double>(
        "ctx_involuntary", "involuntary context switches in one repetition (median), incl. reaped children", digits: 1)
    public static let peakRSS = Column<Int>(
        "peak_rss_bytes", "peak resident memory of the cell process during the repetitions (VmHWM)")
    public static let idleRSS = Column<Int>(
        "idle_rss_bytes", "resident memory of the cell process once set up, before the first repetition")
    public static let rssPerTask = Column<Double>(
        "rss_bytes_per_task", "(peak_rss_bytes − idle_rss_bytes + children_private_bytes) / tasks", digits: 1)
    public static let kernelPerTask = Column<Double>(
        "kernel_bytes_per_task",
        "(peak − idle) of the kernel's own memory for the cell (kernel stacks + page tables + slab; see kernel_source), / tasks: none of it is in RSS",
        digits: 1)
    public static let totalPerTask = Column<Double>(
        "total_bytes_per_task",
        "rss_bytes_per_task + kernel_bytes_per_task: user and kernel memory per task (fork: the children's page tables, in both, counted once)",
        digits: 1)
    public static let kernelSource = Column<String>(
        "kernel_source",
        "where kernel_bytes_per_task comes from: cgroup-v1 (the cell's own memory cgroup: memory.kmem.usage_in_bytes at idle, memory.kmem.max_usage_in_bytes at the peak, over the repetitions); cgroup-v2 (its memory.stat kernel_stack + pagetables + slab, sampled every 1 ms in the memory repetition); meminfo (system-wide /proc/meminfo KernelStack + PageTables + SUnreclaim, sampled likewise: other processes' too, see run.json's noise floor)"
    )
    public static let childrenPrivate = Column<Int>(
        "children_private_bytes",
        "fork and python-processes only: sum over the children of each one's private memory (smaps_rollup Private_Clean + Private_Dirty + VmPTE) read just before it exits, in the memory repetition"
    )
    public static let heapPerTask = Column<Double>(
        "heap_bytes_per_task",
        "(peak − before) of the allocator's bytes in use (glibc mallinfo2 uordblks + hblkhd; jemalloc stats.allocated), sampled every 1 ms in the memory repetition, / tasks; empty for fork and switch",
        digits: 1)
    public static let allocationsPerTask = Column<Double>(
        "allocs_per_task",
        "malloc/calloc/realloc/posix_memalign/aligned_alloc/memalign calls of the cell process in the memory repetition / tasks (fork children's not counted); empty for switch",
        digits: 2)
    public static let threadsPeak = Column<Int>(
        "threads_peak",
        "most threads the cell process had at once (sampled from /proc every 1 ms; fork: read after the run)")
    public static let tasksInFlightPeak = Column<Int>(
        "tasks_in_flight_peak", "most tasks running at once (started, not finished); empty for fork")
    public static let threadStack = Column<Int>(
        "thread_stack_bytes", "stack size of each pthread (--thread-stack; 'default' is resolved to the system's)")

    /// In file order, after the key and the workloads' columns.
    public static let all: [AnyColumn] = [
        reps.erased, warmup.erased, wallMedian.erased, wallMin.erased, wallMax.erased, wallQ1.erased, wallQ3.erased,
        efficiency.erased,
        overheadPerTask.erased, createPerTask.erased, cpuUser.erased, cpuSystem.erased, voluntarySwitches.erased,
        voluntarySwitchesMin.erased, voluntarySwitchesMax.erased, involuntarySwitches.erased, peakRSS.erased,
        idleRSS.erased, rssPerTask.erased, kernelPerTask.erased, totalPerTask.erased, kernelSource.erased,
        childrenPrivate.erased, heapPerTask.erased, allocationsPerTask.erased,
        threadsPeak.erased, tasksInFlightPeak.erased, threadStack.erased,
    ]
}
