import AsyncBenchModel
import AsyncBenchResults

/// The baseline: the same tasks one after another on the calling thread, so wall ≈ tasks ×
/// latency. Concurrency claims (C3) are judged against it.
public struct SequentialBackend: Backend {
    public static let name = "sequential"
    public static let summary =
        "Baseline: the same tasks one after another on one thread (wall ≈ tasks × latency)"
    public static func maxConcurrentTasks(_ options: BackendOptions) -> Int? { 1 }

    public init(options: BackendOptions) {}

    public func run(tasks: Int, body: TaskBody) throws(CellFailure) -> TaskCount {
        let tally = TaskTally()
        for index in 0..<tasks {
            tally.record { try body.blocking(index) }
        }
        return try tally.result()
    }
}
