import TestSupport
import Testing

@testable import AsyncBenchCell
@testable import AsyncBenchModel
@testable import AsyncBenchResults
@testable import AsyncBenchSweep

#if canImport(Glibc)
    import Glibc
#endif

/// The worker seam: a backend whose cells run in a program outside the cell process, which gets
/// the cell spec as JSON and answers its report as JSON, measured from outside. The fixture
/// worker (Tests/Fixtures/worker/sleep_worker.py) runs the sleep workload on asyncio.
extension BlockingBackendSuites {
    @Suite struct WorkerTests {
        static let fixture: String = {
            let root = String(#filePath).split(separator: "/").dropLast(3).joined(separator: "/")
            return "/" + root + "/Tests/Fixtures/worker/sleep_worker.py"
        }()

        /// A cell of the worker-test backend, its worker the script at `worker`.
        static func run(worker: String, workload: String = "sleep", tasks: Int = 20) -> CellReport {
            setenv("ASYNCBENCH_TEST_WORKER", worker, 1)
            defer { unsetenv("ASYNCBENCH_TEST_WORKER") }
            var spec = CellSpec.example(backend: TestWorkerBackend.name, tasks: tasks, latency: 5_000_000)
            spec.use(workload)
            return CellRunner.run(spec)
        }

        /// A worker script in a temporary folder with `body` as its Python source.
        static func script(_ body: String) throws -> String {
            let path = temporaryDirectory() + "/worker.py"
            try Files.writeAtomically(body, to: path)
            return path
        }

        @Test func theWorkerRunsTheCellAndIsMeasuredFromOutside() throws {
            let report = Self.run(worker: Self.fixture)
            #expect(report.status == .ok, "\(report.message)")
            #expect(report.samples.count == 3, "the spec's reps, timed by the worker")
            #expect(report.samples.allSatisfy { $0.wallNanoseconds >= 5_000_000 && $0.peakThreads >= 1 })
            #expect(report.idleRSSBytes > 1 << 20 && report.peakRSSBytes >= report.idleRSSBytes, "the worker's RSS")
            #expect(report.figures[SleepWorkload.latenessP99] != nil, "the workload's figures come through")
            let row = ResultRow(
                spec: .example(backend: TestWorkerBackend.name, tasks: 20, latency: 5_000_000), report: report)
            #expect(row[RunnerColumns.rssPerTask] != nil && row[RunnerColumns.efficiency] != nil)
        }

        @Test func aWorkerThatBreaksTheProtocolIsAnErrorSayingSo() throws {
            let garbage = Self.run(worker: try Self.script("import sys\nsys.stdin.readline()\nprint('hello')\n"))
            #expect(garbage.status == .error)
            #expect(
                garbage.message.contains("broke the protocol") && garbage.message.contains("hello"),
                "\(garbage.message)")
            let silent = Self.run(worker: try Self.script("import sys\nsys.stdin.readline()\nsys.exit(3)\n"))
            #expect(silent.status == .error)
            #expect(silent.message.contains("exited with status 3 without a report"), "\(silent.message)")
            let hanging = Self.run(
                worker: try Self.script(
                    "import sys, json\nsys.stdin.readline()\nprint(json.dumps({'event': 'report'}))\n"))
            #expect(hanging.status == .error && hanging.message.contains("expected a ready line"), "\(hanging.message)")
        }

        @Test func theProtocolIsStrict() throws {
            func worker(ready: Bool, samples: String, figures: String = "{}") throws -> String {
                let report =
                    "{'event': 'report', 'status': 'ok', 'message': '', 'samples': \(samples), 'figures': \(figures)}"
                return try Self.script(
                    "import sys, json\nsys.stdin.readline()\n"
                        + (ready ? "print(json.dumps({'event': 'ready'}), flush=True)\nsys.stdin.readline()\n" : "")
                        + "print(json.dumps(\(report)), flush=True)\nsys.stdin.read()\n")
            }
            let sample =
                "[{'wallNanoseconds': 6000000, 'userSeconds': 0.001, 'systemSeconds': 0, 'voluntarySwitches': 1, 'involuntarySwitches': 0}]"
            let early = Self.run(worker: try worker(ready: false, samples: sample))
            #expect(early.status == .error && early.message.contains("expected a ready line"), "\(early.message)")
            let empty = Self.run(worker: try worker(ready: true, samples: "[]"))
            #expect(empty.status == .error && empty.message.contains("0 measured repetitions"), "\(empty.message)")
            let partial = Self.run(worker: try worker(ready: true, samples: "[{'wallNanoseconds': 6000000}]"))
            #expect(partial.status == .error && partial.message.contains("does not decode"), "\(partial.message)")
            // A worker's figures go into its row only under the workload's own columns.
            let sneaky = Self.run(
                worker: try worker(ready: true, samples: sample, figures: "{'wall_ms_median': 0.001}"))
            #expect(sneaky.status == .ok, "\(sneaky.message)")
            let spec = CellSpec.example(backend: TestWorkerBackend.name, tasks: 20, latency: 5_000_000)
            var sleep = spec
            sleep.use("sleep")
            let row = ResultRow(spec: sleep, report: sneaky)
            #expect(row[RunnerColumns.wallMedian] == 6, "the runner's wall time, not the worker's figure")
            #expect(row[RunnerColumns.peakRSS] != nil, "peak RSS read while the worker waited")
            // A figure of the wrong type is no figure: an error row naming it (issue 26).
            let text = Self.run(
                worker: try worker(ready: true, samples: sample, figures: "{'lateness_us_p99': 'late'}"))
            #expect(text.status == .error, "\(text.message)")
            #expect(text.message.contains("lateness_us_p99 'late' is not a decimal number"), "\(text.message)")
        }

        @Test func workloadsTheWorkerLacksAndAMissingWorkerAreSkippedWithTheReason() throws {
            unsetenv("ASYNCBENCH_TEST_WORKER")
            let plan = try RunPlan(
                RunPlanTests.options {
                    $0.backends = TestWorkerBackend.name
                    $0.workloads = "sleep,file"
                    $0.tasks = "1"
                })
            #expect(plan.cells.count == 2)
            #expect(plan.cells[0].skipReason?.contains("set ASYNCBENCH_TEST_WORKER") == true)
            #expect(plan.cells[1].skipReason?.contains("implements sleep; not file") == true)
            let all = try RunPlan(RunPlanTests.options { $0.tasks = "1" })
            #expect(!all.cells.contains { $0.spec.backend == TestWorkerBackend.name }, "hidden from 'all'")
        }
    }
}
