import Testing

@testable import AsyncBenchAnalysis
@testable import AsyncBenchCell
@testable import AsyncBenchModel
@testable import AsyncBenchResults
@testable import AsyncBenchSweep

/// The yield workload: every backend that runs it completes every task's yields; yield_ns is
/// wall / (tasks × rounds). Small N and rounds; no speed is asserted.
extension BlockingBackendSuites {
    @Suite struct YieldTests {
        @Test(arguments: ["async", "executor", "nio", "dispatch", "pthread", "threadpool", "fork", "sequential"])
        func everyTaskYieldsItsRounds(backend: String) throws {
            var spec = CellSpec.example(backend: backend, tasks: 3, latency: 0)
            spec.use("yield")
            spec.update(SwitchWorkload.Parameters.self) { $0.rounds = 500 }
            spec.reps = 2
            let report = CellRunner.run(spec)
            #expect(report.status == .ok, "\(report.message)")
            #expect(report.samples.count == 2)
            let row = ResultRow(spec: spec, report: report)
            #expect((row[YieldWorkload.yieldNanoseconds] ?? 0) > 0)
            #expect(row[SwitchWorkload.rounds] == 500)
        }

        @Test func yieldNanosecondsIsWallOverTasksTimesRounds() {
            var spec = CellSpec.example(backend: "pthread", tasks: 2, latency: 0)
            spec.use("yield")
            spec.update(SwitchWorkload.Parameters.self) { $0.rounds = 1000 }
            let row = ResultRow(spec: spec, report: .example(wallsMilliseconds: [4, 4, 4]))
            #expect(row[YieldWorkload.yieldNanoseconds] == 2000)  // 4 ms / (2 × 1000) yields
            #expect(row[RunnerColumns.efficiency] == nil, "no wait to compare against")
        }

        @Test func thePlanSweepsItAtLatencyZeroAndSkipsTheHelper() throws {
            let plan = try RunPlan(
                RunPlanTests.options {
                    $0.workloads = "yield"
                    $0.workloadOptions = try! .parse(["--rounds", "10"])
                })
            #expect(Set(plan.cells.map(\.spec.tasks)) == [1, 2, 10])
            #expect(plan.cells.allSatisfy { $0.spec.latencyNanoseconds == 0 })
            let spawn = plan.cells.filter { $0.spec.backend == "spawn" }
            #expect(!spawn.isEmpty && spawn.allSatisfy { $0.skipReason != nil })
            #expect(throws: UsageError.self) {
                try RunPlan(
                    RunPlanTests.options {
                        $0.workloads = "yield"
                        $0.workloadOptions = try! .parse(["--rounds", "0"])
                    })
            }
        }
    }
}
