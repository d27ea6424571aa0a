import AsyncBenchModel
import AsyncBenchResults
import Dispatch

/// Grand Central Dispatch: one block per task on the global concurrent queue, joined with a
/// DispatchGroup. Each block blocks its worker thread while it waits, so the number of threads
/// GCD is willing to add (its cap) limits concurrency: `threads_peak` records it.
public struct DispatchBackend: Backend {
    public static let name = "dispatch"
    public static let summary =
        "GCD: one block per task on a global concurrent queue, joined with a DispatchGroup; blocks its thread"

    public init(options: BackendOptions) {}

    public func run(tasks: Int, body: TaskBody) throws(CellFailure) -> TaskCount {
        let tally = TaskTally()
        let group = DispatchGroup()
        let queue = DispatchQueue.global()
        let work = body.dispatch ?? body.blocking
        tally.creating {
            for index in 0..<tasks {
                queue.async(group: group) { tally.record { try work(index) } }
            }
        }
        group.wait()
        return try tally.result()
    }
}
