import AsyncBenchModel
import CAsyncBench
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A standalone `asyncbench server` process for a test, and what a hostile client does to it.
final class StandaloneServer {
    let pid: pid_t
    let port: Int
    let output: String
    private var printed: (stdout: String, stderr: String)?

    /// Starts `asyncbench server --port 0 options` and waits (up to 10 s) for the port it prints.
    init(_ options: [String]) throws {
        output = temporaryDirectory()
        pid = try start(["server", "--port", "0"] + options, output: output)
        var found: Int?
        let deadline = Measurement.monotonicNanoseconds() + 10_000_000_000
        while found == nil, Measurement.monotonicNanoseconds() < deadline {
            let line = Measurement.readFile(output + "/out") ?? ""
            found = line.split(separator: " (").first?.split(separator: ":").last.flatMap { Int($0) }
            if found == nil { usleep(20_000) }
        }
        guard let found else {
            kill(pid, SIGKILL)
            _ = WaitStatus.wait(for: pid)
            throw SystemError(
                "asyncbench server printed no port: \(Measurement.readFile(output + "/err") ?? "")", errno: EIO)
        }
        port = found
    }

    /// Its resident memory (VmRSS), MB; nil once it is gone.
    var residentMegabytes: Int? {
        let status = Measurement.readFile("/proc/\(pid)/status") ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
        return line?.split(separator: " ").dropFirst().first.flatMap { Int($0) }.map { $0 / 1024 }
    }

    /// Whether the process is still running (not gone, not a zombie).
    var isRunning: Bool {
        guard let stat = Measurement.readFile("/proc/\(pid)/stat") else { return false }
        return stat.split(separator: ")").last?.split(separator: " ").first != "Z"
    }

    /// A new connection to it (blocking), or nil.
    func connect() -> Int32? {
        var fd: Int32 = -1
        return CAsyncBench_tcp_connect("127.0.0.1", Int32(port), &fd) == 0 ? fd : nil
    }

    /// Whether a new connection's request (8 bytes) gets its reply within 5 s.
    func answers() -> Bool {
        guard let fd = connect() else { return false }
        defer { close(fd) }
        _ = CAsyncBench_tcp_receive_timeout(fd, 5_000_000_000)
        var buffer = [UInt8](repeating: 1, count: 64)
        var length: UInt32 = 0
        return CAsyncBench_tcp_request(fd, 42, 8, &buffer, 64, &length) == 0 && length == 8
    }

    /// Stops it (SIGTERM, reaped; once) and returns what it printed.
    @discardableResult func stop() -> (stdout: String, stderr: String) {
        if let printed { return printed }
        kill(pid, SIGTERM)
        _ = WaitStatus.wait(for: pid)
        let done = (Measurement.readFile(output + "/out") ?? "", Measurement.readFile(output + "/err") ?? "")
        printed = done
        return done
    }
}

/// Sends `bytes` on `fd` (as much as goes; errors ignored: the server may have closed it).
func sendBytes(_ fd: Int32, _ bytes: [UInt8]) {
    var done = 0
    while done < bytes.count {
        let count = bytes[done...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if count <= 0 { return }
        done += count
    }
}

/// Whether the server closes `fd` (end of stream or a reset) within `seconds`; bytes it sends
/// first (an HTTP 400) are read and dropped.
func closedByServer(_ fd: Int32, within seconds: Int64) -> Bool {
    _ = CAsyncBench_tcp_receive_timeout(fd, seconds * 1_000_000_000)
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = recv(fd, &buffer, buffer.count, 0)
        if count == 0 { return true }
        if count < 0 { return errno == ECONNRESET }
    }
}

/// A request header: id, then the payload length it declares (big-endian).
func requestHeader(id: UInt64, length: UInt32) -> [UInt8] {
    (0..<8).reversed().map { UInt8(truncatingIfNeeded: id >> ($0 * 8)) }
        + (0..<4).reversed().map { UInt8(truncatingIfNeeded: length >> ($0 * 8)) }
}

/// A listening socket on 127.0.0.1 (a port the system chose), for a test that plays the server.
func listeningSocket() throws -> (fd: Int32, port: Int) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(fd, pointer, length) == 0 && listen(fd, 8) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    guard bound else {
        close(fd)
        throw SystemError("bind 127.0.0.1:0", errno: errno)
    }
    return (fd, Int(UInt16(bigEndian: address.sin_port)))
}
