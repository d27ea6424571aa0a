import AsyncBenchModel
import AsyncBenchResults

#if canImport(Glibc)
    import Glibc
#endif

/// An `asyncbench server` started elsewhere (`--server HOST:PORT`), as the net workload found it
/// when the run was planned: its address (the host resolved to IPv4) and what it injects, asked
/// over its control request, so that a server that is not there is refused before anything runs.
struct ExternalServer: Sendable {
    var address: String
    var host: String
    var port: Int
    var latency: Int64
    var jitter: Int64

    /// `--server HOST:PORT`: the address (the host resolved to IPv4), and what the server there
    /// injects, asked over its control request, so that a server that is not there is refused
    /// before anything runs.
    static func find(_ text: String) throws(UsageError) -> ExternalServer {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (1...65535).contains(port), colon != text.startIndex
        else {
            throw .outOfRange(option: "--server", value: text, range: "HOST:PORT, e.g. 192.168.1.20:7000")
        }
        let name = String(text[..<colon])
        guard let host = ServerControl.resolve(name) else {
            throw .workloadProblem("--server: cannot resolve '\(name)' to an IPv4 address; give the server's address")
        }
        let statistics: LatencyServer.Statistics
        do {
            statistics = try ServerControl.statistics(host: host, port: port)
        } catch {
            throw .workloadProblem(
                "--server: \(error); start one there with 'asyncbench server --host 0.0.0.0 --port \(port) --latency 20ms'"
            )
        }
        return ExternalServer(
            address: text, host: host, port: port, latency: statistics.latencyNanoseconds ?? 0,
            jitter: statistics.jitterNanoseconds ?? 0)
    }

    /// Every connection a client closes leaves a TIME_WAIT socket for 60 s holding its local port.
    /// Linux reuses those ports for new connections only to loopback unless
    /// net.ipv4.tcp_tw_reuse is 1: to another address, connects stall once the ephemeral range is
    /// used up. Says so (with the numbers) when that applies, else nil.
    static func portReuseWarning(host: String) -> String? {
        guard !host.hasPrefix("127."),
            let reuse = Measurement.readFile("/proc/sys/net/ipv4/tcp_tw_reuse")?.trimmingWhitespace(), reuse != "1"
        else { return nil }
        let range = (Measurement.readFile("/proc/sys/net/ipv4/ip_local_port_range") ?? "").split(
            whereSeparator: \.isWhitespace
        )
        .compactMap { Int($0) }
        let ports = range.count == 2 ? range[1] - range[0] + 1 : 28_232
        return
            "net: this machine reuses TIME_WAIT ports only to loopback (net.ipv4.tcp_tw_reuse=\(reuse)): after about \(ports) connections to \(host) within 60 s, connects wait for free ports (see connect_us); 'sysctl -w net.ipv4.tcp_tw_reuse=1' lifts that"
    }
}
