import ArgumentParser
import AsyncBenchModel
import AsyncBenchResults

/// Claim C4 under an open loop: the net workload's connections to the latency server, each
/// sending on a schedule (`--rate` requests/s in all, `--arrivals` constant or Poisson) instead of
/// right after the previous reply. A request's latency counts from when it was meant to be sent,
/// so a server or client stall delays (and is charged to) every request scheduled during it: no
/// coordinated omission (wrk2's correction; Schroeder et al., NSDI 2006). The uncorrected
/// figures (from the actual send) sit beside them, with how late sends were and the rate the
/// cell achieved. Every request is reconciled with the server's count, as for `net`.
public enum NetRateWorkload: Workload {
    public static let name = "net-rate"
    public static let summary =
        "Open loop: each connection sends to the latency server on a schedule (--rate in all); latency from the intended send time"
    public static let defaultTasks = [100, 1000]
    /// The requests per second swept when `--rate` is not given.
    public static let defaultRates: [Double] = [1000, 10000, 50000]
    public static let measuresMemory = false
    public typealias Options = NetWorkload.Options

    public struct Parameters: Codable, Sendable, Equatable {
        /// The connection, payload, timeout and server settings, as for `net`.
        public var net = NetWorkload.Parameters()
        public var arrivals = Arrivals.constant
        /// How long a repetition offers the rate, ns.
        public var durationNanoseconds: Int64 = 1_000_000_000

        public init() {}
    }

    public static func plan(_ options: Options, latencies: [Int64]) throws(UsageError) -> WorkloadPlan<Parameters> {
        let net = try NetWorkload.plan(options, latencies: latencies)
        var parameters = Parameters()
        parameters.net = net.parameters
        parameters.arrivals = options.arrivals
        parameters.durationNanoseconds = try Units.parseDuration(options.rateDuration, option: "--rate-duration")
        guard (10_000_000...600_000_000_000).contains(parameters.durationNanoseconds) else {
            throw .outOfRange(option: "--rate-duration", value: options.rateDuration, range: "between 10ms and 10m")
        }
        let rates = try options.rate.map(rates(_:)) ?? defaultRates
        let most = Double(OpenLoopSchedule.maxRequests) / (Double(parameters.durationNanoseconds) / 1e9)
        if let rate = rates.first(where: { $0 > most }) {
            throw .outOfRange(
                option: "--rate", value: Units.trim(rate, digits: 1),
                range:
                    "at most \(Units.trim(most, digits: 0)) with --rate-duration \(options.rateDuration) (\(OpenLoopSchedule.maxRequests) requests per repetition)"
            )
        }
        return WorkloadPlan(parameters: parameters, latencies: net.latencies, rates: rates, notes: net.notes)
    }

    /// `--rate`'s comma list, each a number of requests per second above 0.
    static func rates(_ text: String) throws(UsageError) -> [Double] {
        var rates: [Double] = []
        for item in try Units.list(text, option: "--rate") {
            guard let rate = Double(item.replacingAll("_", with: "")), rate.isFinite else {
                throw .outOfRange(option: "--rate", value: item, range: "numbers of requests per second, e.g. 500,5000")
            }
            guard rate >= 1 else {
                throw .outOfRange(option: "--rate", value: item, range: "at least 1 request per second")
            }
            if !rates.contains(rate) { rates.append(rate) }
        }
        return rates
    }

    /// The cell's latency server, as for `net` (its own process, or the one at `--server`).
    public static func prepare(_ cell: inout WorkloadCell<Parameters>, executable: String) throws(CellSetupError)
        -> CellSetup
    {
        var net = WorkloadCell(
            tasks: cell.tasks, latencyNanoseconds: cell.latencyNanoseconds, parameters: cell.parameters.net,
            runtime: cell.runtime, rate: cell.rate)
        let setup = try NetWorkload.prepare(&net, executable: executable)
        cell.parameters.net = net.parameters
        return setup
    }

    public static func figures(_ cell: WorkloadCell<Parameters>, report: CellReport, into row: inout ResultRow) {
        row.figures.merge(report.figures, only: columns)
        row[NetWorkload.payload] = cell.parameters.net.payload
        row[offered] = cell.rate
        row[perConnection] = OpenLoopSchedule.requestsPerConnection(
            tasks: cell.tasks, rate: cell.rate, durationNanoseconds: cell.parameters.durationNanoseconds)
        row[NetWorkload.throughput] = row[achieved]
        // An open loop's wall time is its schedule's: no efficiency or overhead against the latency.
        row[RunnerColumns.efficiency] = nil
        row[RunnerColumns.overheadPerTask] = nil
        let latency = row.latencyMilliseconds
        row[NetWorkload.overheadP50] = row[NetWorkload.requestP50].map { $0 - latency }
        row[NetWorkload.overheadP99] = row[NetWorkload.requestP99].map { $0 - latency }
    }
}
