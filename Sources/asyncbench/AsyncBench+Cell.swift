import ArgumentParser
import AsyncBenchAnalysis
import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import AsyncBenchSweep
import CAsyncBench

#if canImport(Glibc)
    import Glibc
#endif

extension AsyncBench {
    /// `asyncbench cell` (hidden): runs one cell in this fresh process, prints its report as one
    /// JSON line on stdout. Started by the sweep, not by hand.
    struct Cell: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run one cell and print its report as JSON (used by the sweep).",
            shouldDisplay: false
        )

        @Option(help: "The cell to run, as JSON.")
        var spec: String

        @Option(help: "The sweep's pid: this process dies with it.")
        var parent: Int32?

        func run() throws {
            if let parent { _ = CAsyncBench_die_with_parent(parent) }
            Janitor.stayAway()  // the sweep's janitor and the cell's cgroup clean up after it
            guard let decoded = JSONCoding.decodeSpec(spec) else {
                throw ValidationError("--spec is not a valid cell description: \(spec)")
            }
            // A thread the runtimes cannot create ends the cell as a `limit` at once: libdispatch
            // would sleep and retry forever (CAsyncBench_on_runtime_thread_failure).
            CAsyncBench_on_runtime_thread_failure { error in
                print(JSONCoding.encode(ResourceCheck.runtimeThreadFailed(error: error)))
                fflush(nil)
                _exit(0)
            }
            print(JSONCoding.encode(CellRunner.run(decoded)))
            fflush(nil)
        }
    }
}
