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
public struct FileWorkload: Workload {
    public static let name = "file"
    public static let summary =
        "Each task writes a --file-size file to a private temporary folder, reads it back, verifies it and removes it"
    public static let defaultTasks = [1, 100, 1000]
    public static let usesLatency = false
    public static let writesFiles = true

    public static func waitsPerTask(_ parameters: WorkloadParameters) -> Int { 0 }

    let parameters: WorkloadParameters

    public init(parameters: WorkloadParameters) throws(CellFailure) {
        self.parameters = try FileTasks.check(parameters)
    }

    public func makeBody(tasks: Int) throws(CellFailure) -> TaskBody {
        try FileTasks(parameters: parameters, tasks: tasks, offload: nil).body
    }
}

/// C5's other side, aiofiles: the same files, but async code hands each file's blocking calls to
/// a thread pool (min(32, cores + 4) threads, as Python's default executor, which aiofiles uses)
/// and awaits them, so the thread running async tasks never blocks on the disk. Async backends only.
public struct OffloadedFileWorkload: Workload {
    public static let name = "file-offload"
    public static let summary =
        "The file workload with each file's blocking calls offloaded to a thread pool and awaited (aiofiles); async backends only"
    public static let defaultTasks = FileWorkload.defaultTasks
    public static let usesLatency = false
    public static let writesFiles = true
    public static let asyncOnly = true

    public static func waitsPerTask(_ parameters: WorkloadParameters) -> Int { 0 }

    let parameters: WorkloadParameters

    public init(parameters: WorkloadParameters) throws(CellFailure) {
        self.parameters = try FileTasks.check(parameters)
    }

    public func makeBody(tasks: Int) throws(CellFailure) -> TaskBody {
        try FileTasks(parameters: parameters, tasks: tasks, offload: WorkerPool.offloadPool()).body
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

    /// Largest --file-size accepted.
    static let maxFileBytes = 1 << 30

    static func check(_ parameters: WorkloadParameters) throws(CellFailure) -> WorkloadParameters {
        guard (1...maxFileBytes).contains(parameters.fileBytes) else {
            throw .setup("--file-size must be between 1 byte and 1GiB")
        }
        return parameters
    }

    init(parameters: WorkloadParameters, tasks: Int, offload: WorkerPool?) throws(CellFailure) {
        self.offload = offload
        if parameters.fileDirectory.isEmpty {
            do {
                directory = try Files.makePrivateDirectory(in: parameters.fileParent, prefix: "asyncbench-files")
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
        body.operationLatencyNanoseconds = { self.times.values.filter { $0 >= 0 } }
        return body
    }
}
