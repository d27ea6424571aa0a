import AsyncBenchModel
import AsyncBenchResults
import NIOCore

/// The latency server's binary protocol, big-endian:
///
///     request  = id (UInt64) | payload length (UInt32) | payload (length bytes)
///     response = id (UInt64) | payload length (UInt32) | payload (length bytes)
///
/// A response echoes its request's id and a payload of the same length. The control request
/// (`controlID`) is answered at once with the server's statistics as JSON; its payload is empty,
/// or 8 bytes: a count `since` (UInt64) of replies to leave out of the lateness figures, so that a
/// client sharing a long-running server gets the lateness of its own cell's replies, at most
/// `Int64.max`. A payload longer than `maxPayload`, or a control request with any other payload,
/// is malformed: the server logs it and closes that connection (a client reading the server's
/// replies refuses such a reply the same way).
public enum WireProtocol {
    public static let headerBytes = 12
    /// The id of the control request, which asks for `LatencyServer.Statistics` (JSON).
    public static let controlID = UInt64.max
    /// The largest payload accepted (64 KiB, the largest `--payload` of the net workloads): what a
    /// connection's unfinished request may make the server hold.
    public static let maxPayload = 1 << 16

    /// One request or response.
    public struct Message: Equatable, Sendable {
        public var id: UInt64
        public var payload: [UInt8]

        public init(id: UInt64, payload: [UInt8]) {
            self.id = id
            self.payload = payload
        }
    }

    /// Why bytes are not a message.
    public enum Malformed: Error, Equatable, CustomStringConvertible {
        case payloadTooLong(UInt32)
        /// A control request whose payload is neither empty nor 8 bytes.
        case controlPayload(bytes: Int)
        /// A control request whose `since` is over `Int64.max`.
        case sinceTooLarge(UInt64)

        public var description: String {
            switch self {
            case .payloadTooLong(let length):
                return "payload length \(length) is over the \(WireProtocol.maxPayload)-byte limit"
            case .controlPayload(let bytes):
                return "a control request's payload is empty or 8 bytes, not \(bytes)"
            case .sinceTooLarge(let since):
                return "a control request's since (\(since)) is over \(Int64.max)"
            }
        }
    }

    /// The control request asking for statistics of the replies after the first `since`.
    public static func control(since: Int) -> Message {
        var payload: [UInt8] = []
        if since > 0 { payload = (0..<8).reversed().map { UInt8(truncatingIfNeeded: UInt64(since) >> ($0 * 8)) } }
        return Message(id: controlID, payload: payload)
    }

    /// `since` from a control request's payload (0 when it is empty); throws when the payload is
    /// neither empty nor 8 bytes, or holds a count over `Int64.max` (a wire number never becomes a
    /// negative one).
    static func controlSince(_ payload: [UInt8]) throws(Malformed) -> Int {
        guard !payload.isEmpty else { return 0 }
        guard payload.count == 8 else { throw .controlPayload(bytes: payload.count) }
        let since = payload.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard since <= UInt64(Int64.max) else { throw .sinceTooLarge(since) }
        return Int(since)
    }

    /// Appends `message` to `buffer`.
    public static func write(_ message: Message, to buffer: inout ByteBuffer) {
        buffer.writeInteger(message.id, endianness: .big)
        buffer.writeInteger(UInt32(message.payload.count), endianness: .big)
        buffer.writeBytes(message.payload)
    }

    /// Reads one message from `buffer` when it holds a whole one (nil: wait for more bytes).
    public static func read(from buffer: inout ByteBuffer) throws(Malformed) -> Message? {
        guard let id = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: UInt64.self),
            let length = buffer.getInteger(at: buffer.readerIndex + 8, endianness: .big, as: UInt32.self)
        else { return nil }
        guard length <= maxPayload else { throw .payloadTooLong(length) }
        guard buffer.readableBytes >= headerBytes + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: headerBytes)
        let payload = buffer.readBytes(length: Int(length)) ?? []
        return Message(id: id, payload: payload)
    }
}

/// Decodes requests off a connection's bytes (malformed ones throw, which closes it).
struct RequestDecoder: ByteToMessageDecoder {
    typealias InboundOut = WireProtocol.Message

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let message = try WireProtocol.read(from: &buffer) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(message))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws
        -> DecodingState
    {
        // A client that leaves mid-request: the partial request is dropped with the connection.
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}
