import CAsyncBench
import TestSupport
import Testing

@testable import AsyncBenchCell
@testable import AsyncBenchModel
@testable import AsyncBenchResults
@testable import AsyncBenchSweep

#if canImport(Glibc)
    import Glibc
#endif

/// The Go and Node.js backends: every workload each runs, at a few tasks, through the real
/// worker after its one-time build; a missing runtime, a worker that does not build. Correctness
/// only, with wide margins: no test here judges a speed.
extension BlockingBackendSuites {
    @Suite struct CompiledWorkerTests {
        static var goInstalled: Bool { (try? GoWorker.locate().get()) != nil }
        static var nodeInstalled: Bool { (try? NodeWorker.locate().get()) != nil }

        /// Builds `backend`'s worker, then runs every workload it implements at 4 tasks and
        /// checks its row and figures as the Python workers' are checked.
        static func checkEveryWorkload(_ backend: any Backend.Type) throws {
            let worker = backend.worker
            let program = try #require(worker)
            let build = try #require(program.build)
            let built = try build.run().get()
            #expect(built.seconds > 0 && !built.version.isEmpty, "\(built)")
            for workload in program.workloads {
                let spec = PythonWorkerTests.spec(backend.name, workload)
                let (report, row) = try PythonWorkerTests.row(spec)
                let cell = "\(backend.name) \(workload)"
                try #require(row.status == .ok, "\(cell): \(row.message)")
                #expect(report.samples.count == 2, "\(cell): the spec's reps")
                #expect(report.samples.allSatisfy { $0.wallNanoseconds > 0 && $0.peakThreads >= 1 }, "\(cell)")
                #expect(report.samples.allSatisfy { $0.peakInFlight.map { (1...4).contains($0) } == true }, "\(cell)")
                #expect(report.idleRSSBytes > 1 << 20, "\(cell): the runtime's RSS")
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

        @Test(.enabled(if: goInstalled, "needs go on PATH: apt-get install golang-go"))
        func everyGoWorkloadRunsAndReportsItsFigures() throws {
            try Self.checkEveryWorkload(GoBackend.self)
        }

        @Test(.enabled(if: nodeInstalled, "needs node on PATH: apt-get install nodejs"))
        func everyNodeWorkloadRunsAndReportsItsFigures() throws {
            try Self.checkEveryWorkload(NodeBackend.self)
        }

        @Test(.enabled(if: goInstalled && nodeInstalled, "needs go and node"))
        func aWrongCPUResultIsAnErrorRowInEachWorker() throws {
            for backend in [GoBackend.name, NodeBackend.name] {
                let build = Registry.backend(named: backend)?.worker?.build
                _ = try #require(build).run().get()
                var spec = PythonWorkerTests.spec(backend, "cpu", tasks: 2)
                spec.update(CPUWorkload.Parameters.self) { $0.expected = 12345 }
                let report = CellRunner.run(spec)
                #expect(
                    report.status == .error && report.message.contains("not 12345"), "\(backend): \(report.message)")
            }
        }

        @Test func aMissingRuntimeSkipsEveryCellWithOneLineNamingTheDebianPackage() throws {
            defer {
                unsetenv(GoWorker.toolchainVariable)
                unsetenv(NodeWorker.interpreterVariable)
            }
            setenv(GoWorker.toolchainVariable, "/nonexistent/go", 1)
            setenv(NodeWorker.interpreterVariable, "/nonexistent/node", 1)
            let plan = try RunPlan(
                RunPlanTests.options {
                    $0.backends = "go,node"
                    $0.workloads = "sleep,cpu"
                    $0.tasks = "2"
                })
            #expect(plan.cells.count == 4)
            for cell in plan.cells {
                let reason = try #require(cell.skipReason, "\(cell.spec.backend)")
                let package = cell.spec.backend == "go" ? "apt-get install golang-go" : "apt-get install nodejs"
                #expect(reason.contains("is not installed: \(package)") && !reason.contains("\n"), "\(reason)")
            }
            // Skipped cells need no build.
            #expect(WorkerBuilds.run(for: plan.cells).records.isEmpty)
        }

        @Test func goHasNoOffloadWorkloadsAndSaysWhy() throws {
            for workload in ["blocking-offload", "file-offload", "file-sync-offload"] {
                let reason = try #require(Registry.unsupportedReason(backend: GoBackend.name, workload: workload))
                #expect(reason.hasPrefix("Go has no offload to ask for"), "\(reason)")
            }
            #expect(!GoWorker.workloads.contains { $0.hasSuffix("-offload") })
        }

        /// A Go source folder whose main.go does not compile, and a Node one that does not parse.
        static func brokenSources() throws -> (go: String, node: String) {
            let go = temporaryDirectory()
            try Files.writeAtomically("module broken\n\ngo 1.19\n", to: go + "/go.mod")
            try Files.writeAtomically("package main\n\nfunc main() {\n\tundefinedThing()\n}\n", to: go + "/main.go")
            let node = temporaryDirectory()
            try Files.writeAtomically("'use strict';\nconst = 3;\n", to: node + "/asyncbench_worker.js")
            return (go, node)
        }

        @Test(.enabled(if: goInstalled && nodeInstalled, "needs go and node"))
        func aWorkerThatDoesNotBuildMakesEveryCellAnErrorWithTheCompilersFirstErrorLine() throws {
            let broken = try Self.brokenSources()
            setenv(GoWorker.sourcesVariable, broken.go, 1)
            setenv(NodeWorker.sourcesVariable, broken.node, 1)
            defer {
                unsetenv(GoWorker.sourcesVariable)
                unsetenv(NodeWorker.sourcesVariable)
            }
            let plan = try RunPlan(
                RunPlanTests.options {
                    $0.backends = "go,node"
                    $0.workloads = "sleep,cpu"
                    $0.tasks = "2"
                })
            #expect(plan.cells.allSatisfy { $0.skipReason == nil }, "the runtimes are there: the cells are planned")
            let builds = WorkerBuilds.run(for: plan.cells)
            let go = try #require(builds.failures["go"])
            #expect(go.contains("main.go:4:2: undefined: undefinedThing"), "\(go)")
            #expect(go.hasPrefix("the go worker did not build: ") && !go.contains("\n"), "\(go)")
            let node = try #require(builds.failures["node"])
            #expect(node.contains("SyntaxError") && node.contains("asyncbench_worker.js:2"), "\(node)")
            #expect(builds.records.map(\.status) == ["error", "error"])
        }

        @Test func theFirstErrorLineIsTheCompilersNotItsHeading() {
            let go = "# broken\n./main.go:4:2: undefined: x\n./main.go:5:2: undefined: y\n"
            #expect(CompiledWorker.firstErrorLine(go, fallback: "-") == "./main.go:4:2: undefined: x")
            let rust = "   Compiling w v0.1.0\nerror[E0425]: cannot find value `x`\n --> src/main.rs:3:5\n"
            #expect(CompiledWorker.firstErrorLine(rust, fallback: "-") == "error[E0425]: cannot find value `x`")
            let node = "/w/a.js:2\nconst = 3;\n      ^\n\nSyntaxError: Missing initializer in const declaration\n"
            #expect(CompiledWorker.firstErrorLine(node, fallback: "-").hasPrefix("SyntaxError: "))
            #expect(CompiledWorker.firstErrorLine("", fallback: "go build exited with 1") == "go build exited with 1")
        }

        @Test func theBuildFolderFollowsTheSourcesAndIsPrivate() throws {
            let sources = temporaryDirectory()
            try Files.writeAtomically("package main\n", to: sources + "/main.go")
            let first = CompiledWorker.buildFolder(name: "go", sources: sources)
            #expect(first.hasPrefix(CompiledWorker.buildRoot + "/go-"))
            #expect(
                CompiledWorker.buildFolder(name: "go", sources: sources) == first, "the same sources, the same folder")
            try Files.writeAtomically("package main\n\nfunc main() {}\n", to: sources + "/main.go")
            #expect(CompiledWorker.buildFolder(name: "go", sources: sources) != first, "other sources, another folder")
            let folder = CompiledWorker.buildFolder(name: "go", sources: sources)
            let made = try CompiledWorker.makeBuildFolder(name: "go", folder: folder)
            for checked in [made, Files.parent(of: made)] {
                let info = try #require(Files.linkStatus(checked))
                #expect(info.st_mode & 0o7777 == 0o700 && info.st_uid == geteuid(), "\(checked) private to the user")
            }
            Files.removeTree(made)
        }
    }
}
