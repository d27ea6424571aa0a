import AsyncBenchModel

/// The asyncio code of `python-asyncio` on uvloop's event loop (libuv), where uvloop is
/// installed; elsewhere its cells are skipped with how to install it.
public struct PythonUvloopBackend: PythonBackend {
    public static let name = "python-uvloop"
    public static let summary = "Python asyncio on uvloop's event loop (skipped unless uvloop is installed)"
    public static let model = "uvloop"
    public static let runsAsyncBodies = true
    public static let workloads = PythonAsyncioBackend.workloads

    public init(options: BackendOptions) {}
}
