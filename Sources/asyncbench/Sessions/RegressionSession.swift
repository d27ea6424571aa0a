import AsyncBenchAnalysis
import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import AsyncBenchSweep
import CAsyncBench

#if canImport(Glibc)
    import Glibc
#endif

/// The `baseline`, `compare`, `check` and `trend` commands: output to stdout, errors to stderr,
/// and their exit status: success, failed (`check` found a regression), a data error (missing
/// baseline, unreadable or malformed file, schema mismatch, bad option).
enum RegressionSession {
    /// `asyncbench baseline save NAME [RUN_DIR]`.
    static func save(name: String, run: String?, store: BaselineStore) -> ExitStatus {
        attempt { () throws(DataError) in
            let source: String
            if let run { source = run } else { source = try BaselineStore.latestRun() }
            let folder = try store.save(name: name, run: source)
            print("saved \(source) as baseline '\(name)' in \(folder)")
            return .success
        }
    }

    /// `asyncbench baseline list`.
    static func list(store: BaselineStore) -> ExitStatus {
        let names: [String]
        do throws(DataError) {
            names = try store.listing()
        } catch {
            ProcessIO.writeStandardError("Error: \(error.description)\n")
            return .dataError
        }
        print(names.isEmpty ? "no baselines in \(store.directory)" : names.joined(separator: "\n"))
        return .success
    }

    /// `asyncbench compare BASELINE [RUN_DIR | BASELINE2]`: the whole table; exit 0 unless an error.
    static func compare(
        baseline: String, current: String?, store: BaselineStore, gate: () throws(UsageError) -> RegressionGate,
        format: Comparison.Format, strict: Bool
    ) -> ExitStatus {
        attempt { () throws(DataError) in
            let metrics = try metrics(gate)
            let before = try store.resolve(baseline)
            let after = try store.resolve(current)
            let comparison = try compared(before, after, metrics: metrics, strict: strict)
            print(comparison.render(format), terminator: "")
            return .success
        }
    }

    /// `asyncbench check --baseline NAME [RUN_DIR]`: without RUN_DIR, runs the baseline's cells first.
    static func check(
        baseline: String, run: String?, store: BaselineStore, gate: () throws(UsageError) -> RegressionGate,
        format: Comparison.Format, strict: Bool, executable: String, out: String?
    ) -> ExitStatus {
        attempt { () throws(DataError) in
            let metrics = try metrics(gate)
            let before = (try store.load(baseline), baseline)
            let runPath: String
            if let run {
                runPath = run
            } else {
                var options = RunOptions(repeating: before.0)
                options.out = out
                let plan: RunPlan
                do throws(UsageError) {
                    plan = try RunPlan(options)
                } catch {
                    ProcessIO.writeStandardError(
                        "Error: the baseline's cells cannot be run again: \(error.description)\n")
                    return .usage
                }
                let status = RunSession.execute(
                    plan: plan, commandLine: CommandLine.arguments, executable: executable)
                guard status == .success else { return status }
                runPath = plan.outputDirectory
            }
            let after = (try RecordedRun.load(runPath), runPath)
            let comparison = try compared(before, after, metrics: metrics, strict: strict)
            print(comparison.render(format, onlyChanges: true), terminator: "")
            if metrics.contains(where: { $0.kind == .counter }) {
                print(
                    "note: instructions per task are not compared: asyncbench does not record them yet"
                        + " (perf_event_open instructions \(CAsyncBenchProbe.instructionsSupported ? "works" : "is not supported") on this machine)"
                )
            }
            let regressions = comparison.regressions
            if regressions.isEmpty {
                print("check passed: no regression beyond the thresholds and the runs' noise")
                return .success
            }
            let names = regressions.map { "\($0.cell) \($0.metric)" }
            ProcessIO.writeStandardError(
                "check failed: \(regressions.count) regression(s): \(names.joined(separator: "; "))\n")
            return .failed
        }
    }

    /// `asyncbench trend BASELINE...`: one metric across baselines, a table and a chart.
    static func trend(
        baselines: [String], store: BaselineStore, metric: String, markdown: Bool, chart: String?
    ) -> ExitStatus {
        attempt { () throws(DataError) in
            // `asyncbench trend` validated the name.
            guard let chosen = Metric.named(metric) else { return .usage }
            var runs: [(label: String, run: RecordedRun)] = []
            for name in baselines { runs.append((name, try store.resolve(name).run)) }
            let trend = Trend(metric: chosen, runs: runs)
            print(trend.table(markdown: markdown), terminator: "")
            if let chart {
                if let problem = trend.drawChart(at: chart) {
                    ProcessIO.writeStandardError("Error: \(problem)\n")
                    return .dataError
                }
                print("chart: \(chart)")
            }
            return .success
        }
    }

    // MARK: - Helpers

    static func metrics(_ gate: () throws(UsageError) -> RegressionGate) throws(DataError) -> [Metric] {
        do {
            return try gate().metrics
        } catch {
            throw .malformed(path: "options", line: 0, problem: error.description)
        }
    }

    static func compared(
        _ before: (run: RecordedRun, label: String), _ after: (run: RecordedRun, label: String), metrics: [Metric],
        strict: Bool
    ) throws(DataError) -> Comparison {
        let comparison = Comparison(
            baseline: before.run, baselineName: before.label, current: after.run, currentName: after.label,
            metrics: metrics)
        if !comparison.machineDifferences.isEmpty {
            if strict { throw .machinesDiffer(comparison.machineDifferences) }
            ProcessIO.writeStandardError(
                "WARNING: comparing runs from different machines: \(comparison.machineDifferences.joined(separator: "; ")); differences may not be regressions (--strict makes this an error)\n"
            )
        }
        guard Set(before.run.rows.map(\.key)).intersection(after.run.rows.map(\.key)).count > 0 else {
            throw .noCommonCells
        }
        return comparison
    }

    static func attempt(_ body: () throws(DataError) -> ExitStatus) -> ExitStatus {
        do {
            return try body()
        } catch {
            ProcessIO.writeStandardError("Error: \(error.description)\n")
            return .dataError
        }
    }

}

/// Whether hardware counters can be read here (perf_event_open for instructions).
enum CAsyncBenchProbe {
    static var instructionsSupported: Bool { CAsyncBench_instructions_supported() != 0 }
}
