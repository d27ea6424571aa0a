import AsyncBenchModel
import AsyncBenchResults

/// The calls the plan, the sweep and the cell runner make on a workload they know only by name
/// (`any Workload.Type`): each decodes the spec's JSON parameters into the workload's own type.
extension Workload {
    /// The cell of `spec` with this workload's parameters; fails when they do not decode.
    public static func cell(_ spec: CellSpec) throws(CellFailure) -> WorkloadCell<Parameters> {
        guard let parameters = spec.parameters.decode(Parameters.self) else {
            throw .setup(
                "the cell's parameters are not those of the \(name) workload: \(JSONCoding.json(spec.parameters))")
        }
        return WorkloadCell(
            tasks: spec.tasks, latencyNanoseconds: spec.latencyNanoseconds, parameters: parameters,
            runtime: Registry.backend(named: spec.backend)?.runtime ?? "swift", rate: spec.rate)
    }

    /// The plan of this workload for `options`, its parameters as JSON.
    public static func erasedPlan(_ options: WorkloadOptions, latencies: [Int64]) throws(UsageError) -> WorkloadPlan<
        JSONValue
    > {
        let plan = try plan(options.group(Options.self), latencies: latencies)
        return WorkloadPlan(
            parameters: JSONValue(encoding: plan.parameters), latencies: plan.latencies, rates: plan.rates,
            notes: plan.notes)
    }

    /// Which option group this workload reads (the identity of its `Options` type).
    public static var optionsKind: ObjectIdentifier { ObjectIdentifier(Options.self) }

    /// `waitsPerTask` of a planned cell (0 if its parameters do not decode).
    public static func waits(_ spec: CellSpec) -> Int {
        (try? cell(spec)).map { waitsPerTask($0.parameters) } ?? 0
    }

    /// The tasks' body for the cell `spec`.
    public static func makeBody(_ spec: CellSpec) throws(CellFailure) -> TaskBody {
        try body(cell(spec))
    }

    /// Sets up the cell `spec` (its parameters may change: a server's port, a folder).
    public static func prepare(_ spec: inout CellSpec, executable: String) throws(CellSetupError) -> CellSetup {
        var decoded: WorkloadCell<Parameters>
        do {
            decoded = try cell(spec)
        } catch {
            throw CellSetupError(error.description)
        }
        let setup = try prepare(&decoded, executable: executable)
        spec.parameters = JSONValue(encoding: decoded.parameters)
        return setup
    }

    /// Adds this workload's figures of a cell that reported to its row.
    public static func addFigures(_ spec: CellSpec, report: CellReport, into row: inout ResultRow) {
        guard let decoded = try? cell(spec) else { return }
        figures(decoded, report: report, into: &row)
    }
}
