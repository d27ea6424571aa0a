import CAsyncBench
import NIOCore
import NIOHTTP1

/// The latency server's HTTP mode (`asyncbench server --http`): a connection whose first bytes
/// are `GET ` is served as HTTP/1.1 (SwiftNIO's HTTP server pipeline, keep-alive), any other as
/// the binary protocol. Each request is answered after the same delay as a binary one (latency,
/// jitter, stalls), with a small body, and counted the same way, so `wrk` and asyncbench load
/// the same server and their throughputs can be compared.
final class ProtocolSniffer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    let state: LatencyServer.State
    let guarding: ConnectionGuard

    init(state: LatencyServer.State, guarding: ConnectionGuard) {
        self.state = state
        self.guarding = guarding
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let pipeline = context.pipeline.syncOperations
        do {
            if buffer.getBytes(at: buffer.readerIndex, length: min(4, buffer.readableBytes)) == Array("GET ".utf8) {
                try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
                try pipeline.addHandler(HTTPReplyHandler(state: state, guarding: guarding))
            } else {
                try pipeline.addHandlers(
                    ByteToMessageHandler(RequestDecoder()), ReplyHandler(state: state, guarding: guarding))
            }
        } catch {
            context.close(promise: nil)
            return
        }
        // Passed on before this handler leaves the pipeline (its context then has no next).
        context.fireChannelActive()
        context.fireChannelRead(data)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    /// Held until the protocol is known: the handlers added then count the connection.
    func channelActive(context: ChannelHandlerContext) {}
}

/// Answers each HTTP request after the server's delay: `200 OK`, a 13-byte body, keep-alive.
/// A request NIO's parser rejects gets its `400` from NIO's error handler and is counted as
/// malformed here; a request's body is read and dropped, never held.
final class HTTPReplyHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    static let body = Array("asyncbench ok".utf8)

    let state: LatencyServer.State
    let guarding: ConnectionGuard
    private var keepAlive = true

    init(state: LatencyServer.State, guarding: ConnectionGuard) {
        self.state = state
        self.guarding = guarding
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError {
            state.counts.withLock { $0.malformed += 1 }
            state.complain("asyncbench server: closing \(ConnectionGuard.name(context)): bad HTTP request (\(error))")
        }
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            keepAlive = head.isKeepAlive
        case .body:
            break
        case .end:
            let delay = state.nextReplyDelay()
            let due = CAsyncBench_monotonic_ns() + delay
            let keepAlive = self.keepAlive
            guarding.scheduled(bytes: Self.body.count)
            context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(delay)) { [self] in
                state.answered(late: Double(CAsyncBench_monotonic_ns() - due))
                respond(context, keepAlive: keepAlive)
                guarding.sent(bytes: Self.body.count, on: context.channel)
            }
        }
    }

    private func respond(_ context: ChannelHandlerContext, keepAlive: Bool) {
        guard context.channel.isActive else { return }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain")
        headers.add(name: "Content-Length", value: "\(Self.body.count)")
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let head = HTTPResponseHead(version: .http1_1, status: .ok, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: Self.body.count)
        buffer.writeBytes(Self.body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let sent = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive { sent.whenComplete { _ in context.close(promise: nil) } }
    }
}
