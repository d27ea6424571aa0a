import AsyncBenchModel
import AsyncBenchResults
import CAsyncBench

#if canImport(Glibc)
    import Glibc
#endif

/// The latency server as a child process of the sweep (`asyncbench server`), one per net cell,
/// so that its CPU is not charged to the backend under test. It dies with the sweep, is stopped
/// after its cell, and its own counts come back over the control request.
final class ServerProcess {
    let pid: pid_t
    let port: Int

    private init(pid: pid_t, port: Int) {
        self.pid = pid
        self.port = port
    }

    /// Starts the server for a net cell and reads the port it bound from its first line.
    static func start(executable: String, cell: WorkloadCell<NetWorkload.Parameters>) throws(SystemError)
        -> ServerProcess
    {
        let parameters = cell.parameters
        var fds: [Int32] = [-1, -1]
        let rc = CAsyncBench_pipe_cloexec(&fds)
        guard rc == 0 else { throw SystemError("pipe", errno: rc) }
        let argv = [
            executable, "server", "--host", parameters.serverHost, "--port", "0", "--latency",
            "\(cell.latencyNanoseconds)ns", "--jitter", "\(parameters.jitterNanoseconds)ns", "--seed",
            "\(parameters.seed)", "--loss", "\(parameters.loss)", "--reset", "\(parameters.reset)",
            // It lives for one cell, whose open-loop connections may wait longer than any default
            // between requests (tasks / rate): it closes no connection for idleness.
            "--idle-timeout", "0s",
        ]
        let stalls =
            parameters.stallNanoseconds > 0
            ? [
                "--stall", "\(parameters.stallNanoseconds)ns", "--stall-every", "\(parameters.stallEveryNanoseconds)ns",
            ] : []
        // `--parent PID` last: tests find a sweep's servers by it.
        let parent = ["--parent", "\(getpid())"]
        var pid: pid_t = 0
        let spawned = ProcessIO.withCStrings(argv + stalls + parent) {
            CAsyncBench_spawn(executable, $0, nil, fds[1], 2, &pid)
        }
        close(fds[1])
        defer { close(fds[0]) }
        guard spawned == 0 else { throw SystemError("posix_spawn \(executable) server", errno: spawned) }
        // "asyncbench server listening on HOST:PORT (...)": wait up to 10 s for it.
        var line: [UInt8] = []
        let deadline = Measurement.monotonicNanoseconds() + 10_000_000_000
        while !line.contains(UInt8(ascii: "\n")), Measurement.monotonicNanoseconds() < deadline {
            var poller = pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)
            guard (try? Syscall.call("poll", { poll(&poller, 1, 100) })) != nil else { break }
            guard poller.revents != 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 256)
            let count = chunk.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            if count <= 0 { break }
            line += chunk[0..<count]
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let colon = text.split(separator: " (").first?.split(separator: ":").last,
            let port = Int(colon), (1...65535).contains(port)
        else {
            kill(pid, SIGKILL)
            _ = WaitStatus.wait(for: pid)
            throw SystemError("the latency server did not report its port (\(text.prefix(80)))", errno: EIO)
        }
        return ServerProcess(pid: pid, port: port)
    }

    /// The server's statistics over the control request; nil when it does not answer.
    func statistics(host: String) -> LatencyServer.Statistics? {
        try? ServerControl.statistics(host: host, port: port)
    }

    /// Stops the server (SIGTERM, then waits for it).
    func stop() {
        kill(pid, SIGTERM)
        _ = WaitStatus.wait(for: pid)
    }
}

/// The control request, from the sweep's side: a latency server's statistics, from the one it
/// started or from one started elsewhere (`--server HOST:PORT`).
public enum ServerControl {
    /// Why a control request got no statistics.
    public enum Failure: Error, CustomStringConvertible {
        /// Nothing accepted the connection.
        case cannotConnect(address: String, errno: Int32)
        /// Something accepted it but sent nothing back in time (not an asyncbench server?).
        case noAnswer(address: String, seconds: Int)
        /// Something answered, but not as an asyncbench server does.
        case notAsyncbench(address: String)
        /// The exchange failed part way.
        case failed(address: String, errno: Int32)
        /// It answered with figures no asyncbench server gives (a negative count, a latency out of range).
        case implausible(address: String, reason: String)

        public var description: String {
            switch self {
            case .cannotConnect(let address, let code):
                return "nothing accepts connections at \(address) (\(String(cString: strerror(code))))"
            case .noAnswer(let address, let seconds):
                return
                    "no asyncbench server answered at \(address) within \(seconds) s (something accepted the connection but sent nothing back)"
            case .notAsyncbench(let address):
                return "the server at \(address) answered, but not as an asyncbench server"
            case .failed(let address, let code):
                return "the control request to \(address) failed: \(SystemError("exchange", errno: code))"
            case .implausible(let address, let reason):
                return "the server at \(address) answered with figures no asyncbench server gives: \(reason)"
            }
        }
    }

    /// The statistics of the server at `host:port` (an IPv4 address), with the lateness of the
    /// replies after the first `since`. Throws when it cannot connect or gets no valid answer
    /// within 5 s.
    public static func statistics(host: String, port: Int, since: Int = 0) throws(Failure)
        -> LatencyServer.Statistics
    {
        let address = "\(host):\(port)"
        let seconds = 5
        var fd: Int32 = -1
        let connected = CAsyncBench_tcp_connect_within(host, Int32(port), Int64(seconds) * 1_000_000_000, &fd)
        guard connected == 0 else {
            if connected == ETIMEDOUT || connected == EINPROGRESS {
                throw .noAnswer(address: address, seconds: seconds)
            }
            throw .cannotConnect(address: address, errno: connected)
        }
        defer { close(fd) }
        _ = CAsyncBench_tcp_receive_timeout(fd, Int64(seconds) * 1_000_000_000)
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        let request = WireProtocol.control(since: since).payload
        buffer.replaceSubrange(0..<request.count, with: request)
        var length: UInt32 = 0
        let rc = CAsyncBench_tcp_request(
            fd, WireProtocol.controlID, UInt32(request.count), &buffer, UInt32(buffer.count), &length)
        switch rc {
        case 0: break
        case EAGAIN, EWOULDBLOCK, ETIMEDOUT: throw .noAnswer(address: address, seconds: seconds)
        // EPROTO: something answered, but not with the control response's id and length.
        case EPROTO: throw .notAsyncbench(address: address)
        default: throw .failed(address: address, errno: rc)
        }
        guard let statistics = JSONCoding.decode(LatencyServer.Statistics.self, from: Array(buffer.prefix(Int(length))))
        else { throw .notAsyncbench(address: address) }
        if let reason = statistics.implausibility { throw .implausible(address: address, reason: reason) }
        return statistics
    }

    /// The IPv4 address of `host` (a name or an address), for the C client, which takes numbers.
    public static func resolve(_ host: String) -> String? {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &found) == 0, let first = found else { return nil }
        defer { freeaddrinfo(found) }
        guard let address = first.pointee.ai_addr else { return nil }
        return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { ipv4 in
            var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
            var raw = ipv4.pointee.sin_addr
            guard inet_ntop(AF_INET, &raw, &text, socklen_t(text.count)) != nil else { return nil }
            return String(cString: text)
        }
    }
}
