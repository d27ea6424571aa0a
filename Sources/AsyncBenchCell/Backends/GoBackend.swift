import AsyncBenchModel

#if canImport(Glibc)
    import Glibc
#endif

/// Go: one goroutine per task, started in a loop and joined with a `sync.WaitGroup`, on Go's
/// scheduler (GOMAXPROCS threads: the CPUs the cell may use, so 1 when pinned). The cells run in
/// the Go worker (Workers/go/), built once per run with Debian's `golang-go`.
///
/// `blocking` is a real blocking system call (nanosleep) on the goroutine's thread: Go has no
/// offload to ask for, because its scheduler hands the thread's processor to another thread once
/// the call has lasted ~20 µs (sysmon), so the other goroutines keep running; there is no
/// `blocking-offload`.
public struct GoBackend: Backend {
    public static let name = "go"
    public static let summary = "Go: one goroutine per task (sync.WaitGroup), GOMAXPROCS threads; Workers/go"
    public static let runtime = GoWorker.runtime
    public static let runsAsyncBodies = false
    public static var worker: WorkerProgram? { GoWorker.program }

    public init(options: BackendOptions) {}

    /// Never called: the cell runs in the Go worker.
    public func run(tasks: Int, body: TaskBody) throws(CellFailure) -> TaskCount {
        throw .setup("the \(Self.name) backend runs its cells in the Go worker")
    }
}

/// Where the Go worker's sources and toolchain are, and how it is built.
///
/// The toolchain is `$ASYNCBENCH_GO` or `go` on PATH; the sources `$ASYNCBENCH_GO_WORKER` or
/// `Workers/go/` (see `CompiledWorker.sources`). The build is `go build` into the worker's build
/// folder, offline (GOPROXY=off: standard library only), without version-control stamping, with
/// one Go build cache (GOCACHE, content-addressed) beside every build folder, in the private
/// build root (`CompiledWorker.buildRoot`).
public enum GoWorker {
    /// The `--backend` group name and `Backend.runtime`.
    public static let runtime = "go"
    public static let toolchainVariable = "ASYNCBENCH_GO"
    public static let sourcesVariable = "ASYNCBENCH_GO_WORKER"
    static let relative = "Workers/go"
    static let install = "go is not installed: apt-get install golang-go (or set \(toolchainVariable) to a go binary)"

    /// The workloads the worker implements.
    public static let workloads = ["sleep", "switch", "cpu", "blocking", "net", "file", "file-sync"]

    static var program: WorkerProgram {
        WorkerProgram(workloads: workloads, build: WorkerBuild(name: runtime, run: build)) {
            locate().flatMap { found in CompiledWorker.checkBuilt(found.binary, in: found.folder).map { [found.binary] }
            }
        }
    }

    /// The go binary, the sources and the built worker's path, or the one line saying what is
    /// missing.
    static func locate() -> Result<(go: String, sources: String, folder: String, binary: String), WorkerUnavailable> {
        let asked = PythonWorker.environment(toolchainVariable) ?? "go"
        guard let go = ProcessIO.findExecutable(asked) else { return .failure(WorkerUnavailable(install)) }
        guard let sources = CompiledWorker.sources(relative, variable: sourcesVariable) else {
            return .failure(CompiledWorker.sourcesMissing(relative, variable: sourcesVariable))
        }
        let folder = CompiledWorker.buildFolder(name: runtime, sources: sources)
        return .success((go, sources, folder, folder + "/asyncbench-go-worker"))
    }

    /// `go build` of the worker, then its `--describe` line (the version and GOMAXPROCS).
    static func build() -> Result<WorkerBuilt, WorkerBuildFailure> {
        let found: (go: String, sources: String, folder: String, binary: String)
        switch locate() {
        case .success(let located): found = located
        case .failure(let missing):
            return .failure(WorkerBuildFailure(firstErrorLine: missing.description, step: "go build", seconds: 0))
        }
        let partial = found.binary + ".partial-\(getpid())"
        let step = "go build -o \(found.binary) . in \(found.sources)"
        let cache: String
        do {
            _ = try CompiledWorker.makeBuildFolder(name: runtime, folder: found.folder)
            cache = try CompiledWorker.makeCacheFolder("go-cache")
        } catch {
            return .failure(WorkerBuildFailure(unsafe: error, step: step))
        }
        let environment = [
            "GOCACHE": cache, "GOPATH": found.folder + "/gopath",
            "GOPROXY": "off", "GOWORK": "off",  // no go.work from a folder above the sources
            "GOFLAGS": "-buildvcs=false -mod=mod", "GO111MODULE": "on", "CGO_ENABLED": "0",
        ]
        let built = CompiledWorker.runTool(
            [found.go, "build", "-trimpath", "-o", partial, "."], in: found.sources, environment: environment)
        guard built.exitStatus == 0, rename(partial, found.binary) == 0 else {
            unlink(partial)
            let line = CompiledWorker.firstErrorLine(
                built.output, fallback: "go build exited with \(built.exitStatus.map(String.init) ?? "no status")")
            return .failure(WorkerBuildFailure(firstErrorLine: line, step: step, seconds: built.seconds))
        }
        if case .failure(let unsafe) = CompiledWorker.checkBuilt(found.binary, in: found.folder) {
            return .failure(WorkerBuildFailure(firstErrorLine: unsafe.description, step: step, seconds: built.seconds))
        }
        let described = CompiledWorker.runTool([found.binary, "--describe"], in: nil, timeoutSeconds: 30)
        let version = described.output.trimmingWhitespace()
        guard described.exitStatus == 0, !version.isEmpty else {
            return .failure(
                WorkerBuildFailure(
                    firstErrorLine: "the built worker's --describe failed: \(version.prefix(200))", step: step,
                    seconds: built.seconds))
        }
        return .success(WorkerBuilt(seconds: built.seconds, step: step, version: version))
    }
}
