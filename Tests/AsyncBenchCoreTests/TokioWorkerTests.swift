import TestSupport
import Testing

@testable import AsyncBenchCell
@testable import AsyncBenchModel
@testable import AsyncBenchSweep

#if canImport(Glibc)
    import Glibc
#endif

/// The tokio backends: every workload on both runtimes, at a few tasks, through the real worker
/// after its one-time build with Debian's cargo; a missing toolchain, a worker that does not
/// build. Correctness only, with wide margins: no test here judges a speed.
extension BlockingBackendSuites {
    @Suite struct TokioWorkerTests {
        static var tokioInstalled: Bool { (try? TokioWorker.locate().get()) != nil }
        static let needsTokio: Comment = "needs Debian's Rust and tokio: apt-get install cargo librust-tokio-dev"

        @Test(.enabled(if: tokioInstalled, needsTokio))
        func everyWorkloadRunsOnTheMultiThreadRuntimeAndReportsItsFigures() throws {
            try CompiledWorkerTests.checkEveryWorkload(TokioBackend.self)
        }

        @Test(.enabled(if: tokioInstalled, needsTokio))
        func everyWorkloadRunsOnTheCurrentThreadRuntimeAndReportsItsFigures() throws {
            try CompiledWorkerTests.checkEveryWorkload(TokioCurrentThreadBackend.self)
        }

        @Test(.enabled(if: tokioInstalled, needsTokio))
        func theBuildRecordsRustcAndTokioVersionsAndTheCurrentThreadRuntimeUsesOneThread() throws {
            let build = try #require(TokioBackend.worker?.build)
            let built = try build.run().get()
            #expect(built.version.hasPrefix("rustc 1.") && built.version.contains("tokio 1."), "\(built.version)")
            #expect(built.step.contains("--offline"), "\(built.step)")
            let (report, row) = try PythonWorkerTests.row(
                PythonWorkerTests.spec(TokioCurrentThreadBackend.name, "sleep"))
            try #require(row.status == .ok, "\(row.message)")
            #expect(report.samples.allSatisfy { $0.peakThreads == 1 }, "every task on the thread in block_on")
        }

        @Test(.enabled(if: tokioInstalled, needsTokio))
        func aWrongCPUResultIsAnErrorRow() throws {
            _ = try #require(TokioBackend.worker?.build).run().get()
            var spec = PythonWorkerTests.spec(TokioBackend.name, "cpu", tasks: 2)
            spec.update(CPUWorkload.Parameters.self) { $0.expected = 12345 }
            let report = CellRunner.run(spec)
            #expect(report.status == .error && report.message.contains("not 12345"), "\(report.message)")
        }

        @Test func aMissingToolchainSkipsEveryCellWithOneLineNamingTheDebianPackages() throws {
            defer { unsetenv(TokioWorker.cargoVariable) }
            setenv(TokioWorker.cargoVariable, "/nonexistent/cargo", 1)
            let plan = try RunPlan(
                RunPlanTests.options {
                    $0.backends = "rust"
                    $0.workloads = "sleep,cpu"
                    $0.tasks = "2"
                })
            #expect(Set(plan.cells.map(\.spec.backend)) == [TokioBackend.name, TokioCurrentThreadBackend.name])
            #expect(plan.cells.count == 4)
            for cell in plan.cells {
                let reason = try #require(cell.skipReason, "\(cell.spec.backend)")
                #expect(
                    reason.contains("apt-get install cargo librust-tokio-dev") && !reason.contains("\n"), "\(reason)")
            }
            #expect(WorkerBuilds.run(for: plan.cells).records.isEmpty, "skipped cells need no build")
        }

        @Test func theTokioBackendNameIsOneBackendAndRustIsBoth() throws {
            let one = try RunPlan(
                RunPlanTests.options {
                    $0.backends = "tokio"
                    $0.workloads = "sleep"
                    $0.tasks = "2"
                })
            #expect(one.cells.map(\.spec.backend) == [TokioBackend.name])
            #expect(Registry.backendGroups[TokioWorker.runtime] == [TokioBackend.name, TokioCurrentThreadBackend.name])
        }

        @Test(.enabled(if: tokioInstalled, needsTokio))
        func aWorkerThatDoesNotBuildMakesEveryCellAnErrorWithTheCompilersFirstErrorLine() throws {
            let broken = temporaryDirectory()
            try Files.makeDirectories(broken + "/src")
            let manifest = "[package]\nname = \"asyncbench-tokio-worker\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"
            try Files.writeAtomically(manifest, to: broken + "/Cargo.toml")
            try Files.writeAtomically("fn main() {\n    undefined_thing();\n}\n", to: broken + "/src/main.rs")
            setenv(TokioWorker.sourcesVariable, broken, 1)
            defer { unsetenv(TokioWorker.sourcesVariable) }
            let plan = try RunPlan(
                RunPlanTests.options {
                    $0.backends = "rust"
                    $0.workloads = "sleep,cpu"
                    $0.tasks = "2"
                })
            #expect(plan.cells.allSatisfy { $0.skipReason == nil }, "the toolchain is there: the cells are planned")
            let builds = WorkerBuilds.run(for: plan.cells)
            for backend in [TokioBackend.name, TokioCurrentThreadBackend.name] {
                let failure = try #require(builds.failures[backend], "\(backend)")
                #expect(failure.contains("error[E0425]: cannot find function `undefined_thing`"), "\(failure)")
                #expect(failure.hasPrefix("the tokio worker did not build: ") && !failure.contains("\n"), "\(failure)")
            }
            #expect(builds.records.map(\.status) == ["error"], "one build for both backends")
        }
    }
}
