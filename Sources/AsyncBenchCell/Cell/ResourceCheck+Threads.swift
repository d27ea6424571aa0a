import AsyncBenchModel
import AsyncBenchResults
import CAsyncBench

#if canImport(Glibc)
    import Glibc
#endif

/// Limits that throttle a cell's runtimes instead of failing a task: libdispatch (under the
/// concurrency runtime's cooperative pool and `dispatch`) sleeps a second and retries, forever,
/// when it cannot create a thread or allocate memory. Under `ulimit -u` an async cell then hung
/// until its timeout, under `ulimit -v` it became an `ok` row seconds late. Both are `limit` rows
/// naming the resource.
extension ResourceCheck {
    /// The soft limit `resource` sets, or nil when it is unlimited (or cannot be read).
    static func softLimit(_ resource: __rlimit_resource) -> Int? {
        var limit = rlimit()
        guard getrlimit(Int32(resource.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return nil }
        return Int(clamping: limit.rlim_cur)
    }

    /// The soft address-space limit (ulimit -v) this process and its cells run under, in
    /// bytes, or nil when there is none.
    public static var addressSpaceLimit: Int? { softLimit(RLIMIT_AS) }

    /// The cause of a `limit` row for a cell that crashed (`crash`: the signal and the crash
    /// line) while an address-space limit was in force: near it the runtimes' allocations fail,
    /// and some (libdispatch's, the concurrency runtime's) are not checked, so the process dies
    /// before the thread-failure report can be written. Nil without such a limit.
    public static func crashUnderAddressSpaceLimit(_ crash: String) -> String? {
        guard let limit = addressSpaceLimit else { return nil }
        return
            "address space: the limit (ulimit -v \(limit / 1024)) was in force when the cell was \(crash); near it the runtimes' allocations fail, some unchecked; raise ulimit -v"
    }

    /// The address-space headroom below which an allocation the runtimes need may fail: a new
    /// thread's stack (RLIMIT_STACK's default, 8 MiB here) and malloc's 1 MiB mmap fallback.
    static var addressSpaceMargin: Int { max(Int(CAsyncBench_default_thread_stack()), 8 << 20) + (1 << 20) }

    /// The process's address space now and at its peak (VmSize, VmPeak), bytes.
    static func addressSpace() -> (size: Int, peak: Int) {
        var size = 0
        var peak = 0
        for line in (Measurement.readFile("/proc/self/status") ?? "").split(separator: "\n") {
            let parts = line.split(whereSeparator: { $0 == ":" || $0 == " " || $0 == "\t" })
            guard parts.count >= 2, let kibibytes = Int(parts[1]), (0...(1 << 40)).contains(kibibytes) else { continue }
            if parts[0] == "VmSize" { size = kibibytes * 1024 }
            if parts[0] == "VmPeak" { peak = kibibytes * 1024 }
        }
        return (size, peak)
    }

    /// What a `pthread_create` that failed with `error` ran into, as a `limit` row's cause:
    /// the address space (ulimit -v) when it was within `addressSpaceMargin` of its limit, else
    /// the processes/threads limit (ulimit -u) when one is set, else the system's thread limits.
    static func threadShortage(error: Int32, what: String) -> String {
        let failure = SystemError("pthread_create", errno: error).description
        if let limit = softLimit(RLIMIT_AS), addressSpace().size + addressSpaceMargin >= limit {
            return
                "address space: the limit (ulimit -v \(limit / 1024)) left no room for \(what) (\(failure)); raise ulimit -v"
        }
        if let limit = softLimit(__RLIMIT_NPROC) {
            return
                "processes/threads: the limit (ulimit -u \(limit)) refused \(what) (\(failure)); raise ulimit -u"
        }
        return
            "threads: the system refused \(what) (\(failure)); raise kernel.threads-max or the cgroup's pids.max"
    }

    /// The report of a cell whose runtime could not create a thread (see
    /// `CAsyncBench_on_runtime_thread_failure`): a `limit` row naming the resource.
    public static func runtimeThreadFailed(error: Int32) -> CellReport {
        CellReport(
            status: .limit, message: threadShortage(error: error, what: "a thread the runtime needed"),
            tasksReached: nil, samples: [], idleRSSBytes: 0,
            peakRSSBytes: Measurement.ProcStatus.current().peakRSSBytes)
    }

    /// Throws a `limit` naming the address space when the cell's peak address space (VmPeak)
    /// came within `addressSpaceMargin` of RLIMIT_AS (ulimit -v): there an allocation or a
    /// thread the runtimes need fails and is retried a second later, so the timings are the
    /// limit's, not the model's. Checked after the measured repetitions.
    static func addressSpaceHeadroom() throws(CellFailure) {
        guard let limit = softLimit(RLIMIT_AS) else { return }
        let peak = addressSpace().peak
        guard peak + addressSpaceMargin >= limit else { return }
        throw .limit(
            reached: nil,
            cause:
                "address space: the limit (ulimit -v \(limit / 1024)) was reached: the cell's peak address space (\(Units.formatBytes(peak))) came within \(Units.formatBytes(addressSpaceMargin)) of it, where the runtimes' allocations fail and are retried a second later; raise ulimit -v"
        )
    }
}
