import CAsyncBench
import FoundationEssentials
import NIOCore
import Testing

@testable import AsyncBenchAnalysis
@testable import AsyncBenchCell
@testable import AsyncBenchModel
@testable import AsyncBenchResults
@testable import AsyncBenchSweep

#if canImport(Glibc)
    import Glibc
#endif

/// The latency server's protocol, and the server under well-behaved and badly-behaved clients.
@Suite struct WireProtocolTests {
    @Test func messagesRoundTripAndPartialOnesWait() throws {
        var buffer = ByteBufferAllocator().buffer(capacity: 64)
        let message = WireProtocol.Message(id: 0x0102_0304_0506_0708, payload: Array("hello".utf8))
        WireProtocol.write(message, to: &buffer)
        #expect(buffer.readableBytes == 12 + 5)
        #expect(buffer.getBytes(at: 0, length: 12) == [1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 5])
        var partial = buffer.getSlice(at: 0, length: 14)!
        #expect(try WireProtocol.read(from: &partial) == nil)
        #expect(partial.readableBytes == 14, "nothing consumed until the whole message is there")
        #expect(try WireProtocol.read(from: &buffer) == message)
        #expect(buffer.readableBytes == 0)
    }

    @Test func anOverlongPayloadIsMalformed() {
        var buffer = ByteBufferAllocator().buffer(capacity: 12)
        buffer.writeInteger(UInt64(1))
        buffer.writeInteger(UInt32(WireProtocol.maxPayload + 1))
        #expect(throws: WireProtocol.Malformed.payloadTooLong(UInt32(WireProtocol.maxPayload + 1))) {
            try WireProtocol.read(from: &buffer)
        }
    }

    @Test func jitterIsSeededAndWithinItsBounds() {
        let configuration = LatencyServer.Configuration(
            latencyNanoseconds: 20_000_000, jitterNanoseconds: 5_000_000, seed: 42)
        let a = LatencyServer.State(configuration)
        let b = LatencyServer.State(configuration)
        let delays = (0..<1000).map { _ in a.nextDelay() }
        #expect(delays == (0..<1000).map { _ in b.nextDelay() }, "the same seed gives the same delays")
        #expect(delays.allSatisfy { (15_000_000...25_000_000).contains($0) })
        #expect(Set(delays).count > 900, "the delays vary")
        let other = LatencyServer.State(
            LatencyServer.Configuration(latencyNanoseconds: 20_000_000, jitterNanoseconds: 5_000_000, seed: 43))
        #expect((0..<1000).map { _ in other.nextDelay() } != delays)
    }
}

extension BlockingBackendSuites {
    @Suite struct LatencyServerTests {
        /// Connects to the server; fails the test when it cannot.
        static func connect(_ server: LatencyServer) throws -> Int32 {
            var fd: Int32 = -1
            let rc = CAsyncBench_tcp_connect("127.0.0.1", Int32(server.port), &fd)
            try #require(rc == 0, "connect: \(rc)")
            return fd
        }

        /// One request with a `length`-byte payload; returns the errno-style result and the reply's length.
        static func request(_ fd: Int32, id: UInt64, length: UInt32) -> (Int32, UInt32) {
            var buffer = [UInt8](repeating: 7, count: 4096)
            var answered: UInt32 = 0
            let rc = CAsyncBench_tcp_request(fd, id, length, &buffer, UInt32(buffer.count), &answered)
            return (rc, answered)
        }

        @Test func everyRequestIsAnsweredWithItsIdAndCounted() throws {
            let server = try LatencyServer(
                LatencyServer.Configuration(latencyNanoseconds: 2_000_000, jitterNanoseconds: 1_000_000))
            defer { server.stop() }
            let connections = try (0..<3).map { _ in try Self.connect(server) }
            defer { for fd in connections { close(fd) } }
            for round in 0..<5 {
                for (index, fd) in connections.enumerated() {
                    let (rc, length) = Self.request(fd, id: UInt64(round * 10 + index), length: 64)
                    #expect(rc == 0)
                    #expect(length == 64, "the reply's payload has the request's length")
                }
            }
            let statistics = server.statistics
            #expect(statistics.connections == 3)
            #expect(statistics.answered == 15)
            #expect(statistics.lateness?.count == 15)
            #expect(statistics.malformed == 0)
        }

        @Test func malformedAndHalfSentRequestsCloseOnlyTheirConnection() throws {
            let server = try LatencyServer(LatencyServer.Configuration(latencyNanoseconds: 1_000_000))
            defer { server.stop() }
            // A payload length over the limit: the server closes that connection.
            let bad = try Self.connect(server)
            var header: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFF]
            #expect(send(bad, &header, header.count, 0) == header.count)
            var byte: UInt8 = 0
            #expect(recv(bad, &byte, 1, 0) == 0, "the server closed the malformed connection")
            close(bad)
            // A client that leaves halfway through a request.
            let leaving = try Self.connect(server)
            var half: [UInt8] = [0, 0, 0]
            _ = send(leaving, &half, half.count, 0)
            close(leaving)
            // The server still answers others.
            let good = try Self.connect(server)
            defer { close(good) }
            #expect(Self.request(good, id: 5, length: 0).0 == 0)
            #expect(server.statistics.malformed == 1)
            #expect(server.statistics.answered == 1)
        }

        @Test func theControlRequestReturnsTheStatistics() throws {
            let server = try LatencyServer(LatencyServer.Configuration(latencyNanoseconds: 1_000_000))
            defer { server.stop() }
            let fd = try Self.connect(server)
            defer { close(fd) }
            #expect(Self.request(fd, id: 1, length: 8).0 == 0)
            var buffer = [UInt8](repeating: 0, count: 4096)
            var length: UInt32 = 0
            #expect(CAsyncBench_tcp_request(fd, WireProtocol.controlID, 0, &buffer, 4096, &length) == 0)
            let statistics = try JSONDecoder().decode(
                LatencyServer.Statistics.self, from: Data(buffer.prefix(Int(length))))
            #expect(statistics.answered == 1)
            #expect(statistics.connections == 1)
            #expect(statistics.latencyNanoseconds == 1_000_000 && statistics.jitterNanoseconds == 0)
            // The same through ServerControl, with the lateness of the replies after the first
            // `since` only (what a sweep sharing a server elsewhere asks for).
            #expect(Self.request(fd, id: 2, length: 8).0 == 0)
            let all = try ServerControl.statistics(host: "127.0.0.1", port: server.port)
            #expect(all.answered == 2 && all.lateness?.count == 2)
            let after = try ServerControl.statistics(host: "127.0.0.1", port: server.port, since: 1)
            #expect(after.answered == 2 && after.lateness?.count == 1)
            #expect(try ServerControl.statistics(host: "127.0.0.1", port: server.port, since: 2).lateness == nil)
        }

        @Test func controlRequestsCarryTheirSinceCount() throws {
            #expect(WireProtocol.control(since: 0).payload.isEmpty)
            #expect(WireProtocol.control(since: 258).payload == [0, 0, 0, 0, 0, 0, 1, 2])
            #expect(try WireProtocol.controlSince(WireProtocol.control(since: 123_456_789).payload) == 123_456_789)
            #expect(try WireProtocol.controlSince([]) == 0)
            #expect(try WireProtocol.controlSince(WireProtocol.control(since: Int.max).payload) == Int.max)
            // Any other length, or a count that would be a negative Int, is malformed (it trapped).
            #expect(throws: WireProtocol.Malformed.controlPayload(bytes: 2)) { try WireProtocol.controlSince([1, 2]) }
            #expect(throws: WireProtocol.Malformed.sinceTooLarge(1 << 63)) {
                try WireProtocol.controlSince([0x80, 0, 0, 0, 0, 0, 0, 0])
            }
        }
    }
}

extension BlockingBackendSuites.LatencyServerTests {
    @Test func droppedRepliesTimeOutAndResetsAreSeen() throws {
        // Every reply dropped: the client's receive times out.
        let lossy = try LatencyServer(LatencyServer.Configuration(latencyNanoseconds: 1_000_000, loss: 1))
        defer { lossy.stop() }
        let fd = try Self.connect(lossy)
        defer { close(fd) }
        #expect(CAsyncBench_tcp_receive_timeout(fd, 50_000_000) == 0)
        #expect(Self.request(fd, id: 1, length: 8).0 == EAGAIN)
        #expect(lossy.statistics.lost == 1)
        #expect(lossy.statistics.answered == 0)

        // Every request answered with a reset: the client sees the connection go.
        let resetting = try LatencyServer(LatencyServer.Configuration(latencyNanoseconds: 1_000_000, reset: 1))
        defer { resetting.stop() }
        let other = try Self.connect(resetting)
        defer { close(other) }
        let rc = Self.request(other, id: 2, length: 8).0
        #expect(rc == ECONNRESET, "errno \(rc)")
        #expect(resetting.statistics.reset == 1)
    }

    @Test func faultsAreDrawnFromTheSeedAtTheirRates() {
        let state = LatencyServer.State(
            LatencyServer.Configuration(latencyNanoseconds: 1, seed: 9, loss: 0.1, reset: 0.05))
        let fates = (0..<10_000).map { _ in state.nextFate() }
        let lost = fates.filter { $0 == .lose }.count
        let reset = fates.filter { $0 == .reset }.count
        #expect((800...1200).contains(lost), "\(lost)")
        #expect((350...650).contains(reset), "\(reset)")
    }
}

extension WireProtocolTests {
    @Test func theLatenessKeptIsBoundedAndSinceStillCounts() {
        let state = LatencyServer.State(LatencyServer.Configuration(latencyNanoseconds: 1))
        let kept = LatencyServer.State.latenessKept
        for late in 0..<(2 * kept + 10) { state.answered(late: Double(late)) }
        let all = state.statistics()
        #expect(all.answered == 2 * kept + 10, "every reply is counted")
        #expect(all.lateness.map { $0.count } == kept + 10, "the oldest \(kept) figures were dropped")
        #expect(state.statistics(since: 2 * kept).lateness?.count == 10, "since counts from the first reply")
        #expect(state.statistics(since: 5).lateness?.count == kept + 10, "replies already dropped are skipped")
        #expect(state.statistics(since: Int.max).lateness == nil)
    }

    @Test func statisticsOffTheWireAreRangeChecked() {
        var statistics = LatencyServer.Statistics(latencyNanoseconds: 20_000_000, jitterNanoseconds: 0)
        #expect(statistics.implausibility == nil)
        statistics.answered = -1
        #expect(statistics.implausibility == "answered -1 is negative")
        statistics.answered = 1
        statistics.latencyNanoseconds = .max
        #expect(statistics.implausibility?.hasPrefix("latency 9223372036854775807 ns is not between 0 and") == true)
        statistics.latencyNanoseconds = 0
        statistics.lateness = Percentiles(p50: .nan, p90: 1, p99: 1, max: 1, count: 1)
        #expect(statistics.implausibility == "a lateness figure is not a finite number")
    }
}
