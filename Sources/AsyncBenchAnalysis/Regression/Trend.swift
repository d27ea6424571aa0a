import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import AsyncBenchSweep
import CAsyncBench

#if canImport(Glibc)
    import Glibc
#endif

/// One metric across saved baselines, in the order given: a table, and a gnuplot chart.
public struct Trend: Sendable {
    public var metric: Metric
    public var labels: [String]
    /// Cells in order, with the metric's value in each run (nil where absent or not ok).
    public var series: [(cell: CellKey, values: [Double?])]

    public init(metric: Metric, runs: [(label: String, run: RecordedRun)]) {
        self.metric = metric
        labels = runs.map(\.label)
        let cells = Set(runs.flatMap { $0.run.rows.map(\.key) }).sorted()
        // Cells with no value in any run (skipped, failed) are left out.
        series = cells.map { cell in
            (
                cell,
                runs.map { entry in
                    entry.run.rows.first { $0.key == cell && $0.status == .ok }.flatMap(metric.value)
                }
            )
        }.filter { entry in entry.values.contains { $0 != nil } }
    }

    public func table(markdown: Bool = false) -> String {
        let header = ["cell"] + labels
        let rows = series.map { entry in
            [entry.cell.description] + entry.values.map { Comparison.format($0, metric.name) }
        }
        if markdown {
            // Labels come from the command line, cells from files: escaped, they stay text.
            let escaped = ([header] + rows).map { $0.map(Markdown.text) }
            return ([escaped[0], header.map { _ in "---" }] + escaped.dropFirst()).map {
                "| " + $0.joined(separator: " | ") + " |"
            }.joined(separator: "\n") + "\n"
        }
        return SummaryTable.align([header] + rows, rightAligned: Set(1..<header.count))
    }

    /// The gnuplot data file: one block per cell (x = baseline index, y = value), blank-line
    /// separated, its first line the cell's name in double quotes: the script takes each line's
    /// title from there (`columnheader`), so a name read from a file reaches gnuplot only as
    /// data, never as program text.
    public var gnuplotData: String {
        series.map { entry in
            "\"\(entry.cell.description.replacingAll("\"", with: "").controlEscaped)\"\n"
                + entry.values.enumerated().map { index, value in
                    "\(index) \(value.map { Units.trim($0, digits: 6) } ?? "NaN")"
                }.joined(separator: "\n")
        }.joined(separator: "\n\n\n") + "\n"
    }

    /// A gnuplot script drawing `dataPath` into `chartPath` (PNG), one line per cell. Its text
    /// holds no name from the runs (titles come from the data file); the baselines' labels, from
    /// the command line, are written as `Trend.gnuplotString`s.
    public func gnuplotScript(dataPath: String, chartPath: String) -> String {
        let tics = labels.enumerated().map { "\(Self.gnuplotString($1)) \($0)" }.joined(separator: ", ")
        let unit = metric.unit.isEmpty ? "" : " (\(metric.unit))"
        return """
            set terminal pngcairo size 1000,600 font "sans,10" noenhanced
            set output \(Self.gnuplotString(chartPath))
            set title \(Self.gnuplotString("\(metric.name): \(metric.meaning), per saved baseline"))
            set xlabel "baseline"
            set ylabel \(Self.gnuplotString("\(metric.name)\(unit), log scale"))
            set xtics (\(tics))
            set xrange [-0.5:\(labels.count - 1).5]
            set grid
            set logscale y
            set key outside right
            plot for [i=0:\(max(0, series.count - 1))] \(Self.gnuplotString(dataPath)) index i using 1:2 with linespoints title columnheader(1)

            """
    }

    /// `text` as a gnuplot string that is only text: single-quoted (gnuplot substitutes
    /// backquoted commands inside double quotes, never inside single ones), a quote doubled,
    /// control characters escaped onto one line.
    public static func gnuplotString(_ text: String) -> String {
        "'" + text.controlEscaped.replacingAll("'", with: "''") + "'"
    }

    /// Writes the data and script beside `chartPath` and runs gnuplot there, under names of its
    /// own (no path of the user's in gnuplot's text), then renames the chart into place: it is
    /// whole or absent. Returns nil on success, else one line saying what is missing or failed.
    public func drawChart(at chartPath: String) -> String? {
        let folder = Files.parent(of: chartPath)
        let stem = ".asyncbench-trend-\(getpid())"
        let (dataName, scriptName, chartName) = (stem + ".dat", stem + ".gnuplot", stem + ".png")
        guard Files.isDirectory(folder) else {
            return "cannot draw the chart \(chartPath): there is no folder \(folder); create it or pass another --chart"
        }
        defer {
            for name in [dataName, scriptName, chartName] { unlink(folder + "/" + name) }
        }
        do {
            try Files.writeAtomically(gnuplotData, to: folder + "/" + dataName)
            try Files.writeAtomically(
                gnuplotScript(dataPath: dataName, chartPath: chartName), to: folder + "/" + scriptName)
        } catch {
            return "cannot draw the chart \(chartPath): \(String(cString: strerror(error.errno))) in \(folder)"
        }
        switch Subprocess.run(["gnuplot", scriptName], in: folder) {
        case .success(.exited(0)):
            let drawn = folder + "/" + chartName
            guard RunOutputs.isWholeChart(drawn) else {
                return "the chart \(chartPath) was not fully written (is the disk full?)"
            }
            guard rename(drawn, chartPath) == 0 else {
                return "cannot write \(chartPath): \(String(cString: strerror(errno)))"
            }
            return nil
        case .success(let status): return "gnuplot \(status) drawing \(chartPath)"
        case .failure(let error) where error.errno == ENOENT:
            return "gnuplot is not installed: install gnuplot-nox to draw the chart (the table has the figures)"
        case .failure(let error): return error.description
        }
    }
}

/// Runs a program found on PATH and waits for it, through `ProcessIO.run` (its bounds, its
/// process group, killed on an interrupt).
public enum Subprocess {
    /// How long a chart or a reference measurement may take.
    public static let timeoutSeconds = 600.0

    /// Runs `arguments` with stdout and stderr captured (at most 1 MiB); nil when it cannot
    /// start, fails, or breaks a bound.
    public static func capture(_ arguments: [String]) -> String? {
        guard
            case .success(let finished) = ProcessIO.run(
                arguments, label: arguments[0], task: "finish", timeoutSeconds: timeoutSeconds),
            finished.status == .exited(0)
        else { return nil }
        return finished.text
    }

    /// Runs `arguments` (the program found on PATH) with this process's stdout and `standardError`,
    /// in a process group of its own that an interrupt of this process (SIGINT, SIGTERM, SIGHUP,
    /// once the handlers are installed) kills (the status is then SIGKILL's), and waits for it
    /// at most `timeoutSeconds`. `directory` is its working folder (nil: this process's), so
    /// that paths need not be written into a program's text.
    public static func run(
        _ arguments: [String], in directory: String? = nil, standardError: Int32 = STDERR_FILENO
    ) -> Result<WaitStatus, SystemError> {
        let outcome = ProcessIO.run(
            arguments, label: arguments[0], task: "finish", in: directory, stdout: .descriptor(STDOUT_FILENO),
            stderr: .descriptor(standardError), timeoutSeconds: timeoutSeconds)
        switch outcome {
        case .success(let finished): return .success(finished.status)
        case .failure(.cannotStart(_, let error)): return .failure(error)
        case .failure(.interrupted): return .success(.signaled(SIGKILL))
        case .failure(let failure): return .failure(SystemError("\(failure)", errno: ETIMEDOUT))
        }
    }
}
