import AsyncBenchCell
import AsyncBenchModel
import Dispatch

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

/// Runs a call that blocks its thread (a backend's `run`, waiting for a process) on a Dispatch
/// thread instead of the test's cooperative-pool thread. Swift Testing runs tests on that pool,
/// which has one thread per core: a test blocked in the async backend's `run` while another
/// test blocks the other pool thread would leave the async tasks no thread to run on.
public func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}
