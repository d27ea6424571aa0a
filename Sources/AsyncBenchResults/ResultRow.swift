import AsyncBenchModel

/// One row of results: a cell's key (its parameters), status and message, and its figures by
/// column. The same type is written by a sweep and read back from a results file (`RunReader`),
/// so a figure is used through its `Column`, never through its text.
public struct ResultRow: Sendable, Equatable {
    public var key: CellKey
    public var status: CellStatus
    /// Why a cell is not ok; empty when it is.
    public var message: String
    public var figures = Figures()
    /// Wall time of each measured repetition, ms, for the JSON output (not a CSV column).
    public var wallMillisecondsPerRep: [Double] = []
    /// The line of the results file the row was read from; 0 for a row a sweep made.
    public var line = 0

    public init(key: CellKey, status: CellStatus, message: String, figures: Figures = Figures()) {
        self.key = key
        self.status = status
        self.message = message
        self.figures = figures
    }

    public subscript<Value>(column: Column<Value>) -> Value? {
        get { figures[column] }
        set { figures[column] = newValue }
    }

    /// A whole-number figure as a real number, for arithmetic with the others.
    public func real(_ column: Column<Int>) -> Double? { self[column].map(Double.init) }

    public var backend: String { key.backend }
    public var workload: String { key.workload }
    public var tasks: Int { key.tasks }
    public var pinned: Bool { key.pinned }
    public var allocator: String { key.allocator }
    public var latencyMilliseconds: Double { key.latencyMilliseconds }
    public var latencyNanoseconds: Int64 { Int64((key.latencyMilliseconds * 1e6).rounded()) }

    /// Median, min and max wall time of one repetition, ms, when the cell measured one.
    public var wall: Summary? {
        guard let median = self[RunnerColumns.wallMedian], let min = self[RunnerColumns.wallMin],
            let max = self[RunnerColumns.wallMax]
        else { return nil }
        return Summary(median: median, min: min, max: max)
    }
}

extension Array where Element == ResultRow {
    /// The row of `backend` at `tasks` (of `workload`, when given), whatever its status.
    public func cell(_ workload: String?, _ backend: String, _ tasks: Int) -> ResultRow? {
        first { ($0.key.workload == workload || workload == nil) && $0.key.backend == backend && $0.key.tasks == tasks }
    }

    /// The task counts `backend` completed (status ok) in `workload`.
    public func completedTasks(_ workload: String, _ backend: String) -> Set<Int> {
        Set(filter { $0.key.workload == workload && $0.key.backend == backend && $0.status == .ok }.map(\.key.tasks))
    }
}
