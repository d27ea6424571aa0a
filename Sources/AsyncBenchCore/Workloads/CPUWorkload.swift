import CAsyncBench

/// Each task does the same fixed CPU work: `--work` rounds of a 64-bit mix, whose result is
/// checked (so the work cannot be optimised away). `speedup` = tasks × (one task alone on one
/// thread) / wall: how many CPUs the backend put to work. Claim C7.
public struct CPUWorkload: Workload {
    public static let name = "cpu"
    public static let summary =
        "Each task does --work rounds of a 64-bit hash (result checked); reports speedup over one task on one thread"
    public static let defaultTasks = [1, 2, 4, 8]
    public static let usesLatency = false
    public static let reportsSpeedup = true
    public static let runsInHelper = true

    let iterations: UInt64
    let expected: UInt64

    public init(parameters: WorkloadParameters) throws(CellFailure) {
        guard parameters.work >= 1 else { throw .setup("--work must be at least 1") }
        iterations = UInt64(parameters.work)
        expected = CAsyncBench_cpu_work(iterations, 42)
    }

    /// A workload with a given expectation (tests use a wrong one to see the check fail).
    init(iterations: UInt64, expected: UInt64) {
        self.iterations = iterations
        self.expected = expected
    }

    public func makeBody(tasks: Int) -> TaskBody {
        let iterations = self.iterations
        let expected = self.expected
        let work: @Sendable (Int) throws -> Void = { _ in
            let result = CAsyncBench_cpu_work(iterations, 42)
            guard result == expected else { throw CellFailure.taskFailed("cpu work gave \(result), not \(expected)") }
        }
        var body = TaskBody(
            blocking: work,
            async: { index in try work(index) },
            process: ProcessTask(
                function: CAsyncBench_task_cpu,
                context: CAsyncBench_cpu_task(iterations: iterations, expected: expected)),
            eventLoop: { loop, index in loop.submit { try work(index) } })
        body.helper = ["cpu", "\(iterations)", "\(expected)"]
        return body
    }
}
