import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import CAsyncBench

#if canImport(Glibc)
    import Glibc
#endif

/// Runs one cell in a fresh `asyncbench cell` process, in its own process group, under a
/// timeout, and reads its report from its stdout pipe.
///
/// A cell that runs too long is killed with its whole group (forked children included); one that
/// dies from a signal or exits without a report becomes a row saying so. Either way the sweep
/// goes on.
public enum CellProcess {
    /// How the cell process ended.
    public enum Outcome: Equatable, Sendable {
        case reported(CellReport)
        case timedOut
        case crashed(signal: Int32, stderr: String)
        case failed(WaitStatus, stderr: String)
        /// The sweep was interrupted (SIGINT/SIGTERM/SIGHUP) while this cell ran.
        case interrupted(signal: Int32)
    }

    /// The arguments that make `asyncbench` run `spec` as a cell.
    public static func arguments(for spec: CellSpec) -> [String] {
        ["cell", "--spec", JSONCoding.encode(spec), "--parent", "\(getpid())"]
    }

    /// Runs the cell and waits for it, at most `timeoutNanoseconds`. `usage`, when given,
    /// receives the kernel's rusage of the cell process (wait4).
    ///
    /// A spec without a kernel-memory plan gets one (`KernelMemory.planForCell`): under a cgroup
    /// source, a fresh cgroup that the cell moves into, removed here once the cell and its group
    /// are gone (and by the janitor should this process die first).
    public static func run(
        executable: String, spec: CellSpec, timeoutNanoseconds: Int64, usage: UnsafeMutablePointer<rusage>? = nil
    ) throws(SystemError) -> Outcome {
        var spec = spec
        var cgroup: String?
        if spec.kernelMemory == nil {
            let plan = KernelMemory.planForCell()
            spec.kernelMemory = plan
            cgroup = plan.cgroup
        }
        defer { if let cgroup { KernelMemory.removeCgroup(cgroup) } }
        return try runProcess(executable: executable, spec: spec, timeoutNanoseconds: timeoutNanoseconds, usage: usage)
    }

    static func runProcess(
        executable: String, spec: CellSpec, timeoutNanoseconds: Int64, usage: UnsafeMutablePointer<rusage>?
    ) throws(SystemError) -> Outcome {
        let output = try ProcessIO.Pipe()
        let errors: ProcessIO.Pipe
        do {
            errors = try ProcessIO.Pipe()
        } catch {
            output.closeBoth()
            throw error
        }
        let argv = [executable] + arguments(for: spec)
        var pid: pid_t = 0
        // jemalloc cells get it in LD_PRELOAD; were it gone since the plan checked, the cell
        // would run on glibc, notice, and report an error row.
        let environment = (try? spec.allocator.cellEnvironment()) ?? nil
        let rc = ProcessIO.withCStrings(argv) { arguments in
            if let environment {
                return ProcessIO.withCStrings(environment) { envp in
                    CAsyncBench_spawn(executable, arguments, envp, output.write, errors.write, &pid)
                }
            }
            return CAsyncBench_spawn(executable, arguments, nil, output.write, errors.write, &pid)
        }
        output.closeWrite()
        errors.closeWrite()
        guard rc == 0 else {
            output.closeRead()
            errors.closeRead()
            throw SystemError("posix_spawn \(executable)", errno: rc)
        }
        CAsyncBench_set_child_group(pid)
        // A signal that arrived between spawn and set_child_group: kill the group now.
        if CAsyncBench_interrupted() != 0 { kill(-pid, SIGKILL) }

        let deadline = Measurement.monotonicNanoseconds() + timeoutNanoseconds
        var stdoutBytes: [UInt8] = []
        var stderrBytes: [UInt8] = []
        var timedOut = false
        var open = [output.read, errors.read]
        // Once the cell's stdout ends (it exited), its stderr gets half a second more: a process
        // the cell left (a worker's setsid grandchild) may hold it open; the cgroup kill ends it.
        var stderrUntil: Int64?
        while !open.isEmpty {
            if let stderrUntil, Measurement.monotonicNanoseconds() > stderrUntil { break }
            if stderrUntil == nil, !open.contains(output.read) {
                stderrUntil = Measurement.monotonicNanoseconds() + 500_000_000
            }
            let remaining = deadline - Measurement.monotonicNanoseconds()
            if remaining <= 0 {
                timedOut = true
                kill(-pid, SIGKILL)
                break
            }
            if CAsyncBench_interrupted() != 0 { break }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            // A signal interrupts the wait: the loop then sees the interrupt flag.
            do throws(SystemError) {
                _ = try Syscall.call("poll", retryOnInterrupt: false) {
                    poll(&fds, nfds_t(fds.count), Int32(min(remaining / 1_000_000 + 1, 1000)))
                }
            } catch {
                if error.isInterrupted { continue }
                kill(-pid, SIGKILL)
                break
            }
            for entry in fds where entry.revents != 0 {
                var chunk = [UInt8](repeating: 0, count: 65536)
                let count =
                    (try? Syscall.call("read") {
                        chunk.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                    })
                    ?? 0
                if count > 0 {
                    if entry.fd == output.read {
                        stdoutBytes += chunk[0..<count]
                    } else {
                        stderrBytes += chunk[0..<count]
                        if stderrBytes.count > 65536 { stderrBytes.removeFirst(stderrBytes.count - 16384) }
                    }
                } else {
                    open.removeAll { $0 == entry.fd }  // end of file, or a read error
                }
            }
        }
        let interrupted = CAsyncBench_interrupted()
        if interrupted != 0 { kill(-pid, SIGKILL) }
        output.closeRead()
        errors.closeRead()
        let status = WaitStatus.wait(for: pid, usage: usage)
        // No leftovers: anything still in the cell's group (e.g. an orphaned fork child) goes too.
        kill(-pid, SIGKILL)
        CAsyncBench_set_child_group(0)

        if interrupted != 0 { return .interrupted(signal: Int32(interrupted)) }
        if timedOut { return .timedOut }
        let stderrText = String(decoding: stderrBytes, as: UTF8.self)
        switch status {
        case .failure(let error):
            throw error
        case .success(.signaled(let signal)):
            return .crashed(signal: signal, stderr: stderrText)
        case .success(let exit):
            let lines = String(decoding: stdoutBytes, as: UTF8.self).split(separator: "\n")
            if exit == .exited(0), let last = lines.last, let report = JSONCoding.decodeReport(String(last)) {
                return .reported(report)
            }
            return .failed(exit, stderr: stderrText)
        }
    }
}
