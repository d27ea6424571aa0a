import CAsyncBench

/// Each task waits `--latency`: the purest form of "waiting on I/O". Threads and processes
/// block in `clock_nanosleep` (CLOCK_MONOTONIC, resumed after signals); async tasks suspend in
/// `Task.sleep`, freeing their thread.
public struct SleepWorkload: Workload {
    public static let name = "sleep"
    public static let summary = "Each task waits --latency (threads block in clock_nanosleep; async tasks suspend)"

    let nanoseconds: Int64

    public init(parameters: WorkloadParameters) {
        nanoseconds = parameters.latencyNanoseconds
    }

    public func makeBody(tasks: Int) -> TaskBody {
        let nanoseconds = self.nanoseconds
        return TaskBody(
            blocking: { _ in
                let rc = CAsyncBench_sleep_ns(nanoseconds)
                if rc != 0 { throw SystemError("clock_nanosleep", errno: rc) }
            },
            async: { _ in try await Task.sleep(nanoseconds: UInt64(nanoseconds)) },
            process: ProcessTask(function: CAsyncBench_task_sleep, context: nanoseconds)
        )
    }
}
