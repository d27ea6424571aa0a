import AsyncBenchModel
import AsyncBenchResults
import CAsyncBench
import Histogram
import NIOCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The net-rate workload's bodies: the open-loop C task for threads and forked children, the
/// net workload's async client and event-loop futures, each waiting for the schedule.
extension NetRateWorkload {
    public static func body(_ cell: WorkloadCell<Parameters>) throws(CellFailure) -> TaskBody {
        _ = CAsyncBench_raise_nofile()  // a socket per task
        let net = cell.parameters.net
        let schedule = OpenLoopSchedule(
            tasks: cell.tasks, rate: cell.rate, durationNanoseconds: cell.parameters.durationNanoseconds,
            arrivals: cell.parameters.arrivals, seed: net.seed)
        let clients = try RateClients(parameters: net, tasks: cell.tasks, schedule: schedule)
        var body = TaskBody(
            blocking: { index in
                let rc = CAsyncBench_net_rate_task_run(clients.context, Int64(index))
                if rc != 0 { throw NetWorkload.connectFailure(net, errno: rc) }
            },
            async: { index in try await AsyncNetClient.run(index, parameters: net, clients: clients) },
            process: ProcessTask(function: CAsyncBench_task_net_rate, context: clients.context, owner: clients),
            beforeRepetition: {
                clients.epoch.pointer[0] = CAsyncBench_monotonic_ns() + OpenLoopSchedule.lead(tasks: clients.tasks)
            },
            eventLoop: { loop, index in
                NetWorkload.eventLoopTask(on: loop, index, parameters: net, clients: clients)
            })
        let record = RateRecord()
        body.measuredRepetitionEnded = { record.add(clients) }
        body.figures = { record.figures(clients) }
        body.files = { record.histogram().map { ["hgrm": $0] } ?? [:] }
        return body
    }
}

/// The open loop's per-request slots (shared with forked children): the schedule's offsets, and
/// for each request its round trip from the intended and from the actual send, and its lag.
final class RateClients: NetTally, @unchecked Sendable {
    let context: UnsafeMutablePointer<CAsyncBench_net_rate_task>
    let offsets: SharedSlots
    /// When the repetition's schedules start (set before each repetition), for connections
    /// that opened before.
    let epoch: SharedSlots
    let corrected: SharedSlots
    let uncorrected: SharedSlots
    let lag: SharedSlots
    /// Per task, 8 slots: sent, answered, failed, connect ns, timed out, reset, schedule start.
    let tallies: SharedSlots
    let requests: Int
    let tasks: Int

    init(parameters: NetWorkload.Parameters, tasks: Int, schedule: OpenLoopSchedule) throws(CellFailure) {
        self.tasks = tasks
        requests = schedule.perConnection
        let count = tasks * schedule.perConnection
        offsets = try SharedSlots(tasks: count, what: "schedule")
        for (index, offset) in schedule.offsets.enumerated() { offsets.pointer[index] = offset }
        epoch = try SharedSlots(tasks: 1, what: "schedule start")
        corrected = try SharedSlots(tasks: count, what: "request latency")
        uncorrected = try SharedSlots(tasks: count, what: "request latency")
        lag = try SharedSlots(tasks: count, what: "schedule lag")
        tallies = try SharedSlots(tasks: tasks * 8, what: "request count")
        context = .allocate(capacity: 1)
        var task = CAsyncBench_net_rate_task()
        withUnsafeMutableBytes(of: &task.host) { host in
            for (offset, byte) in parameters.serverHost.utf8.prefix(63).enumerated() { host[offset] = byte }
        }
        task.port = Int32(parameters.serverPort)
        task.payload = UInt32(parameters.payload)
        task.per_connection = Int64(requests)
        task.timeout_ns = parameters.requestTimeoutNanoseconds
        task.offsets = UnsafePointer(offsets.pointer)
        task.epoch = UnsafePointer(epoch.pointer)
        task.corrected = corrected.pointer
        task.uncorrected = uncorrected.pointer
        task.lag = lag.pointer
        task.counts = tallies.pointer
        task.tasks = Int64(tasks)
        context.initialize(to: task)
    }

    deinit { context.deallocate() }

    func connected(_ index: Int, nanoseconds: Int64) {
        tallies.record(index * 8 + 3, nanoseconds)
        tallies.record(index * 8 + 6, max(CAsyncBench_monotonic_ns(), epoch.pointer[0]))
        for k in 0..<requests {
            for slots in [corrected, uncorrected, lag] { slots.record(index * requests + k, -1) }
        }
    }

    func due(_ index: Int, _ k: Int) -> Int64? {
        tallies.pointer[index * 8 + 6] + offsets.pointer[index * requests + k]
    }

    func sending(_ index: Int, _ k: Int) -> Int64 {
        tallies.pointer[index * 8] += 1
        return CAsyncBench_monotonic_ns()
    }

    func answered(_ index: Int, _ k: Int, sentAt: Int64) {
        let now = CAsyncBench_monotonic_ns()
        let intended = due(index, k) ?? sentAt
        tallies.pointer[index * 8 + 1] += 1
        corrected.record(index * requests + k, now - intended)
        uncorrected.record(index * requests + k, now - sentAt)
        lag.record(index * requests + k, max(0, sentAt - intended))
    }

    func failed(_ index: Int, _ error: any Error) { RequestTallies.failed(tallies, at: index * 8, error) }
}

/// What the measured repetitions of a net-rate cell gave: every answered request's three
/// figures, the rate each repetition achieved, and the corrected latencies as an HdrHistogram.
final class RateRecord: Sendable {
    struct State {
        var corrected: [Double] = []
        var uncorrected: [Double] = []
        var lag: [Double] = []
        var achieved: [Double] = []
        /// ns, 3 significant digits, up to an hour.
        var histogram = Histogram<UInt64>(
            highestTrackableValue: 3_600_000_000_000, numberOfSignificantValueDigits: .three)
    }
    let state = Mutex(State())

    /// Keeps one repetition's figures.
    func add(_ clients: RateClients) {
        let corrected = clients.corrected.values
        let uncorrected = clients.uncorrected.values
        let lag = clients.lag.values
        let tallies = clients.tallies.values
        var first = Int64.max
        var last = Int64.min
        var answered = 0
        for index in 0..<clients.tasks {
            let start = tallies[index * 8 + 6]
            guard start > 0 else { continue }
            first = min(first, start + clients.offsets.pointer[index * clients.requests])
            for k in 0..<clients.requests where corrected[index * clients.requests + k] >= 0 {
                answered += 1
                last = max(
                    last,
                    start + clients.offsets.pointer[index * clients.requests + k]
                        + corrected[index * clients.requests + k])
            }
        }
        state.withLock { state in
            for slot in corrected.indices where corrected[slot] >= 0 {
                state.corrected.append(Double(corrected[slot]))
                state.uncorrected.append(Double(uncorrected[slot]))
                state.lag.append(Double(lag[slot]))
                _ = state.histogram.record(UInt64(corrected[slot]))
            }
            if answered > 0, last > first { state.achieved.append(Double(answered) / (Double(last - first) / 1e9)) }
        }
    }

    /// The cell's figures, in the columns' units (ms, requests/s).
    func figures(_ clients: RateClients) -> Figures {
        var figures = RequestTallies.figures(clients.tallies.values, tasks: clients.tasks, stride: 8)
        let state = state.withLock { $0 }
        if let found = Percentiles.ranks(state.corrected, 50, 90, 99, 99.9, 100) {
            figures[NetWorkload.requestP50] = found[0] / 1e6
            figures[NetWorkload.requestP90] = found[1] / 1e6
            figures[NetWorkload.requestP99] = found[2] / 1e6
            figures[NetRateWorkload.requestP999] = found[3] / 1e6
            figures[NetWorkload.requestMax] = found[4] / 1e6
        }
        if let found = Percentiles.ranks(state.uncorrected, 50, 99, 99.9, 100) {
            figures[NetRateWorkload.uncorrectedP50] = found[0] / 1e6
            figures[NetRateWorkload.uncorrectedP99] = found[1] / 1e6
            figures[NetRateWorkload.uncorrectedP999] = found[2] / 1e6
            figures[NetRateWorkload.uncorrectedMax] = found[3] / 1e6
        }
        if let found = Percentiles.ranks(state.lag, 99) {
            figures[NetRateWorkload.lagP99] = found[0] / 1e6
            figures[NetRateWorkload.lateSends] = state.lag.filter { $0 > 1e6 }.count
        }
        figures[NetRateWorkload.achieved] = Summary(state.achieved)?.median
        return figures
    }

    /// The corrected latencies' percentile distribution in HdrHistogram's standard text
    /// (`.hgrm`, values in ms); nil when no request was answered.
    func histogram() -> String? {
        let histogram = state.withLock { $0.histogram }
        guard histogram.totalCount > 0 else { return nil }
        var text = ""
        histogram.outputPercentileDistribution(to: &text, outputValueUnitScalingRatio: 1e6)
        return text
    }
}
