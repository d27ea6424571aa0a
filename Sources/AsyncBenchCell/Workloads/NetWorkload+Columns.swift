import ArgumentParser
import AsyncBenchModel
import AsyncBenchResults

/// The net workload's options and the columns it adds.
extension NetWorkload {
    public struct Options: WorkloadOptionGroup {
        @Option(help: "Requests each task of the net workload sends one after another.")
        public var requests = 5

        @Option(help: "Payload bytes of each net request and response (0 to 65536).")
        public var payload = 64

        @Option(
            help: ArgumentHelp(
                "A net request with no response after this long fails (timed out).",
                discussion:
                    "auto (the default): 5s, or 3 × the latency server's slowest reply (the longest --latency plus --jitter) when that is longer.",
                valueName: "duration|auto"))
        public var requestTimeout = "auto"

        @Option(
            help: ArgumentHelp(
                "The latency server's replies vary uniformly within ± this (net).", valueName: "duration"))
        public var jitter = "0ms"

        @Option(help: "Seed of the latency server's jitter and faults (net).")
        public var seed: UInt64 = 1

        @Option(help: "Share of requests, 0 to 1, whose reply the latency server drops (net: they time out).")
        public var loss = 0.0

        @Option(help: "Share of requests, 0 to 1, the latency server answers by resetting the connection (net).")
        public var reset = 0.0

        @Option(
            help: ArgumentHelp(
                "The latency server stops answering for this long once every --stall-every (net, net-rate).",
                discussion:
                    "It answers for --stall-every minus --stall, then holds every reply due in the next --stall until it ends, as a server pausing for garbage collection would. Example: --stall 300ms --stall-every 1s.",
                valueName: "duration"))
        public var stall = "0ms"

        @Option(help: ArgumentHelp("The period of --stall (net, net-rate).", valueName: "duration"))
        public var stallEvery = "1s"

        @Option(
            help: ArgumentHelp(
                "Open loop: requests per second offered in all, spread over a cell's connections; a comma list sweeps several (net-rate).",
                discussion:
                    "Given with the net workload, its cells run open-loop as net-rate. Each connection sends on its own schedule (--arrivals) and waits for each reply before the next send, as wrk2 does; a request's latency counts from its intended send time, so a stall shows in the percentiles (no coordinated omission). Default for net-rate: 1000,10000,50000. Example: --workload net --tasks 1000 --rate 500,5000,50000.",
                valueName: "rps,..."))
        public var rate: String?

        @Option(
            help: ArgumentHelp(
                "The open-loop schedule of each connection (net-rate): constant intervals, or poisson (exponential gaps of the same mean).",
                valueName: "constant|poisson"))
        public var arrivals: Arrivals = .constant

        @Option(
            help: ArgumentHelp(
                "How long each repetition of a net-rate cell offers --rate (each connection sends at least one request).",
                valueName: "duration"))
        public var rateDuration = "1s"

        @Option(
            help: ArgumentHelp(
                "Send the net workload's requests to an 'asyncbench server' started elsewhere (a real network instead of loopback).",
                discussion:
                    "Its latency and jitter are the server's own (asked over its control request, which also gives its counts, so every request is still reconciled); nobody else should use it during the run.",
                valueName: "host:port"))
        public var server: String?

        public init() {}

        /// The parameters these options give, checked (the server's address is found by `plan`).
        func parameters() throws(UsageError) -> Parameters {
            guard (1...100_000).contains(requests) else {
                throw .outOfRange(option: "--requests", value: "\(requests)", range: "between 1 and 100000")
            }
            guard (0...65536).contains(payload) else {
                throw .outOfRange(option: "--payload", value: "\(payload)", range: "between 0 and 65536 bytes")
            }
            guard (0...1).contains(loss), (0...1).contains(reset), loss + reset <= 1 else {
                throw .outOfRange(
                    option: "--loss and --reset", value: "\(loss) and \(reset)",
                    range: "between 0 and 1, summing to 1 at most")
            }
            var parameters = Parameters()
            parameters.requests = requests
            parameters.payload = payload
            // auto: `plan` sets it from the latencies.
            if requestTimeout != "auto" {
                parameters.requestTimeoutNanoseconds = try Units.parseDuration(
                    requestTimeout, option: "--request-timeout")
                guard parameters.requestTimeoutNanoseconds >= 1_000_000 else {
                    throw .outOfRange(option: "--request-timeout", value: requestTimeout, range: "at least 1ms")
                }
            }
            parameters.jitterNanoseconds = try Units.parseDuration(jitter, option: "--jitter")
            parameters.seed = seed
            parameters.loss = loss
            parameters.reset = reset
            (parameters.stallNanoseconds, parameters.stallEveryNanoseconds) = try Stall.parse(
                stall: stall, every: stallEvery)
            return parameters
        }

        public var settings: [String] {
            let timeout =
                (try? Units.parseDuration(requestTimeout, option: "")).map(Units.formatDuration(nanoseconds:))
                ?? requestTimeout
            let jitter = (try? Units.parseDuration(jitter, option: "")).map(Units.formatDuration) ?? self.jitter
            let stall = (try? Units.parseDuration(stall, option: "")).map(Units.formatDuration) ?? self.stall
            let every = (try? Units.parseDuration(stallEvery, option: "")).map(Units.formatDuration) ?? stallEvery
            let duration =
                (try? Units.parseDuration(rateDuration, option: "")).map(Units.formatDuration) ?? rateDuration
            return [
                "requests=\(requests)", "payload=\(payload)", "request-timeout=\(timeout)", "jitter=\(jitter)",
                "seed=\(seed)", "loss=\(loss)", "reset=\(reset)", "stall=\(stall)", "stall-every=\(every)",
                "rate=\(rate ?? "default")", "arrivals=\(arrivals.rawValue)", "rate-duration=\(duration)",
                "server=\(server ?? "started per cell")",
            ]
        }

        public static func arguments(setting name: String, value: String) -> [String]? {
            switch name {
            case "request-timeout" where value == "auto": return []
            case "rate" where value == "default": return []
            case "requests", "payload", "request-timeout", "jitter", "seed", "loss", "reset", "stall", "stall-every",
                "rate", "arrivals", "rate-duration":
                return ["--\(name)", value]
            case "server": return value.contains(":") ? ["--server", value] : []
            default: return nil
            }
        }
    }

    public static let requests = Column<Int>(
        "requests", "requests each task sends one after another (--requests; net only)")
    public static let payload = Column<Int>(
        "payload_bytes", "bytes of each request's and response's payload (--payload; net only)")
    public static let sent = Column<Int>(
        "requests_sent", "requests the cell's clients sent over every repetition, warm-up included (net only)")
    public static let answered = Column<Int>("requests_answered", "of them, answered with the right id (net only)")
    public static let failed = Column<Int>(
        "requests_failed",
        "of them, failed: timed out, reset, closed or a wrong id (net only; sent = answered + failed)")
    public static let timedOut = Column<Int>(
        "requests_timed_out", "of the failed, those with no response within --request-timeout (net only)")
    public static let reset = Column<Int>(
        "requests_reset", "of the failed, those whose connection the server reset or closed (net only)")
    public static let serverAnswered = Column<Int>(
        "server_answered",
        "replies the latency server counted for the cell (net only; must equal requests_answered)")
    public static let throughput = Column<Double>(
        "throughput_rps",
        "answered requests per second: tasks × requests × requests_answered / requests_sent / wall_ms_median (net only)",
        digits: 1,
        summary: "req/s")
    public static let requestP50 = Column<Double>(
        "request_ms_p50", "median round trip of a request, ms (net only; exact over every request)")
    public static let requestP90 = Column<Double>("request_ms_p90", "90th percentile round trip, ms (net only)")
    public static let requestP99 = Column<Double>(
        "request_ms_p99", "99th percentile round trip, ms (net only)", summary: "req p99 ms")
    public static let requestMax = Column<Double>("request_ms_max", "slowest round trip, ms (net only)")
    public static let overheadP50 = Column<Double>(
        "request_overhead_ms_p50", "request_ms_p50 − latency_ms: time above the injected latency, ms (net only)",
        domain: .signed)
    public static let overheadP99 = Column<Double>(
        "request_overhead_ms_p99", "request_ms_p99 − latency_ms, ms (net only)", domain: .signed)
    public static let connect = Column<Double>(
        "connect_us", "median time to connect to the server, µs (net only)", digits: 1)
    public static let serverLateness = Column<Double>(
        "server_lateness_us_p99",
        "99th percentile of how late the server's replies went out past their schedule, µs (net only; over 1000: the server lagged)",
        digits: 1, domain: .signed)

    public static let columns = [
        requests.erased, payload.erased, sent.erased, answered.erased, failed.erased, timedOut.erased, reset.erased,
        serverAnswered.erased, throughput.erased, requestP50.erased, requestP90.erased, requestP99.erased,
        requestMax.erased, overheadP50.erased, overheadP99.erased, connect.erased, serverLateness.erased,
    ]
}
