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

    private static func send(_ line: String) {
        state.withLock { state in
            if !state.started {
                state.started = true
                if let executable = Files.executablePath {
                    var fd: Int32 = -1
                    var pid: pid_t = 0
                    if CAsyncBench_spawn_janitor(executable, &fd, &pid) == 0 { state.socket = fd }
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
