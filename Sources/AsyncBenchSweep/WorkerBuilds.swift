import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults

/// The one-time step of every compiled or checked worker a plan runs (go build, cargo build,
/// node --check), taken by the sweep before its first cell: each build once per run however many
/// backends share it, timed apart from the measurements, recorded in run.json.
public struct WorkerBuilds: Sendable {
    /// By backend: the message of the error row every cell of a backend whose worker did not
    /// build becomes (the compiler's first error line, and what was run).
    public var failures: [String: String] = [:]
    /// What run.json records of each build: version, step, time, outcome.
    public var records: [WorkerRuntime] = []

    public init() {}

    /// Builds the worker of every backend with a cell to run in `cells` (skipped cells need none);
    /// `progress` gets one line per build as it ends.
    public static func run(for cells: [PlannedCell], progress: (String) -> Void = { _ in }) -> WorkerBuilds {
        var builds = WorkerBuilds()
        var order: [String] = []
        var backendsOf: [String: [String]] = [:]
        var programs: [String: WorkerBuild] = [:]
        for cell in cells where cell.skipReason == nil {
            let backend = cell.spec.backend
            guard let build = Registry.backend(named: backend)?.worker?.build else { continue }
            if programs[build.name] == nil {
                programs[build.name] = build
                order.append(build.name)
            }
            if backendsOf[build.name]?.contains(backend) != true { backendsOf[build.name, default: []].append(backend) }
        }
        for name in order {
            guard let build = programs[name] else { continue }
            let backends = backendsOf[name] ?? []
            switch build.run() {
            case .success(let built):
                builds.records.append(
                    WorkerRuntime(
                        worker: name, backends: backends, version: built.version, step: built.step,
                        buildSeconds: built.seconds, status: CellStatus.ok.rawValue, message: ""))
                progress("built the \(name) worker in \(Units.trim(built.seconds, digits: 2)) s (\(built.step))")
            case .failure(let failure):
                let message =
                    "the \(name) worker did not build: " + failure.firstErrorLine
                    + " (\(failure.step); \(failure.fix))"
                for backend in backends { builds.failures[backend] = message }
                builds.records.append(
                    WorkerRuntime(
                        worker: name, backends: backends, version: nil, step: failure.step,
                        buildSeconds: failure.seconds, status: CellStatus.error.rawValue, message: message))
                progress(message)
            }
        }
        return builds
    }
}
