#if canImport(Glibc)
    import Glibc
#endif

/// Runs a plan's cells one after another, each in a fresh cell process, and streams the rows to
/// the output folder, the progress line and the terminal summary.
public struct Sweep {
    public let plan: RunPlan
    /// The asyncbench binary to start cells with (normally /proc/self/exe).
    public let executable: String
    public let metadata: RunMetadata

    public init(plan: RunPlan, executable: String, metadata: RunMetadata) {
        self.plan = plan
        self.executable = executable
        self.metadata = metadata
    }

    /// What a finished (or interrupted) sweep produced.
    public struct Outcome {
        public var rows: [ResultRow]
        /// The signal that stopped the sweep early, if any.
        public var interruptedBy: Int32?
        public var resultsPath: String
        /// Cells never started because the sweep was interrupted.
        public var notRun: Int
    }

    /// Runs every cell. `progress` receives a line when a cell starts (`done` false) and when it
    /// ends (`done` true); the caller decides where they go.
    public func run(progress: (_ line: String, _ done: Bool) -> Void) throws(SystemError) -> Outcome {
        let writer = try ResultsWriter(directory: plan.outputDirectory, format: plan.format, metadata: metadata)
        var rows: [ResultRow] = []
        var interruptedBy: Int32?
        let width = String(plan.cells.count).count
        for (index, cell) in plan.cells.enumerated() {
            var spec = cell.spec
            let label =
                "[\(String(repeating: " ", count: width - String(index + 1).count))\(index + 1)/\(plan.cells.count)] "
                + "\(spec.backend) \(spec.workload) tasks=\(spec.tasks) latency=\(Units.formatDuration(nanoseconds: spec.parameters.latencyNanoseconds))"
            var row: ResultRow
            let guarded =
                plan.force
                ? nil
                : MemoryGuard.refusal(spec, after: rows, availableBytes: Measurement.memoryAvailableBytes())
            if let reason = cell.skipReason ?? guarded {
                row = ResultRow(spec: spec, status: .skipped, message: reason)
            } else {
                progress(label + " …", false)
                let started = Measurement.monotonicNanoseconds()
                // The net workload's latency server: a process of its own for this cell, or the one
                // at --server, whose counts before the cell are subtracted from those after it.
                var server: ServerProcess?
                var external: LatencyServer.Statistics?
                // Why the cell could not be set up (its row is then an error), said where it happens.
                var setupFailure: String?
                if spec.workload == NetWorkload.name && spec.parameters.serverPort == 0 {
                    do {
                        server = try ServerProcess.start(executable: executable, parameters: spec.parameters)
                        spec.parameters.serverPort = server?.port ?? 0
                    } catch {
                        setupFailure = "could not start the latency server: \(error)"
                    }
                } else if spec.workload == NetWorkload.name {
                    do {
                        external = try ServerControl.statistics(
                            host: spec.parameters.serverHost, port: spec.parameters.serverPort)
                    } catch {
                        setupFailure = "the latency server at --server did not answer: \(error)"
                    }
                }
                // The file workloads' private folder: made here and removed after the cell however it
                // ended (a crashed or killed cell cannot clean up after itself).
                if Registry.workload(named: spec.workload)?.writesFiles == true {
                    do {
                        spec.parameters.fileDirectory = try Files.makePrivateDirectory(
                            in: spec.parameters.fileParent, prefix: "asyncbench-files")
                    } catch {
                        setupFailure = "could not make the cell's temporary folder: \(error)"
                    }
                }
                defer {
                    if !spec.parameters.fileDirectory.isEmpty {
                        Files.removeTree(spec.parameters.fileDirectory)
                    }
                }
                if let setupFailure {
                    row = ResultRow(spec: spec, status: .error, message: setupFailure)
                } else {
                    let outcome: CellProcess.Outcome
                    do {
                        outcome = try CellProcess.run(
                            executable: executable, spec: spec, timeoutNanoseconds: plan.cellTimeoutNanoseconds)
                    } catch {
                        server?.stop()
                        throw error
                    }
                    if case .interrupted(let signal) = outcome {
                        server?.stop()
                        interruptedBy = signal
                        break
                    }
                    row = Self.row(spec: spec, outcome: outcome, timeout: plan.cellTimeoutNanoseconds)
                    if let server {
                        Self.reconcile(&row, with: server.statistics(host: spec.parameters.serverHost))
                        server.stop()
                    } else if let before = external {
                        var after = try? ServerControl.statistics(
                            host: spec.parameters.serverHost, port: spec.parameters.serverPort, since: before.answered)
                        after?.answered -= before.answered
                        Self.reconcile(&row, with: after, shared: true)
                    }
                }
                let seconds = Double(Measurement.monotonicNanoseconds() - started) / 1e9
                progress(label + " \(row.status.rawValue) (\(Units.trim(seconds, digits: 1))s)", true)
            }
            rows.append(row)
            try writer.append(row)
        }
        try writer.finish(interrupted: interruptedBy != nil)
        return Outcome(
            rows: rows, interruptedBy: interruptedBy, resultsPath: writer.resultsPath,
            notRun: plan.cells.count - rows.count)
    }

    /// Checks that every request is accounted for: the clients' sent = answered + failed, and
    /// answered = the server's own count. A mismatch turns the row into an error saying so.
    /// `shared`: the server was started elsewhere (`--server`) and others may use it too.
    static func reconcile(_ row: inout ResultRow, with statistics: LatencyServer.Statistics?, shared: Bool = false) {
        row.serverAnswered = statistics?.answered
        row.serverLatenessP99Nanoseconds = statistics?.lateness?.p99
        guard row.status == .ok, let counts = row.requestCounts else { return }
        guard let statistics else {
            row.status = .error
            row.message =
                "clients sent \(counts.sent), answered \(counts.answered), failed \(counts.failed) (timed out \(counts.timedOut), reset \(counts.reset)); the latency server did not answer its control request (did it die?), so they cannot be reconciled"
            return
        }
        if counts.sent != counts.answered + counts.failed || counts.answered != statistics.answered {
            row.status = .error
            row.message =
                "requests unaccounted: clients sent \(counts.sent), answered \(counts.answered), failed \(counts.failed); the server answered \(statistics.answered)"
                + (shared ? " (during this cell: did another client use the server at the same time?)" : "")
        }
    }

    /// The row for a cell process's outcome.
    public static func row(spec: CellSpec, outcome: CellProcess.Outcome, timeout: Int64) -> ResultRow {
        switch outcome {
        case .reported(let report):
            return ResultRow(spec: spec, report: report)
        case .timedOut:
            return ResultRow(
                spec: spec, status: .timeout,
                message:
                    "ran past --cell-timeout \(Units.formatDuration(nanoseconds: timeout)); its process group was killed"
            )
        case .crashed(let signal, let stderr):
            return ResultRow(
                spec: spec, status: .crashed,
                message: join("killed by \(WaitStatus.signalName(signal))", lastLine(stderr)))
        case .failed(let status, let stderr):
            return ResultRow(
                spec: spec, status: .error, message: join("cell process \(status) without a report", lastLine(stderr)))
        case .interrupted(let signal):
            return ResultRow(spec: spec, status: .error, message: "interrupted by \(WaitStatus.signalName(signal))")
        }
    }

    static func lastLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).last.map { String($0).trimmingWhitespace() } ?? ""
    }

    static func join(_ first: String, _ detail: String) -> String {
        detail.isEmpty ? first : first + ": " + detail
    }
}
