import CAsyncBench
import TestSupport
import Testing

@testable import AsyncBenchAnalysis
@testable import AsyncBenchCell
@testable import AsyncBenchModel
@testable import AsyncBenchResults
@testable import AsyncBenchSweep

#if canImport(Glibc)
    import Glibc
#endif

/// The `switch` workload: every backend that can run it passes the token the exact number of
/// times, in pairs, and leaves its channels empty for the next repetition.
extension BlockingBackendSuites {
    @Suite struct SwitchTests {
        static let options = BackendOptions(threadStackBytes: 65536, maxThreads: 100, maxProcesses: 100)

        @Test(arguments: ["async", "dispatch", "pthread", "fork"], [2, 6])
        func everyPairCompletesItsRoundsAndLeavesTheChannelsEmpty(backend: String, tasks: Int) throws {
            let body = try SwitchWorkload.testBody(tasks: tasks, .init(rounds: 500))
            let runner = Registry.backend(named: backend)!.init(options: Self.options)
            for _ in 0..<2 {  // twice: the channels are reused by the next repetition
                #expect(try runner.run(tasks: tasks, body: body).completed == tasks)
            }
            // A token sent but not received would be left in a pipe.
            let pipes = try #require(
                body.process.context.assumingMemoryBound(to: CAsyncBench_pingpong.self).pointee.pairs)
            for pair in 0..<(tasks / 2) {
                for fd in [pipes[pair].to_peer1.0, pipes[pair].to_peer0.0] {
                    var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                    #expect(poll(&poller, 1, 0) == 0, "pipe \(fd) of pair \(pair) still holds a token")
                }
            }
        }

        @Test func batonsBalanceEveryHandoff() async {
            let there = Baton()
            let back = Baton()
            let rounds = 1000
            async let second: Void = {
                for _ in 0..<rounds {
                    await there.wait()
                    back.signal()
                }
            }()
            for _ in 0..<rounds {
                there.signal()
                await back.wait()
            }
            await second
            #expect(there.isIdle && back.isIdle)
        }

        @Test func pairsNeedAnEvenTaskCountAndTheSequentialBaselineIsUnsupported() throws {
            var options = RunOptions()
            options.out = temporaryDirectory() + "/out"
            options.workloads = "switch"
            options.tasks = "3"
            #expect(
                throws: UsageError.workloadProblem(
                    "the switch workload runs pairs of peers: --tasks must be even, got 3")
            ) {
                try RunPlan(options)
            }
            options.tasks = nil
            let plan = try RunPlan(options)
            #expect(Set(plan.cells.map(\.spec.tasks)) == [2])
            #expect(Set(plan.cells.map(\.spec.pinned)) == [false, true], "switch runs pinned and unpinned by default")
            let sequential = plan.cells.filter { $0.spec.backend == "sequential" }
            #expect(
                sequential.count == 2
                    && sequential.allSatisfy { $0.skipReason?.contains("cannot run one after") == true })
            #expect(plan.cells.allSatisfy { $0.spec.latencyNanoseconds == 0 })
        }

        @Test func switchNanosecondsIsWallOverTwiceTheRounds() throws {
            var spec = CellSpec.example(backend: "pthread", tasks: 2, latency: 0)
            spec.use("switch")
            spec.update(SwitchWorkload.Parameters.self) { $0.rounds = 1000 }
            let row = ResultRow(spec: spec, report: .example(wallsMilliseconds: [4, 4, 4]))
            #expect(row[SwitchWorkload.switchNanoseconds] == 2000)  // 4 ms / 2000 switches
            #expect(row[SwitchWorkload.rounds] == 1000)
            #expect(
                row[RunnerColumns.efficiency] == nil && row[RunnerColumns.overheadPerTask] == nil,
                "no wait to compare against")
        }

        @Test func theReportJudgesC1FromPinnedSwitches() throws {
            func rows(async: Int64, thread: Int64) -> [ResultRow] {
                ["async", "pthread"].map { backend in
                    var spec = CellSpec.example(backend: backend, tasks: 2, latency: 0)
                    spec.use("switch")
                    spec.pinned = true
                    spec.update(SwitchWorkload.Parameters.self) { $0.rounds = 1000 }
                    let wall = backend == "async" ? async : thread
                    return ResultRow(spec: spec, report: .example(wallsMilliseconds: [wall, wall, wall]))
                }
            }
            let cases: [(Int64, Int64, ClaimsReport.Verdict)] = [
                (1, 6, .supported), (2, 6, .nuanced), (6, 6, .contradicted),
            ]
            for (async, thread, verdict) in cases {
                let report = try ClaimsReportTests.report(rows(async: async, thread: thread))
                #expect(
                    report.findings.first { $0.id == "C1" }?.verdict == verdict,
                    "async \(async) ms, pthread \(thread) ms")
            }
        }

        @Test func aSchemaOneRunStillReadsAsUnpinned() throws {
            let root = String(#filePath).split(separator: "/").dropLast(2).joined(separator: "/")
            let run = try RecordedRun.load("/" + root + "/Fixtures/sleep-run")
            #expect(run.schemaVersion == 1)
            #expect(run.rows.allSatisfy { !$0.key.pinned })
            let switches = try RecordedRun.load("/" + root + "/Fixtures/switch-run")
            #expect(switches.schemaVersion == 2)
            #expect(switches.rows.contains { $0.key.pinned })
        }
    }
}

@Suite struct VerifyTests {
    @Test func perfOutputIsParsed() {
        let output = """
            # Running 'sched/pipe' benchmark:
            # Executed 200000 pipe operations between two processes

                 Total time: 1.297 [sec]

                   6.488820 usecs/op
                     154111 ops/sec
            """
        #expect(Verification.perfMicrosecondsPerOperation(output) == 6.48882)
        #expect(Verification.perfMicrosecondsPerOperation("perf: command not found") == nil)
    }

    @Test func aCheckAgreesWithinItsTolerance() {
        let close = Verification.Check(
            what: "x", asyncbench: 3300, reference: 3100, unit: "ns", referenceName: "perf", tolerance: 0.15)
        let far = Verification.Check(
            what: "x", asyncbench: 4000, reference: 3100, unit: "ns", referenceName: "perf", tolerance: 0.15)
        let unchecked = Verification.Check(
            what: "x", asyncbench: 4000, reference: nil, unit: "ns", referenceName: "perf", tolerance: 0.15)
        #expect(close.agrees == true)
        #expect(far.agrees == false)
        #expect(unchecked.agrees == nil)
        #expect(Verification.render([close, unchecked]).contains("not checked"))
    }
}
