import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import AsyncBenchSweep
import CAsyncBench

#if canImport(Glibc)
    import Glibc
#endif

/// What a run folder gets after its sweep, and from `asyncbench plot DIR` and `asyncbench report
/// DIR`: charts with the top-level plot.gnuplot into DIR/charts/, and DIR/REPORT.md.
public enum RunOutputs {
    /// The plot.gnuplot to use: `explicit`, else $ASYNCBENCH_PLOT, else the one in the package
    /// that built this binary (a parent folder of the executable holding Package.swift). Never
    /// one in the working folder: a gnuplot script runs commands (`system`), and the working
    /// folder may be anyone's.
    public static func locateScript(explicit: String?, executable: String) -> String? {
        if let explicit { return explicit }
        if let variable = getenv("ASYNCBENCH_PLOT").map({ String(cString: $0) }), !variable.isEmpty {
            return variable
        }
        return Files.folders(above: executable).first {
            $0.hasPrefix("/") && Files.exists($0 + "/plot.gnuplot") && Files.exists($0 + "/Package.swift")
        }.map { $0 + "/plot.gnuplot" }
    }

    /// Draws the charts of the run in `directory` into `directory/charts`. Returns nil when they
    /// were drawn, else one line saying why not (gnuplot missing, script not found, gnuplot failed).
    /// Throws when the run's results.csv is missing or not one `report` reads: gnuplot is given
    /// only files asyncbench has read back whole.
    public static func plot(directory: String, script: String?) throws(DataError) -> String? {
        let csv = directory + "/results.csv"
        guard Files.exists(csv) else {
            throw .notFound(path: csv, hint: "plot needs a run folder written with --format csv")
        }
        _ = try RecordedRun.load(directory)
        guard let script else {
            return
                "plot.gnuplot not found: pass --script PATH or set ASYNCBENCH_PLOT (it is at the top of the asyncbench repository)"
        }
        guard Files.exists(script) else { return "the gnuplot script \(script) does not exist" }
        let charts = directory + "/charts"
        // gnuplot draws into a fresh private folder; each whole chart is then renamed into
        // charts/ (a link planted there is replaced, never followed by gnuplot's writes).
        let drawing: String
        do {
            try Files.makeFolderNoFollow(charts)
            drawing = try Files.makePrivateDirectory(in: directory, prefix: ".charts")
        } catch {
            return "cannot create \(charts): \(error)"
        }
        defer { Files.removeTree(drawing) }
        // gnuplot runs in the run folder: its program text names results.csv and the drawing
        // folder (.charts-XXXXXX), never a path of the user's (which may hold a quote). Its messages go to a file: a warning about
        // a chart's range is no news to the user, and an error is told in one line.
        var template = Array("/tmp/asyncbench-gnuplot-XXXXXX".utf8CString)
        let errors = mkstemp(&template)
        let errorsPath = String(cString: template)
        defer {
            if errors >= 0 {
                close(errors)
                unlink(errorsPath)
            }
        }
        let outcome = Subprocess.run(
            [
                "gnuplot", "-e", "csv='results.csv'; out='\(drawing.dropFirst(directory.count + 1))'",
                Files.absolute(script),
            ],
            in: directory,
            standardError: errors >= 0 ? errors : STDERR_FILENO)
        let lastError =
            (Measurement.readFile(errorsPath) ?? "").split(separator: "\n").last { !$0.hasPrefix("Warning") }
            .map { ": " + String($0).trimmingWhitespace() } ?? ""
        switch outcome {
        case .success(.exited(0)):
            let broken = removeIncompleteCharts(in: drawing)
            if let failed = moveCharts(from: drawing, to: charts, directory: directory) { return failed }
            guard !broken.isEmpty else { return nil }
            return
                "\(broken.count) chart\(broken.count == 1 ? " was" : "s were") not fully written (is the disk full?) and removed: \(broken.joined(separator: ", "))"
        case .success(let status):
            return "gnuplot \(status) drawing \(charts) with \(script)\(lastError)"
        case .failure(let error) where error.errno == ENOENT:
            return "gnuplot is not installed: install gnuplot-nox (apt-get install gnuplot-nox) to draw the charts"
        case .failure(let error): return error.description
        }
    }

    /// Moves the charts gnuplot drew in `drawing` into `charts`, each listed in the run's
    /// manifest first. Returns nil, or why one could not be moved.
    static func moveCharts(from drawing: String, to charts: String, directory: String) -> String? {
        for name in Files.list(drawing) where name.hasSuffix(".png") || name.hasSuffix(".svg") {
            RunManifest.record(["charts/" + name], in: directory)
            guard rename(drawing + "/" + name, charts + "/" + name) == 0 else {
                return "cannot write \(charts)/\(name): " + SystemError("rename", errno: errno).description
            }
        }
        return nil
    }

    /// Removes the charts in `folder` that are not whole: an empty file, a PNG without its final
    /// IEND chunk, an SVG without its closing tag (gnuplot cut off by a full disk says nothing).
    /// Returns their names.
    public static func removeIncompleteCharts(in folder: String) -> [String] {
        var removed: [String] = []
        for name in Files.list(folder) where name.hasSuffix(".png") || name.hasSuffix(".svg") {
            let path = folder + "/" + name
            if !isWholeChart(path) {
                unlink(path)
                removed.append(name)
            }
        }
        return removed
    }

    /// Writes `directory/REPORT.md` from the run in `directory`, and REPORT.html beside it (the
    /// same report, its charts inlined as SVG). `chartsNote` says why there are no charts, if
    /// there are none. Returns REPORT.md's path.
    @discardableResult
    public static func writeReport(directory: String, chartsNote: String? = nil) throws(DataError) -> String {
        let run = try RecordedRun.load(directory)
        let charts = Set(Files.list(directory + "/charts").filter { $0.hasSuffix(".png") })
        let note = charts.isEmpty ? (chartsNote ?? "none drawn yet: run `asyncbench plot \(directory)`") : nil
        let report = ClaimsReport(run: run, availableCharts: charts, chartsNote: note)
        let markdown = report.markdown()
        let html = HTMLReport.page(markdown: markdown, title: "asyncbench claims report: \(directory)") { name in
            Measurement.readFile(directory + "/charts/" + name + ".svg")
        }
        RunManifest.record(["REPORT.md", "REPORT.html"], in: directory)
        for (text, name) in [(markdown, "REPORT.md"), (html, "REPORT.html")] {
            let path = directory + "/" + name
            do {
                try Files.writeAtomically(text, to: path)
            } catch {
                throw .cannotWrite(path: path, reason: error.description)
            }
        }
        return directory + "/REPORT.md"
    }

    /// Whether the chart at `path` is whole: a PNG ending in its IEND chunk, an SVG with its
    /// closing tag.
    public static func isWholeChart(_ path: String) -> Bool {
        let bytes = Files.tail(path, count: 64) ?? []
        return path.hasSuffix(".png")
            ? bytes.count >= 12 && Array(bytes[(bytes.count - 8)..<(bytes.count - 4)]) == Array("IEND".utf8)
            : String(decoding: bytes, as: UTF8.self).contains("</svg>")
    }

    /// What `finishRun` did: the lines to print, and whether a file it had to write could not
    /// be (a chart cut off, the report not written): the run then failed, though its rows are saved.
    public struct Finished: Sendable {
        public var lines: [String]
        public var failed: Bool
    }

    /// After a sweep: charts when gnuplot is there, then the report. gnuplot or plot.gnuplot
    /// missing is said but is no failure; a chart or report that could not be written is.
    public static func finishRun(directory: String, format: OutputFormat, executable: String) -> Finished {
        guard format == .csv else {
            return Finished(
                lines: ["report and charts: not written (they read results.csv; run with --format csv)"], failed: false)
        }
        var lines: [String] = []
        let problem: String?
        var failed = false
        let script = locateScript(explicit: nil, executable: executable)
        do {
            problem = try plot(directory: directory, script: script)
        } catch {
            problem = error.description
            failed = true
        }
        if problem != nil, script != nil, ProcessIO.findExecutable("gnuplot") != nil { failed = true }
        lines.append(problem.map { "charts: not drawn: \($0)" } ?? "charts: \(directory)/charts/")
        do {
            lines.append("report: \(try writeReport(directory: directory, chartsNote: problem))")
        } catch {
            lines.append("report: not written: \(error)")
            failed = true
        }
        return Finished(lines: lines, failed: failed)
    }
}
