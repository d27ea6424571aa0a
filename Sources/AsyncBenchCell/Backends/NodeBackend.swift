import AsyncBenchModel

#if canImport(Glibc)
    import Glibc
#endif

/// Node.js: one promise per task on Node's single event loop (an async function per task,
/// called in a loop, joined with `Promise.all`). The cells run in the Node.js worker
/// (Workers/node/), checked (`node --check`) once per run with Debian's `nodejs`.
///
/// `blocking` makes a synchronous call on the loop (`Atomics.wait`: every other task waits);
/// `blocking-offload` awaits it on a pool of worker threads. `file` uses fs's synchronous calls
/// on the loop, `file-offload` fs.promises (libuv's thread pool). `cpu` runs its tasks one after
/// another on the one loop thread, as asyncio does.
public struct NodeBackend: Backend {
    public static let name = "node"
    public static let summary = "Node.js: one promise per task on one event loop (Promise.all); Workers/node"
    public static let runtime = NodeWorker.runtime
    public static let runsAsyncBodies = true
    public static var worker: WorkerProgram? { NodeWorker.program }

    public init(options: BackendOptions) {}

    /// Never called: the cell runs in the Node.js worker.
    public func run(tasks: Int, body: TaskBody) throws(CellFailure) -> TaskCount {
        throw .setup("the \(Self.name) backend runs its cells in the Node.js worker")
    }
}

/// Where the Node.js worker and its interpreter are, and how it is checked.
///
/// The interpreter is `$ASYNCBENCH_NODE` or `node` on PATH; the sources `$ASYNCBENCH_NODE_WORKER`
/// or `Workers/node/` (see `CompiledWorker.sources`). Its build is `node --check` of every
/// file: a syntax error makes every node cell an error row before any runs.
public enum NodeWorker {
    /// The `--backend` group name and `Backend.runtime`.
    public static let runtime = "node"
    public static let interpreterVariable = "ASYNCBENCH_NODE"
    public static let sourcesVariable = "ASYNCBENCH_NODE_WORKER"
    static let relative = "Workers/node"
    static let script = "asyncbench_worker.js"
    static let install =
        "node is not installed: apt-get install nodejs (or set \(interpreterVariable) to a node binary)"

    /// The workloads the worker implements.
    public static let workloads = [
        "sleep", "switch", "cpu", "blocking", "blocking-offload", "net", "file", "file-offload", "file-sync",
        "file-sync-offload",
    ]

    static var program: WorkerProgram {
        WorkerProgram(workloads: workloads, build: WorkerBuild(name: runtime, run: check)) {
            locate().map { [$0.node, $0.sources + "/" + script] }
        }
    }

    /// The node binary and the worker's folder, or the one line saying what is missing.
    static func locate() -> Result<(node: String, sources: String), WorkerUnavailable> {
        let asked = PythonWorker.environment(interpreterVariable) ?? "node"
        guard let node = ProcessIO.findExecutable(asked) else { return .failure(WorkerUnavailable(install)) }
        guard let sources = CompiledWorker.sources(relative, variable: sourcesVariable),
            Files.exists(sources + "/" + script)
        else {
            return .failure(CompiledWorker.sourcesMissing(relative, variable: sourcesVariable))
        }
        return .success((node, sources))
    }

    /// `node --check` of every .js file of the worker, then its `--describe` line.
    static func check() -> Result<WorkerBuilt, WorkerBuildFailure> {
        let found: (node: String, sources: String)
        switch locate() {
        case .success(let located): found = located
        case .failure(let missing):
            return .failure(WorkerBuildFailure(firstErrorLine: missing.description, step: "node --check", seconds: 0))
        }
        let files = Files.list(found.sources).filter { $0.hasSuffix(".js") }
        let step = "node --check \(files.joined(separator: " ")) in \(found.sources)"
        var seconds = 0.0
        for file in files {
            let checked = CompiledWorker.runTool([found.node, "--check", file], in: found.sources, timeoutSeconds: 60)
            seconds += checked.seconds
            guard checked.exitStatus == 0 else {
                let line = CompiledWorker.firstErrorLine(checked.output, fallback: "node --check \(file) failed")
                let at = checked.output.split(whereSeparator: \.isNewline).first.map { " (at \($0))" } ?? ""
                return .failure(WorkerBuildFailure(firstErrorLine: line + at, step: step, seconds: seconds))
            }
        }
        let described = CompiledWorker.runTool(
            [found.node, found.sources + "/" + script, "--describe"], in: nil, timeoutSeconds: 30)
        let version = described.output.trimmingWhitespace()
        guard described.exitStatus == 0, !version.isEmpty else {
            return .failure(
                WorkerBuildFailure(
                    firstErrorLine: "the worker's --describe failed: \(version.prefix(200))", step: step,
                    seconds: seconds))
        }
        return .success(WorkerBuilt(seconds: seconds, step: step, version: version))
    }
}
