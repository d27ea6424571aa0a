import AsyncBenchModel
import AsyncBenchResults
import NIOCore
import NIOPosix

/// Why a request of the net workload failed.
public enum NetFailure: Error, Equatable, CustomStringConvertible {
    case timeout
    case closed
    case wrongID(expected: UInt64, got: UInt64)

    public var description: String {
        switch self {
        case .timeout: return "no response within --request-timeout"
        case .closed: return "the server closed the connection"
        case .wrongID(let expected, let got): return "response id \(got), expected \(expected)"
        }
    }
}

/// One client connection to the latency server over SwiftNIO (non-blocking sockets on an event
/// loop): requests go one at a time, each completing a future when its response arrives.
public final class NetConnection: Sendable {
    let channel: any Channel
    let handler: NIOLoopBound<ResponseHandler>

    init(channel: any Channel, handler: NIOLoopBound<ResponseHandler>) {
        self.channel = channel
        self.handler = handler
    }

    /// Connects on `group` (a loop of it, or the loop itself for an `EventLoop`).
    public static func connect(
        on group: any EventLoopGroup, host: String, port: Int
    ) -> EventLoopFuture<NetConnection> {
        ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        ByteToMessageHandler(RequestDecoder()), ResponseHandler())
                }
            }
            .connect(host: host, port: port)
            .flatMapThrowing { channel in
                let handler = try channel.pipeline.syncOperations.handler(type: ResponseHandler.self)
                return NetConnection(channel: channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop))
            }
    }

    /// Sends one request and completes when its response (same id) arrives; fails on a timeout
    /// (the connection is then closed), a closed connection or a wrong id.
    public func request(id: UInt64, payload: Int, timeout: TimeAmount) -> EventLoopFuture<Void> {
        let channel = self.channel
        let handler = self.handler
        return channel.eventLoop.flatSubmit {
            let promise = channel.eventLoop.makePromise(of: Void.self)
            let timer = channel.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
                handler.value.fail(NetFailure.timeout)
                channel.close(promise: nil)
            }
            handler.value.pending = (id, promise, timer)
            var buffer = channel.allocator.buffer(capacity: WireProtocol.headerBytes + payload)
            WireProtocol.write(.init(id: id, payload: [UInt8](repeating: 0x61, count: payload)), to: &buffer)
            channel.writeAndFlush(buffer, promise: nil)
            return promise.futureResult
        }
    }

    public func close() -> EventLoopFuture<Void> {
        let channel = self.channel
        return channel.close().recover { _ in }
    }
}

/// Completes the pending request when its response arrives.
final class ResponseHandler: ChannelInboundHandler {
    typealias InboundIn = WireProtocol.Message

    var pending: (id: UInt64, promise: EventLoopPromise<Void>, timer: Scheduled<Void>)?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let response = unwrapInboundIn(data)
        guard let pending else { return }
        self.pending = nil
        pending.timer.cancel()
        if response.id == pending.id {
            pending.promise.succeed()
        } else {
            pending.promise.fail(NetFailure.wrongID(expected: pending.id, got: response.id))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(NetFailure.closed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(NetFailure.closed)
        context.close(promise: nil)
    }

    func fail(_ failure: NetFailure) {
        guard let pending else { return }
        self.pending = nil
        pending.timer.cancel()
        pending.promise.fail(failure)
    }
}
