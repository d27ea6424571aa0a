import AsyncBenchModel

/// Python's asyncio, as the tutorial uses it: every task a coroutine on one event loop
/// (`create_task`, then `gather`), blocking calls offloaded with `asyncio.to_thread`. The cells
/// run in the Python worker (Workers/python/).
public struct PythonAsyncioBackend: PythonBackend {
    public static let name = "python-asyncio"
    public static let summary = "Python asyncio: each task a coroutine on one event loop (create_task + gather)"
    public static let model = "asyncio"
    public static let runsAsyncBodies = true
    public static let workloads = [
        "sleep", "switch", "cpu", "blocking", "blocking-offload", "net", "file", "file-offload", "file-sync",
        "file-sync-offload",
    ]

    public init(options: BackendOptions) {}
}
