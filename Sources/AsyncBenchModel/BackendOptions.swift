#if canImport(Glibc)
    import Glibc
#endif

/// Settings that some backends read.
public struct BackendOptions: Codable, Sendable, Equatable {
    /// Stack size of each pthread in bytes; 0 means the system default (RLIMIT_STACK, 8 MiB).
    public var threadStackBytes: Int
    /// The most threads a cell may create before it stops with a `limit` row.
    public var maxThreads: Int
    /// The most processes a cell may fork before it stops with a `limit` row.
    public var maxProcesses: Int
    /// Threads of the `threadpool` backend's pool (`--pool-size`).
    public var poolSize: Int
    /// Event loops of the `nio` backend (`--loops`).
    public var loops: Int

    public init(
        threadStackBytes: Int, maxThreads: Int, maxProcesses: Int, poolSize: Int = BackendOptions.cores, loops: Int = 1
    ) {
        self.threadStackBytes = threadStackBytes
        self.maxThreads = maxThreads
        self.maxProcesses = maxProcesses
        self.poolSize = poolSize
        self.loops = loops
    }

    /// CPUs online: the default pool size.
    public static var cores: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}
