import AsyncBenchModel

/// Python threads: one `threading.Thread` per task, started then joined; they share the GIL
/// (the cpu workload shows it). The cells run in the Python worker (Workers/python/).
public struct PythonThreadsBackend: PythonBackend {
    public static let name = "python-threads"
    public static let summary = "Python threading: one threading.Thread per task (one GIL)"
    public static let model = "threads"
    public static let threadPerTask = true
    public static let workloads = ["sleep", "switch", "cpu", "blocking", "net", "file", "file-sync"]

    public init(options: BackendOptions) {}
}
