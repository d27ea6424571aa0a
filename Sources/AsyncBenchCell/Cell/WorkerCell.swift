import AsyncBenchModel
import CAsyncBench
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a cell in a backend's worker program and measures the worker from outside: the cell
/// process's side of the worker protocol (docs/worker-protocol.md).
///
/// The worker gets the cell spec as one JSON line on its stdin, sets up, and says `ready`; its
/// resident memory then is the idle figure, and its peak-RSS counter is reset (/proc/PID/
/// clear_refs) before the cell answers `go`. While it runs its warm-up and measured repetitions,
/// its thread count and peak RSS are read from /proc/PID/status every millisecond; its report
/// line gives the repetitions as it timed them and the workload's figures. The worker is in the
/// cell's process group, so a cell killed for its timeout takes its worker along.
public enum WorkerCell {
    /// Runs `spec` in `program`; never throws: failures become the report's status. With
    /// `kernel`, the worker's kernel memory is read as the in-process runner reads it (the worker
    /// is in the cell's cgroup), sampled sources with its thread count.
    public static func run(_ spec: CellSpec, _ program: WorkerProgram, kernel: KernelMemory.Meter? = nil) -> CellReport
    {
        var report = CellReport(
            status: .error, message: "", tasksReached: nil, samples: [], idleRSSBytes: 0, peakRSSBytes: 0)
        do throws(CellFailure) {
            guard program.workloads.contains(spec.workload) else {
                throw .setup("the \(spec.backend) worker does not implement the \(spec.workload) workload")
            }
            let command: [String]
            switch program.command() {
            case .success(let found): command = found
            case .failure(let missing): throw .setup(missing.description)
            }
            if let build = program.build, !Files.exists(command[0]) {
                throw .setup(
                    "the \(build.name) worker is not built (no \(command[0])): asyncbench run builds it before the first cell; a cell run alone needs a run of the same sources first"
                )
            }
            // The worker is told to run the memory repetition only where the cell would.
            var told = spec
            told.memoryRepetition = spec.runsMemoryRepetition
            try exchange(told, command: command, kernel: kernel, into: &report)
        } catch {
            report.status = error.status
            report.message = error.description
            report.tasksReached = error.reached
        }
        return report
    }

    /// Starts the worker, speaks the protocol and fills `report` from its answer and the
    /// measurements; throws when the worker cannot be started or breaks the protocol.
    static func exchange(
        _ spec: CellSpec, command: [String], kernel: KernelMemory.Meter? = nil, into report: inout CellReport
    ) throws(CellFailure) {
        let input: ProcessIO.Pipe
        let output: ProcessIO.Pipe
        do {
            input = try ProcessIO.Pipe()
            output = try ProcessIO.Pipe()
        } catch {
            throw .setup(error.description)
        }
        // A worker that exits early must make an error row, not kill the cell on a write.
        signal(SIGPIPE, SIG_IGN)
        guard let program = ProcessIO.findExecutable(command[0]) else {
            input.closeBoth()
            output.closeBoth()
            throw .setup("the worker program \(command[0]) is not found (not on PATH, or not executable)")
        }
        var pid: pid_t = 0
        let rc = ProcessIO.withCStrings(command) { argv in
            CAsyncBench_spawn_worker(program, argv, input.read, output.write, &pid)
        }
        input.closeRead()
        output.closeWrite()
        var reading = true
        defer { if reading { output.closeRead() } }
        guard rc == 0 else {
            input.closeWrite()
            throw .setup(SystemError("posix_spawn \(command[0])", errno: rc).description)
        }
        var writing = input.write
        defer { if writing >= 0 { close(writing) } }
        var usage = rusage()
        var exited = false
        defer {
            if !exited {
                kill(pid, SIGKILL)
                _ = WaitStatus.wait(for: pid, usage: &usage)
            }
        }
        guard send(JSONCoding.encode(spec) + "\n", to: writing) else {
            throw .setup("the worker \(command[0]) did not read its cell spec (did it exit at once?)")
        }
        var reader = LineReader(fd: output.read, label: "the worker \(command[0])")
        var peakThreads = 0
        var kernelIdle: Int64?
        var kernelPeak: Int64 = -1
        var ready = false
        var answer: WorkerReport?
        while answer == nil {
            let line: String?
            do {
                line = try reader.next(timeoutMilliseconds: 1) {
                    peakThreads = max(peakThreads, status(of: pid).threads)
                    if ready, let bytes = kernel?.sampled?.read() { kernelPeak = max(kernelPeak, bytes) }
                }
            } catch {
                throw .setup(error.description)
            }
            guard let line else { break }  // the worker closed its stdout
            let event = JSONCoding.decode(Event.self, from: Array(line.utf8))?.event
            switch event {
            case "ready" where !ready:
                ready = true
                report.idleRSSBytes = status(of: pid).rssBytes
                resetPeakRSS(of: pid)
                kernelIdle = kernel?.idle()
                guard send("go\n", to: writing) else { throw .setup("the worker exited before it was told to go") }
            case "report" where ready:
                report.peakRSSBytes = status(of: pid).peakRSSBytes
                if let kernel, let idle = kernelIdle,
                    let peak = kernel.kernelPeak() ?? (kernelPeak >= 0 ? kernelPeak : nil)
                {
                    report.kernel = KernelMemory.Reading(source: kernel.source, idleBytes: idle, peakBytes: peak)
                }
                answer = JSONCoding.decode(WorkerReport.self, from: Array(line.utf8))
                if answer == nil { throw .setup("the worker's report does not decode: \(line.prefix(200))") }
            default:
                throw .setup(
                    "the worker broke the protocol: expected \(ready ? "its report" : "a ready line"), got \(line.prefix(200))"
                )
            }
        }
        close(writing)  // end of its stdin: the worker exits (a worker that lingers is killed)
        writing = -1
        output.closeRead()
        reading = false
        let ended = WaitStatus.wait(for: pid, graceNanoseconds: 2_000_000_000, usage: &usage)
        exited = true
        guard let answer else {
            let how = (try? ended.get()).map { "\($0)" } ?? "ended"
            throw .setup("the worker \(command[0]) \(how) without a report")
        }
        // The peak was read while the worker waited for its stdin to close; a worker that had
        // already exited leaves the kernel's own peak (wait4), which covers its set-up too.
        if report.peakRSSBytes == 0 { report.peakRSSBytes = Int(usage.ru_maxrss) * 1024 }
        if answer.status == .ok, !(1...max(1, spec.reps)).contains(answer.samples.count) {
            throw .setup(
                "the worker reported ok with \(answer.samples.count) measured repetitions, not 1 to \(spec.reps)")
        }
        if let problem = answer.problem(for: spec) { throw .setup(problem) }
        report.status = answer.status
        report.message = answer.message
        report.tasksReached = answer.tasksReached
        report.figures = answer.figures
        if let children = answer.childrenPrivateBytes {
            report.memory = MemoryProbe(childrenPrivateBytes: children, allocator: "the worker's own")
        }
        report.samples = answer.samples.map { sample(from: $0, peakThreads: peakThreads) }
    }

    /// A repetition as the report carries it. The worker's own getrusage figures are kept; the
    /// thread count is the peak seen from outside over the whole cell.
    static func sample(from worker: WorkerSample, peakThreads: Int) -> RepetitionSample {
        RepetitionSample(
            wallNanoseconds: worker.wallNanoseconds, userSeconds: worker.userSeconds,
            systemSeconds: worker.systemSeconds, voluntarySwitches: worker.voluntarySwitches,
            involuntarySwitches: worker.involuntarySwitches, peakThreads: peakThreads,
            peakInFlight: worker.peakInFlight, creationNanoseconds: worker.creationNanoseconds)
    }

    /// Resets the worker's peak-RSS counter (VmHWM), as `Measurement.resetPeakRSS` does for
    /// this process; a worker whose counter cannot be reset reports its peak since start.
    static func resetPeakRSS(of pid: pid_t) {
        let fd = open("/proc/\(pid)/clear_refs", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = try? Files.writeAll(fd, "5", path: "/proc/\(pid)/clear_refs")
        close(fd)
    }

    static func status(of pid: pid_t) -> Measurement.ProcStatus {
        Measurement.ProcStatus.parse(Measurement.readFile("/proc/\(pid)/status") ?? "")
    }

    /// Writes all of `text` to `fd`; false when the reader is gone (EPIPE).
    static func send(_ text: String, to fd: Int32) -> Bool {
        (try? Files.writeAll(fd, text, path: "the worker's stdin")) != nil
    }

    /// The one field every protocol line has.
    struct Event: Decodable {
        var event: String
    }
}
