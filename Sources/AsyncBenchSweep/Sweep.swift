import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults

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
        /// The run's metadata as run.json has it (with the workers built before the first cell).
        public var metadata: RunMetadata
    }

    /// Why a sweep stopped before its end.
    public enum Failure: Error, CustomStringConvertible {
        /// The run's files could not be started (run.json, the CSV header): nothing was written.
        case cannotStart(SystemError)
        /// A row could not be written; the rows before it are whole.
        case stopped(SystemError)

        public var description: String {
            switch self {
            case .cannotStart(let error), .stopped(let error): return error.description
            }
        }
    }

    /// Runs every cell. `progress` receives a line when a cell starts (`done` false) and when it
    /// ends (`done` true); the caller decides where they go.
    public func run(progress: (_ line: String, _ done: Bool) -> Void) throws(Failure) -> Outcome {
        // Compiled and checked workers are built once, before the first cell and its clock.
        let builds = WorkerBuilds.run(for: plan.cells) { progress($0, true) }
        var metadata = self.metadata
        if !builds.records.isEmpty { metadata.workers = builds.records }
        let writer: ResultsWriter
        do {
            writer = try ResultsWriter(
                directory: plan.outputDirectory, format: plan.format, metadata: metadata, schema: Registry.schema)
        } catch {
            throw .cannotStart(error)
        }
        var rows: [ResultRow] = []
        var interruptedBy: Int32?
        let width = String(plan.cells.count).count
        let sweepStarted = Measurement.monotonicNanoseconds()
        // Rows in the order they ran (what the guards estimate from), and their places in the plan.
        var places: [Int] = []
        for (position, index) in plan.runOrder.enumerated() {
            let cell = plan.cells[index]
            var spec = cell.spec
            let elapsed = Measurement.monotonicNanoseconds() - sweepStarted
            let label =
                "[\(String(repeating: " ", count: width - String(position + 1).count))\(position + 1)/\(plan.cells.count)"
                + Self.eta(elapsed: elapsed, done: position, of: plan.cells.count, budget: plan.budget) + "] "
                + "\(spec.backend) \(spec.workload) tasks=\(spec.tasks) latency=\(Units.formatDuration(nanoseconds: spec.latencyNanoseconds))"
                + (spec.rate > 0 ? " rate=\(Units.trim(spec.rate, digits: 1))/s" : "")
            var row: ResultRow
            let guarded =
                (plan.force
                    ? nil : MemoryGuard.refusal(spec, after: rows, availableBytes: Measurement.memoryAvailableBytes()))
                ?? plan.budget?.refusal(spec, after: rows, elapsedNanoseconds: elapsed)
            if cell.skipReason == nil, let failed = builds.failures[spec.backend] {
                row = ResultRow(spec: spec, status: .error, message: failed)
            } else if let reason = cell.skipReason ?? guarded {
                row = ResultRow(spec: spec, status: .skipped, message: reason)
            } else {
                progress(label + " …", false)
                let started = Measurement.monotonicNanoseconds()
                // What the workload sets up outside the cell (a server, a folder), released however
                // the cell ends; a setup that fails makes the row an error saying why.
                var setup: CellSetup?
                var setupFailure: String?
                if let workload = Registry.workload(named: spec.workload) {
                    do {
                        setup = try workload.prepare(&spec, executable: executable)
                    } catch {
                        setupFailure = error.description
                    }
                }
                defer { setup?.release() }
                if let setupFailure {
                    row = ResultRow(spec: spec, status: .error, message: setupFailure)
                } else {
                    let outcome: CellProcess.Outcome
                    do {
                        outcome = try CellProcess.run(
                            executable: executable, spec: spec, timeoutNanoseconds: plan.cellTimeoutNanoseconds)
                    } catch {
                        throw .stopped(error)
                    }
                    if case .interrupted(let signal) = outcome {
                        interruptedBy = signal
                        break
                    }
                    row = Self.row(spec: spec, outcome: outcome, timeout: plan.cellTimeoutNanoseconds)
                    setup?.finish(&row)
                    if case .reported(let report) = outcome, let files = report.files {
                        Self.write(files, of: spec, into: plan.outputDirectory, row: &row)
                    }
                }
                let seconds = Double(Measurement.monotonicNanoseconds() - started) / 1e9
                progress(label + " \(row.status.rawValue) (\(Units.trim(seconds, digits: 1))s)", true)
            }
            rows.append(row)
            places.append(index)
            do {
                try writer.append(row)
            } catch {
                throw .stopped(error)
            }
        }
        do {
            try writer.finish(interrupted: interruptedBy != nil)
        } catch {
            throw .stopped(error)
        }
        // The summary lists the cells in plan order, whatever order they ran in.
        let planOrder = zip(places, rows).sorted { $0.0 < $1.0 }.map(\.1)
        return Outcome(
            rows: planOrder, interruptedBy: interruptedBy, resultsPath: writer.resultsPath,
            notRun: plan.cells.count - rows.count, metadata: metadata)
    }

    /// The progress line's time: elapsed, and about how long the rest takes at the pace so far
    /// (no longer than the budget left, when there is one).
    static func eta(elapsed: Int64, done: Int, of total: Int, budget: TimeBudget?) -> String {
        let seconds = Double(elapsed) / 1e9
        guard done > 0, seconds >= 1 else { return "" }
        var left = seconds / Double(done) * Double(total - done)
        if let budget { left = min(left, max(0, Double(budget.nanoseconds) / 1e9 - seconds)) }
        return ", \(Int(seconds)) s, ~\(Int(left.rounded())) s left"
    }

    /// The folder of a run where cells' files go (`Workload` bodies' `files`), and the name of one.
    public static let filesFolder = "histograms"

    public static func fileName(_ key: CellKey, extension suffix: String) -> String {
        let latency = Units.trim(key.latencyMilliseconds, digits: 6)
        let rate = key.rate > 0 ? "-\(Units.trim(key.rate, digits: 1))rps" : ""
        let pinned = key.pinned ? "-pinned" : ""
        let allocator = key.allocator == Allocator.system.rawValue ? "" : "-\(key.allocator)"
        return "\(key.backend)-\(key.workload)-n\(key.tasks)-\(latency)ms\(rate)\(pinned)\(allocator).\(suffix)"
    }

    /// Writes a cell's files (each whole or not at all); one that cannot be written is noted in
    /// the row's message, its figures kept.
    static func write(_ files: [String: String], of spec: CellSpec, into folder: String, row: inout ResultRow) {
        guard !files.isEmpty else { return }
        let directory = folder + "/" + filesFolder
        for (suffix, text) in files.sorted(by: { $0.key < $1.key }) {
            let path = directory + "/" + fileName(spec.key, extension: suffix)
            do {
                try Files.makeFolderNoFollow(directory)
                RunManifest.record([filesFolder + "/" + fileName(spec.key, extension: suffix)], in: folder)
                try Files.writeAtomically(text, to: path)
            } catch {
                row.message += (row.message.isEmpty ? "" : "; ") + "\(path) not written: \(error)"
            }
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
            let crash = join("killed by \(WaitStatus.signalName(signal))", crashLine(stderr) ?? lastLine(stderr))
            if let cause = ResourceCheck.crashUnderAddressSpaceLimit(crash) {
                return ResultRow(spec: spec, status: .limit, message: cause)
            }
            return ResultRow(spec: spec, status: .crashed, message: crash)
        case .failed(let status, let stderr):
            return ResultRow(
                spec: spec, status: .error, message: join("cell process \(status) without a report", lastLine(stderr)))
        case .interrupted(let signal):
            return ResultRow(spec: spec, status: .error, message: "interrupted by \(WaitStatus.signalName(signal))")
        }
    }

    /// The Swift runtime's "*** Program crashed: Bad pointer dereference at 0x0 ***" line,
    /// without its stars: the cause, where the last line is only the backtracer's timing.
    static func crashLine(_ text: String) -> String? {
        text.split(whereSeparator: \.isNewline).first { $0.hasPrefix("*** Program crashed: ") }.map {
            var line = String($0.dropFirst(4)).trimmingWhitespace()
            if line.hasSuffix(" ***") { line.removeLast(4) }
            return line
        }
    }

    static func lastLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).last.map { String($0).trimmingWhitespace() } ?? ""
    }

    static func join(_ first: String, _ detail: String) -> String {
        detail.isEmpty ? first : first + ": " + detail
    }
}
