import CAsyncBench
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Memory the kernel spends on a cell's tasks and that no RSS shows: kernel stacks, page tables
/// and slab (task structs, signal and file tables, mm structs...), as the kernel accounts it.
///
/// The best source is a memory cgroup of the cell's own, which the cell process moves into before
/// it sets up; its forked children and worker programs are born inside it. Under cgroup v1 the
/// kernel keeps the peak itself (`memory.kmem.max_usage_in_bytes`); under v2 `memory.stat` is
/// sampled. Where no cgroup can be made, /proc/meminfo is sampled system-wide, so other processes'
/// kernel memory is in it: its noise floor is measured when the run starts and stated in run.json.
public enum KernelMemory {
    /// Where the figures come from (run.json and each row say which).
    public enum Source: String, Codable, Sendable, CaseIterable {
        /// A cgroup v1 memory cgroup per cell: memory.kmem.usage_in_bytes, peak from
        /// memory.kmem.max_usage_in_bytes (kept by the kernel over every repetition).
        case cgroupV1 = "cgroup-v1"
        /// A cgroup v2 cgroup per cell: memory.stat kernel_stack + pagetables + slab, sampled.
        case cgroupV2 = "cgroup-v2"
        /// System-wide /proc/meminfo KernelStack + PageTables + SUnreclaim, sampled.
        case meminfo
    }

    /// A file that holds kernel memory, and how to read it (`CAsyncBench_kernel_bytes`).
    public struct File: Sendable, Equatable {
        public let path: String
        public let format: Int32

        public init(path: String, format: Int32) {
            self.path = path
            self.format = format
        }

        public static let meminfo = File(path: "/proc/meminfo", format: Int32(CASYNCBENCH_KERNEL_MEMINFO))

        /// Kernel bytes now; nil when unreadable.
        public func read() -> Int64? {
            let bytes = CAsyncBench_kernel_bytes(path, format)
            return bytes >= 0 ? bytes : nil
        }
    }

    /// How one cell measures kernel memory: the source and, for a cgroup source, the cell's own
    /// cgroup folder (made by the sweep, removed by it once the cell's processes are gone).
    public struct Plan: Codable, Sendable, Equatable {
        public var source: Source
        public var cgroup: String?

        public init(source: Source, cgroup: String? = nil) {
            self.source = source
            self.cgroup = cgroup
        }
    }

    /// A cell's kernel memory: once set up (idle) and at its peak over the repetitions.
    public struct Reading: Codable, Sendable, Equatable {
        public var source: Source
        public var idleBytes: Int64
        public var peakBytes: Int64

        public init(source: Source, idleBytes: Int64, peakBytes: Int64) {
            self.source = source
            self.idleBytes = idleBytes
            self.peakBytes = peakBytes
        }
    }

    /// The run's source and, for meminfo, the noise floor of its idle samples (run.json).
    public struct RunSource: Codable, Sendable, Equatable {
        public var source: Source
        /// Where the cells' cgroups are made (cgroup sources).
        public var cgroupParent: String?
        /// meminfo: the largest minus the smallest of `noiseSamples` idle readings 10 ms apart,
        /// bytes: a cell's kernel growth below this is noise.
        public var noiseBytes: Int64?
        public var noiseSamples: Int?
        /// Why a cgroup could not be used, when it could not.
        public var note: String?
    }

    /// The kernel-memory side of one cell, inside the cell process.
    public struct Meter: Sendable {
        public let source: Source
        /// What the idle reading reads.
        let current: File
        /// cgroup v1: the kernel's own peak, reset after the idle reading.
        let peak: File?

        /// Moves this process into the plan's cgroup (its children are then born inside it).
        public init(plan: Plan) throws(SystemError) {
            source = plan.source
            switch plan.source {
            case .meminfo:
                current = .meminfo
                peak = nil
            case .cgroupV1, .cgroupV2:
                guard let folder = plan.cgroup else {
                    throw SystemError("the \(plan.source) plan has no cgroup", errno: EINVAL)
                }
                try KernelMemory.write("\(getpid())", to: folder + "/cgroup.procs")
                if plan.source == .cgroupV1 {
                    let format = Int32(CASYNCBENCH_KERNEL_CGROUP1_KMEM)
                    current = File(path: folder + "/memory.kmem.usage_in_bytes", format: format)
                    peak = File(path: folder + "/memory.kmem.max_usage_in_bytes", format: format)
                } else {
                    current = File(path: folder + "/memory.stat", format: Int32(CASYNCBENCH_KERNEL_CGROUP2_STAT))
                    peak = nil
                }
            }
        }

        /// The idle reading; resets the kernel's peak (cgroup v1) so that it covers what follows.
        public func idle() -> Int64? {
            let bytes = current.read()
            if let peak { try? KernelMemory.write("0", to: peak.path) }
            return bytes
        }

        /// The kernel's own peak since `idle()` (cgroup v1); nil for the sampled sources.
        public func kernelPeak() -> Int64? { peak?.read() }

        /// The file a sampler thread must read for the peak (cgroup v2, meminfo); nil for v1.
        public var sampled: File? { peak == nil ? current : nil }
    }

    // MARK: - The sweep's side: which source, per-cell cgroups, clean-up

    /// This machine's source, found once per process: a cgroup v1 memory cgroup whose kmem
    /// counter exists and can have children, else cgroup v2 with the memory controller available
    /// to children, else /proc/meminfo (with its noise floor measured).
    public static let runSource: RunSource = detect()

    private static let cellCounter = Atomic<Int>(0)

    /// A fresh cgroup for one cell, `asyncbench-<this pid>-<n>` beside the others; nil (meminfo)
    /// when the run has no cgroup source or the folder cannot be made. Listed with the janitor
    /// until `removeCgroup`.
    public static func planForCell() -> Plan {
        let run = runSource
        guard let parent = run.cgroupParent, run.source != .meminfo else { return Plan(source: .meminfo) }
        let n = cellCounter.add(1, ordering: .relaxed).newValue
        let folder = parent + "/asyncbench-\(getpid())-\(n)"
        guard mkdir(folder, 0o755) == 0 else { return Plan(source: .meminfo) }
        Janitor.watch(folder)
        return Plan(source: run.source, cgroup: folder)
    }

    /// Removes a cell's cgroup: first SIGKILLs every process still in it (a worker's `setsid`
    /// grandchild, a fork child whatever its group: `CAsyncBench_kill_cgroup`, `cgroup.kill` on
    /// v2, `cgroup.procs` on v1), then removes the folder once they are gone (a killed process
    /// leaves it a moment after it dies: retried for up to a second). False when it is still there.
    @discardableResult
    public static func removeCgroup(_ folder: String) -> Bool {
        _ = CAsyncBench_kill_cgroup(folder, 200)
        for _ in 0..<100 {
            if rmdir(folder) == 0 || errno == ENOENT {
                Janitor.forget(folder)
                return true
            }
            guard errno == EBUSY else { break }
            var pause = timespec(tv_sec: 0, tv_nsec: 10_000_000)
            nanosleep(&pause, nil)
        }
        return false
    }

    /// Removes the cgroups of earlier runs whose process is gone (the fallback for a janitor that
    /// could not run); returns the folders removed.
    @discardableResult
    public static func removeStale(in parent: String) -> [String] {
        var removed: [String] = []
        for name in Files.list(parent) where name.hasPrefix("asyncbench-") {
            let parts = name.split(separator: "-")
            guard parts.count == 3, let pid = pid_t(parts[1]), pid != getpid() else { continue }
            if kill(pid, 0) == 0 || errno == EPERM { continue }
            if rmdir(parent + "/" + name) == 0 { removed.append(parent + "/" + name) }
        }
        return removed
    }

    /// This process's cgroup path under `controller` ("memory" for v1, "" for v2) from
    /// /proc/self/cgroup's text, e.g. "/user.slice".
    public static func ownCgroup(_ text: String, controller: String) -> String? {
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            let controllers = fields[1].split(separator: ",").map(String.init)
            if controller.isEmpty ? (fields[0] == "0" && fields[1].isEmpty) : controllers.contains(controller) {
                return String(fields[2])
            }
        }
        return nil
    }

    static func detect() -> RunSource {
        let cgroups = Measurement.readFile("/proc/self/cgroup") ?? ""
        var notes: [String] = []
        if let own = ownCgroup(cgroups, controller: "memory") {
            let parent = "/sys/fs/cgroup/memory" + (own == "/" ? "" : own)
            if let why = probe(parent, needs: "memory.kmem.usage_in_bytes") {
                notes.append("cgroup v1: \(why)")
            } else {
                removeStale(in: parent)
                return RunSource(source: .cgroupV1, cgroupParent: parent)
            }
        }
        if let own = ownCgroup(cgroups, controller: ""), Files.exists("/sys/fs/cgroup/cgroup.controllers") {
            let parent = "/sys/fs/cgroup" + (own == "/" ? "" : own)
            if let why = probe(parent, needs: "memory.stat") {
                notes.append("cgroup v2: \(why)")
            } else {
                removeStale(in: parent)
                return RunSource(source: .cgroupV2, cgroupParent: parent)
            }
        }
        let noise = meminfoNoise(samples: 20)
        return RunSource(
            source: .meminfo, noiseBytes: noise, noiseSamples: noise == nil ? nil : 20,
            note: notes.isEmpty ? "no memory cgroup in /proc/self/cgroup" : notes.joined(separator: "; "))
    }

    /// nil when a child cgroup of `parent` can be made and has the file `needs`; else why not.
    static func probe(_ parent: String, needs file: String) -> String? {
        let folder = parent + "/asyncbench-\(getpid())-probe"
        guard mkdir(folder, 0o755) == 0 || errno == EEXIST else {
            return "cannot make a cgroup in \(parent): \(SystemError("mkdir", errno: errno).description)"
        }
        defer { rmdir(folder) }
        return Files.exists(folder + "/" + file) ? nil : "a cgroup made in \(parent) has no \(file)"
    }

    /// The spread (largest − smallest) of `samples` /proc/meminfo readings 10 ms apart, bytes.
    public static func meminfoNoise(samples: Int) -> Int64? {
        var readings: [Int64] = []
        for _ in 0..<samples {
            if let bytes = File.meminfo.read() { readings.append(bytes) }
            var pause = timespec(tv_sec: 0, tv_nsec: 10_000_000)
            nanosleep(&pause, nil)
        }
        guard let low = readings.min(), let high = readings.max() else { return nil }
        return high - low
    }

    static func write(_ text: String, to path: String) throws(SystemError) {
        let fd = try Syscall.call("open \(path)") { open(path, O_WRONLY | O_CLOEXEC) }
        defer { close(fd) }
        try Files.writeAll(fd, text, path: path)
    }
}
