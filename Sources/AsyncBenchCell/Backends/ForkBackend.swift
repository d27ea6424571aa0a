import AsyncBenchModel
import AsyncBenchResults
import CAsyncBench

#if canImport(Glibc)
    import Glibc
#endif

/// One process per task: `fork()` in C; the child runs the workload's async-signal-safe C body
/// and `_exit`s; the parent `waitpid`s every child. Children's CPU time and context switches are
/// counted through RUSAGE_CHILDREN. The cell process stays single-threaded (no sampler thread),
/// so the fork copies one thread. Forking stops at the first failure (EAGAIN) or `--max-procs`.
/// When the body carries `childMemory` (the memory repetition), each child writes its own private
/// memory there before `_exit`.
public struct ForkBackend: Backend {
    public static let name = "fork"
    public static let summary =
        "One fork() per task; the child waits in C and _exits; the parent waitpids all"
    public static let needsSingleThreadedProcess = true

    let options: BackendOptions

    public init(options: BackendOptions) { self.options = options }

    public func run(tasks: Int, body: TaskBody) throws(CellFailure) -> TaskCount {
        try options.checkCap(tasks: tasks, cap: options.maxProcesses, what: "processes", flag: "--max-procs")
        var pids = [pid_t](repeating: 0, count: tasks)
        var started: Int64 = 0
        var rc: Int32 = 0
        let tally = TaskTally(tracksInFlight: false)
        tally.creating {
            rc = pids.withUnsafeMutableBufferPointer { buffer in
                CAsyncBench_fork_tasks(
                    Int64(tasks), body.process.function, body.process.context, buffer.baseAddress, &started,
                    body.childMemory?.slots)
            }
        }
        try tally.reap(pids[0..<Int(started)], failure: rc, call: "fork")
        return try tally.result()
    }
}

extension TaskTally {
    /// Waits for every child process of a run (fork, spawn): exit status 0 is a completed task,
    /// anything else a failed one. `failure`, the errno of a creation that failed, makes it a
    /// `limit` with the number started.
    func reap(_ pids: ArraySlice<pid_t>, failure: Int32, call: String) throws(CellFailure) {
        for pid in pids {
            switch WaitStatus.wait(for: pid) {
            case .success(.exited(0)): complete()
            case .success(let status): fail("child \(pid) \(status)")
            case .failure(let error): fail(error.description)
            }
        }
        if failure != 0 {
            throw .limit(reached: pids.count, cause: SystemError(call, errno: failure).description)
        }
    }
}
