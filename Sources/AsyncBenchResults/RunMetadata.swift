import AsyncBenchModel
import CAsyncBench

#if canImport(Glibc)
    import Glibc
#endif

/// What a run was and where it ran: written to `run.json` and as `#` lines atop the CSV, so
/// every output names its machine (cores, kernel, Swift version, allocator).
public struct RunMetadata: Codable, Sendable, Equatable {
    public var tool = "asyncbench"
    public var schemaVersion = Schema.version
    public var commandLine: String
    /// UTC, ISO 8601.
    public var date: String
    public var cores: Int
    public var cpuModel: String
    public var memoryBytes: Int
    public var kernel: String
    public var swiftVersion: String
    public var allocator: String
    public var hostname: String
    /// The Python interpreter the python-* backends ran on (version, build, GIL, uvloop), when
    /// a run had Python cells to run; nil otherwise.
    public var python: String? = nil
    /// The run's settings with defaults filled in (reps, warm-up, budgets, caps), as `name=value`.
    public var settings: [String] = []
    /// Where the cells' kernel memory (kernel_bytes_per_task) was read from: a memory cgroup per
    /// cell, or system-wide /proc/meminfo with its measured noise floor; nil in runs before it.
    public var kernelMemory: KernelMemory.RunSource? = nil
    /// The compiled or checked workers this run built before its first cell (Go, Node.js,
    /// tokio): each runtime's exact version and the build's time; nil when it ran none.
    public var workers: [WorkerRuntime]? = nil

    /// Reads the machine this process runs on.
    public static func current(commandLine: [String]) -> RunMetadata {
        var names = utsname()
        uname(&names)
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        let cpuinfo = Measurement.readFile("/proc/cpuinfo") ?? ""
        let model =
            cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { String($0).trimmingWhitespace() } ?? "unknown"
        return RunMetadata(
            commandLine: commandLine.map(shellQuoted).joined(separator: " "),
            date: utcTimestamp(),
            cores: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))),
            cpuModel: model,
            memoryBytes: Int(sysconf(Int32(_SC_PHYS_PAGES))) * Int(sysconf(Int32(_SC_PAGESIZE))),
            kernel: "\(field(names.sysname)) \(field(names.release))",
            swiftVersion: swiftCompilerVersion,
            allocator: allocatorDescription(),
            hostname: field(names.nodename),
            kernelMemory: KernelMemory.runSource)
    }

    /// `settings` as a dictionary: "reps=5" → ["reps": "5"].
    public var settingValues: [String: String] {
        Dictionary(
            settings.compactMap { setting -> (String, String)? in
                let parts = setting.split(separator: "=", maxSplits: 1).map(String.init)
                return parts.count == 2 ? (parts[0], parts[1]) : nil
            }, uniquingKeysWith: { first, _ in first })
    }

    /// The lines printed atop the CSV and the terminal summary.
    public var summaryLines: [String] {
        [
            "asyncbench schema \(schemaVersion)",
            "command: \(commandLine)",
            "date: \(date)",
            "machine: \(machineLine)",
        ] + (settings.isEmpty ? [] : ["settings: " + settings.joined(separator: " ")])
    }

    /// "2 cores (CPU model), 23.4 GiB, Linux 6.1, Swift 6.3.1, allocator glibc 2.36 malloc", and
    /// "; Python CPython 3.11.7 (GIL build)..." when Python backends ran.
    public var machineLine: String {
        "\(cores) cores (\(cpuModel)), \(Units.formatBytes(memoryBytes)), \(kernel), Swift \(swiftVersion), allocator \(allocator)"
            + (python.map { "; Python \($0)" } ?? "")
            + (workers ?? []).compactMap { $0.version.map { "; " + $0 } }.joined()
    }

    /// The Swift compiler that built this binary (compile-time, to the patch level).
    public static var swiftCompilerVersion: String {
        #if compiler(>=6.5)
            return "6.5 or later"
        #elseif compiler(>=6.4)
            return "6.4"
        #elseif compiler(>=6.3.2)
            return "6.3.2"
        #elseif compiler(>=6.3.1)
            return "6.3.1"
        #elseif compiler(>=6.3)
            return "6.3"
        #elseif compiler(>=6.2)
            return "6.2"
        #elseif compiler(>=6.1)
            return "6.1"
        #else
            return "6.0"
        #endif
    }

    /// glibc's malloc unless LD_PRELOAD swaps in another allocator.
    static func allocatorDescription() -> String {
        let glibc = "glibc \(String(cString: CAsyncBench_libc_version())) malloc"
        guard let preload = getenv("LD_PRELOAD").map({ String(cString: $0) }), !preload.isEmpty else {
            return glibc
        }
        return "LD_PRELOAD=\(preload) (else \(glibc))"
    }

    /// Now, as 2026-11-25T03:22:10Z.
    public static func utcTimestamp(separator: String = ":") -> String {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour))\(separator)\(two(parts.tm_min))\(separator)\(two(parts.tm_sec))Z"
    }

    /// `argument` as one word for a POSIX shell: as it is when plain, else single-quoted.
    public static func shellQuoted(_ argument: String) -> String {
        let plain = argument.unicodeScalars.allSatisfy {
            ($0.properties.isAlphabetic && $0.isASCII) || ("0"..."9").contains($0)
                || "-_=./,:@%+".unicodeScalars.contains($0)
        }
        return plain && !argument.isEmpty ? argument : "'" + argument.replacingAll("'", with: "'\\''") + "'"
    }
}

/// A compiled or checked worker's one-time step in a run (go build, cargo build, node --check):
/// what it ran on, how long it took (apart from every measurement) and whether it worked.
public struct WorkerRuntime: Codable, Sendable, Equatable {
    /// The worker's build name (`go`, `node`, `tokio`).
    public var worker: String
    /// The backends that ran on it in this run.
    public var backends: [String]
    /// The runtime's exact version and settings as the built worker states them (e.g. "go1.19.8
    /// linux/amd64, GOMAXPROCS 2"); nil when the build failed.
    public var version: String?
    /// The build command, as one line.
    public var step: String
    public var buildSeconds: Double
    /// `ok`, or `error` (then `message` has the compiler's first error line).
    public var status: String
    public var message: String

    public init(
        worker: String, backends: [String], version: String?, step: String, buildSeconds: Double, status: String,
        message: String
    ) {
        self.worker = worker
        self.backends = backends
        self.version = version
        self.step = step
        self.buildSeconds = buildSeconds
        self.status = status
        self.message = message
    }

    /// "go: go1.19.8 linux/amd64, GOMAXPROCS 2 (1.2 s: go build …)", or the failure.
    public var line: String {
        guard status == "ok", let version else { return "\(worker): \(message)" }
        return "\(worker): \(version) (\(Units.trim(buildSeconds, digits: 2)) s: \(step))"
    }
}
