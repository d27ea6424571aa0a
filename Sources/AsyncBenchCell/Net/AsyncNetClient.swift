import AsyncBenchModel
import AsyncBenchResults
import CAsyncBench
import NIOCore
import NIOPosix

/// The net workload's task inside async code: one connection to the latency server as a
/// SwiftNIO `NIOAsyncChannel` (non-blocking socket on an event loop of
/// `MultiThreadedEventLoopGroup.singleton`), its responses an `AsyncSequence` the task iterates:
/// write a request, await the next response, check its id, `--requests` times, then close.
/// A request with no response within the timeout fails (`IdleStateHandler` on reads).
enum AsyncNetClient {
    typealias Connection = NIOAsyncChannel<WireProtocol.Message, ByteBuffer>

    /// Runs task `index` of `clients`: connects, sends its requests one after another and
    /// counts each one (answered or failed, and why). Throws only when it cannot connect.
    /// In an open loop (`clients.due`), each request first sleeps until it is due.
    static func run(_ index: Int, parameters: NetWorkload.Parameters, clients: some NetTally) async throws {
        let timeout = TimeAmount.nanoseconds(parameters.requestTimeoutNanoseconds)
        let started = CAsyncBench_monotonic_ns()
        let connection: Connection
        do {
            connection = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connectTimeout(.seconds(10))
                .connect(host: parameters.serverHost, port: parameters.serverPort) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers(
                            IdleStateHandler(readTimeout: timeout), ResponseTimeoutHandler(),
                            ByteToMessageHandler(RequestDecoder()))
                        return try Connection(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw NetWorkload.connectFailure(parameters, error)
        }
        clients.connected(index, nanoseconds: CAsyncBench_monotonic_ns() - started)
        let payload = [UInt8](repeating: 0x61, count: parameters.payload)
        try? await connection.executeThenClose { responses, requests in
            var next = responses.makeAsyncIterator()
            for k in 0..<clients.requests {
                if let due = clients.due(index, k) {
                    let wait = due - CAsyncBench_monotonic_ns()
                    if wait > 0 { try? await Task.sleep(nanoseconds: UInt64(wait)) }
                }
                let id = clients.id(index, k)
                let sentAt = clients.sending(index, k)
                do {
                    var buffer = connection.channel.allocator.buffer(capacity: WireProtocol.headerBytes + payload.count)
                    WireProtocol.write(.init(id: id, payload: payload), to: &buffer)
                    try await requests.write(buffer)
                    guard let response = try await next.next() else { throw NetFailure.closed }
                    guard response.id == id else { throw NetFailure.wrongID(expected: id, got: response.id) }
                    clients.answered(index, k, sentAt: sentAt)
                } catch {
                    // A reset or closed connection surfaces as an I/O error or the end of the stream.
                    clients.failed(index, error as? NetFailure ?? .closed)
                    break
                }
            }
        }
    }
}

/// Turns the `IdleStateHandler`'s read timeout into `NetFailure.timeout` for the task awaiting a
/// response, and closes the connection.
final class ResponseTimeoutHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            context.fireErrorCaught(NetFailure.timeout)
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
