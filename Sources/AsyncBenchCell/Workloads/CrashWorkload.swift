import AsyncBenchModel
import AsyncBenchResults
import CAsyncBench

/// Test-only: every task raises SIGSEGV, to check that a crashing cell becomes a `crashed` row
/// and the sweep goes on. Hidden from `--help` and from listings.
public enum CrashWorkload: Workload {
    public typealias Parameters = NoParameters
    public typealias Options = NoOptions

    public static let name = "crash"
    public static let summary = "Test-only: every task raises SIGSEGV"
    public static let hidden = true
    public static let usesLatency = false

    public static func body(_ cell: WorkloadCell<Parameters>) -> TaskBody {
        TaskBody(
            blocking: { index in _ = CAsyncBench_task_crash(nil, Int64(index)) },
            async: { index in _ = CAsyncBench_task_crash(nil, Int64(index)) },
            process: ProcessTask(function: CAsyncBench_task_crash, context: Int64(0))
        )
    }
}
