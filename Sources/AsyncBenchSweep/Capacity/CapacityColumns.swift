import AsyncBenchModel
import AsyncBenchResults

/// The columns of capacity.csv, one row per backend (the README documents them): declared once,
/// as the results' columns are, and written and read back through these, so code that uses a
/// column names this value, never its text.
public enum CapacityColumns {
    public static let schemaVersion = Column<Int>("schema_version", "version of the results schema (Schema.version)")
    public static let backend = Column<String>("backend", "the backend searched")
    public static let workload = Column<String>("workload", "what each task does (sleep)")
    public static let latency = Column<Double>("latency_ms", "the base wait (--latency), ms", digits: 6)
    public static let highestTasks = Column<Int>("highest_tasks", "the highest N held at once; empty when none")
    public static let memoryPerTask = Column<Double>(
        "memory_per_task_bytes", "RSS per task at that N, fork's children included", digits: 1)
    public static let peakRSS = Column<Int>("peak_rss_bytes", "the cell process's peak RSS at that N")
    public static let stoppedBy = Column<CapacityStop>(
        "stopped_by", "what ended the search: " + CapacityStop.allCases.map(\.rawValue).joined(separator: ", "))
    public static let probes = Column<Int>("probes", "cells run")
    public static let seconds = Column<Double>("seconds", "the backend's search time, s", digits: 1)
    public static let message = Column<String>("message", "the N that failed and why", domain: .freeText)

    /// In file order.
    public static let all: [AnyColumn] = [
        schemaVersion.erased, backend.erased, workload.erased, latency.erased, highestTasks.erased,
        memoryPerTask.erased, peakRSS.erased, stoppedBy.erased, probes.erased, seconds.erased, message.erased,
    ]
}

extension CapacityStop: ColumnValue {
    public init?(figure: Figure) {
        guard case .text(let value) = figure else { return nil }
        self.init(rawValue: value)
    }
    public var figure: Figure { .text(rawValue) }
    public static func parse(_ text: String) -> CapacityStop? { CapacityStop(rawValue: text) }
}

extension CapacityResult {
    /// The result's capacity.csv row, by column.
    var figures: Figures {
        var figures = Figures()
        figures[CapacityColumns.schemaVersion] = Schema.version
        figures[CapacityColumns.backend] = backend
        figures[CapacityColumns.workload] = workload
        figures[CapacityColumns.latency] = latencyMilliseconds
        figures[CapacityColumns.highestTasks] = highest
        figures[CapacityColumns.memoryPerTask] = memoryPerTask
        figures[CapacityColumns.peakRSS] = peakRSS
        figures[CapacityColumns.stoppedBy] = stoppedBy
        figures[CapacityColumns.probes] = probes
        figures[CapacityColumns.seconds] = seconds
        figures[CapacityColumns.message] = message
        return figures
    }

    /// The result of a capacity.csv row; nil without a backend or a known `stopped_by`.
    init?(figures: Figures) {
        guard let backend = figures[CapacityColumns.backend], let stop = figures[CapacityColumns.stoppedBy] else {
            return nil
        }
        self.init(
            backend: backend, workload: figures[CapacityColumns.workload] ?? "",
            latencyMilliseconds: figures[CapacityColumns.latency] ?? 0, highest: figures[CapacityColumns.highestTasks],
            memoryPerTask: figures[CapacityColumns.memoryPerTask], peakRSS: figures[CapacityColumns.peakRSS],
            stoppedBy: stop, message: figures[CapacityColumns.message] ?? "",
            probes: figures[CapacityColumns.probes] ?? 0, seconds: figures[CapacityColumns.seconds] ?? 0)
    }
}
