import AsyncBenchModel

#if canImport(Glibc)
    import Glibc
#endif

/// Test-only: a worker backend whose worker program is the script `ASYNCBENCH_TEST_WORKER`
/// names, run by `python3` (the tests use Tests/Fixtures/worker/sleep_worker.py, which runs the
/// sleep workload on asyncio). It exercises the worker seam the real worker backends use; hidden
/// from `all` and listings.
public struct TestWorkerBackend: Backend {
    public static let name = "worker-test"
    public static let summary = "Test-only: the sleep workload in the worker script ASYNCBENCH_TEST_WORKER names"
    public static let hidden = true
    public static let worker: WorkerProgram? = WorkerProgram(workloads: ["sleep"]) {
        guard let script = getenv("ASYNCBENCH_TEST_WORKER").map({ String(cString: $0) }), !script.isEmpty else {
            return .failure(
                WorkerUnavailable("set ASYNCBENCH_TEST_WORKER to a worker script to run the worker-test backend"))
        }
        return .success(["python3", script])
    }

    public init(options: BackendOptions) {}

    /// Never called: the cell runs in the worker program.
    public func run(tasks: Int, body: TaskBody) throws(CellFailure) -> TaskCount {
        throw .setup("the \(Self.name) backend runs its cells in its worker program")
    }
}
