import AsyncBenchModel

/// Python processes: one `multiprocessing.Process` per task (start method fork), started then
/// joined; what they record comes back through shared memory. CPU time counts the children.
public struct PythonProcessesBackend: PythonBackend {
    public static let name = "python-processes"
    public static let summary = "Python multiprocessing: one multiprocessing.Process per task (fork)"
    public static let model = "processes"
    public static let workloads = PythonThreadsBackend.workloads

    public init(options: BackendOptions) {}
}
