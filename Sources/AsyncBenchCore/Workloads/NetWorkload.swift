import CAsyncBench
import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// Claim C4: each task opens one TCP connection to the latency server (a separate process the
/// sweep starts per cell, answering after `--latency` ± jitter), sends `--requests` requests of
/// `--payload` bytes one after another, checks every response's id, and closes. Threads and
/// processes use blocking sockets (C, async-signal-safe for fork); async tasks use non-blocking
/// sockets on SwiftNIO's event loops (`MultiThreadedEventLoopGroup.singleton`), awaiting each
/// response; the nio backend chains futures on its own loop. Every request is accounted for:
/// the cell's sent = answered + failed, and answered must equal the server's own count.
public struct NetWorkload: Workload {
    public static let name = "net"
    public static let summary =
        "Each task connects to the latency server and sends --requests requests one after another (ids checked)"
    public static let defaultTasks = [1, 100, 1000]
    /// Request/response cells need the server's own counts and take a second per repetition at
    /// large N: no extra memory repetition.
    public static let measuresMemory = false

    public static func waitsPerTask(_ parameters: WorkloadParameters) -> Int { parameters.requests }

    let parameters: WorkloadParameters

    public init(parameters: WorkloadParameters) throws(CellFailure) {
        guard parameters.serverPort > 0 else {
            throw .setup("the net workload needs a latency server: the sweep starts one (or pass --server HOST:PORT)")
        }
        guard parameters.requests >= 1, (0...65536).contains(parameters.payload) else {
            throw .setup("--requests must be at least 1 and --payload between 0 and 65536")
        }
        self.parameters = parameters
    }

    public func makeBody(tasks: Int) throws(CellFailure) -> TaskBody {
        _ = CAsyncBench_raise_nofile()  // a socket per task
        let clients = try NetClients(parameters: parameters, tasks: tasks)
        let parameters = self.parameters
        let timeout = TimeAmount.nanoseconds(parameters.requestTimeoutNanoseconds)
        var body = TaskBody(
            blocking: { index in
                let rc = CAsyncBench_net_task_run(clients.context, Int64(index))
                if rc != 0 { throw Self.connectFailure(parameters, errno: rc) }
            },
            async: { index in try await AsyncNetClient.run(index, parameters: parameters, clients: clients) },
            process: ProcessTask(function: CAsyncBench_task_net, context: clients.context, owner: clients),
            eventLoop: { loop, index in
                let started = CAsyncBench_monotonic_ns()
                return NetConnection.connect(on: loop, host: parameters.serverHost, port: parameters.serverPort)
                    .flatMapErrorThrowing { throw Self.connectFailure(parameters, $0) }
                    .flatMap { connection in
                        clients.connected(index, nanoseconds: CAsyncBench_monotonic_ns() - started)
                        func send(_ k: Int) -> EventLoopFuture<Void> {
                            guard k < parameters.requests else { return loop.makeSucceededVoidFuture() }
                            let sentAt = clients.sending(index, k)
                            return connection.request(
                                id: clients.id(index, k), payload: parameters.payload, timeout: timeout
                            ).flatMap {
                                clients.answered(index, k, sentAt: sentAt)
                                return send(k + 1)
                            }.flatMapError { error in
                                clients.failed(index, error)
                                return loop.makeSucceededVoidFuture()
                            }
                        }
                        return send(0).flatMap { connection.close() }
                    }
            })
        body.operationLatencyNanoseconds = { clients.latencies.values.filter { $0 >= 0 } }
        body.requestCounts = { clients.counts }
        return body
    }
}

extension NetWorkload {
    /// A connection that could not be made: out of descriptors (EMFILE, ENFILE) is a `limit`.
    static func connectFailure(_ parameters: WorkloadParameters, errno: Int32) -> any Error {
        let error = SystemError("connect to \(parameters.serverHost):\(parameters.serverPort)", errno: errno)
        if errno == EMFILE || errno == ENFILE { return CellFailure.limit(reached: nil, cause: error.description) }
        return error
    }

    /// The same for SwiftNIO's connect errors: the socket call's errno is an `IOError`, on its
    /// own or inside the `NIOConnectionError` of each address tried.
    static func connectFailure(_ parameters: WorkloadParameters, _ error: any Error) -> any Error {
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

/// The net workload's per-task slots (shared with forked children) and the C task reading them.
final class NetClients: @unchecked Sendable {
    let context: UnsafeMutablePointer<CAsyncBench_net_task>
    let latencies: SharedSlots
    let tallies: SharedSlots
    let requests: Int
    let tasks: Int

    init(parameters: WorkloadParameters, tasks: Int) throws(CellFailure) {
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

    func id(_ index: Int, _ k: Int) -> UInt64 { UInt64(index) << 24 | UInt64(k) }

    func connected(_ index: Int, nanoseconds: Int64) {
        tallies.record(index * 6 + 3, nanoseconds)
        for k in 0..<requests { latencies.record(index * requests + k, -1) }
    }

    /// Counts request k as sent; returns the time it was sent.
    func sending(_ index: Int, _ k: Int) -> Int64 {
        tallies.pointer[index * 6] += 1
        return CAsyncBench_monotonic_ns()
    }

    func answered(_ index: Int, _ k: Int, sentAt: Int64) {
        tallies.pointer[index * 6 + 1] += 1
        latencies.record(index * requests + k, CAsyncBench_monotonic_ns() - sentAt)
    }

    /// Counts a failed request, and why: timed out, or reset / closed by the server.
    func failed(_ index: Int, _ error: any Error) {
        tallies.pointer[index * 6 + 2] += 1
        switch error as? NetFailure {
        case .timeout?: tallies.pointer[index * 6 + 4] += 1
        case .closed?: tallies.pointer[index * 6 + 5] += 1
        default: break
        }
    }

    /// Totals over every task and repetition so far.
    var counts: RequestCounts {
        let values = tallies.values
        var counts = RequestCounts()
        var connects: [Double] = []
        for index in 0..<tasks {
            counts.sent += Int(values[index * 6])
            counts.answered += Int(values[index * 6 + 1])
            counts.failed += Int(values[index * 6 + 2])
            counts.timedOut += Int(values[index * 6 + 4])
            counts.reset += Int(values[index * 6 + 5])
            if values[index * 6 + 3] > 0 { connects.append(Double(values[index * 6 + 3])) }
        }
        counts.connectNanoseconds = Summary(connects).map { Int64($0.median) }
        return counts
    }
}
