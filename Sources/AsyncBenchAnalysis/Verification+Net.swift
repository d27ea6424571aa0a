import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import AsyncBenchSweep

/// `asyncbench verify`'s net check: asyncbench's closed-loop throughput against wrk's (a load
/// tool nobody here wrote), both on one latency server in its HTTP mode (`asyncbench server
/// --http`, the binary protocol and HTTP/1.1 `GET /` after the same delay), at the same
/// connections and latency. A closed loop of C connections waiting L each can do at most C / L
/// requests per second, so two clients that add little of their own should agree.
extension Verification {
    /// Connections, the server's latency, and the seconds each client runs: 2,500 requests/s at
    /// most, light enough that neither client nor server is short of CPU on 2 cores (at 100
    /// connections and 10 ms, 10,000/s, the three shared the cores and the ratio swung from 0.92
    /// to 1.21 between runs).
    static let netConnections = 50
    static let netLatencyNanoseconds: Int64 = 20_000_000
    static let netSeconds = 3

    /// Parses wrk's "Requests/sec:   9876.54".
    public static func wrkRequestsPerSecond(_ output: String) -> Double? {
        for line in output.split(separator: "\n") where line.hasPrefix("Requests/sec:") {
            return Double(String(line.dropFirst("Requests/sec:".count)).trimmingWhitespace())
        }
        return nil
    }

    /// The check, or nil when the server or the asyncbench cell failed; wrk missing leaves the
    /// reference out, saying how to install it.
    static func netCheck(executable: String) -> Check? {
        var configuration = LatencyServer.Configuration(latencyNanoseconds: netLatencyNanoseconds)
        configuration.http = true
        guard let server = try? LatencyServer(configuration) else { return nil }
        defer { server.stop() }
        var parameters = NetWorkload.Parameters()
        parameters.serverPort = server.port
        parameters.requests = netSeconds * Int(1_000_000_000 / netLatencyNanoseconds)
        let spec = CellSpec(
            backend: "async", workload: NetWorkload.name, tasks: netConnections,
            latencyNanoseconds: netLatencyNanoseconds, parameters: JSONValue(encoding: parameters),
            options: BackendOptions(threadStackBytes: 65536, maxThreads: 16, maxProcesses: 16), reps: 3, warmup: 1)
        guard
            case .reported(let report)? = try? CellProcess.run(
                executable: executable, spec: spec, timeoutNanoseconds: 120_000_000_000),
            report.status == .ok,
            let throughput = ResultRow(spec: spec, report: report)[NetWorkload.throughput]
        else { return nil }
        let name = "wrk -t2 -c\(netConnections) -d\(netSeconds)s"
        var reference: Double?
        if ProcessIO.findExecutable("wrk") != nil {
            let arguments = [
                "wrk", "-t2", "-c\(netConnections)", "-d\(netSeconds)s", "http://127.0.0.1:\(server.port)/",
            ]
            // Three runs, their median, as asyncbench's figure is the median of three repetitions.
            reference =
                Summary((0..<3).compactMap { _ in Subprocess.capture(arguments).flatMap(wrkRequestsPerSecond) })?
                .median
        }
        return Check(
            what:
                "net req/s, async closed loop, \(netConnections) connections, \(netLatencyNanoseconds / 1_000_000) ms (asyncbench server --http)",
            asyncbench: throughput, reference: reference, unit: "req/s",
            referenceName: reference == nil && ProcessIO.findExecutable("wrk") == nil
                ? "wrk (not installed: apt-get install wrk)" : name,
            tolerance: 0.15)
    }
}
