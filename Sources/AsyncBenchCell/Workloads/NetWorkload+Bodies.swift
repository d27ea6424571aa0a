import AsyncBenchModel
import AsyncBenchResults
import CAsyncBench
import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// The net workload's bodies: blocking sockets in C for threads and forked children, NIO for
/// async tasks and the nio backend's futures, and the per-task slots they count in.
extension NetWorkload {
    public static func body(_ cell: WorkloadCell<Parameters>) throws(CellFailure) -> TaskBody {
        _ = CAsyncBench_raise_nofile()  // a socket per task
        let parameters = cell.parameters
        let clients = try NetClients(parameters: parameters, tasks: cell.tasks)
        let timeout = TimeAmount.nanoseconds(parameters.requestTimeoutNanoseconds)
        var body = TaskBody(
            blocking: { index in
                let rc = CAsyncBench_net_task_run(clients.context, Int64(index))
                if rc != 0 { throw Self.connectFailure(parameters, errno: rc) }
            },
            async: { index in try await AsyncNetClient.run(index, parameters: parameters, clients: clients) },
            process: ProcessTask(function: CAsyncBench_task_net, context: clients.context, owner: clients),
            eventLoop: { loop, index in eventLoopTask(on: loop, index, parameters: parameters, clients: clients) })
        let latencies = SampleCollector()
        body.measuredRepetitionEnded = { latencies.append(clients.latencies.values.filter { $0 >= 0 }) }
        body.figures = { clients.figures(latencies.percentiles) }
        return body
    }

    /// Task `index` as futures on `loop`: connect, then each request when `clients` says it is due
    /// (at once in a closed loop; on a timer in an open one), counted in `clients`.
    static func eventLoopTask(
        on loop: any EventLoop, _ index: Int, parameters: Parameters, clients: some NetTally
    ) -> EventLoopFuture<Void> {
        let started = CAsyncBench_monotonic_ns()
        let timeout = TimeAmount.nanoseconds(parameters.requestTimeoutNanoseconds)
        return NetConnection.connect(on: loop, host: parameters.serverHost, port: parameters.serverPort)
            .flatMapErrorThrowing { throw Self.connectFailure(parameters, $0) }
            .flatMap { connection in
                clients.connected(index, nanoseconds: CAsyncBench_monotonic_ns() - started)
                @Sendable func send(_ k: Int) -> EventLoopFuture<Void> {
                    guard k < clients.requests else { return loop.makeSucceededVoidFuture() }
                    let wait = clients.due(index, k).map { $0 - CAsyncBench_monotonic_ns() } ?? 0
                    let due =
                        wait > 0
                        ? loop.scheduleTask(in: .nanoseconds(wait)) {}.futureResult : loop.makeSucceededVoidFuture()
                    return due.flatMap {
                        let sentAt = clients.sending(index, k)
                        return connection.request(
                            id: clients.id(index, k), payload: parameters.payload, timeout: timeout
                        )
                        .flatMap {
                            clients.answered(index, k, sentAt: sentAt)
                            return send(k + 1)
                        }
                    }.flatMapError { error in
                        clients.failed(index, error)
                        return loop.makeSucceededVoidFuture()
                    }
                }
                return send(0).flatMap { connection.close() }
            }
    }

    /// A connection that could not be made: out of descriptors (EMFILE, ENFILE) is a `limit`.
    static func connectFailure(_ parameters: Parameters, errno: Int32) -> any Error {
        let error = SystemError("connect to \(parameters.serverHost):\(parameters.serverPort)", errno: errno)
        if errno == EMFILE || errno == ENFILE { return CellFailure.limit(reached: nil, cause: error.description) }
        return error
    }

    /// The same for SwiftNIO's connect errors: the socket call's errno is an `IOError`, on its
    /// own or inside the `NIOConnectionError` of each address tried.
    static func connectFailure(_ parameters: Parameters, _ error: any Error) -> any Error {
        guard let code = errnoCode(error), code == EMFILE || code == ENFILE else { return error }
        return connectFailure(parameters, errno: code)
    }

    static func errnoCode(_ error: any Error) -> Int32? {
        if let failure = error as? IOError { return failure.errnoCode }
        if let failure = error as? NIOConnectionError {
            return failure.connectionErrors.lazy.compactMap { errnoCode($0.error) }.first
        }
        return nil
    }
}

/// What a net client tells as it goes (the closed loop's `NetClients`, the open loop's
/// `RateClients`): per connection `index`, its requests `k` and when each is due.
protocol NetTally: Sendable {
    /// Requests each connection sends.
    var requests: Int { get }
    func connected(_ index: Int, nanoseconds: Int64)
    /// When request k is meant to be sent (CLOCK_MONOTONIC ns); nil: right away (closed loop).
    func due(_ index: Int, _ k: Int) -> Int64?
    /// Counts request k as sent; returns the time it was sent.
    func sending(_ index: Int, _ k: Int) -> Int64
    func answered(_ index: Int, _ k: Int, sentAt: Int64)
    /// Counts a failed request, and why: timed out, or reset / closed by the server.
    func failed(_ index: Int, _ error: any Error)
}

extension NetTally {
    func id(_ index: Int, _ k: Int) -> UInt64 { UInt64(index) << 24 | UInt64(k) }
}

/// The net workload's per-task slots (shared with forked children) and the C task reading them.
final class NetClients: NetTally, @unchecked Sendable {
    let context: UnsafeMutablePointer<CAsyncBench_net_task>
    let latencies: SharedSlots
    let tallies: SharedSlots
    let requests: Int
    let tasks: Int

    init(parameters: NetWorkload.Parameters, tasks: Int) throws(CellFailure) {
        self.tasks = tasks
        requests = parameters.requests
        latencies = try SharedSlots(tasks: tasks * parameters.requests, what: "request latency")
        tallies = try SharedSlots(tasks: tasks * 6, what: "request count")
        context = .allocate(capacity: 1)
        var task = CAsyncBench_net_task()
        withUnsafeMutableBytes(of: &task.host) { host in
            for (offset, byte) in parameters.serverHost.utf8.prefix(63).enumerated() { host[offset] = byte }
        }
        task.port = Int32(parameters.serverPort)
        task.payload = UInt32(parameters.payload)
        task.requests = Int64(parameters.requests)
        task.timeout_ns = parameters.requestTimeoutNanoseconds
        task.latency = latencies.pointer
        task.counts = tallies.pointer
        task.tasks = Int64(tasks)
        context.initialize(to: task)
    }

    deinit { context.deallocate() }

    func connected(_ index: Int, nanoseconds: Int64) {
        tallies.record(index * 6 + 3, nanoseconds)
        for k in 0..<requests { latencies.record(index * requests + k, -1) }
    }

    func due(_ index: Int, _ k: Int) -> Int64? { nil }

    func sending(_ index: Int, _ k: Int) -> Int64 {
        tallies.pointer[index * 6] += 1
        return CAsyncBench_monotonic_ns()
    }

    func answered(_ index: Int, _ k: Int, sentAt: Int64) {
        tallies.pointer[index * 6 + 1] += 1
        latencies.record(index * requests + k, CAsyncBench_monotonic_ns() - sentAt)
    }

    func failed(_ index: Int, _ error: any Error) { RequestTallies.failed(tallies, at: index * 6, error) }

    /// The cell's figures: requests counted over every task and repetition (warm-up included, as
    /// the server counts them), the median connect, and the round trips of the measured ones.
    func figures(_ roundTrips: Percentiles?) -> Figures {
        var figures = RequestTallies.figures(tallies.values, tasks: tasks, stride: 6)
        figures.set(
            roundTrips, scale: 1e6, p50: NetWorkload.requestP50, p90: NetWorkload.requestP90,
            p99: NetWorkload.requestP99, max: NetWorkload.requestMax)
        return figures
    }
}

/// The request counts both net clients keep per task in shared slots (`stride` per task, from
/// the task's first): 0 sent, 1 answered, 2 failed, 3 connect ns, 4 timed out, 5 reset or closed.
enum RequestTallies {
    /// Counts a failed request at `base`, and why: timed out, or reset / closed by the server.
    static func failed(_ slots: SharedSlots, at base: Int, _ error: any Error) {
        slots.pointer[base + 2] += 1
        switch error as? NetFailure {
        case .timeout?: slots.pointer[base + 4] += 1
        case .closed?: slots.pointer[base + 5] += 1
        default: break
        }
    }

    /// The counts over every task, and the median connect time.
    static func figures(_ values: [Int64], tasks: Int, stride: Int) -> Figures {
        var totals = [Int](repeating: 0, count: 6)
        var connects: [Double] = []
        for index in 0..<tasks {
            for slot in [0, 1, 2, 4, 5] { totals[slot] += Int(values[index * stride + slot]) }
            if values[index * stride + 3] > 0 { connects.append(Double(values[index * stride + 3])) }
        }
        var figures = Figures()
        figures[NetWorkload.sent] = totals[0]
        figures[NetWorkload.answered] = totals[1]
        figures[NetWorkload.failed] = totals[2]
        figures[NetWorkload.timedOut] = totals[4]
        figures[NetWorkload.reset] = totals[5]
        figures[NetWorkload.connect] = Summary(connects).map { Double(Int64($0.median)) / 1e3 }
        return figures
    }
}
