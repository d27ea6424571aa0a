import CAsyncBench

#if canImport(Glibc)
    import Glibc
#endif

/// What starting and talking to other processes needs: argv as C strings, and text on stderr.
public enum ProcessIO {
    /// Calls `body` with a NULL-terminated C array of copies of `strings` (an argv).
    public static func withCStrings<R>(
        _ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R
    ) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer {
            for pointer in pointers { free(pointer) }
        }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    /// The executable file `name` names: itself when it has a slash, else the first match in
    /// $PATH; nil when there is none.
    public static func findExecutable(_ name: String) -> String? {
        if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { access($0, X_OK) == 0 }
    }

    /// Writes `text` to standard error at once (no buffering: progress lines, notes, errors).
    public static func writeStandardError(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    /// A pipe whose ends are closed on exec; `posix_spawn`'s dup2 gives the child plain copies.
    public struct Pipe {
        public var read: Int32
        public var write: Int32

        public init() throws(SystemError) {
            var fds: [Int32] = [-1, -1]
            let rc = CAsyncBench_pipe_cloexec(&fds)
            guard rc == 0 else { throw SystemError("pipe2", errno: rc) }
            read = fds[0]
            write = fds[1]
        }

        public func closeRead() { close(read) }
        public func closeWrite() { close(write) }
        public func closeBoth() {
            closeRead()
            closeWrite()
        }
    }
}

extension ProcessIO {
    /// Where a tool's stdout or stderr goes: captured (both captured: one stream, in order), to
    /// a descriptor of this process (e.g. STDOUT_FILENO, a file), or to /dev/null.
    public enum Destination: Sendable, Equatable {
        case capture
        case descriptor(Int32)
        case discard
    }

    /// A tool that ran to its end within its bounds.
    public struct Finished: Sendable, Equatable {
        /// How it ended (any exit status: the caller judges it).
        public var status: WaitStatus
        /// What it wrote to the captured streams.
        public var output: [UInt8]
        public var seconds: Double

        /// The captured output as text.
        public var text: String { String(decoding: output, as: UTF8.self) }
    }

    /// The default bounds: a probe answers within 10 s and 1 MiB.
    public static let probeSeconds = 10.0
    public static let probeBytes = 1 << 20

    /// Runs `arguments` (the program's path first, or a name looked up in PATH) and waits for it,
    /// within bounds: the one way asyncbench runs another program and reads its answer.
    ///
    /// The tool runs in a process group of its own that dies with this thread (PDEATHSIG) and,
    /// should this process be SIGKILLed, is killed by the janitor; it is killed with its whole
    /// group when it runs past `timeoutSeconds`, writes more than `outputLimit` bytes to the
    /// captured streams, or when this process is interrupted (SIGINT, SIGTERM, SIGHUP), and in any
    /// case once it has exited (nothing it started in its group outlives it).
    ///
    /// - Parameters:
    ///   - label: Names it in errors ("the interpreter /usr/bin/python3").
    ///   - task: What it was asked to do, for errors ("answer --describe").
    ///   - environment: Its whole environment as `NAME=value` (nil: this process's).
    public static func run(
        _ arguments: [String], label: String, task: String, in directory: String? = nil,
        environment: [String]? = nil, stdout: Destination = .capture, stderr: Destination = .capture,
        timeoutSeconds: Double = probeSeconds, outputLimit: Int = probeBytes
    ) -> Result<Finished, ToolFailure> {
        let started = Measurement.monotonicNanoseconds()
        func elapsed() -> Double { Double(Measurement.monotonicNanoseconds() - started) / 1e9 }
        guard let program = findExecutable(arguments[0]) else {
            return .failure(.cannotStart(label: label, error: SystemError("execve \(arguments[0])", errno: ENOENT)))
        }
        let captures = stdout == .capture || stderr == .capture
        var pipe: Pipe?
        if captures {
            do { pipe = try Pipe() } catch { return .failure(.cannotStart(label: label, error: error)) }
        }
        let null = open("/dev/null", O_WRONLY | O_CLOEXEC)
        defer {
            if null >= 0 { close(null) }
            pipe?.closeRead()
        }
        func fd(_ destination: Destination) -> Int32 {
            switch destination {
            case .capture: return pipe?.write ?? null
            case .descriptor(let fd): return fd
            case .discard: return null
            }
        }
        var pid: pid_t = 0
        let rc = withCStrings(arguments) { argv in
            guard let environment else {
                return CAsyncBench_spawn_tool(directory, program, argv, nil, fd(stdout), fd(stderr), &pid)
            }
            return withCStrings(environment) { envp in
                CAsyncBench_spawn_tool(directory, program, argv, envp, fd(stdout), fd(stderr), &pid)
            }
        }
        pipe?.closeWrite()
        guard rc == 0 else {
            return .failure(.cannotStart(label: label, error: SystemError("execve \(arguments[0])", errno: rc)))
        }
        Janitor.watchGroup(pid)
        CAsyncBench_set_child_group(pid)
        defer {
            kill(-pid, SIGKILL)  // whatever it started in its group goes with it
            CAsyncBench_set_child_group(0)
            Janitor.forgetGroup(pid)
        }
        var output: [UInt8] = []
        var failure: ToolFailure?
        var status: WaitStatus?
        var open = pipe != nil
        var exitedAt: Int64?
        var chunk = [UInt8](repeating: 0, count: 65536)
        while status == nil || open {
            if CAsyncBench_interrupted() != 0 {
                failure = .interrupted(label: label, signal: CAsyncBench_interrupted())
            } else if elapsed() > timeoutSeconds {
                failure = .timedOut(label: label, task: task, seconds: timeoutSeconds)
            } else if output.count > outputLimit {
                failure = .tooMuchOutput(label: label, task: task, limit: outputLimit)
            } else if let exitedAt, Measurement.monotonicNanoseconds() - exitedAt > 200_000_000 {
                open = false  // it exited; something it started holds the pipe: not waited for
            }
            if failure != nil { break }
            if status == nil {
                var raw: Int32 = 0
                if waitpid(pid, &raw, WNOHANG) == pid {
                    status = WaitStatus(raw: raw)
                    exitedAt = Measurement.monotonicNanoseconds()
                }
            }
            guard open, let read = pipe?.read else {
                if status == nil { usleep(5000) }
                continue
            }
            var poller = pollfd(fd: read, events: Int16(POLLIN), revents: 0)
            guard Glibc.poll(&poller, 1, status == nil ? 50 : 10) > 0 else { continue }
            let count = chunk.withUnsafeMutableBytes { Glibc.read(read, $0.baseAddress, $0.count) }
            if count > 0 {
                output += chunk[0..<count]
            } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                open = false
            }
        }
        if let failure {
            kill(-pid, SIGKILL)
            if status == nil { _ = WaitStatus.wait(for: pid) }
            return .failure(failure)
        }
        return .success(Finished(status: status ?? .signaled(SIGKILL), output: output, seconds: elapsed()))
    }
}

/// Reads newline-terminated lines from a descriptor in linear time, calling `idle` while it
/// waits; a line longer than `maxLineBytes` is an error, not a buffer that grows without end.
public struct LineReader {
    let fd: Int32
    let label: String
    let maxLineBytes: Int
    private var buffer: [UInt8] = []
    /// Where the next line starts in `buffer`, and how far it was searched for a newline.
    private var start = 0
    private var scanned = 0

    /// `label` names the writer in errors ("the worker /usr/bin/python3").
    public init(fd: Int32, label: String, maxLineBytes: Int = 1 << 20) {
        self.fd = fd
        self.label = label
        self.maxLineBytes = maxLineBytes
    }

    /// The next line without its newline, or nil at end of file (a last unterminated line is
    /// returned first). `idle` runs at least every `timeoutMilliseconds` until a line arrives.
    public mutating func next(timeoutMilliseconds: Int32, idle: () -> Void) throws(ToolFailure) -> String? {
        while true {
            if let end = buffer[scanned...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[start..<end], as: UTF8.self)
                start = end + 1
                scanned = start
                return line
            }
            scanned = buffer.count
            guard buffer.count - start <= maxLineBytes else { throw .lineTooLong(label: label, limit: maxLineBytes) }
            if start > 0 && start >= buffer.count / 2 {
                buffer.removeSubrange(..<start)  // each byte moved at most once more: linear
                scanned -= start
                start = 0
            }
            idle()
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            do throws(SystemError) {
                guard try Syscall.call("poll", { poll(&poller, 1, timeoutMilliseconds) }) > 0 else { continue }
                let before = buffer.count
                buffer.append(contentsOf: repeatElement(0, count: 65536))
                let count = try Syscall.call("read") {
                    buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + before, 65536) }
                }
                buffer.removeLast(65536 - count)
                if count == 0 {
                    guard start < buffer.count else { return nil }
                    defer {
                        buffer = []
                        start = 0
                        scanned = 0
                    }
                    return String(decoding: buffer[start...], as: UTF8.self)
                }
            } catch {
                throw .unreadable(label: label, error: error)
            }
        }
    }
}
