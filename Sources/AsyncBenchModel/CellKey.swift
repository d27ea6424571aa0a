/// What identifies a cell across runs: its parameters (`Schema.keyColumns`).
public struct CellKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var backend: String
    public var workload: String
    public var tasks: Int
    public var latencyMilliseconds: Double
    public var pinned: Bool
    /// `system` or `jemalloc` (schema 3; earlier files ran on the system allocator).
    public var allocator: String
    /// The requests per second an open-loop workload offered (`--rate`, schema 6); 0 for every
    /// other workload, and for rows of earlier schemas.
    public var rate: Double

    public init(
        backend: String, workload: String, tasks: Int, latencyMilliseconds: Double, pinned: Bool = false,
        allocator: String = Allocator.system.rawValue, rate: Double = 0
    ) {
        self.backend = backend
        self.workload = workload
        self.tasks = tasks
        self.latencyMilliseconds = latencyMilliseconds
        self.pinned = pinned
        self.allocator = allocator
        self.rate = rate
    }

    public var description: String {
        let latency =
            latencyMilliseconds > 0
            ? " latency=\(Units.formatDuration(nanoseconds: Int64((latencyMilliseconds * 1e6).rounded())))" : ""
        let allocator = self.allocator == Allocator.system.rawValue ? "" : " " + self.allocator
        let rate = self.rate > 0 ? " rate=\(Units.trim(self.rate, digits: 1))/s" : ""
        return "\(backend) \(workload) tasks=\(tasks)\(latency)\(rate)\(pinned ? " pinned" : "")\(allocator)"
    }

    public static func < (a: CellKey, b: CellKey) -> Bool {
        let left = (a.workload, a.backend, a.pinned ? 1 : 0, a.allocator, a.latencyMilliseconds, a.rate)
        let right = (b.workload, b.backend, b.pinned ? 1 : 0, b.allocator, b.latencyMilliseconds, b.rate)
        return left != right ? left < right : a.tasks < b.tasks
    }
}
