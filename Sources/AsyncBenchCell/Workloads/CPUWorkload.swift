import ArgumentParser
import AsyncBenchModel
import AsyncBenchResults
import CAsyncBench

/// Each task does the same fixed CPU work: `--work` rounds of a 64-bit mix, whose result is
/// checked (so the work cannot be optimised away). `speedup` = tasks × (one task alone on one
/// thread) / wall: how many CPUs the backend put to work. Claim C7.
public enum CPUWorkload: Workload {
    public static let name = "cpu"
    public static let summary =
        "Each task does --work rounds of a 64-bit hash (result checked); reports speedup over one task on one thread"
    /// One task, then as many as cores, then twice as many: the speedup stops growing at the
    /// cores (1, 2, 4 on 2 cores).
    public static var defaultTasks: [Int] { [1, BackendOptions.cores, 2 * BackendOptions.cores].uniqued() }
    public static let usesLatency = false
    public static let runsInHelper = true

    /// Rounds per task without `--work`: compiled code (Swift) does a round in ~3.6 ns here, so
    /// 3,000,000 take ~11 ms; CPython takes 50-100× longer, so its backends get a third, 170-350
    /// ms a task: long beside starting and joining a Python process (~35 ms here), short enough
    /// for a default sweep.
    public static let defaultWork = 3_000_000
    public static let defaultInterpretedWork = 1_000_000
    /// The runtimes whose default is `defaultInterpretedWork`.
    static let interpreted: Set<String> = [PythonWorker.runtime]

    public struct Options: WorkloadOptionGroup {
        @Option(
            help: ArgumentHelp(
                "Rounds of CPU work per task (cpu workload; default 3,000,000, ~11 ms here; 1,000,000 in the python-* backends).",
                discussion:
                    "An interpreted round costs 50-100× a compiled one, so the Python backends get a third by default (170-350 ms a task). Given, --work applies to every backend. Example: --work 1000000.",
                valueName: "rounds"))
        public var work: Int?

        public init() {}
        public var settings: [String] {
            [work.map { "work=\($0)" } ?? "work=\(defaultWork) (python-*: \(defaultInterpretedWork))"]
        }
        public static func arguments(setting name: String, value: String) -> [String]? {
            name == "work" ? ["--work", value] : nil
        }
    }

    public struct Parameters: Codable, Sendable, Equatable {
        /// Rounds of the mix each task computes.
        public var work: Int
        /// Without `--work`: the rounds for an interpreted runtime's cells, which `prepare` puts
        /// in `work` for them (then nil).
        public var interpretedWork: Int?
        /// What those rounds give, as the sweep computed it for the cell (`prepare`); a worker in
        /// another language checks its tasks' results against it. nil until then.
        public var expected: UInt64?
        public init(work: Int, interpretedWork: Int? = nil) {
            self.work = work
            self.interpretedWork = interpretedWork
        }
    }

    public static let work = Column<Int>("work", "rounds of CPU work per task (cpu only)")
    public static let singleTask = Column<Double>(
        "single_task_ms", "one task alone on one thread, median of three, ms (cpu only)")
    public static let speedup = Column<Double>(
        "speedup", "tasks × single_task_ms / wall_ms_median: CPUs put to work (cpu only)", digits: 2,
        summary: "speedup")
    public static let columns = [work.erased, singleTask.erased, speedup.erased]

    public static func plan(_ options: Options, latencies: [Int64]) throws(UsageError) -> WorkloadPlan<Parameters> {
        guard let work = options.work else {
            return WorkloadPlan(
                parameters: Parameters(work: defaultWork, interpretedWork: defaultInterpretedWork), latencies: [0])
        }
        guard (1...10_000_000_000).contains(work) else {
            throw .outOfRange(option: "--work", value: "\(work)", range: "between 1 and 10000000000")
        }
        return WorkloadPlan(parameters: Parameters(work: work), latencies: [0])
    }

    /// The body of tasks that each compute `iterations` rounds and expect `expected` (tests
    /// pass a wrong one to see the check fail); with the time of one task alone.
    static func body(iterations: UInt64, expected: UInt64) throws(CellFailure) -> TaskBody {
        let work: @Sendable (Int) throws -> Void = { _ in
            let result = CAsyncBench_cpu_work(iterations, 42)
            guard result == expected else { throw CellFailure.taskFailed("cpu work gave \(result), not \(expected)") }
        }
        var body = TaskBody(
            blocking: work,
            async: { index in try work(index) },
            process: ProcessTask(
                function: CAsyncBench_task_cpu,
                context: CAsyncBench_cpu_task(iterations: iterations, expected: expected)),
            eventLoop: { loop, index in loop.submit { try work(index) } })
        body.helper = ["cpu", "\(iterations)", "\(expected)"]
        let single = try timeOneTask(work)
        body.figures = {
            var figures = Figures()
            figures[singleTask] = Double(single) / 1e6
            return figures
        }
        return body
    }

    public static func body(_ cell: WorkloadCell<Parameters>) throws(CellFailure) -> TaskBody {
        let iterations = UInt64(cell.parameters.work)
        return try body(iterations: iterations, expected: cell.parameters.expected ?? expected(iterations))
    }

    /// What `iterations` rounds from the seed every task uses give.
    static func expected(_ iterations: UInt64) -> UInt64 { CAsyncBench_cpu_work(iterations, 42) }

    /// Computes the value every task's result is checked against once, before the cell starts,
    /// so that a worker in another language checks against this C code's value; gives an
    /// interpreted runtime's cell its own default rounds.
    public static func prepare(_ cell: inout WorkloadCell<Parameters>, executable: String) throws(CellSetupError)
        -> CellSetup
    {
        if let interpreted = cell.parameters.interpretedWork, Self.interpreted.contains(cell.runtime) {
            cell.parameters.work = interpreted
        }
        cell.parameters.interpretedWork = nil
        cell.parameters.expected = expected(UInt64(cell.parameters.work))
        return CellSetup()
    }

    /// One task alone on this thread, after one untimed run: the median of three, ns.
    static func timeOneTask(_ work: (Int) throws -> Void) throws(CellFailure) -> Int64 {
        var times: [Double] = []
        for attempt in 0..<4 {
            let start = Measurement.monotonicNanoseconds()
            do {
                try work(0)
            } catch {
                throw .taskFailed(String(describing: error))
            }
            if attempt > 0 { times.append(Double(Measurement.monotonicNanoseconds() - start)) }
        }
        return Int64(Summary(times)?.median ?? 0)
    }

    public static func figures(_ cell: WorkloadCell<Parameters>, report: CellReport, into row: inout ResultRow) {
        guard let single = report.figures[singleTask], let wall = row[RunnerColumns.wallMedian], wall > 0 else {
            return
        }
        row[work] = cell.parameters.work
        row[singleTask] = single
        row[speedup] = Double(cell.tasks) * single / wall
    }
}
