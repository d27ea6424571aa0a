import AsyncBenchCell
import AsyncBenchModel
import CAsyncBench
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A hostile client against a standalone `asyncbench server`: malformed packets close only their
/// connection, and no client can make the server hold more than its limits (its resident memory
/// stays under 150 MB, from about 20 MB at start).
@Suite(.serialized) struct ServerAbuseTests {
    static let memoryCeiling = 150

    @Test func malformedPacketsCloseTheirConnectionNotTheServer() throws {
        let server = try StandaloneServer(["--latency", "1ms", "--http"])
        let control = WireProtocol.controlID
        let packets: [(String, [UInt8])] = [
            // 20 bytes: a control request whose since is 2^63 (it became a negative Int and trapped).
            ("since 2^63", requestHeader(id: control, length: 8) + [0x80, 0, 0, 0, 0, 0, 0, 0]),
            ("since 2^64 - 1", requestHeader(id: control, length: 8) + [UInt8](repeating: 0xFF, count: 8)),
            ("a 5-byte control payload", requestHeader(id: control, length: 5) + [1, 2, 3, 4, 5]),
            ("a 4 GiB payload", requestHeader(id: 1, length: .max)),
            ("a 1 MiB payload", requestHeader(id: 1, length: 1 << 20) + [UInt8](repeating: 0x61, count: 4096)),
            ("64 KiB + 1", requestHeader(id: 1, length: UInt32(WireProtocol.maxPayload + 1))),
            ("HTTP garbage", Array("GET \u{1}\u{2} HTTP/9.9\r\n\u{0}\r\n\r\n".utf8)),
            ("HTTP negative length", Array("GET / HTTP/1.1\r\nContent-Length: -5\r\n\r\n".utf8)),
            (
                "HTTP length past 2^64",
                Array("GET / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n".utf8)
            ),
            ("HTTP header of 200 KB", Array("GET / HTTP/1.1\r\nX: \(String(repeating: "a", count: 200_000))".utf8)),
        ]
        for (name, packet) in packets {
            let fd = try #require(server.connect())
            sendBytes(fd, packet)
            #expect(closedByServer(fd, within: 5), "\(name): the server closes that connection")
            close(fd)
            #expect(server.isRunning, "\(name): the server is still running")
            #expect(server.answers(), "\(name): the server still answers a good request")
        }
        let printed = server.stop()
        #expect(printed.stderr.contains("since (9223372036854775808) is over"), "\(printed.stderr.prefix(2000))")
        let malformed = printed.stdout.split(separator: " ").firstIndex(of: "malformed,").map { index in
            printed.stdout.split(separator: " ")[index - 1]
        }
        #expect(malformed.flatMap { Int($0) } == packets.count, "every bad request counted: \(printed.stdout)")
    }

    @Test func aClientThatNeverReadsCannotGrowTheServer() throws {
        let server = try StandaloneServer(["--latency", "1ms"])
        defer { server.stop() }
        let fd = try #require(server.connect())
        defer { close(fd) }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        // 64 KiB requests, back to back, for 1.5 s; their replies are never read.
        let payload = WireProtocol.maxPayload
        let request = requestHeader(id: 1, length: UInt32(payload)) + [UInt8](repeating: 0x61, count: payload)
        var offset = 0
        var sent = 0
        var peak = 0
        let deadline = Measurement.monotonicNanoseconds() + 1_500_000_000
        while Measurement.monotonicNanoseconds() < deadline {
            let count = request[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count > 0 {
                sent += count
                offset = (offset + count) % request.count
            } else {
                #expect(errno == EAGAIN, "the server keeps the connection (errno \(errno))")
                guard errno == EAGAIN else { break }
                var writable = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&writable, 1, 10)
            }
            peak = max(peak, server.residentMegabytes ?? 0)
        }
        #expect(server.isRunning)
        #expect(peak > 0 && peak < Self.memoryCeiling, "peak RSS \(peak) MB after \(sent >> 20) MB of requests")
        #expect(server.answers(), "others are still served")
    }

    @Test func halfSentRequestsCannotGrowTheServer() throws {
        let server = try StandaloneServer(["--latency", "1ms"])
        defer { server.stop() }
        // 1,000 connections, each sending half of the payload it declares: 1 MiB (over the limit),
        // then, on 1,000 more, 64 KiB (the most the server takes).
        var connections: [Int32] = []
        defer { for fd in connections { close(fd) } }
        var peak = 0
        for declared in [1 << 20, WireProtocol.maxPayload] {
            for id in 0..<1000 {
                let fd = try #require(server.connect(), "connection \(connections.count)")
                connections.append(fd)
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                sendBytes(
                    fd,
                    requestHeader(id: UInt64(id), length: UInt32(declared))
                        + [UInt8](repeating: 0x61, count: declared / 2))
            }
            usleep(500_000)
            peak = max(peak, server.residentMegabytes ?? 0)
        }
        #expect(server.isRunning)
        #expect(peak > 0 && peak < Self.memoryCeiling, "peak RSS \(peak) MB")
        #expect(server.answers(), "others are still served")
    }

    @Test func surplusAndIdleConnectionsAreClosed() throws {
        let server = try StandaloneServer(["--latency", "1ms", "--max-connections", "5", "--idle-timeout", "1s"])
        defer { server.stop() }
        let idle = (0..<5).compactMap { _ in server.connect() }
        defer { for fd in idle { close(fd) } }
        #expect(idle.count == 5)
        usleep(200_000)  // accepted and counted
        // A sixth is closed at once; the five are held until they have been idle for 1 s.
        let surplus = try #require(server.connect())
        #expect(closedByServer(surplus, within: 1), "the connection over --max-connections is closed")
        close(surplus)
        let started = Measurement.monotonicNanoseconds()
        for fd in idle { #expect(closedByServer(fd, within: 5), "an idle connection is closed") }
        let waited = Measurement.monotonicNanoseconds() - started
        #expect(waited > 300_000_000, "idle connections are held for --idle-timeout first (\(waited / 1_000_000) ms)")
        #expect(server.answers(), "the slots are free again")
        let printed = server.stop()
        #expect(printed.stdout.contains("1 refused (--max-connections), 5 closed idle"), "\(printed.stdout)")
    }

    @Test func aReplyWaitingLongerThanTheIdleTimeoutIsNotIdle() throws {
        let server = try StandaloneServer(["--latency", "1500ms", "--idle-timeout", "500ms"])
        defer { server.stop() }
        #expect(server.answers(), "the reply comes after 1.5 s on a connection with a 0.5 s idle timeout")
    }
}

extension ServerAbuseTests {
    /// The other way round: a hostile server answering `--server`'s control request with figures no
    /// asyncbench server gives (a latency near Int64.max trapped the run's `3 × slowest reply`).
    @Test func aServerAnsweringImplausibleFiguresIsRefused() throws {
        let (listener, port) = try listeningSocket()
        defer { close(listener) }
        let output = temporaryDirectory()
        let pid = try start(
            ["--workload", "net", "--server", "127.0.0.1:\(port)", "--out", temporaryDirectory()], output: output)
        var ready = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        #expect(poll(&ready, 1, 10_000) == 1, "asyncbench connects")
        let fd = accept(listener, nil, nil)
        if fd >= 0 {
            var request = [UInt8](repeating: 0, count: 12)
            _ = CAsyncBench_tcp_receive_timeout(fd, 5_000_000_000)
            _ = recv(fd, &request, 12, Int32(MSG_WAITALL))
            let json = Array(
                #"{"connections":1,"answered":-5,"malformed":0,"lost":0,"reset":0,"latencyNanoseconds":9000000000000000000,"jitterNanoseconds":0}"#
                    .utf8)
            sendBytes(fd, requestHeader(id: WireProtocol.controlID, length: UInt32(json.count)) + json)
            close(fd)
        }
        guard case .success(let status) = WaitStatus.wait(for: pid) else { throw SystemError("waitpid", errno: errno) }
        let stderr = Measurement.readFile(output + "/err") ?? ""
        #expect(status == .exited(64), "\(status): \(stderr.prefix(300))")
        #expect(
            stderr.hasPrefix(
                "Error: --server: the server at 127.0.0.1:\(port) answered with figures no asyncbench server gives: answered -5 is negative"
            ), "\(stderr.prefix(300))")
    }
}
