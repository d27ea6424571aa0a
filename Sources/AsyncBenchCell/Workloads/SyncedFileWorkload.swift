import AsyncBenchModel
import AsyncBenchResults

/// C5's I/O that waits: the `file` workload with every file fsynced after it is written, so each
/// task waits for the device, not only the page cache. Whether async file I/O "helps with many
/// files" is a question about such waits: on the page cache a file's calls are kernel CPU work
/// that offloading can only spread over the cores, and that gain comes and goes from one cell
/// process to the next (0.6× to 1.7× seen here). N = 1 and 100 by default: an fsync takes about
/// half a millisecond here, more on a real disk.
public enum SyncedFileWorkload: Workload {
    public typealias Parameters = FileWorkload.Parameters
    public typealias Options = FileWorkload.Options

    public static let name = "file-sync"
    public static let summary =
        "The file workload with each file fsynced after writing (the task waits for the disk, not only the page cache)"
    public static let defaultTasks = [1, 100]
    public static let usesLatency = false
    public static var columns: [AnyColumn] { FileWorkload.columns }

    public static func waitsPerTask(_ parameters: Parameters) -> Int { 0 }

    public static func plan(_ options: Options, latencies: [Int64]) throws(UsageError) -> WorkloadPlan<Parameters> {
        var plan = try FileWorkload.plan(options, latencies: latencies)
        plan.parameters.fileSync = true
        return plan
    }

    public static func prepare(_ cell: inout WorkloadCell<Parameters>, executable: String) throws(CellSetupError)
        -> CellSetup
    { try FileWorkload.prepare(&cell, executable: executable) }

    public static func figures(_ cell: WorkloadCell<Parameters>, report: CellReport, into row: inout ResultRow) {
        FileWorkload.figures(cell, report: report, into: &row)
    }

    public static func body(_ cell: WorkloadCell<Parameters>) throws(CellFailure) -> TaskBody {
        try FileWorkload.body(cell)
    }
}

/// `file-sync` with each file's blocking calls, fsync included, handed from async code to the
/// offload pool and awaited (aiofiles). Async backends only.
public enum OffloadedSyncedFileWorkload: OffloadedWorkload {
    public typealias InPlace = SyncedFileWorkload

    public static let name = "file-sync-offload"
    public static let summary =
        "The file-sync workload with each file's blocking calls offloaded to a thread pool and awaited (aiofiles); async backends only"

    public static func body(_ cell: WorkloadCell<Parameters>) throws(CellFailure) -> TaskBody {
        try OffloadedFileWorkload.body(cell)
    }
}
