import AsyncBenchModel
import AsyncBenchResults
import CAsyncBench

#if canImport(Glibc)
    import Glibc
#endif

/// One `posix_spawn` per task of a helper program: this binary with `CASYNCBENCH_HELPER_FLAG`,
/// which a C constructor catches before the Swift runtime's main runs (the Swift libraries are
/// still mapped: ~2.5 ms of exec each on this VM). Beside `fork`, it shows process creation that
/// does not copy the parent: posix_spawn uses vfork and exec. The parent waitpids every helper.
/// Only workloads a separate program can run (sleep, cpu) have a helper form; cells above
/// `--max-spawn` (1000) are skipped by default, as each helper costs milliseconds of CPU.
public struct SpawnBackend: Backend {
    public static let name = "spawn"
    public static let summary =
        "One posix_spawn per task of a small helper (this binary, stopped before Swift's main); the parent waitpids all"
    public static let spawnsHelpers = true

    let options: BackendOptions

    public init(options: BackendOptions) { self.options = options }

    public func run(tasks: Int, body: TaskBody) throws(CellFailure) -> TaskCount {
        guard let helper = body.helper else { throw .setup("this workload has no helper form for spawn") }
        try options.checkCap(tasks: tasks, cap: options.maxProcesses, what: "processes", flag: "--max-procs")
        let path = Self.executable
        var pids = [pid_t](repeating: 0, count: tasks)
        var started: Int64 = 0
        var rc: Int32 = 0
        let tally = TaskTally(tracksInFlight: false)
        tally.creating {
            rc = ProcessIO.withCStrings([path, CASYNCBENCH_HELPER_FLAG, "\(getpid())"] + helper) { argv in
                pids.withUnsafeMutableBufferPointer { buffer in
                    CAsyncBench_spawn_tasks(Int64(tasks), path, argv, buffer.baseAddress, &started)
                }
            }
        }
        try tally.reap(pids[0..<Int(started)], failure: rc, call: "posix_spawn")
        return try tally.result()
    }

    /// This binary (the helper is the program itself).
    static let executable = Files.executablePath ?? "/proc/self/exe"
}
