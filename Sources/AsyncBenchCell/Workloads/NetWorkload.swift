import ArgumentParser
import AsyncBenchModel
import AsyncBenchResults

/// Claim C4: each task opens one TCP connection to the latency server (a separate process the
/// sweep starts per cell, answering after `--latency` ± jitter), sends `--requests` requests of
/// `--payload` bytes one after another, checks every response's id, and closes. Threads and
/// processes use blocking sockets (C, async-signal-safe for fork); async tasks use non-blocking
/// sockets on SwiftNIO's event loops (`MultiThreadedEventLoopGroup.singleton`), awaiting each
/// response; the nio backend chains futures on its own loop. Every request is accounted for:
/// the cell's sent = answered + failed, and answered must equal the server's own count.
public enum NetWorkload: Workload {
    public static let name = "net"
    public static let summary =
        "Each task connects to the latency server and sends --requests requests one after another (ids checked)"
    public static let defaultTasks = [1, 100, 1000]
    /// Request/response cells need the server's own counts and take a second per repetition at
    /// large N: no extra memory repetition.
    public static let measuresMemory = false

    public static func waitsPerTask(_ parameters: Parameters) -> Int { parameters.requests }

    public struct Parameters: Codable, Sendable, Equatable {
        /// Requests per task and payload bytes; a request's timeout, ns.
        public var requests = 5
        public var payload = 64
        public var requestTimeoutNanoseconds: Int64 = 5_000_000_000
        /// The latency server: its address (port 0 until the sweep starts one for the cell), and
        /// the jitter, seed and fault rates of one the sweep starts.
        public var serverHost = "127.0.0.1"
        public var serverPort = 0
        public var jitterNanoseconds: Int64 = 0
        public var seed: UInt64 = 1
        public var loss = 0.0
        public var reset = 0.0
        /// The server's stalls (`--stall` every `--stall-every`), ns; 0: none.
        public var stallNanoseconds: Int64 = 0
        public var stallEveryNanoseconds: Int64 = 0

        public init() {}
    }

    public static func plan(_ options: Options, latencies: [Int64]) throws(UsageError) -> WorkloadPlan<Parameters> {
        var parameters = try options.parameters()
        var notes: [String] = []
        var latencies = latencies
        if let address = options.server {
            let external = try ExternalServer.find(address)
            parameters.serverHost = external.host
            parameters.serverPort = external.port
            parameters.jitterNanoseconds = external.jitter
            latencies = [external.latency]
            notes.append(
                "net: the latency server at \(external.address) injects \(Units.formatDuration(nanoseconds: external.latency)) ± \(Units.formatDuration(nanoseconds: external.jitter)), its own settings (--latency, --jitter, --seed, --loss and --reset apply to servers asyncbench starts)"
            )
            if let warning = ExternalServer.portReuseWarning(host: external.host) { notes.append(warning) }
        }
        let slowestReply = (latencies.max() ?? 0) + parameters.jitterNanoseconds
        if options.requestTimeout == "auto" {
            parameters.requestTimeoutNanoseconds = max(5_000_000_000, 3 * slowestReply)
        } else if slowestReply >= parameters.requestTimeoutNanoseconds {
            let reply = Units.formatDuration(nanoseconds: slowestReply)
            throw .outOfRange(
                option: "--request-timeout", value: options.requestTimeout,
                range: "longer than the latency server's slowest reply (\(reply)), or every request times out")
        }
        return WorkloadPlan(parameters: parameters, latencies: latencies, notes: notes)
    }

    /// The cell's latency server: a process of its own, or the one at --server, whose counts
    /// before the cell are subtracted from those after it.
    public static func prepare(_ cell: inout WorkloadCell<Parameters>, executable: String) throws(CellSetupError)
        -> CellSetup
    {
        let host = cell.parameters.serverHost
        guard cell.parameters.serverPort == 0 else {
            let port = cell.parameters.serverPort
            let before: LatencyServer.Statistics
            do {
                before = try ServerControl.statistics(host: host, port: port)
            } catch {
                throw CellSetupError("the latency server at --server did not answer: \(error)")
            }
            return CellSetup(finish: { row in
                var after = try? ServerControl.statistics(host: host, port: port, since: before.answered)
                after?.answered -= before.answered
                reconcile(&row, with: after, shared: true)
            })
        }
        let server: ServerProcess
        do {
            server = try ServerProcess.start(executable: executable, cell: cell)
        } catch {
            throw CellSetupError("could not start the latency server: \(error)")
        }
        cell.parameters.serverPort = server.port
        return CellSetup(
            finish: { row in reconcile(&row, with: server.statistics(host: host)) }, release: { server.stop() })
    }

    public static func figures(_ cell: WorkloadCell<Parameters>, report: CellReport, into row: inout ResultRow) {
        row.figures.merge(report.figures, only: columns)
        let parameters = cell.parameters
        row[requests] = parameters.requests
        row[payload] = parameters.payload
        // Requests answered per second: a lost or reset request is not throughput.
        if let wall = row[RunnerColumns.wallMedian], wall > 0 {
            let answeredShare = row[sent].flatMap { sent in
                row[answered].map { sent > 0 ? Double($0) / Double(sent) : 0 }
            }
            row[throughput] = Double(cell.tasks * parameters.requests) * (answeredShare ?? 1) / (wall / 1e3)
        }
        let latency = row.latencyMilliseconds
        row[overheadP50] = row[requestP50].map { $0 - latency }
        row[overheadP99] = row[requestP99].map { $0 - latency }
    }

    /// Checks that every request is accounted for: the clients' sent = answered + failed, and
    /// answered = the server's own count. A mismatch turns the row into an error saying so.
    /// `shared`: the server was started elsewhere (`--server`) and others may use it too.
    static func reconcile(_ row: inout ResultRow, with statistics: LatencyServer.Statistics?, shared: Bool = false) {
        row[serverAnswered] = statistics?.answered
        row[serverLateness] = statistics?.lateness.map { $0.p99 / 1e3 }
        guard row.status == .ok, let sent = row[Self.sent], let answered = row[Self.answered],
            let failed = row[Self.failed]
        else {
            return
        }
        guard let statistics else {
            row.status = .error
            row.message =
                "clients sent \(sent), answered \(answered), failed \(failed) (timed out \(row[Self.timedOut] ?? 0), reset \(row[Self.reset] ?? 0)); the latency server did not answer its control request (did it die?), so they cannot be reconciled"
            return
        }
        if sent != answered + failed || answered != statistics.answered {
            row.status = .error
            let late = statistics.answered - answered
            let timedOut = row[Self.timedOut] ?? 0
            let cause =
                shared
                ? " (during this cell: did another client use the server at the same time?)"
                : (late > 0 && late <= timedOut
                    ? " (\(late) replies went out after their client's --request-timeout: the machine was slower than the timeout allows; give a longer one)"
                    : "")
            row.message =
                "requests unaccounted: clients sent \(sent), answered \(answered), failed \(failed); the server answered \(statistics.answered)"
                + cause
        } else if answered == 0 && sent > 0 {
            row.status = .error
            row.message =
                "no request was answered: clients sent \(sent), all failed (timed out \(row[Self.timedOut] ?? 0), reset \(row[Self.reset] ?? 0)); the cell measured no round trip (--loss or --reset at 1?)"
        }
    }
}
