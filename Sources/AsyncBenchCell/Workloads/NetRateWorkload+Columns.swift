import AsyncBenchModel
import AsyncBenchResults

/// The columns the net-rate workload adds; the request counts, round-trip percentiles
/// (corrected: from the intended send), connect time and server figures are the net workload's.
extension NetRateWorkload {
    public static let offered = Column<Double>(
        "offered_rps", "requests per second the schedule offered in all (--rate; net-rate only)", digits: 1)
    public static let achieved = Column<Double>(
        "achieved_rps",
        "answered requests per second, median over repetitions: answered / (last reply − first intended send) (net-rate only)",
        digits: 1, summary: "achieved/s")
    public static let perConnection = Column<Int>(
        "requests_per_connection",
        "requests each connection sends in a repetition: --rate × --rate-duration / tasks, at least 1 (net-rate only)")
    public static let requestP999 = Column<Double>(
        "request_ms_p999", "99.9th percentile round trip from the intended send time, ms (net-rate only)")
    public static let uncorrectedP50 = Column<Double>(
        "request_ms_p50_uncorrected",
        "median round trip from the actual send (what a closed-loop client reports), ms (net-rate only)")
    public static let uncorrectedP99 = Column<Double>(
        "request_ms_p99_uncorrected", "99th percentile round trip from the actual send, ms (net-rate only)")
    public static let uncorrectedP999 = Column<Double>(
        "request_ms_p999_uncorrected", "99.9th percentile round trip from the actual send, ms (net-rate only)")
    public static let uncorrectedMax = Column<Double>(
        "request_ms_max_uncorrected", "slowest round trip from the actual send, ms (net-rate only)")
    public static let lateSends = Column<Int>(
        "late_sends",
        "requests of the measured repetitions sent more than 1 ms after their intended time (a reply still pending, or the client lagging; net-rate only)"
    )
    public static let lagP99 = Column<Double>(
        "schedule_lag_ms_p99",
        "99th percentile of how late requests were sent against their intended time, ms (net-rate only)",
        domain: .signed)

    public static let columns: [AnyColumn] =
        [
            NetWorkload.payload.erased, offered.erased, achieved.erased, perConnection.erased,
            NetWorkload.sent.erased, NetWorkload.answered.erased, NetWorkload.failed.erased,
            NetWorkload.timedOut.erased, NetWorkload.reset.erased, NetWorkload.serverAnswered.erased,
            NetWorkload.throughput.erased, NetWorkload.requestP50.erased, NetWorkload.requestP90.erased,
            NetWorkload.requestP99.erased, requestP999.erased, NetWorkload.requestMax.erased,
            uncorrectedP50.erased, uncorrectedP99.erased, uncorrectedP999.erased, uncorrectedMax.erased,
            lateSends.erased, lagP99.erased, NetWorkload.overheadP50.erased, NetWorkload.overheadP99.erased,
            NetWorkload.connect.erased, NetWorkload.serverLateness.erased,
        ]
}
