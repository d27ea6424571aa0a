import AsyncBenchCell
import AsyncBenchModel

/// Bodies of workloads for tests, without a cell spec.
extension Workload {
    /// The body of `tasks` tasks of this workload with `parameters`, each waiting `latency` ns.
    public static func testBody(tasks: Int, latency: Int64 = 0, _ parameters: Parameters) throws(CellFailure)
        -> TaskBody
    {
        try body(WorkloadCell(tasks: tasks, latencyNanoseconds: latency, parameters: parameters))
    }
}

extension Workload where Parameters == NoParameters {
    /// The body of `tasks` tasks of this workload, each waiting `latency` ns.
    public static func testBody(tasks: Int, latency: Int64 = 0) throws(CellFailure) -> TaskBody {
        try testBody(tasks: tasks, latency: latency, NoParameters())
    }
}
