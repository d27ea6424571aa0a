import AsyncBenchModel
import AsyncBenchResults
import CAsyncBench
import FoundationEssentials
import NIOCore
import NIOPosix
import Synchronization

/// A TCP server that answers each request after an injected delay: `latency` plus a jitter drawn
/// uniformly from ±`jitter` by a seeded generator (SplitMix64), so runs are reproducible. Built on
/// SwiftNIO: a reply is a timer scheduled on the connection's event loop, never a sleeping thread,
/// so one loop holds tens of thousands of connections. It records how late each reply went out
/// against its schedule (its own lateness), to show it was not the bottleneck. Faults on demand:
/// a seeded share of replies dropped (`loss`) or answered with a connection reset (`reset`), and
/// stalls (`stall` every `stallEvery`: replies due in the last `stall` of each period wait for its
/// end, as a server pausing for garbage collection would). With `http`, a connection whose
/// first bytes are `GET ` speaks HTTP/1.1 instead (keep-alive, a small body after the same
/// delay), so a load tool nobody here wrote (wrk) can load the same server.
public final class LatencyServer: Sendable {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        public var latencyNanoseconds: Int64
        public var jitterNanoseconds: Int64
        public var seed: UInt64
        public var threads: Int
        /// Share of requests whose reply is dropped (the client must time out).
        public var loss: Double
        /// Share of requests answered by resetting the connection instead.
        public var reset: Double
        /// The server stops answering for `stallNanoseconds` at the end of every
        /// `stallEveryNanoseconds` (0: never).
        public var stallNanoseconds: Int64 = 0
        public var stallEveryNanoseconds: Int64 = 0
        /// Answer HTTP/1.1 `GET` on connections that start with one.
        public var http = false
        /// What one client may hold: connections, idle time (see `ServerLimits`).
        public var limits = ServerLimits()

        public init(
            host: String = "127.0.0.1", port: Int = 0, latencyNanoseconds: Int64, jitterNanoseconds: Int64 = 0,
            seed: UInt64 = 1, threads: Int = 1, loss: Double = 0, reset: Double = 0
        ) {
            self.host = host
            self.port = port
            self.latencyNanoseconds = latencyNanoseconds
            self.jitterNanoseconds = jitterNanoseconds
            self.seed = seed
            self.threads = threads
            self.loss = loss
            self.reset = reset
        }
    }

    /// What the server has done so far (the control request returns it as JSON).
    public struct Statistics: Codable, Sendable, Equatable {
        public var connections = 0
        public var answered = 0
        public var malformed = 0
        /// Requests whose reply was dropped (`--loss`) or whose connection was reset (`--reset`).
        public var lost = 0
        public var reset = 0
        /// Connections refused because `--max-connections` were open, and closed after
        /// `--idle-timeout` idle (optional: a server of an earlier version does not send them).
        public var refused: Int? = nil
        public var idle: Int? = nil
        /// How late replies went out past their scheduled time, ns: of every reply, or of those
        /// after the first `since` when the control request asked so.
        public var lateness: Percentiles? = nil
        /// What the server injects: its latency and jitter, ns (so a client elsewhere knows).
        public var latencyNanoseconds: Int64? = nil
        public var jitterNanoseconds: Int64? = nil
    }

    final class State: Sendable {
        struct Counts {
            var connections = 0
            var answered = 0
            var malformed = 0
            var lost = 0
            var reset = 0
            /// Connections open now, refused at the cap, and closed when idle.
            var open = 0
            var refused = 0
            var idle = 0
            /// The lateness of the latest replies, and how many older ones were dropped before them.
            var lateness: [Double] = []
            var latenessDropped = 0
            /// When the last line went to stderr, and how many were left out since (`complain`).
            var lastComplaint: Int64? = nil
            var suppressed = 0
            var random: UInt64
            var faults: UInt64
        }
        let counts: Mutex<Counts>
        let configuration: Configuration
        /// When the server started: stall periods count from here.
        let started = CAsyncBench_monotonic_ns()

        init(_ configuration: Configuration) {
            self.configuration = configuration
            counts = Mutex(Counts(random: configuration.seed, faults: configuration.seed ^ 0xA5A5_A5A5_A5A5_A5A5))
        }

        /// SplitMix64: the next value of the generator in `state`.
        static func next(_ state: inout UInt64) -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        /// What happens to the next request: answered, its reply dropped, or its connection reset
        /// (a seeded draw of its own, so faults do not change the delays).
        enum Fate { case answer, lose, reset }

        func nextFate() -> Fate {
            let loss = configuration.loss
            let reset = configuration.reset
            guard loss > 0 || reset > 0 else { return .answer }
            let draw = Double(counts.withLock { Self.next(&$0.faults) } >> 11) / Double(1 << 53)
            return draw < loss ? .lose : (draw < loss + reset ? .reset : .answer)
        }

        /// This reply's delay: latency ± a uniform jitter (SplitMix64 from the seed), ≥ 0.
        func nextDelay() -> Int64 {
            let jitter = configuration.jitterNanoseconds
            guard jitter > 0 else { return configuration.latencyNanoseconds }
            let draw = counts.withLock { Self.next(&$0.random) }
            let offset = Int64(draw % UInt64(2 * jitter + 1)) - jitter
            return max(0, configuration.latencyNanoseconds + offset)
        }

        /// When a reply due at `due` goes out: then, or at the end of the stall it falls in.
        func held(_ due: Int64) -> Int64 {
            let stall = configuration.stallNanoseconds
            let every = configuration.stallEveryNanoseconds
            guard stall > 0, every > stall else { return due }
            let phase = (due - started) % every
            return phase >= every - stall ? due + (every - phase) : due
        }

        /// The delay of the next reply to a request that arrived now (latency, jitter, stalls), ns.
        func nextReplyDelay() -> Int64 {
            let now = CAsyncBench_monotonic_ns()
            return held(now + nextDelay()) - now
        }

        /// Counts a reply going out `late` ns past its schedule.
        func answered(late: Double) {
            counts.withLock {
                $0.answered += 1
                $0.lateness.append(late)
                if $0.lateness.count >= 2 * Self.latenessKept {
                    $0.lateness.removeFirst(Self.latenessKept)
                    $0.latenessDropped += Self.latenessKept
                }
            }
        }

        /// The counts so far, with the lateness of the replies after the first `since` (of those
        /// still kept: the latest `latenessKept` at least).
        func statistics(since: Int = 0) -> Statistics {
            counts.withLock {
                let skipped = min(max(0, since - $0.latenessDropped), $0.lateness.count)
                return Statistics(
                    connections: $0.connections, answered: $0.answered, malformed: $0.malformed, lost: $0.lost,
                    reset: $0.reset, refused: $0.refused, idle: $0.idle,
                    lateness: Percentiles(Array($0.lateness.dropFirst(skipped))),
                    latencyNanoseconds: configuration.latencyNanoseconds,
                    jitterNanoseconds: configuration.jitterNanoseconds)
            }
        }
    }

    let group: MultiThreadedEventLoopGroup
    let channel: any Channel
    let state: State
    /// The port the server listens on (the one the system chose for port 0).
    public let port: Int

    /// Why the server could not start listening, and what to do.
    public enum StartError: Error, CustomStringConvertible {
        /// The host is neither an address nor a name that resolves.
        case badHost(String)
        /// Binding failed: the port is taken, or the address is not one of this machine's.
        case cannotBind(host: String, port: Int, errno: Int32?, reason: String)

        public var description: String {
            switch self {
            case .badHost(let host):
                return
                    "--host '\(host)' is not an IP address or a name that resolves: give one of this machine's addresses, e.g. 127.0.0.1, 0.0.0.0 (every interface) or ::1"
            case .cannotBind(let host, let port, let code, let reason):
                switch code {
                case EADDRINUSE:
                    return
                        "cannot listen on \(host):\(port): the port is in use; choose another --port (0 picks a free one)"
                case EADDRNOTAVAIL:
                    return
                        "cannot listen on \(host):\(port): \(host) is not an address of this machine; use one it has, e.g. 127.0.0.1 or 0.0.0.0"
                case EACCES:
                    return
                        "cannot listen on \(host):\(port): permission denied (ports below 1024 need root); choose a --port above 1023 or 0"
                default:
                    return "cannot listen on \(host):\(port): \(reason)"
                }
            }
        }
    }

    /// Binds and starts serving. Throws when the host does not resolve or the address cannot be
    /// bound (e.g. the port is in use).
    public init(_ configuration: Configuration) throws(StartError) {
        do {
            _ = try SocketAddress.makeAddressResolvingHost(configuration.host, port: configuration.port)
        } catch {
            throw .badHost(configuration.host)
        }
        let state = State(configuration)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, configuration.threads))
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 4096)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    let idle = configuration.limits.idleTimeoutNanoseconds
                    if idle > 0 { try pipeline.addHandler(IdleStateHandler(allTimeout: .nanoseconds(idle))) }
                    let guarding = ConnectionGuard(state: state)
                    try pipeline.addHandler(guarding)
                    if configuration.http {
                        try pipeline.addHandler(ProtocolSniffer(state: state, guarding: guarding))
                    } else {
                        try pipeline.addHandlers(
                            ByteToMessageHandler(RequestDecoder()), ReplyHandler(state: state, guarding: guarding))
                    }
                }
            }
        do {
            channel = try bootstrap.bind(host: configuration.host, port: configuration.port).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw .cannotBind(
                host: configuration.host, port: configuration.port, errno: (error as? IOError)?.errnoCode,
                reason: "\(error)")
        }
        self.group = group
        self.state = state
        port = channel.localAddress?.port ?? configuration.port
    }

    public var statistics: Statistics { state.statistics() }

    /// Closes the listening socket and every connection, and stops the event loops.
    public func stop() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }
}

/// Schedules each request's reply on the connection's event loop.
final class ReplyHandler: ChannelInboundHandler {
    typealias InboundIn = WireProtocol.Message
    typealias OutboundOut = ByteBuffer

    let state: LatencyServer.State
    let guarding: ConnectionGuard

    init(state: LatencyServer.State, guarding: ConnectionGuard) {
        self.state = state
        self.guarding = guarding
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let request = unwrapInboundIn(data)
        if request.id == WireProtocol.controlID {
            let since: Int
            do {
                since = try WireProtocol.controlSince(request.payload)
            } catch {
                errorCaught(context: context, error: error)
                return
            }
            let json = (try? JSONEncoder().encode(state.statistics(since: since))).map { Array($0) } ?? []
            reply(context, WireProtocol.Message(id: request.id, payload: json))
            return
        }
        let fate = state.nextFate()
        let delay = state.nextReplyDelay()
        let due = CAsyncBench_monotonic_ns() + delay
        switch fate {
        case .lose:
            state.counts.withLock { $0.lost += 1 }
            return
        case .reset:
            state.counts.withLock { $0.reset += 1 }
            // SO_LINGER 0: close sends a TCP RST, as a crashed or overloaded peer does.
            let channel = context.channel
            if let socket = channel as? any SocketOptionProvider {
                socket.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in channel.close(promise: nil) }
            } else {
                channel.close(promise: nil)
            }
            return
        case .answer:
            break
        }
        let bytes = request.payload.count
        guarding.scheduled(bytes: bytes)
        context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(delay)) { [self] in
            // Counted before it is written: a client that has its reply finds it counted.
            state.answered(late: Double(CAsyncBench_monotonic_ns() - due))
            reply(context, request)
            guarding.sent(bytes: bytes, on: context.channel)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A malformed request (or a connection error): log it, close this connection, serve on.
        if error is WireProtocol.Malformed || error is ByteToMessageDecoderError {
            state.counts.withLock { $0.malformed += 1 }
            state.complain("asyncbench server: closing \(ConnectionGuard.name(context)): \(error)")
        }
        context.close(promise: nil)
    }

    private func reply(_ context: ChannelHandlerContext, _ message: WireProtocol.Message) {
        guard context.channel.isActive else { return }
        var buffer = context.channel.allocator.buffer(capacity: WireProtocol.headerBytes + message.payload.count)
        WireProtocol.write(message, to: &buffer)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }
}
