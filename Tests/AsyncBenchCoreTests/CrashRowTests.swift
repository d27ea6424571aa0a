import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import AsyncBenchSweep
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A crashed cell's row names the crash (the runtime's "Program crashed" line, not the
/// backtracer's last line), and is a `limit` naming the address space only under ulimit -v.
@Suite struct CrashRowTests {
    static let stderr = """
        *** Program crashed: Bad pointer dereference at 0x0000000000000000 ***

        Thread 0 "asyncbench":
        ...
        Backtrace took 0.46s
        """

    @Test func aCrashIsNamedByTheRuntimesCrashLine() throws {
        try #require(ResourceCheck.addressSpaceLimit == nil, "this test runs without ulimit -v")
        let spec = CellSpec(
            backend: "async", workload: "sleep", tasks: 1, latencyNanoseconds: 1_000_000,
            options: BackendOptions(threadStackBytes: 0, maxThreads: 10, maxProcesses: 10), reps: 1, warmup: 0)
        let row = Sweep.row(spec: spec, outcome: .crashed(signal: SIGSEGV, stderr: Self.stderr), timeout: 0)
        #expect(row.status == .crashed)
        #expect(row.message == "killed by SIGSEGV: Program crashed: Bad pointer dereference at 0x0000000000000000")
    }

    @Test func underAnAddressSpaceLimitACrashIsALimitRowNamingIt() {
        let cause = ResourceCheck.crashUnderAddressSpaceLimit("killed by SIGSEGV")
        #expect(cause == nil, "no ulimit -v here: a crash stays a crash")
    }
}
