import AsyncBenchModel
import CAsyncBench
import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// What the latency server lets one client hold, so that no client can make it grow without
/// bound: connections open at once (`--max-connections`), how long a connection may sit idle
/// (`--idle-timeout`), and, fixed, the bytes of one unfinished request (`WireProtocol.maxPayload`)
/// and the replies one connection may have waiting (past them, or while its replies cannot be
/// written because the client does not read, the server stops reading that connection).
public struct ServerLimits: Sendable, Equatable {
    /// Most connections open at once; one more is accepted and closed at once (counted as refused).
    public var maxConnections: Int
    /// A connection that has received and sent nothing for this long, with no reply waiting on
    /// its timer, is closed (0: never).
    public var idleTimeoutNanoseconds: Int64

    /// The default idle timeout: 60 s.
    public static let defaultIdleTimeoutNanoseconds: Int64 = 60_000_000_000
    /// Replies one connection may have waiting on their timers before the server stops reading it
    /// (the net workloads send one request at a time).
    public static let maxPendingReplies = 64
    /// Bytes of replies one connection may have waiting on their timers before the server stops
    /// reading it.
    public static let maxPendingBytes = WireProtocol.maxPayload
    /// Descriptors kept for other uses than connections (the listening socket, event loops, stdio).
    public static let reservedDescriptors = 64

    public init(maxConnections: Int? = nil, idleTimeoutNanoseconds: Int64 = Self.defaultIdleTimeoutNanoseconds) {
        self.maxConnections = maxConnections ?? Self.defaultMaxConnections()
        self.idleTimeoutNanoseconds = idleTimeoutNanoseconds
    }

    /// The default cap on connections: this process's open-file limit (as raised by the caller)
    /// less `reservedDescriptors`, since each connection is a descriptor.
    public static func defaultMaxConnections() -> Int {
        let limit = sysconf(Int32(_SC_OPEN_MAX))
        guard limit > 0 else { return 1 << 20 }
        return max(1, min(limit, 1 << 30) - reservedDescriptors)
    }
}

/// The first handler of every connection: admits it under `--max-connections`, stops reading it
/// while its replies wait (too many on their timers, or the socket not writable because the
/// client does not read: NIO's writability), and closes it when idle.
final class ConnectionGuard: ChannelDuplexHandler {
    typealias InboundIn = NIOAny
    typealias InboundOut = NIOAny
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    let state: LatencyServer.State
    private var pendingReplies = 0
    private var pendingBytes = 0
    /// A read was asked for while the connection was held: issued when it is released.
    private var readWithheld = false
    private var admitted = false

    init(state: LatencyServer.State) { self.state = state }

    /// Whether the server may read more of this connection.
    private func mayRead(_ channel: any Channel) -> Bool {
        channel.isWritable && pendingReplies < ServerLimits.maxPendingReplies
            && pendingBytes < ServerLimits.maxPendingBytes
    }

    func channelActive(context: ChannelHandlerContext) {
        admitted = state.admit()
        guard admitted else {
            state.complain(
                "asyncbench server: refusing \(Self.name(context)): \(state.configuration.limits.maxConnections) connections are open (--max-connections)"
            )
            context.close(promise: nil)
            return
        }
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if admitted { state.counts.withLock { $0.open -= 1 } }
        admitted = false
    }

    func read(context: ChannelHandlerContext) {
        if mayRead(context.channel) {
            context.read()
        } else {
            readWithheld = true
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { resume(context.channel) } else { context.flush() }
        context.fireChannelWritabilityChanged()
    }

    /// A reply of `bytes` now waits on its timer.
    func scheduled(bytes: Int) {
        pendingReplies += 1
        pendingBytes += bytes
    }

    /// A reply of `bytes` is no longer waiting (written, or its connection gone).
    func sent(bytes: Int, on channel: any Channel) {
        pendingReplies -= 1
        pendingBytes -= bytes
        resume(channel)
    }

    /// Reads again, when a read was withheld and the connection may now be read.
    private func resume(_ channel: any Channel) {
        guard readWithheld, mayRead(channel) else { return }
        readWithheld = false
        channel.read()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // Idle: nothing read or written for --idle-timeout; a connection whose replies wait on
        // their timers (a long --latency) is not idle.
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .all {
            guard pendingReplies == 0 else { return }
            state.counts.withLock { $0.idle += 1 }
            state.complain("asyncbench server: closing \(Self.name(context)): idle for --idle-timeout")
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// The peer's address, for a log line.
    static func name(_ context: ChannelHandlerContext) -> String {
        context.remoteAddress.map { "\($0)" } ?? "a connection"
    }
}

extension LatencyServer.State {
    /// Counts a new connection as open, unless `--max-connections` are; false: refuse it.
    func admit() -> Bool {
        counts.withLock {
            guard $0.open < configuration.limits.maxConnections else {
                $0.refused += 1
                return false
            }
            $0.open += 1
            $0.connections += 1
            return true
        }
    }

    /// Writes `line` to stderr, at most once a second: a flood of bad clients costs the server a
    /// count, not a line each (the next line says how many were left out).
    func complain(_ line: String) {
        let now = CAsyncBench_monotonic_ns()
        let suppressed: Int? = counts.withLock { counts in
            if let last = counts.lastComplaint, now - last < 1_000_000_000 {
                counts.suppressed += 1
                return nil
            }
            let left = counts.suppressed
            counts.suppressed = 0
            counts.lastComplaint = now
            return left
        }
        guard let suppressed else { return }
        let more = suppressed > 0 ? " (and \(suppressed) more since the last line)" : ""
        ProcessIO.writeStandardError(line + more + "\n")
    }

    /// Most lateness figures kept (8 bytes each): past twice as many, the oldest are dropped, so
    /// a long-running server's statistics cover its latest replies and its memory stays bounded.
    static let latenessKept = 1 << 20
}

extension LatencyServer.Statistics {
    /// Longest latency or jitter a server may report (what `--latency` accepts: under 1,000,000 s).
    static let longestDelay: Int64 = 999_999_999_999_999

    /// What is wrong with statistics read off the wire (a count below 0, a latency or jitter out
    /// of range, a lateness that is not a finite number), or nil when they are plausible: every
    /// number from the wire is range-checked before it is used.
    var implausibility: String? {
        let counts: [(String, Int?)] = [
            ("connections", connections), ("answered", answered), ("malformed", malformed), ("lost", lost),
            ("reset", reset), ("refused", refused), ("idle", idle), ("lateness count", lateness?.count),
        ]
        if let (name, value) = counts.first(where: { ($0.1 ?? 0) < 0 }) { return "\(name) \(value ?? 0) is negative" }
        for (name, value) in [("latency", latencyNanoseconds), ("jitter", jitterNanoseconds)] {
            if let value, !(0...Self.longestDelay).contains(value) {
                return "\(name) \(value) ns is not between 0 and \(Self.longestDelay)"
            }
        }
        if let lateness, ![lateness.p50, lateness.p90, lateness.p99, lateness.max].allSatisfy(\.isFinite) {
            return "a lateness figure is not a finite number"
        }
        return nil
    }
}
