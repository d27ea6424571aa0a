import CAsyncBench

#if canImport(Glibc)
    import Glibc
#endif

/// Readings of this process's resources, each from one place, with its unit in its name.
public enum Measurement {
    /// Nanoseconds on CLOCK_MONOTONIC: for intervals only.
    public static func monotonicNanoseconds() -> Int64 { CAsyncBench_monotonic_ns() }

    /// CPU time and context switches of this process plus its reaped children (fork tasks are
    /// counted through RUSAGE_CHILDREN once the backend has waited for them).
    public struct Usage: Equatable, Sendable {
        public var userSeconds: Double = 0
        public var systemSeconds: Double = 0
        public var voluntarySwitches: Int = 0
        public var involuntarySwitches: Int = 0

        public init() {}

        init(_ usage: rusage) {
            userSeconds = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            systemSeconds = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
            voluntarySwitches = Int(usage.ru_nvcsw)
            involuntarySwitches = Int(usage.ru_nivcsw)
        }

        /// getrusage(RUSAGE_SELF) + getrusage(RUSAGE_CHILDREN).
        public static func current() -> Usage {
            var mine = rusage()
            var children = rusage()
            getrusage(RUSAGE_SELF.rawValue, &mine)
            getrusage(RUSAGE_CHILDREN.rawValue, &children)
            return Usage(mine) + Usage(children)
        }

        public static func + (a: Usage, b: Usage) -> Usage {
            var sum = Usage()
            sum.userSeconds = a.userSeconds + b.userSeconds
            sum.systemSeconds = a.systemSeconds + b.systemSeconds
            sum.voluntarySwitches = a.voluntarySwitches + b.voluntarySwitches
            sum.involuntarySwitches = a.involuntarySwitches + b.involuntarySwitches
            return sum
        }

        public static func - (a: Usage, b: Usage) -> Usage {
            var difference = Usage()
            difference.userSeconds = a.userSeconds - b.userSeconds
            difference.systemSeconds = a.systemSeconds - b.systemSeconds
            difference.voluntarySwitches = a.voluntarySwitches - b.voluntarySwitches
            difference.involuntarySwitches = a.involuntarySwitches - b.involuntarySwitches
            return difference
        }
    }

    /// Fields of /proc/self/status, in bytes or counts.
    public struct ProcStatus: Equatable, Sendable {
        /// Resident set size now (VmRSS).
        public var rssBytes: Int
        /// Peak resident set size since start or the last `resetPeakRSS` (VmHWM).
        public var peakRSSBytes: Int
        /// Threads in the process now.
        public var threads: Int

        public static func current() -> ProcStatus {
            parse(readFile("/proc/self/status") ?? "")
        }

        /// Parses the text of a /proc/PID/status file; missing fields read as 0.
        public static func parse(_ text: String) -> ProcStatus {
            var status = ProcStatus(rssBytes: 0, peakRSSBytes: 0, threads: 0)
            for line in text.split(separator: "\n") {
                let parts = line.split(whereSeparator: { $0 == ":" || $0 == " " || $0 == "\t" })
                guard parts.count >= 2, let value = Int(parts[1]) else { continue }
                switch parts[0] {
                case "VmRSS": status.rssBytes = value * 1024
                case "VmHWM": status.peakRSSBytes = value * 1024
                case "Threads": status.threads = value
                default: break
                }
            }
            return status
        }
    }

    /// Resets the kernel's peak-RSS counter so the next `ProcStatus.peakRSSBytes` covers only
    /// what follows. The kernel's own ru_maxrss (what `/usr/bin/time -v` prints) is reset too.
    public static func resetPeakRSS() throws(SystemError) {
        let rc = CAsyncBench_reset_peak_rss()
        if rc != 0 { throw SystemError("write /proc/self/clear_refs", errno: rc) }
    }

    /// Samples the process's thread count (and with `heap`, the heap in use; with `kernel`, the
    /// kernel memory that file holds, see `KernelMemory.File`) every `intervalNanoseconds` from a
    /// C thread while `work` runs. Returns the peaks (sampler excluded; heap and kernel nil unless
    /// sampled and known) and the sampler's own usage, which the caller subtracts so that figures
    /// describe the workload alone.
    public static func sampleThreads<T>(
        intervalNanoseconds: Int64, heap: Bool = false, kernel: KernelMemory.File? = nil,
        during work: () throws(CellFailure) -> T
    ) throws(CellFailure) -> (
        result: T, peakThreads: Int, samplerUsage: Usage, peakHeap: Int64?, peakKernel: Int64?
    ) {
        var error: Int32 = 0
        let started =
            kernel.map { file in
                CAsyncBench_sampler_start(intervalNanoseconds, heap ? 1 : 0, file.path, file.format, &error)
            } ?? CAsyncBench_sampler_start(intervalNanoseconds, heap ? 1 : 0, nil, 0, &error)
        guard let sampler = started else {
            throw .setup(SystemError("pthread_create (sampler)", errno: error).description)
        }
        let outcome = Result { () throws(CellFailure) -> T in try work() }
        var peak: Int32 = 0
        var usage = rusage()
        var peakHeap: Int64 = -1
        var peakKernel: Int64 = -1
        CAsyncBench_sampler_stop(sampler, &peak, &usage, &peakHeap, &peakKernel)
        let result = try outcome.get()
        return (
            result, Int(peak), Usage(usage), peakHeap >= 0 ? peakHeap : nil, peakKernel >= 0 ? peakKernel : nil
        )
    }

    /// MemAvailable from /proc/meminfo: memory the kernel can give without swapping, bytes.
    public static func memoryAvailableBytes() -> Int? {
        guard let meminfo = readFile("/proc/meminfo") else { return nil }
        for line in meminfo.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            let fields = line.split(separator: " ")
            if fields.count >= 2, let kib = Int(fields[1]) { return kib * 1024 }
        }
        return nil
    }

    /// The whole contents of a small file (e.g. in /proc), or nil.
    public static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count =
                (try? Syscall.call("read \(path)") {
                    chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                }) ?? 0
            guard count > 0 else { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Median, minimum and maximum of a set of repetitions.
public struct Summary: Codable, Equatable, Sendable {
    public var median: Double
    public var min: Double
    public var max: Double

    public init(median: Double, min: Double, max: Double) {
        self.median = median
        self.min = min
        self.max = max
    }

    /// nil for an empty set. The median of an even count is the mean of the middle two.
    public init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        min = sorted[0]
        max = sorted[sorted.count - 1]
    }
}

/// Exact percentiles of a set of values (nearest rank: the p-th percentile is the smallest value
/// with at least p% of the values at or below it). No histogram, so no bucketing error.
public struct Percentiles: Codable, Sendable, Equatable {
    public var p50: Double
    public var p90: Double
    public var p99: Double
    public var max: Double
    public var count: Int

    public init(p50: Double, p90: Double, p99: Double, max: Double, count: Int) {
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
        self.max = max
        self.count = count
    }

    /// nil for an empty set.
    public init?(_ values: [Double]) {
        guard let found = Self.ranks(values, 50, 90, 99, 100) else { return nil }
        self.init(p50: found[0], p90: found[1], p99: found[2], max: found[3], count: values.count)
    }

    /// The nearest-rank `percents` of `values` (e.g. 25, 75: the quartiles); nil for an empty set.
    public static func ranks(_ values: [Double], _ percents: Double...) -> [Double]? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return percents.map { percent in
            let index = Int((percent / 100 * Double(sorted.count)).rounded(.up)) - 1
            return sorted[Swift.max(0, Swift.min(sorted.count - 1, index))]
        }
    }
}
