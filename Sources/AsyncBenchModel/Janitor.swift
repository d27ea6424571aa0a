import CAsyncBench
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Removes folders the sweep made even when the sweep cannot: a small process of its own (the
/// asyncbench binary started as `__asyncbench-janitor`, see CAsyncBench_janitor.h) that holds one end
/// of a socket pair. The sweep lists a folder with `watch` before a cell writes into it and
/// unlists it with `forget` once it removed it itself; if the sweep dies first, even by SIGKILL,
/// the kernel closes its end and the janitor removes what is still listed.
public enum Janitor {
    private struct State {
        var socket: Int32 = -1
        var pid: pid_t = 0
        var started = false
    }

    private static let state = Mutex(State())

    /// Lists `folder` for removal should this process die before `forget(folder)`. Starts the
    /// janitor on first use; when it cannot start (no executable path, spawn failed), the folder
    /// is left to the next run's clean-up of folders whose maker is gone.
    public static func watch(_ folder: String) {
        send("+" + Files.absolute(folder))
    }

    /// Unlists `folder`: this process removed it, or keeps it on purpose.
    public static func forget(_ folder: String) {
        send("-" + Files.absolute(folder))
    }

    /// Makes `watch` and the others do nothing in this process: a cell, whose processes the
    /// sweep's cgroup and group kills end, and whose janitor would sit in the measured cgroup.
    public static func stayAway() {
        state.withLock { $0.started = true }
    }

    /// Lists the process group `group` (a tool's, see `ProcessIO.run`) for SIGKILL should this
    /// process die before `forgetGroup(group)`: PR_SET_PDEATHSIG takes the tool along, not
    /// what the tool started.
    public static func watchGroup(_ group: pid_t) {
        send("g\(group)")
    }

    /// Unlists `group`: this process killed and reaped it.
    public static func forgetGroup(_ group: pid_t) {
        send("G\(group)")
    }

    /// Ends the janitor in order, when this process exits (registered with `atexit` when the
    /// janitor starts): it removes what is still listed at once, and is reaped here (within 2 s),
    /// so that no process of the run outlives it, not even as a zombie waiting for init.
    public static func finish() {
        let (socket, pid) = state.withLock { state in
            defer {
                state.socket = -1
                state.pid = 0
            }
            return (state.socket, state.pid)
        }
        guard socket >= 0 else { return }
        _ = CAsyncBench_janitor_send(socket, ".\n")
        close(socket)
        if pid > 0 { _ = WaitStatus.wait(for: pid, graceNanoseconds: 2_000_000_000) }
    }

    private static func send(_ line: String) {
        state.withLock { state in
            if !state.started {
                state.started = true
                if let executable = Files.executablePath {
                    var fd: Int32 = -1
                    var pid: pid_t = 0
                    if CAsyncBench_spawn_janitor(executable, &fd, &pid) == 0 {
                        state.socket = fd
                        state.pid = pid
                        atexit { Janitor.finish() }
                    }
                }
            }
            guard state.socket >= 0 else { return }
            if CAsyncBench_janitor_send(state.socket, line + "\n") != 0 {
                close(state.socket)
                state.socket = -1
            }
        }
    }
}
