import AsyncBenchModel
import CAsyncBench
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A backend whose cells run in asyncbench's Python worker (Workers/python/asyncbench_worker.py)
/// under one of Python's concurrency models: the four `python-*` backends. Each declares its
/// model (the worker's argument) and the workloads it runs; this gives the rest.
public protocol PythonBackend: Backend {
    /// The worker's model argument: asyncio, uvloop, threads or processes.
    static var model: String { get }
    /// The workloads the worker runs honestly under this model.
    static var workloads: [String] { get }
}

extension PythonBackend {
    public static var runtime: String { PythonWorker.runtime }
    public static var worker: WorkerProgram? {
        WorkerProgram(workloads: workloads) { PythonWorker.command(model: model) }
    }

    /// Never called: the cell runs in the Python worker.
    public func run(tasks: Int, body: TaskBody) throws(CellFailure) -> TaskCount {
        throw .setup("the \(Self.name) backend runs its cells in the Python worker")
    }
}

/// Where the Python worker and its interpreter are, and what that interpreter is.
///
/// The interpreter is `$ASYNCBENCH_PYTHON` (what `--python` sets, so that cell processes see it
/// too) or `python3` on PATH. The worker script is `$ASYNCBENCH_PYTHON_WORKER`, or
/// `Workers/python/asyncbench_worker.py` in the nearest folder above the asyncbench executable
/// that has one (a binary in `.build/release/` finds its package's), or in the package this was
/// built from.
public enum PythonWorker {
    /// The `--backend` group name of the Python backends, and their `Backend.runtime`.
    public static let runtime = "python"
    /// The environment variables naming the interpreter and the worker script.
    public static let interpreterVariable = "ASYNCBENCH_PYTHON"
    public static let scriptVariable = "ASYNCBENCH_PYTHON_WORKER"
    static let scriptPath = "Workers/python/asyncbench_worker.py"

    /// The interpreter asked for: `$ASYNCBENCH_PYTHON`, else `python3`.
    public static var interpreter: String {
        environment(interpreterVariable) ?? "python3"
    }

    /// The worker's command line for `model`, or the one line saying what is missing.
    static func command(model: String) -> Result<[String], WorkerUnavailable> {
        let python = interpreter
        guard let found = ProcessIO.findExecutable(python) else {
            return .failure(
                WorkerUnavailable(
                    "the Python interpreter '\(python)' is not found (not on PATH, or not executable): install python3 or pass --python PATH"
                ))
        }
        guard let script = script() else {
            return .failure(
                WorkerUnavailable(
                    environment(scriptVariable).map { "$\(scriptVariable) names \($0), which is not a readable file" }
                        ?? "the Python worker \(scriptPath) is not found above the asyncbench executable nor in its package; set \(scriptVariable) to its path"
                ))
        }
        if model == "uvloop", !imports("uvloop", python: found) {
            return .failure(
                WorkerUnavailable(
                    "uvloop is not installed for \(found): pip install uvloop (or Debian's python3-uvloop), then run again"
                ))
        }
        return .success([found, "-B", script, model])  // -B: no __pycache__ beside the script
    }

    /// The worker script: `$ASYNCBENCH_PYTHON_WORKER`, or the nearest `Workers/python/` above the
    /// executable, or the source package's; nil when none is readable.
    static func script() -> String? {
        if let named = environment(scriptVariable) { return access(named, R_OK) == 0 ? named : nil }
        var folders = Files.executablePath.map(Files.folders(above:)) ?? []
        // This file is <package>/Sources/AsyncBenchCell/Backends/PythonWorker.swift.
        folders.append(String(#filePath).split(separator: "/").dropLast(4).map { "/" + $0 }.joined())
        return folders.map { "\($0)/\(scriptPath)" }.first { access($0, R_OK) == 0 }
    }

    /// Whether `python` imports `module` (asked once per interpreter and module; an interpreter
    /// that does not answer within `ProcessIO.probeSeconds` does not).
    static func imports(_ module: String, python: String) -> Bool {
        let key = "\(python) \(module)"
        if let known = importable.withLock({ $0[key] }) { return known }
        let found =
            (try? ProcessIO.run(
                // In "/": `python -c` puts its working folder first on sys.path, and a uvloop.py
                // in the user's working folder must not run.
                [python, "-c", "import \(module)"], label: "the interpreter \(python)", task: "import \(module)",
                in: "/", stderr: .discard
            ).get().status) == .exited(0)
        importable.withLock { $0[key] = found }
        return found
    }
    private static let importable = Mutex<[String: Bool]>([:])

    /// The longest line `--describe` may answer.
    static let describeLineBytes = 4096

    /// One line naming the interpreter the Python backends run on, its build (GIL or
    /// free-threaded) and uvloop, as the worker describes them; nil when it cannot be asked (no
    /// interpreter or worker: the cells say why). An interpreter that does not answer within
    /// `ProcessIO.probeSeconds`, answers more than a short line, or fails is an error saying so.
    public static func describeInterpreter() -> Result<String, ToolFailure>? {
        guard case .success(let command) = self.command(model: "asyncio") else { return nil }
        let label = "the interpreter \(command[0])"
        let task = "answer --describe"
        return ProcessIO.run(
            command.dropLast() + ["--describe"], label: label, task: task, stderr: .discard,
            outputLimit: describeLineBytes
        ).flatMap { finished -> Result<String, ToolFailure> in
            let text = finished.text.trimmingWhitespace()
            guard finished.status == .exited(0) else {
                return .failure(.failed(label: label, task: task, status: finished.status))
            }
            let lines = text.split(whereSeparator: \.isNewline).count
            guard lines == 1 else { return .failure(.notOneLine(label: label, task: task, lines: lines)) }
            return .success(text)
        }
    }

    static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
    }
}
