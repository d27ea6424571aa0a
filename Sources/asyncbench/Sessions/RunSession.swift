import AsyncBenchAnalysis
import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import AsyncBenchSweep
import CAsyncBench

#if canImport(Glibc)
    import Glibc
#endif

/// Exit codes of `asyncbench`, documented in `--help` and the README.
public enum ExitStatus: Int32, Sendable {
    /// The sweep ran to its end (rows with status limit, timeout, crashed or error are results).
    case success = 0
    /// The run could not go on: output could not be written, a cell could not be started.
    case runFailed = 1
    /// Bad command-line input (what ArgumentParser uses for validation errors).
    case usage = 64
    /// Stopped by SIGINT; SIGTERM gives 143, SIGHUP 129 (128 + the signal).
    case interrupted = 130
}

/// A whole `asyncbench run`: the sweep, the progress lines, the summary and the exit status.
public enum RunSession {
    /// Runs `plan`; progress goes to stderr when `plan.progress` and stderr is a terminal.
    public static func execute(plan: RunPlan, commandLine: [String], executable: String) -> Int32 {
        var metadata = RunMetadata.current(commandLine: commandLine)
        metadata.settings = plan.settings
        for note in plan.notes { ProcessIO.writeStandardError("asyncbench: note: \(note)\n") }
        if plan.allocators.contains(.jemalloc) {
            metadata.allocator += "; jemalloc cells: " + jemallocDescription(executable: executable)
        }
        let showProgress = plan.progress && isatty(STDERR_FILENO) == 1
        _ = CAsyncBench_install_interrupt_handlers()
        let sweep = Sweep(plan: plan, executable: executable, metadata: metadata)
        let outcome: Sweep.Outcome
        do {
            outcome = try sweep.run { line, done in
                // On a terminal, a cell's start line is replaced by its result line.
                if showProgress { ProcessIO.writeStandardError("\r\u{1B}[K" + line + (done ? "\n" : "")) }
            }
        } catch {
            ProcessIO.writeStandardError("asyncbench: error: \(error)\n")
            return ExitStatus.runFailed.rawValue
        }
        var text = "\(metadata.machineLine)\n\n" + SummaryTable.render(outcome.rows) + "\n"
        text += "results: \(outcome.resultsPath) (metadata: \(plan.outputDirectory)/run.json)\n"
        print(text, terminator: "")
        if outcome.interruptedBy == nil {
            for line in ReportSession.finishRun(
                directory: plan.outputDirectory, format: plan.format, executable: executable)
            {
                print(line)
            }
        }
        if let signal = outcome.interruptedBy {
            ProcessIO.writeStandardError(
                "asyncbench: interrupted by \(WaitStatus.signalName(signal)): \(outcome.rows.count) of \(plan.cells.count) cells done and saved in \(outcome.resultsPath), \(outcome.notRun) not run\n"
            )
            return 128 + signal
        }
        return ExitStatus.success.rawValue
    }

    /// jemalloc's version and library as a cell process sees it (a one-task cell run under it:
    /// jemalloc cannot be dlopened into this process, its TLS model forbids it).
    static func jemallocDescription(executable: String) -> String {
        let library = Allocator.jemallocLibrary() ?? "libjemalloc.so.2"
        let spec = CellSpec(
            backend: SequentialBackend.name, workload: Registry.probeWorkload, tasks: 1,
            options: BackendOptions(threadStackBytes: 0, maxThreads: 1, maxProcesses: 1), reps: 1, warmup: 0,
            allocator: .jemalloc)
        if case .reported(let report)? = try? CellProcess.run(
            executable: executable, spec: spec, timeoutNanoseconds: 10_000_000_000),
            let loaded = report.memory?.allocator
        {
            return "\(loaded) (LD_PRELOAD=\(library))"
        }
        return "LD_PRELOAD=\(library)"
    }
}
