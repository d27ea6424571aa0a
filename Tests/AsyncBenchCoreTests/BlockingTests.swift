import CAsyncBench
import Testing

@testable import AsyncBenchAnalysis
@testable import AsyncBenchCell
@testable import AsyncBenchModel
@testable import AsyncBenchResults
@testable import AsyncBenchSweep

/// The blocking workloads (C6): which tasks block, that a blocked thread delays the tasks sharing
/// it, that offloading runs only on async backends, and the C6 verdict rule.
@Suite struct BlockingTests {
    @Test func theBlockingTasksAreSpreadEvenly() {
        func blocking(_ tasks: Int, _ fraction: Double) -> [Int] {
            (0..<tasks).filter { CAsyncBench_task_blocks(Int64($0), fraction) != 0 }
        }
        #expect(blocking(100, 0.1) == [9, 19, 29, 39, 49, 59, 69, 79, 89, 99])
        #expect(blocking(10, 0.5) == [1, 3, 5, 7, 9])
        #expect(blocking(10, 0).isEmpty)
        #expect(blocking(10, 1) == Array(0..<10))
    }

    @Test func offloadingRunsOnAsyncBackendsOnly() throws {
        var options = RunPlanTests.options()
        options.workloads = "blocking-offload"
        options.tasks = "10"
        let plan = try RunPlan(options)
        let run = plan.cells.filter { $0.skipReason == nil }.map(\.spec.backend)
        #expect(run == ["async", "executor", "nio"])
        let skipped = try #require(plan.cells.first { $0.spec.backend == "pthread" })
        #expect(skipped.skipReason?.contains("asyncio.to_thread") == true)
    }

    @Test func badBlockingParametersAreRefused() {
        #expect(throws: UsageError.self) {
            try RunPlan(
                RunPlanTests.options {
                    $0.workloads = "blocking"
                    $0.workloadOptions = try! .parse(["--blocking-fraction", "1.5"])
                })
        }
        #expect(throws: UsageError.self) {
            try RunPlan(
                RunPlanTests.options {
                    $0.workloads = "blocking"
                    $0.workloadOptions = try! .parse(["--block-ms=-1"])
                })
        }
    }

    /// A blocking-workload row with the others' lateness p99 at `p99` ms.
    /// With `repetitions`, the lowest and highest p99 of one repetition (ms).
    static func row(
        _ workload: String, _ backend: String, p99: Double, repetitions: ClosedRange<Double>? = nil
    ) -> ResultRow {
        var spec = CellSpec.example(backend: backend, tasks: 100)
        spec.use(workload)
        var report = CellReport.example()
        report.figures.set(
            Percentiles((1...100).map { Double($0) * p99 * 1e6 / 99 }), scale: 1e3, p50: SleepWorkload.latenessP50,
            p99: SleepWorkload.latenessP99, max: SleepWorkload.latenessMax)
        if let repetitions {
            report.figures[SleepWorkload.latenessP99RepetitionMin] = repetitions.lowerBound * 1000
            report.figures[SleepWorkload.latenessP99RepetitionMax] = repetitions.upperBound * 1000
        }
        return ResultRow(spec: spec, report: report)
    }

    @Test func c6IsSupportedWhenTheLoopStallsAndOffloadingFreesIt() throws {
        func verdict(inPlace: Double, offloaded: Double) throws -> ClaimsReport.Verdict? {
            let report = try ClaimsReportTests.report([
                Self.row("blocking", "executor", p99: inPlace),
                Self.row("blocking-offload", "executor", p99: offloaded),
            ])
            return report.findings.first { $0.id == "C6" }?.verdict
        }
        // 20 ms blocking calls (the default --block-ms).
        #expect(try verdict(inPlace: 190, offloaded: 0.5) == .supported)
        #expect(try verdict(inPlace: 1, offloaded: 0.5) == .contradicted)
        #expect(try verdict(inPlace: 190, offloaded: 15) == .nuanced)
        // Under a quarter of the call: the loop resuming 90 tasks one by one is not a stall.
        #expect(try verdict(inPlace: 190, offloaded: 4) == .supported)
        // One repetition's p99 past the threshold: another run could land there.
        let report = try ClaimsReportTests.report([
            Self.row("blocking", "executor", p99: 190, repetitions: 185...195),
            Self.row("blocking-offload", "executor", p99: 1, repetitions: 0.6...6.5),
        ])
        let c6 = try #require(report.findings.first { $0.id == "C6" })
        #expect(c6.verdict == .inconclusive)
        #expect(
            c6.headline.contains("190 ms [185–195] late at p99") && c6.headline.contains("1 ms [0.6–6.5] offloaded"))
    }
}

extension BlockingBackendSuites {
    @Suite struct BlockingWorkloadTests {
        static func spec(_ workload: String, _ backend: String) -> CellSpec {
            var spec = CellSpec.example(backend: backend, tasks: 10, latency: 10_000_000)
            spec.use(workload)
            spec.reps = 2
            spec.warmup = 0
            return spec
        }

        @Test func onOneThreadABlockingCallDelaysTheOtherTasks() throws {
            // 10 tasks wait 10 ms to a shared deadline; task 9 first blocks the executor's only
            // thread for 20 ms, so the other nine cannot wake before it returns: ≥ 10 ms late.
            let report = CellRunner.run(Self.spec("blocking", "executor"))
            #expect(report.status == .ok, "\(report.message)")
            #expect(
                report.figures[SleepWorkload.latenessSamples] == 9 * 2,
                "only the nine tasks that did not block, per repetition")
            let p50 = try #require(report.figures[SleepWorkload.latenessP50])
            #expect(p50 >= 5_000, "\(p50) µs")
        }

        @Test(arguments: ["async", "executor"])
        func offloadedCallsAreAwaitedAndEveryTaskIsCounted(backend: String) throws {
            let report = CellRunner.run(Self.spec("blocking-offload", backend))
            #expect(report.status == .ok, "\(report.message)")
            #expect(report.figures[SleepWorkload.latenessSamples] == 9 * 2)
            // The nine others still wake no earlier than the deadline.
            #expect((report.figures[SleepWorkload.latenessP50] ?? -1) >= 0)
            // The blocking task waited for its offloaded call: a repetition lasts ≥ 20 ms.
            #expect(report.samples.allSatisfy { $0.wallNanoseconds >= 20_000_000 })
        }
    }
}
