import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 26, end to end: crafted result files and workers, as an attacker or an unlucky user
/// would make them. A name from a file never runs as gnuplot code; a figure outside its column
/// refuses the file (exit 2 naming file, line and column); a worker's impossible figures and
/// hostile messages never make an `ok` row or a forged CSV line.
@Suite struct CraftedDataTests {
    /// A run folder holding a results.csv of two ok sleep cells, with `changes` (column → field)
    /// made to the first row. Written as asyncbench writes it, then edited.
    static func runFolder(_ changes: [String: String] = [:]) throws -> String {
        let schema = Registry.schema
        var text = CSV.header(schema)
        for (index, backend) in ["async", "pthread"].enumerated() {
            var row = ResultRow(
                key: CellKey(backend: backend, workload: "sleep", tasks: 100, latencyMilliseconds: 10), status: .ok,
                message: "")
            row[RunnerColumns.reps] = 3
            row[RunnerColumns.wallMedian] = 11
            row[RunnerColumns.wallMin] = 10
            row[RunnerColumns.wallMax] = 12
            row[RunnerColumns.efficiency] = 0.9
            row[RunnerColumns.cpuUser] = 0.01
            row[RunnerColumns.cpuSystem] = 0.01
            row[RunnerColumns.peakRSS] = 20 << 20
            var fields = schema.fields(row)
            if index == 0 {
                for (column, value) in changes {
                    fields[try #require(schema.header.firstIndex(of: column))] = value
                }
            }
            text += CSV.line(fields)
        }
        let folder = temporaryDirectory()
        try Files.writeAtomically(text, to: folder + "/results.csv")
        return folder
    }

    @Test func trendChartRunsNoCodeFromAResultsFile() throws {
        let scratch = temporaryDirectory()
        // A gnuplot that records that it ran and the script it was given.
        let fake = scratch + "/bin"
        try Files.makeDirectories(fake)
        try Files.writeAtomically(
            "#!/bin/sh\ncat \"$1\" > \(scratch)/script.txt\ntouch \(scratch)/ran\nexit 1\n", to: fake + "/gnuplot")
        chmod(fake + "/gnuplot", 0o755)
        let marker = scratch + "/pwned"
        let evil = try Self.runFolder(["backend": "a' . system(\"id > \(marker)\") . 'b"])
        let result = try run(
            ["trend", try Self.runFolder(), evil, "--chart", scratch + "/chart.png"],
            environment: ["PATH": fake + ":/usr/bin:/bin"])
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        #expect(
            result.stderr.contains(evil + "/results.csv:2: column backend: 'a' . system(")
                && result.stderr.contains("is not a backend name"), "\(result.stderr)")
        #expect(!Files.exists(scratch + "/ran"), "gnuplot must not run on a file holding such a name")
        let script = Measurement.readFile(scratch + "/script.txt") ?? ""
        #expect(!script.contains("system("), "the name reached gnuplot's program text: \(script)")
        #expect(!Files.exists(marker))
        // The same name is refused when saving it as a baseline: nothing is saved.
        let store = scratch + "/baselines"
        let save = try run(["baseline", "save", "evil", evil, "--baseline-dir", store])
        #expect(save.status == 2 && save.stderr.contains("column backend"), "\(save.stderr)")
        #expect(!Files.exists(store + "/evil"))
    }

    @Test func aFigureOutsideItsColumnIsExit2NamingFileLineAndColumn() throws {
        let scratch = temporaryDirectory()
        let store = scratch + "/baselines"
        let base = try Self.runFolder()
        let saved = try run(["baseline", "save", "base", base, "--baseline-dir", store])
        #expect(saved.status == 0, "\(saved.stderr)")
        let cases: [(String, String, String)] = [
            ("wall_ms_median", "nan", "is not a decimal number"),
            ("wall_ms_median", "1e999", "is not a finite number"),
            ("wall_ms_median", "-5", "is negative"),
            ("peak_rss_bytes", "1e999", "is not a finite number"),
            ("cpu_user_s", "0x10", "is not a decimal number"),
        ]
        for (column, value, problem) in cases {
            let crafted = try Self.runFolder([column: value])
            let expected = "\(crafted)/results.csv:2: column \(column): '\(value)' \(problem)"
            for arguments in [
                ["compare", base, crafted], ["check", "--baseline", "base", crafted, "--baseline-dir", store],
                ["report", crafted], ["baseline", "save", "crafted", crafted, "--baseline-dir", store],
            ] {
                let result = try run(arguments)
                #expect(result.status == 2, "\(arguments[0]) \(column)=\(value): \(result.status) \(result.stderr)")
                #expect(result.stderr.contains(expected), "\(arguments[0]): \(result.stderr)")
                #expect(!result.stdout.contains("check passed"))
            }
            #expect(!Files.exists(store + "/crafted"), "a refused run is not saved")
        }
        let hex = try run(["compare", base, try Self.runFolder(["tasks": "0x10"])])
        #expect(hex.status == 2 && hex.stderr.contains("tasks '0x10' is not a positive whole number"), "\(hex.stderr)")
    }

    /// A sweep of the worker-test backend with the worker script `body` (Python); its results rows.
    static func sweep(worker body: String) throws -> (rows: [[String: String]], csv: String) {
        let scratch = temporaryDirectory()
        try Files.writeAtomically(body, to: scratch + "/worker.py")
        let out = scratch + "/run"
        _ = try run(
            [
                "--backend", "worker-test", "--workload", "sleep", "--tasks", "2", "--latency", "1ms", "--reps", "1",
                "--warmup", "0", "--out", out,
            ], environment: ["ASYNCBENCH_TEST_WORKER": scratch + "/worker.py"])
        let csv = try #require(Measurement.readFile(out + "/results.csv"))
        return (try readRows(out + "/results.csv"), csv)
    }

    /// A worker answering one repetition; `report` adds to or replaces the report's fields.
    static func worker(_ report: String) -> String {
        """
        import sys, json
        sys.stdin.readline()
        print(json.dumps({'event': 'ready'}), flush=True)
        sys.stdin.readline()
        report = {'event': 'report', 'status': 'ok', 'message': '', 'figures': {}, 'samples': [{'wallNanoseconds': 2000000, 'userSeconds': 0.001, 'systemSeconds': 0, 'voluntarySwitches': 1, 'involuntarySwitches': 0, 'peakInFlight': 2}]}
        report.update(\(report))
        print(json.dumps(report), flush=True)
        sys.stdin.read()

        """
    }

    @Test func aWorkerReportOfImpossibleFiguresIsAnErrorRow() throws {
        let (rows, _) = try Self.sweep(
            worker: Self.worker(
                "{'samples': [{'wallNanoseconds': -5000000, 'userSeconds': -1, 'systemSeconds': 0, 'voluntarySwitches': 1, 'involuntarySwitches': 0, 'peakInFlight': 99999999}], 'figures': {'lateness_us_p99': 1e300}}"
            ))
        let row = try #require(rows.first)
        #expect(row["status"] == "error", "\(row)")
        #expect(row["message"]?.contains("wallNanoseconds -5000000 is negative") == true, "\(row["message"] ?? "")")
        #expect(row["wall_ms_median"] == "", "no figure of the report is kept")
    }

    @Test func aWorkersMessageStaysOneLineAndIsNoFormula() throws {
        let (rows, csv) = try Self.sweep(
            worker: Self.worker(
                "{'status': 'error', 'samples': [], 'message': '=HYPERLINK(\"http://x\",\"y\")\\n# forged comment\\r\\n@SUM(1)'}"
            ))
        #expect(!csv.split(separator: "\n").contains { $0.hasPrefix("# forged") || $0.hasPrefix("@SUM") }, "\(csv)")
        let message = try #require(rows.first?["message"])
        #expect(message.hasPrefix("'=HYPERLINK(\"http://x\",\"y\")"), "\(message)")
        #expect(message.contains("\\n# forged comment\\r\\n@SUM(1)"), "\(message)")
        #expect(rows.first?["status"] == "error")
    }
}
