import CAsyncBench

#if canImport(Glibc)
    import Glibc
#endif

/// How a child process ended, decoded from a `waitpid` status.
public enum WaitStatus: Equatable, Sendable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    /// Decodes a raw status the way WIFEXITED / WEXITSTATUS / WTERMSIG do.
    public init(raw: Int32) {
        let signal = raw & 0x7f
        self = signal == 0 ? .exited((raw >> 8) & 0xff) : .signaled(signal)
    }

    /// Waits for `pid` (EINTR retried by `Syscall`); `usage` receives the child's rusage (wait4), the
    /// kernel's own accounting of it (ru_maxrss is its peak RSS in KiB).
    public static func wait(for pid: pid_t, usage: UnsafeMutablePointer<rusage>? = nil) -> Result<
        WaitStatus, SystemError
    > {
        var raw: Int32 = 0
        return Result { () throws(SystemError) in
            _ = try Syscall.call("wait4") { wait4(pid, &raw, 0, usage) }
            return WaitStatus(raw: raw)
        }
    }

    /// Waits at most `graceNanoseconds` for `pid` to exit, then kills it (SIGKILL) and waits for
    /// that; `usage` as in `wait(for:usage:)`.
    public static func wait(
        for pid: pid_t, graceNanoseconds: Int64, usage: UnsafeMutablePointer<rusage>? = nil
    ) -> Result<WaitStatus, SystemError> {
        let deadline = CAsyncBench_monotonic_ns() + graceNanoseconds
        var raw: Int32 = 0
        while CAsyncBench_monotonic_ns() < deadline {
            do throws(SystemError) {
                if try Syscall.call("wait4", { wait4(pid, &raw, WNOHANG, usage) }) == pid {
                    return .success(WaitStatus(raw: raw))
                }
            } catch {
                return .failure(error)
            }
            usleep(1000)
        }
        kill(pid, SIGKILL)
        return wait(for: pid, usage: usage)
    }

    /// "SIGSEGV" for signal 11.
    public static func signalName(_ signal: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 32)
        return String(cString: CAsyncBench_signal_name(signal, &buffer, buffer.count))
    }

    public var description: String {
        switch self {
        case .exited(let code): return "exited with status \(code)"
        case .signaled(let signal): return "killed by \(Self.signalName(signal))"
        }
    }
}
