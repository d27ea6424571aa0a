import AsyncBenchAnalysis
import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import AsyncBenchSweep
import CAsyncBench

#if canImport(Glibc)
    import Glibc
#endif

/// A whole `asyncbench run`: the sweep, the progress lines, the summary and the exit status.
enum RunSession {
    /// Runs `plan`; progress goes to stderr when `plan.progress` and stderr is a terminal.
    static func execute(plan: RunPlan, commandLine: [String], executable: String) -> ExitStatus {
        var metadata = RunMetadata.current(commandLine: commandLine)
        metadata.settings = plan.settings
        let runsPython = plan.cells.contains {
            $0.skipReason == nil && Registry.backend(named: $0.spec.backend)?.runtime == PythonWorker.runtime
        }
        if runsPython {
            switch PythonWorker.describeInterpreter() {
            case .success(let line): metadata.python = line
            case .failure(let error):
                // An interpreter that hangs or floods its probe would do the same in every cell.
                plan.outputLock.abandon()
                ProcessIO.writeStandardError("asyncbench: error: \(error) (--python, or $ASYNCBENCH_PYTHON)\n")
                return .usage
            case nil: metadata.python = PythonWorker.interpreter
            }
        }
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
        } catch .cannotStart(let error) {
            plan.outputLock.abandon()
            ProcessIO.writeStandardError(
                "asyncbench: error: \(error); the run could not start writing its results, and left nothing in \(plan.outputDirectory) (free some space, or pass another --out)\n"
            )
            return .runFailed
        } catch {
            ProcessIO.writeStandardError(
                "asyncbench: error: \(error); the run stopped (the rows finished before it are whole in \(plan.outputDirectory)/results.csv)\n"
            )
            return .runFailed
        }
        var text = "\(outcome.metadata.machineLine)\n\n" + SummaryTable.render(outcome.rows) + "\n"
        for worker in outcome.metadata.workers ?? [] { text += "worker: \(worker.line)\n" }
        text += "results: \(outcome.resultsPath) (metadata: \(plan.outputDirectory)/run.json)\n"
        print(text, terminator: "")
        var outputsFailed = false
        if outcome.interruptedBy == nil {
            let finished = RunOutputs.finishRun(
                directory: plan.outputDirectory, format: plan.format, executable: executable)
            for line in finished.lines { print(line) }
            outputsFailed = finished.failed
            // Interrupted while the charts or the report were written: the charts' gnuplot was
            // killed with its group, and the run ends as an interrupted one.
            if let signal = ReportSession.interruption() {
                ProcessIO.writeStandardError(
                    "asyncbench: interrupted by \(WaitStatus.signalName(signal)) after the sweep: every row is saved in \(outcome.resultsPath); the charts and report may be incomplete (asyncbench plot / report redo them)\n"
                )
                return .interrupted(signal)
            }
        }
        if let signal = outcome.interruptedBy {
            ProcessIO.writeStandardError(
                "asyncbench: interrupted by \(WaitStatus.signalName(signal)): \(outcome.rows.count) of \(plan.cells.count) cells done and saved in \(outcome.resultsPath), \(outcome.notRun) not run\n"
            )
            return .interrupted(signal)
        }
        if outputsFailed {
            ProcessIO.writeStandardError(
                "asyncbench: error: the charts or the report could not be written (see above); every row is saved in \(outcome.resultsPath), and 'asyncbench plot' / 'asyncbench report' redo them once there is room\n"
            )
            return .runFailed
        }
        return .success
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
