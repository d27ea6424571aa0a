import CAsyncBench
import TestSupport
import Testing

@testable import AsyncBenchAnalysis
@testable import AsyncBenchCell
@testable import AsyncBenchModel
@testable import AsyncBenchResults
@testable import AsyncBenchSweep

extension BlockingBackendSuites {
    /// The `cpu` workload: real work whose result is checked, a speedup by the stated formula.
    @Suite struct CPUTests {
        @Test func theWorkIsRealAndItsResultChecked() throws {
            // Deterministic, and every round changes the result: the loop cannot be dropped.
            #expect(CAsyncBench_cpu_work(1000, 42) == CAsyncBench_cpu_work(1000, 42))
            #expect(CAsyncBench_cpu_work(1000, 42) != CAsyncBench_cpu_work(1001, 42))
            let body = try CPUWorkload.testBody(tasks: 4, .init(work: 100_000))
            #expect(body.helper == ["cpu", "100000", "\(CAsyncBench_cpu_work(100_000, 42))"])
            #expect((body.figures?()[CPUWorkload.singleTask] ?? 0) > 0, "one task alone was timed")
            for name in ["async", "dispatch", "pthread", "fork", "sequential"] {
                let backend = Registry.backend(named: name)!.init(options: SwitchTests.options)
                #expect(try backend.run(tasks: 4, body: body).completed == 4, "\(name)")
            }
            // A wrong result fails the task, in a thread and in a forked child alike.
            #expect(throws: CellFailure.self) { try CPUWorkload.body(iterations: 100_000, expected: 7) }
            let wrong = TaskBody(
                blocking: { _ in }, async: { _ in },
                process: ProcessTask(
                    function: CAsyncBench_task_cpu, context: CAsyncBench_cpu_task(iterations: 100_000, expected: 7)))
            #expect(throws: CellFailure.self) {
                try ForkBackend(options: SwitchTests.options).run(tasks: 2, body: wrong)
            }
        }

        @Test func withoutDashDashWorkPythonCellsGetATenthOfTheRoundsAndGivenItAppliesToAll() throws {
            func prepared(_ backend: String, _ arguments: [String]) throws -> CPUWorkload.Parameters {
                let plan = try CPUWorkload.erasedPlan(try WorkloadOptions.parse(arguments), latencies: [0])
                var spec = CellSpec.example(backend: backend, tasks: 2, latency: 0)
                spec.workload = CPUWorkload.name
                spec.parameters = plan.parameters
                _ = try CPUWorkload.prepare(&spec, executable: "/nonexistent")
                return try #require(spec.parameters.decode(CPUWorkload.Parameters.self))
            }
            let swift = try prepared("pthread", [])
            #expect(swift.work == CPUWorkload.defaultWork && swift.interpretedWork == nil)
            #expect(swift.expected == CAsyncBench_cpu_work(UInt64(CPUWorkload.defaultWork), 42))
            let python = try prepared("python-threads", [])
            #expect(python.work == CPUWorkload.defaultInterpretedWork && python.interpretedWork == nil)
            #expect(python.expected == CAsyncBench_cpu_work(UInt64(CPUWorkload.defaultInterpretedWork), 42))
            #expect(try prepared("python-threads", ["--work", "5000"]).work == 5000)
            #expect(try prepared("pthread", ["--work", "5000"]).work == 5000)
            #expect(
                WorkloadOptions.defaults.group(CPUWorkload.Options.self).settings == [
                    "work=3000000 (python-*: 1000000)"
                ]
            )
        }

        @Test func speedupIsTasksTimesOneTaskOverWall() {
            var spec = CellSpec.example(backend: "pthread", tasks: 8, latency: 0)
            spec.use("cpu")
            var report = CellReport.example(wallsMilliseconds: [100, 100, 100])
            report.figures[CPUWorkload.singleTask] = 25
            let row = ResultRow(spec: spec, report: report)
            #expect(row[CPUWorkload.speedup] == 2)  // 8 × 25 ms / 100 ms
            #expect(row[CPUWorkload.singleTask] == 25)
        }

        @Test func theReportSaysWhereSwiftDiffersFromPython() throws {
            func rows(async: Int64, executor: Int64? = nil) -> [ResultRow] {
                ([("async", async), ("pthread", 100)] + (executor.map { [("executor", $0)] } ?? [])).map {
                    backend, wall in
                    var spec = CellSpec.example(backend: backend, tasks: 8, latency: 0)
                    spec.use("cpu")
                    var report = CellReport.example(wallsMilliseconds: [wall, wall, wall])
                    report.figures[CPUWorkload.singleTask] = 25
                    return ResultRow(spec: spec, report: report)
                }
            }
            let parallel = try ClaimsReportTests.report(rows(async: 100))  // async 2×, like threads
            let c7 = try #require(parallel.findings.first { $0.id == "C7" })
            #expect(c7.verdict == .contradicted)
            #expect(c7.body.contains("Swift's default executor differs from the document"))
            let serial = try ClaimsReportTests.report(rows(async: 200))  // async 1×, threads 2×
            #expect(serial.findings.first { $0.id == "C7" }?.verdict == .supported)
            // The one-thread executor takes turns like asyncio while Swift's pool does not: nuanced.
            let both = try ClaimsReportTests.report(rows(async: 100, executor: 200))
            let mixed = try #require(both.findings.first { $0.id == "C7" })
            #expect(mixed.verdict == .nuanced)
            #expect(mixed.body.contains("The `executor` backend runs the same async tasks on one thread"))
            #expect(mixed.headline.contains("executor 1.00×"))
        }
    }
}

extension BlockingBackendSuites {
    /// Per-task lateness of the sleep workload: recorded by every backend, summarized exactly.
    @Suite struct LatenessTests {
        @Test func percentilesUseNearestRankOnKnownInputs() throws {
            let hundred = try #require(Percentiles((1...100).map(Double.init).shuffled()))
            #expect(hundred == Percentiles(p50: 50, p90: 90, p99: 99, max: 100, count: 100))
            let ten = try #require(Percentiles([5, 1, 4, 2, 3, 10, 9, 8, 7, 6]))
            #expect(ten.p50 == 5 && ten.p90 == 9 && ten.p99 == 10 && ten.max == 10)
            #expect(Percentiles([42])?.p99 == 42)
            #expect(Percentiles([]) == nil)
        }

        @Test(arguments: ["async", "dispatch", "pthread", "fork", "sequential"])
        func everyTaskRecordsHowLateItWoke(backend: String) async throws {
            let body = try SleepWorkload.testBody(tasks: 6, latency: 2_000_000)
            let runner = Registry.backend(named: backend)!.init(options: SwitchTests.options)
            _ = try await offThePool { try runner.run(tasks: 6, body: body) }
            body.measuredRepetitionEnded?()
            let figures = try #require(body.figures?())
            #expect(figures[SleepWorkload.latenessSamples] == 6)
            // Every slot was written (a forked child writes to shared memory): a task cannot wake
            // before its deadline, and none should be a full second late.
            let earliest = try #require(figures[SleepWorkload.latenessP50])
            let latest = try #require(figures[SleepWorkload.latenessMax])
            #expect(earliest >= 0 && latest < 1_000_000, "\(earliest)-\(latest) µs")
        }

        @Test func theRowReportsLatenessInMicroseconds() {
            var report = CellReport.example()
            report.figures.set(
                Percentiles(p50: 80_000, p90: 150_000, p99: 300_000, max: 900_000, count: 30), scale: 1e3,
                p50: SleepWorkload.latenessP50, p99: SleepWorkload.latenessP99, max: SleepWorkload.latenessMax)
            let row = ResultRow(spec: .example(tasks: 10), report: report)
            let fields = CSV.parse(CSV.header(Registry.schema) + CSV.row(row, Registry.schema))
            let header = fields[0]
            let value = { (name: String) in fields[1][header.firstIndex(of: name)!] }
            #expect(value("lateness_us_p50") == "80")
            #expect(value("lateness_us_p99") == "300")
            #expect(value("lateness_us_max") == "900")
        }
    }
}
