import AsyncBenchModel
import CAsyncBench

#if canImport(Glibc)
    import Glibc
#endif

/// Resources a cell needs before its first task, checked up front: a runtime that cannot get
/// them traps (SwiftNIO's and the concurrency runtime's event loops need an epoll, an eventfd
/// and a timerfd each, and stop the process when they cannot have them) instead of failing a
/// task, which would make a `crashed` row that hides the cause.
public enum ResourceCheck {
    /// The descriptors a cell's runtimes may open besides its tasks' own.
    static let runtimeDescriptors = 32

    /// Throws a `limit` naming the open-files limit when fewer than `runtimeDescriptors`
    /// descriptors are free under RLIMIT_NOFILE (ulimit -n).
    static func openFiles() throws(CellFailure) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return }
        let open = Files.list("/proc/self/fd").count
        let free = Int(limit.rlim_cur) - open
        guard free < runtimeDescriptors else { return }
        throw .limit(
            reached: 0,
            cause:
                "open files: the limit (ulimit -n \(limit.rlim_cur)) leaves \(max(0, free)) descriptors free, and a cell's runtimes need about \(runtimeDescriptors) besides its tasks'; raise ulimit -n"
        )
    }
}
