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

    /// Starts the server for `parameters` and reads the port it bound from its first line.
    static func start(executable: String, parameters: WorkloadParameters) throws(SystemError) -> ServerProcess {
        var fds: [Int32] = [-1, -1]
        let rc = CAsyncBench_pipe_cloexec(&fds)
        guard rc == 0 else { throw SystemError("pipe", errno: rc) }
        let argv = [
            executable, "server", "--host", parameters.serverHost, "--port", "0", "--latency",
            "\(parameters.latencyNanoseconds)ns", "--jitter", "\(parameters.jitterNanoseconds)ns", "--seed",
            "\(parameters.seed)", "--loss", "\(parameters.loss)", "--reset", "\(parameters.reset)", "--parent",
            "\(getpid())",
        ]
        var pid: pid_t = 0
        let spawned = CellProcess.withCStrings(argv) { CAsyncBench_spawn(executable, $0, nil, fds[1], 2, &pid) }
        close(fds[1])
        defer { close(fds[0]) }
        guard spawned == 0 else { throw SystemError("posix_spawn \(executable) server", errno: spawned) }
        // "asyncbench server listening on HOST:PORT (...)": wait up to 10 s for it.
        var line: [UInt8] = []
        let deadline = Measurement.monotonicNanoseconds() + 10_000_000_000
        while !line.contains(UInt8(ascii: "\n")), Measurement.monotonicNanoseconds() < deadline {
            var poller = pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) >= 0 || errno == EINTR else { break }
            guard poller.revents != 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 256)
            let count = chunk.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            if count <= 0 { break }
            line += chunk[0..<count]
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let colon = text.split(separator: " (").first?.split(separator: ":").last,
            let port = Int(colon), port > 0
        else {
            kill(pid, SIGKILL)
            _ = WaitStatus.wait(for: pid)
            throw SystemError("the latency server did not report its port (\(text.prefix(80)))", errno: EIO)
        }
        return ServerProcess(pid: pid, port: port)
    }

    /// The server's statistics over the control request; nil when it does not answer.
    func statistics(host: String) -> LatencyServer.Statistics? {
        var fd: Int32 = -1
        guard CAsyncBench_tcp_connect(host, Int32(port), &fd) == 0 else { return nil }
        defer { close(fd) }
        _ = CAsyncBench_tcp_receive_timeout(fd, 5_000_000_000)
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var length: UInt32 = 0
        guard CAsyncBench_tcp_request(fd, WireProtocol.controlID, 0, &buffer, UInt32(buffer.count), &length) == 0
        else { return nil }
        return JSONCoding.decodeStatistics(Array(buffer.prefix(Int(length))))
    }

    /// Stops the server (SIGTERM, then waits for it).
    func stop() {
        kill(pid, SIGTERM)
        _ = WaitStatus.wait(for: pid)
    }
}
