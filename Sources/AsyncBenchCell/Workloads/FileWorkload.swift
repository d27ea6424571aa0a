import ArgumentParser
import AsyncBenchModel
import AsyncBenchResults
import CAsyncBench

#if canImport(Glibc)
    import Glibc
#endif

/// Claim C5: each task writes a file of `--file-size` bytes into a private temporary folder,
/// reads it back, checks it byte for byte against what it wrote (a pattern unique to the task)
/// and removes it. Every backend makes plain blocking calls (open, write, read, close) on the
/// thread or process running the task; inside async tasks that blocks the thread the task runs
/// on, which is what the tutorial warns against. The per-file time (write, read, verify) of
/// every task is kept: `file_ms_p50/p99/max`; files/s = tasks / wall.
public enum FileWorkload: Workload {
    public static let name = "file"
    public static let summary =
        "Each task writes a --file-size file to a private temporary folder, reads it back, verifies it and removes it"
    public static let defaultTasks = [1, 100, 1000]
    public static let usesLatency = false

    public static func waitsPerTask(_ parameters: Parameters) -> Int { 0 }

    /// The options of both file workloads.
    public struct Options: WorkloadOptionGroup {
        @Option(
            help: ArgumentHelp(
                "Bytes of each file the file workloads write, read back and verify (e.g. 4KiB, 1MiB).",
                valueName: "size"))
        public var fileSize = "4KiB"

        @Flag(help: "fsync each file after writing it (file workloads): the disk, not only the page cache.")
        public var fileSync = false

        @Option(
            help: ArgumentHelp(
                "Folder in which each file cell gets a private temporary folder, removed after the cell (default: $TMPDIR or /tmp).",
                valueName: "dir"))
        public var fileDir = ""

        public init() {}

        public var settings: [String] {
            let bytes = (try? Units.parseSize(fileSize, option: "--file-size")).map(Units.exactSize) ?? fileSize
            let folder = fileDir.isEmpty ? (getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp") : fileDir
            return ["file-size=\(bytes)", "file-sync=\(fileSync ? "yes" : "no")", "file-dir=\(folder)"]
        }

        public static func arguments(setting name: String, value: String) -> [String]? {
            switch name {
            case "file-size", "file-dir": return ["--\(name)", value]
            case "file-sync": return value == "yes" ? ["--file-sync"] : []
            default: return nil
            }
        }
    }

    public struct Parameters: Codable, Sendable, Equatable {
        /// Bytes per file, and whether each write ends with fsync.
        public var fileBytes: Int
        public var fileSync: Bool
        /// Where the cell's private folder is made (empty: $TMPDIR or /tmp), and that folder once
        /// the sweep made it (empty: the cell makes and removes its own).
        public var fileParent: String
        public var fileDirectory = ""

        public init(fileBytes: Int, fileSync: Bool = false, fileParent: String = "") {
            self.fileBytes = fileBytes
            self.fileSync = fileSync
            self.fileParent = fileParent
        }
    }

    public static let fileBytes = Column<Int>(
        "file_bytes", "bytes of each task's file (--file-size; file workloads only)")
    public static let filesPerSecond = Column<Double>(
        "files_per_s",
        "tasks / wall_ms_median: files written, read back and verified per second (file workloads only)", digits: 1,
        summary: "files/s")
    public static let fileP50 = Column<Double>(
        "file_ms_p50",
        "median time of one file's write + read back + verify, ms (file workloads only; exact over every file)",
        digits: 4)
    public static let fileP99 = Column<Double>(
        "file_ms_p99", "99th percentile of that time, ms (file workloads only)", digits: 4, summary: "file p99 ms")
    public static let fileMax = Column<Double>("file_ms_max", "slowest file, ms (file workloads only)", digits: 4)
    /// How many files the percentiles cover (in the cell report only, not a column).
    public static let timedFiles = Column<Int>("files_timed", "files behind the file_ms percentiles")
    public static let columns = [
        fileBytes.erased, filesPerSecond.erased, fileP50.erased, fileP99.erased, fileMax.erased,
    ]

    public static func plan(_ options: Options, latencies: [Int64]) throws(UsageError) -> WorkloadPlan<Parameters> {
        let bytes = try Units.parseSize(options.fileSize, option: "--file-size")
        guard (1...FileTasks.maxFileBytes).contains(bytes) else {
            throw .outOfRange(option: "--file-size", value: options.fileSize, range: "between 1 byte and 1GiB")
        }
        if !options.fileDir.isEmpty {
            guard Files.isDirectory(options.fileDir), access(options.fileDir, W_OK | X_OK) == 0 else {
                throw .workloadProblem(
                    "--file-dir '\(options.fileDir.shortened())' is not an existing folder this user can write to; create it or pick another"
                )
            }
        } else if let temporary = PythonWorker.environment("TMPDIR") {
            // The cells' private folders go to $TMPDIR: one that is not a usable folder would
            // make every file cell an error row, so the run is refused before it starts.
            guard Files.isDirectory(temporary), access(temporary, W_OK | X_OK) == 0 else {
                throw .workloadProblem(
                    "TMPDIR is '\(temporary.shortened())', not an existing folder this user can write to (the file workloads make their private folders there); set TMPDIR to one, or pass --file-dir DIR"
                )
            }
        }
        return WorkloadPlan(
            parameters: Parameters(fileBytes: bytes, fileSync: options.fileSync, fileParent: options.fileDir),
            latencies: [0], notes: FileTasks.removeAbandonedFolders(in: options.fileDir))
    }

    /// The cell's private folder: made here and removed after the cell however it ended (a
    /// crashed or killed cell cannot clean up after itself).
    public static func prepare(_ cell: inout WorkloadCell<Parameters>, executable: String) throws(CellSetupError)
        -> CellSetup
    {
        let folder: String
        do {
            folder = try Files.makePrivateDirectory(in: cell.parameters.fileParent, prefix: FileTasks.folderPrefix)
        } catch {
            throw CellSetupError("could not make the cell's temporary folder: \(error)")
        }
        cell.parameters.fileDirectory = folder
        Janitor.watch(folder)
        return CellSetup(release: {
            Files.removeTree(folder)
            Janitor.forget(folder)
        })
    }

    public static func figures(_ cell: WorkloadCell<Parameters>, report: CellReport, into row: inout ResultRow) {
        row.figures.merge(report.figures, only: columns)
        row[fileBytes] = cell.parameters.fileBytes
        if let wall = row[RunnerColumns.wallMedian], wall > 0 {
            row[filesPerSecond] = Double(cell.tasks) / (wall / 1e3)
        }
    }

    public static func body(_ cell: WorkloadCell<Parameters>) throws(CellFailure) -> TaskBody {
        try FileTasks(cell, offload: nil).body
    }
}

/// C5's other side, aiofiles: the same files, but async code hands each file's blocking calls to
/// a thread pool (min(32, cores + 4) threads, as Python's default executor, which aiofiles uses)
/// and awaits them, so the thread running async tasks never blocks on the disk. Async backends only.
public enum OffloadedFileWorkload: OffloadedWorkload {
    public typealias InPlace = FileWorkload

    public static let name = "file-offload"
    public static let summary =
        "The file workload with each file's blocking calls offloaded to a thread pool and awaited (aiofiles); async backends only"

    public static func body(_ cell: WorkloadCell<Parameters>) throws(CellFailure) -> TaskBody {
        try FileTasks(cell, offload: WorkerPool.offloadPool()).body
    }
}

/// The tasks of both file workloads: the C task context, the per-file time slots, the folder
/// (removed with everything in it when this goes away, if this made it) and the offload pool.
final class FileTasks: @unchecked Sendable {
    let context: UnsafeMutablePointer<CAsyncBench_file_task>
    let times: SharedSlots
    let offload: WorkerPool?
    let directory: String
    /// True when this made `directory` (no sweep gave one) and so removes it.
    let ownsDirectory: Bool

    /// Private folders are named asyncbench-files-PID-XXXXXX, PID the process that made them.
    static var folderPrefix: String { "asyncbench-files-\(getpid())" }

    /// Removes the private folders in `parent` (empty: $TMPDIR or /tmp) whose maker is gone: a run
    /// killed with SIGKILL cannot remove its cell's folder itself. Returns a note per folder.
    static func removeAbandonedFolders(in parent: String) -> [String] {
        let folder = parent.isEmpty ? (getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp") : parent
        var notes: [String] = []
        for name in Files.list(folder) where name.hasPrefix("asyncbench-files-") {
            let fields = name.split(separator: "-")
            guard fields.count == 4, let maker = pid_t(fields[2]), kill(maker, 0) != 0, errno == ESRCH else { continue }
            // Only a real folder of this user's (under /tmp, anyone can put one of that name).
            guard let info = Files.linkStatus(folder + "/" + name), info.st_mode & S_IFMT == S_IFDIR,
                info.st_uid == geteuid()
            else { continue }
            Files.removeTree(folder + "/" + name)
            notes.append("file: removed \(folder)/\(name), left by asyncbench pid \(maker), which is gone (killed?)")
        }
        return notes
    }

    /// Largest --file-size accepted.
    static let maxFileBytes = 1 << 30

    init(_ cell: WorkloadCell<FileWorkload.Parameters>, offload: WorkerPool?) throws(CellFailure) {
        let parameters = cell.parameters
        let tasks = cell.tasks
        self.offload = offload
        if parameters.fileDirectory.isEmpty {
            do {
                directory = try Files.makePrivateDirectory(in: parameters.fileParent, prefix: FileTasks.folderPrefix)
            } catch {
                throw .setup(error.description)
            }
            ownsDirectory = true
        } else {
            directory = parameters.fileDirectory
            ownsDirectory = false
        }
        do {
            times = try SharedSlots(tasks: tasks, what: "file time")
        } catch {
            if ownsDirectory { Files.removeTree(directory) }
            throw error
        }
        context = .allocate(capacity: 1)
        var task = CAsyncBench_file_task()
        withUnsafeMutableBytes(of: &task.directory) { buffer in
            for (offset, byte) in directory.utf8.prefix(buffer.count - 1).enumerated() { buffer[offset] = byte }
        }
        task.bytes = Int64(parameters.fileBytes)
        task.sync = parameters.fileSync ? 1 : 0
        task.latency = times.pointer
        task.slots = Int64(times.count)
        context.initialize(to: task)
        // Up to every task's file exists at once: refuse a cell the file system cannot hold.
        let needed = Int64(tasks) * Int64(parameters.fileBytes)
        if let free = Self.freeBytes(directory), needed > free * 8 / 10 {
            throw .limit(
                reached: nil,
                cause:
                    "\(tasks) files of \(Units.formatBytes(parameters.fileBytes)) need \(Units.formatBytes(Int(needed))), over 80% of the \(Units.formatBytes(Int(free))) free in \(directory); choose a smaller --file-size or another --file-dir"
            )
        }
    }

    deinit {
        offload?.shutdown()
        context.deallocate()
        if ownsDirectory { Files.removeTree(directory) }
    }

    /// Bytes free to an unprivileged writer in the file system holding `path`.
    static func freeBytes(_ path: String) -> Int64? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }

    /// One task's file, on this thread; a failure names the task and what went wrong.
    func run(_ index: Int) throws {
        let rc = CAsyncBench_file_task_run(context, Int64(index))
        guard rc != 0 else { return }
        throw failure(index, rc)
    }

    func failure(_ index: Int, _ rc: Int32) -> any Error {
        let file = "\(directory)/f\(index)"
        if rc == CASYNCBENCH_FILE_MISMATCH {
            return CellFailure.taskFailed("\(file): the bytes read back differ from those written")
        }
        let error = SystemError("write/read \(file)", errno: rc)
        if [ENOSPC, EDQUOT, EFBIG, EMFILE, ENFILE].contains(rc) {
            return CellFailure.limit(reached: nil, cause: error.description)
        }
        return error
    }

    var body: TaskBody {
        var body = TaskBody(
            blocking: { index in try self.run(index) },
            async: { index in
                if let offload = self.offload {
                    let rc = await offload.perform { CAsyncBench_file_task_run(self.context, Int64(index)) }
                    if rc != 0 { throw self.failure(index, rc) }
                } else {
                    try self.run(index)  // in place: this thread is blocked on the disk meanwhile
                }
            },
            process: ProcessTask(function: CAsyncBench_task_file, context: context, owner: self),
            beforeRepetition: { for index in 0..<self.times.count { self.times.pointer[index] = -1 } })
        let times = SampleCollector()
        body.measuredRepetitionEnded = { times.append(self.times.values.filter { $0 >= 0 }) }
        body.figures = {
            var figures = Figures()
            let percentiles = times.percentiles
            figures[FileWorkload.timedFiles] = percentiles?.count
            figures.set(
                percentiles, scale: 1e6, p50: FileWorkload.fileP50, p99: FileWorkload.fileP99,
                max: FileWorkload.fileMax)
            return figures
        }
        return body
    }
}
