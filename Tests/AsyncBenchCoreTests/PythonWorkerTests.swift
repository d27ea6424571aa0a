import CAsyncBench
import TestSupport
import Testing

@testable import AsyncBenchCell
@testable import AsyncBenchModel
@testable import AsyncBenchResults
@testable import AsyncBenchSweep
@testable import asyncbench

#if canImport(Glibc)
    import Glibc
#endif

/// The Python backends: every workload each runs, at a few tasks, through the real worker
/// (Workers/python/) and the cell's side of the worker protocol; what is skipped and why.
/// Correctness only, with wide margins: no test here judges a speed.
extension BlockingBackendSuites {
    @Suite struct PythonWorkerTests {
        static let backends: [any PythonBackend.Type] = [
            PythonAsyncioBackend.self, PythonThreadsBackend.self, PythonProcessesBackend.self,
        ]

        /// A small cell of `workload` on `backend` (its parameters made small by `change`).
        static func spec(_ backend: String, _ workload: String, tasks: Int = 4) -> CellSpec {
            var spec = CellSpec.example(backend: backend, tasks: tasks, latency: 2_000_000)
            spec.reps = 2
            spec.use(workload)
            if workload == "switch" { spec.update(SwitchWorkload.Parameters.self) { $0.rounds = 200 } }
            if workload == "cpu" {
                spec.update(CPUWorkload.Parameters.self) {
                    $0.work = 20_000
                    $0.interpretedWork = nil
                }
            }
            if workload.hasPrefix("blocking") {
                spec.update(BlockingWorkload.Parameters.self) {
                    $0.blockingFraction = 0.25
                    $0.blockNanoseconds = 5_000_000
                }
            }
            if workload == "net" { spec.update(NetWorkload.Parameters.self) { $0.requests = 3 } }
            return spec
        }

        /// Runs `spec` in this process's cell runner after the workload's own set-up (a folder,
        /// the cpu result), its row built as the sweep builds it.
        static func row(_ spec: CellSpec) throws -> (CellReport, ResultRow) {
            var spec = spec
            let workload = try #require(Registry.workload(named: spec.workload))
            if spec.workload != "net" {  // net: the tests start an in-process server instead
                let setup = try workload.prepare(&spec, executable: "/nonexistent")
                defer { setup.release() }
                let report = CellRunner.run(spec)
                var row = ResultRow(spec: spec, report: report)
                setup.finish(&row)
                return (report, row)
            }
            let server = try LatencyServer(LatencyServer.Configuration(latencyNanoseconds: 2_000_000))
            defer { server.stop() }
            spec.update(NetWorkload.Parameters.self) { $0.serverPort = server.port }
            let report = CellRunner.run(spec)
            var row = ResultRow(spec: spec, report: report)
            NetWorkload.reconcile(&row, with: server.statistics)
            return (report, row)
        }

        @Test(arguments: [0, 1, 2])
        func everyWorkloadRunsOnTheBackendAndReportsItsFigures(_ which: Int) throws {
            try Self.checkEveryWorkload(Self.backends[which])
        }

        /// Whether the interpreter the tests use has uvloop.
        static var uvloopInstalled: Bool { (try? PythonWorker.command(model: "uvloop").get()) != nil }

        @Test(
            .enabled(
                if: uvloopInstalled, "needs uvloop in the interpreter: ASYNCBENCH_PYTHON=a python with uvloop runs it"))
        func everyWorkloadRunsOnUvloopWhereInstalled() throws {
            try Self.checkEveryWorkload(PythonUvloopBackend.self)
        }

        /// Runs every workload of `backend` at 4 tasks and checks its row and figures.
        static func checkEveryWorkload(_ backend: any PythonBackend.Type) throws {
            for workload in backend.workloads {
                let spec = Self.spec(backend.name, workload)
                let (report, row) = try Self.row(spec)
                let cell = "\(backend.name) \(workload)"
                try #require(row.status == .ok, "\(cell): \(row.message)")
                #expect(report.samples.count == 2, "\(cell): the spec's reps")
                #expect(report.samples.allSatisfy { $0.wallNanoseconds > 0 && $0.peakThreads >= 1 }, "\(cell)")
                #expect(report.idleRSSBytes > 1 << 20, "\(cell): the interpreter's RSS")
                switch workload {
                case "sleep", "blocking", "blocking-offload":
                    #expect(report.samples.allSatisfy { $0.wallNanoseconds >= 2_000_000 }, "\(cell)")
                    #expect(row[SleepWorkload.latenessP99].map { $0 > -1000 } == true, "\(cell): lateness")
                case "switch":
                    #expect(row[SwitchWorkload.switchNanoseconds].map { $0 > 0 } == true, "\(cell)")
                case "cpu":
                    #expect(row[CPUWorkload.singleTask].map { $0 > 0 } == true, "\(cell)")
                    #expect(row[CPUWorkload.speedup] != nil, "\(cell)")
                case "net":
                    let sent = 4 * 3 * (spec.warmup + spec.reps)
                    #expect(row[NetWorkload.sent] == sent && row[NetWorkload.answered] == sent, "\(cell)")
                    #expect(row[NetWorkload.serverAnswered] == sent, "\(cell): reconciled with the server")
                    #expect(row[NetWorkload.requestP99].map { $0 >= 2 } == true, "\(cell): a reply after 2 ms")
                case "file", "file-offload", "file-sync", "file-sync-offload":
                    #expect(row[FileWorkload.fileP50].map { $0 > 0 } == true, "\(cell)")
                    #expect(row[FileWorkload.filesPerSecond] != nil, "\(cell)")
                default:
                    Issue.record("\(cell): a workload this test does not check")
                }
            }
        }

        @Test func aWrongCPUResultAndAMissingFileFolderAreErrorRows() throws {
            var spec = Self.spec(PythonThreadsBackend.name, "cpu", tasks: 2)
            spec.update(CPUWorkload.Parameters.self) { $0.expected = 12345 }
            let report = CellRunner.run(spec)
            #expect(report.status == .error && report.message.contains("not 12345"), "\(report.message)")
            var file = Self.spec(PythonAsyncioBackend.name, "file", tasks: 2)
            file.update(FileWorkload.Parameters.self) { $0.fileDirectory = "/nonexistent/folder" }
            let failed = CellRunner.run(file)
            #expect(failed.status == .error && failed.message.contains("/nonexistent/folder"), "\(failed.message)")
        }

        @Test func theThreadAndProcessCapsAreLimitRowsWithTheTasksReached() throws {
            for (backend, cap) in [
                (PythonThreadsBackend.name, "--max-threads"), (PythonProcessesBackend.name, "--max-procs"),
            ] {
                var spec = Self.spec(backend, "sleep", tasks: 5)
                spec.options.maxThreads = 3
                spec.options.maxProcesses = 3
                let report = CellRunner.run(spec)
                #expect(report.status == .limit && report.tasksReached == 3, "\(backend): \(report.message)")
                #expect(report.message.contains("\(cap) 3"), "\(report.message)")
            }
        }

        @Test func processesCountTheirChildrensMemoryAsTheForkBackendDoes() throws {
            let (report, row) = try Self.row(Self.spec(PythonProcessesBackend.name, "sleep", tasks: 4))
            try #require(row.status == .ok, "\(row.message)")
            // Each forked interpreter has at least a few of its own pages (page tables alone are
            // more than 4 KiB), far less than the 1 GiB it would take to be wrong by an order.
            let children = try #require(row[RunnerColumns.childrenPrivate], "children_private_bytes")
            #expect(children > 4 * 16 << 10 && children < 4 << 30, "\(children)")
            let perTask = try #require(row[RunnerColumns.rssPerTask])
            #expect(perTask >= Double(children) / 4, "rss_bytes_per_task includes the children's")
            #expect(report.memory?.allocations == nil, "a worker's allocations are not counted")
            #expect(row[RunnerColumns.allocationsPerTask] == nil)
            // Threads are one process: nothing of children.
            let (_, threads) = try Self.row(Self.spec(PythonThreadsBackend.name, "sleep", tasks: 4))
            #expect(threads[RunnerColumns.childrenPrivate] == nil)
        }

        @Test func thePythonCodeComputesWhatTheCCodeDoes() throws {
            let command = try PythonWorker.command(model: "asyncio").get()
            let folder = String(command[2].dropLast("/asyncbench_worker.py".count))
            let output = try ProcessIO.run(
                [
                    command[0], "-B", "-c",
                    "import sys; sys.path.insert(0, '\(folder)'); import asyncbench_workloads as w; "
                        + "print(w.cpu_work(1000)); print(w.file_pattern(w.file_seed(7), 3000).hex())",
                ], label: "python", task: "compute", stderr: .discard
            ).get().text
            let lines = output.split(separator: "\n").map(String.init)
            try #require(lines.count == 2, "\(output)")
            #expect(lines[0] == "\(CAsyncBench_cpu_work(1000, 42))")
            let bytes = (0..<3000).map { CAsyncBench_file_byte(7, Int64($0)) }
            #expect(lines[1] == bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined())
        }

        @Test func uvloopRunsWhereInstalledAndIsSkippedWithHowToInstallElsewhere() throws {
            let command = try PythonWorker.command(model: "asyncio").get()
            let plan = try RunPlan(
                RunPlanTests.options {
                    $0.backends = PythonUvloopBackend.name
                    $0.workloads = "sleep"
                    $0.tasks = "2"
                })
            // The worker's own check, for an interpreter that lacks uvloop however it was found.
            var report = CellReport(
                status: .error, message: "", tasksReached: nil, samples: [], idleRSSBytes: 0, peakRSSBytes: 0)
            var spec = Self.spec(PythonUvloopBackend.name, "sleep", tasks: 2)
            spec.reps = 1
            try WorkerCell.exchange(spec, command: command.dropLast() + ["uvloop"], into: &report)
            if PythonWorker.imports("uvloop", python: command[0]) {
                #expect(plan.cells.allSatisfy { $0.skipReason == nil })
                #expect(report.status == .ok, "\(report.message)")
            } else {
                let reason = try #require(plan.cells.first?.skipReason)
                #expect(
                    reason.contains("uvloop is not installed") && reason.contains("pip install uvloop"), "\(reason)")
                #expect(!reason.contains("\n"), "one line")
                #expect(report.status == .skipped && report.message.contains("pip install uvloop"), "\(report.message)")
            }
        }

        @Test func aMissingInterpreterOrWorkerSkipsEveryPythonCellWithOneLine() throws {
            defer {
                unsetenv(PythonWorker.interpreterVariable)
                unsetenv(PythonWorker.scriptVariable)
            }
            func reasons() throws -> [String?] {
                try RunPlan(
                    RunPlanTests.options {
                        $0.backends = "python"
                        $0.workloads = "sleep,cpu"
                        $0.tasks = "1"
                    }
                ).cells.map(\.skipReason)
            }
            setenv(PythonWorker.interpreterVariable, "/nonexistent", 1)
            let missing = try reasons()
            #expect(missing.count == 8)
            #expect(
                missing.allSatisfy {
                    $0?.contains("'/nonexistent' is not found") == true && $0?.contains("--python") == true
                },
                "\(missing)")
            unsetenv(PythonWorker.interpreterVariable)
            setenv(PythonWorker.scriptVariable, "/nonexistent/worker.py", 1)
            let noScript = try reasons()
            #expect(noScript.allSatisfy { $0?.contains("/nonexistent/worker.py") == true }, "\(noScript)")
            unsetenv(PythonWorker.scriptVariable)
            #expect(PythonWorker.script()?.hasSuffix("Workers/python/asyncbench_worker.py") == true)
            #expect((try? PythonWorker.describeInterpreter()?.get())?.contains("Python") == true)
        }

        @Test func dashDashPythonPicksTheInterpreterForThePlanAndTheCells() throws {
            defer { unsetenv(PythonWorker.interpreterVariable) }
            let command = try AsyncBench.Run.parse([
                "--python", "/nonexistent", "--backend", "python-threads", "--workload", "sleep", "--tasks", "1",
                "--out", temporaryDirectory() + "/out",
            ])
            let plan = try command.makePlan()
            #expect(PythonWorker.interpreter == "/nonexistent", "in the environment the cell processes inherit")
            #expect(plan.cells.first?.skipReason?.contains("'/nonexistent' is not found") == true)
        }

        @Test func allMeansTheSwiftBackendsAndPythonThePythonOnes() throws {
            func backends(_ list: String) throws -> [String] {
                try RunPlan(
                    RunPlanTests.options {
                        $0.backends = list
                        $0.workloads = "sleep"
                        $0.tasks = "1"
                    }
                ).cells.map(\.spec.backend).uniqued()
            }
            let python = Self.backends.map { $0.name }
            #expect(try backends("all") == Registry.visibleBackendNames)
            #expect(try backends("all").allSatisfy { !$0.hasPrefix("python") })
            #expect(
                try backends("python") == ["python-asyncio", "python-uvloop", "python-threads", "python-processes"])
            #expect(try backends("all,python") == Registry.visibleBackendNames + (try backends("python")))
            #expect(try backends("async,python-threads") == ["async", python[1]])
            #expect(throws: UsageError.self) { try backends("pyhton") }
        }
    }
}
