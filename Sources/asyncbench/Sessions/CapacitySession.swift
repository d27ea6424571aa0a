import AsyncBenchAnalysis
import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import AsyncBenchSweep
import CAsyncBench

#if canImport(Glibc)
    import Glibc
#endif

/// `asyncbench capacity`: per backend, the highest number of concurrent tasks it completes
/// (`CapacitySearch`), within the memory and time budgets and below the kernel's limits. Every
/// probe is a cell in a fresh process (one measured repetition); its row goes to results.csv,
/// the per-backend result to capacity.csv, then the charts and REPORT.md as after a sweep.
enum CapacitySession {
    static func execute(plan: CapacityPlan, commandLine: [String], executable: String) -> ExitStatus {
        var metadata = RunMetadata.current(commandLine: commandLine)
        metadata.settings = plan.settings
        let showProgress = plan.progress && isatty(STDERR_FILENO) == 1
        _ = CAsyncBench_install_interrupt_handlers()
        let writer: ResultsWriter
        do {
            writer = try ResultsWriter(
                directory: plan.outputDirectory, format: .csv, metadata: metadata, schema: Registry.schema)
        } catch {
            ProcessIO.writeStandardError("asyncbench: error: \(error)\n")
            return .runFailed
        }
        var results: [CapacityResult] = []
        var interrupted: Int32?
        for backend in plan.backends where interrupted == nil {
            let result = CapacityRun.search(backend, plan: plan, executable: executable) { row, seconds in
                if showProgress {
                    ProcessIO.writeStandardError(
                        "[\(backend)] N = \(row.tasks): \(row.status.rawValue) (\(Units.trim(seconds, digits: 1)) s)\n")
                }
                do { try writer.append(row) } catch { ProcessIO.writeStandardError("asyncbench: error: \(error)\n") }
            } interrupted: {
                interrupted = $0
            }
            if interrupted == nil { results.append(result) }
            do {
                RunManifest.record(["capacity.csv"], in: plan.outputDirectory)
                try Files.writeAtomically(
                    CapacityFile.text(results, metadata: metadata), to: plan.outputDirectory + "/capacity.csv")
            } catch {
                ProcessIO.writeStandardError("asyncbench: error: \(error)\n")
                return .runFailed
            }
        }
        try? writer.finish(interrupted: interrupted != nil)
        print("\(metadata.machineLine)\n\n" + CapacityFile.table(results))
        print("capacity: \(plan.outputDirectory)/capacity.csv (probes: \(writer.resultsPath))")
        if let signal = interrupted {
            ProcessIO.writeStandardError(
                "asyncbench: interrupted by \(WaitStatus.signalName(signal)): \(results.count) of \(plan.backends.count) backends searched\n"
            )
            return .interrupted(signal)
        }
        let finished = RunOutputs.finishRun(directory: plan.outputDirectory, format: .csv, executable: executable)
        for line in finished.lines { print(line) }
        if let signal = ReportSession.interruption() { return .interrupted(signal) }
        return finished.failed ? .runFailed : .success
    }
}
