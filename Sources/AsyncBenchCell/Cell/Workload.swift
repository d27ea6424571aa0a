import ArgumentParser
import AsyncBenchModel
import AsyncBenchResults

/// What one task does (sleep, a request, a file write...), described as data and offered in the
/// forms the backends run.
///
/// A workload owns everything about itself, in its own file: its parameters (a Codable struct
/// the cell spec carries as JSON, so a worker program in another language can read them too),
/// its command-line options (an option group the CLI composes), their validation (once, when the
/// plan is made), any parent-side setup a cell needs (a server, a private folder), the columns it
/// adds to the results and how they are computed, and its Swift bodies. It knows nothing about
/// how tasks are started or joined. To add one: a type conforming to this protocol in its own
/// file, and one line in `Registry.workloads` (plus its option group in `WorkloadOptions`, when
/// it has options of its own).
public protocol Workload: Sendable {
    /// What a cell of this workload needs to know beyond its task count and latency.
    associatedtype Parameters: Codable, Sendable, Equatable
    /// Its command-line options (`NoOptions` when it has none); one group may serve several
    /// workloads (`file` and `file-offload`).
    associatedtype Options: WorkloadOptionGroup

    /// The name used on the command line and in the CSV `workload` column.
    static var name: String { get }
    /// One line for `--help` and the README.
    static var summary: String { get }
    /// Hidden workloads exist for tests (e.g. `crash`) and are left out of listings.
    static var hidden: Bool { get }
    /// The task counts swept when `--tasks` is not given.
    static var defaultTasks: [Int] { get }
    /// Whether tasks wait `--latency`; the others are swept at latency 0 only.
    static var usesLatency: Bool { get }
    /// False for workloads whose timing a 1 ms sampler thread would disturb (a pinned ping-pong
    /// shares its CPU with it): their thread count is read once after each repetition.
    static var samplesThreads: Bool { get }
    /// True when the cell runs one extra, untimed memory repetition for the heap columns.
    static var measuresMemory: Bool { get }
    /// Pinned (true) and/or unpinned (false) cells swept when `--pin` is not given.
    static var defaultPinning: [Bool] { get }
    /// True for a workload that only means something inside async code (offloading a blocking
    /// call): backends that do not run async bodies skip it.
    static var asyncOnly: Bool { get }
    /// True when a separate program (the `spawn` backend's helper) can run the task.
    static var runsInHelper: Bool { get }
    /// The columns this workload adds to the results, in file order (a column another workload
    /// also declares is written once).
    static var columns: [AnyColumn] { get }

    /// The parameters the options give, checked; with the latencies to sweep and notes for the
    /// user. Called once per run for each workload it runs, before anything starts.
    static func plan(_ options: Options, latencies: [Int64]) throws(UsageError) -> WorkloadPlan<Parameters>
    /// Why `tasks` does not fit this workload (e.g. pairs need an even count), or nil.
    static func problem(tasks: Int) -> String?
    /// The `--latency` waits one task makes one after another (net: one per request); 0 for
    /// workloads that do not wait. Decides which sequential and thread-pool cells are skipped,
    /// and `efficiency`.
    static func waitsPerTask(_ parameters: Parameters) -> Int
    /// In the sweep, before a cell's process starts: sets up what the cell needs outside it (and
    /// writes where into the cell's parameters). The sweep calls the setup's `finish` on the cell's row
    /// and its `release` however the cell ended. Throws with the reason when it cannot.
    static func prepare(_ cell: inout WorkloadCell<Parameters>, executable: String) throws(CellSetupError)
        -> CellSetup
    /// In the cell process: the body each of the cell's tasks runs; called once, before timing.
    static func body(_ cell: WorkloadCell<Parameters>) throws(CellFailure) -> TaskBody
    /// In the sweep: this workload's figures of a cell that measured at least one repetition,
    /// from its report (`report.figures` holds those the body gave; the default copies those of
    /// its declared columns).
    static func figures(_ cell: WorkloadCell<Parameters>, report: CellReport, into row: inout ResultRow)
}

extension Workload {
    public static var hidden: Bool { false }
    public static var defaultTasks: [Int] { [1, 10, 100, 1000, 10000] }
    public static var defaultPinning: [Bool] { [false] }
    public static var usesLatency: Bool { true }
    public static var samplesThreads: Bool { true }
    public static var measuresMemory: Bool { true }
    public static var asyncOnly: Bool { false }
    public static var runsInHelper: Bool { false }
    public static var columns: [AnyColumn] { [] }
    public static func problem(tasks: Int) -> String? { nil }
    public static func waitsPerTask(_ parameters: Parameters) -> Int { 1 }
    public static func prepare(_ cell: inout WorkloadCell<Parameters>, executable: String) throws(CellSetupError)
        -> CellSetup
    { CellSetup() }
    public static func figures(_ cell: WorkloadCell<Parameters>, report: CellReport, into row: inout ResultRow) {
        row.figures.merge(report.figures, only: columns)
    }
}

extension Workload where Options == NoOptions, Parameters == NoParameters {
    public static func plan(_ options: Options, latencies: [Int64]) throws(UsageError) -> WorkloadPlan<Parameters> {
        WorkloadPlan(parameters: NoParameters(), latencies: usesLatency ? latencies : [0])
    }
}

/// A workload that is another one with its blocking calls offloaded from async code to a thread
/// pool and awaited (asyncio.to_thread, aiofiles): the same parameters, options, validation,
/// setup, columns and figures as `InPlace`; only its body differs. Async backends only.
public protocol OffloadedWorkload: Workload
where Parameters == InPlace.Parameters, Options == InPlace.Options {
    associatedtype InPlace: Workload
}

extension OffloadedWorkload {
    public static var asyncOnly: Bool { true }
    public static var defaultTasks: [Int] { InPlace.defaultTasks }
    public static var usesLatency: Bool { InPlace.usesLatency }
    public static var columns: [AnyColumn] { InPlace.columns }
    public static func waitsPerTask(_ parameters: Parameters) -> Int { InPlace.waitsPerTask(parameters) }
    public static func plan(_ options: Options, latencies: [Int64]) throws(UsageError) -> WorkloadPlan<Parameters> {
        try InPlace.plan(options, latencies: latencies)
    }
    public static func prepare(_ cell: inout WorkloadCell<Parameters>, executable: String) throws(CellSetupError)
        -> CellSetup
    { try InPlace.prepare(&cell, executable: executable) }
    public static func figures(_ cell: WorkloadCell<Parameters>, report: CellReport, into row: inout ResultRow) {
        InPlace.figures(cell, report: report, into: &row)
    }
}

/// The parameters of a workload that has none beyond its task count and latency.
public struct NoParameters: Codable, Sendable, Equatable {
    public init() {}
}

/// One cell as its workload sees it: how many tasks, how long each waits, and its parameters.
public struct WorkloadCell<Parameters: Sendable>: Sendable {
    public var tasks: Int
    public var latencyNanoseconds: Int64
    public var parameters: Parameters
    /// The runtime of the cell's backend (`Backend.runtime`: swift, python), for a workload
    /// whose sensible size differs between a compiled and an interpreted one (cpu).
    public var runtime: String
    /// The requests per second the cell offers in all (`--rate`, open-loop workloads); 0 otherwise.
    public var rate: Double

    public init(
        tasks: Int, latencyNanoseconds: Int64, parameters: Parameters, runtime: String = "swift", rate: Double = 0
    ) {
        self.tasks = tasks
        self.latencyNanoseconds = latencyNanoseconds
        self.parameters = parameters
        self.runtime = runtime
        self.rate = rate
    }
}

/// What a workload's options give a run: its parameters, the latencies its cells are swept at
/// (those asked for, `[0]` for a workload that does not wait, or a server's own), the offered
/// rates of an open-loop workload (`[0]` for the others), and one-line notes for the user.
public struct WorkloadPlan<Parameters> {
    public var parameters: Parameters
    public var latencies: [Int64]
    public var rates: [Double]
    public var notes: [String]

    public init(parameters: Parameters, latencies: [Int64], rates: [Double] = [0], notes: [String] = []) {
        self.parameters = parameters
        self.latencies = latencies
        self.rates = rates
        self.notes = notes
    }
}

/// What a workload set up outside a cell's process (`Workload.prepare`): `finish` adds to or
/// checks the cell's row once the cell ended (e.g. requests reconciled with a server's count);
/// `release` undoes the setup (stops the server, removes the folder), however the cell ended.
public struct CellSetup {
    public var finish: (inout ResultRow) -> Void
    public var release: () -> Void

    public init(finish: @escaping (inout ResultRow) -> Void = { _ in }, release: @escaping () -> Void = {}) {
        self.finish = finish
        self.release = release
    }
}

/// Why a workload could not set up a cell: its row is then an `error` with this message.
public struct CellSetupError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}
