import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import AsyncBenchSweep
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Each misleading message a user met, now said plainly: the whole of stderr and the exit status.
extension EndToEndTests {
    static let runUsage = "Usage: asyncbench run <options>\n  See 'asyncbench run --help' for more information.\n"

    @Test(arguments: [
        (
            ["--backend", ""],
            "Error: --backend needs at least one value, e.g. --backend async,pthread\n"
        ),
        (
            ["--backend", "async,,pthread"],
            "Error: --backend 'async,,pthread' has an empty item (two commas in a row, or one at an end); give a comma list such as --backend async,pthread\n"
        ),
        (
            ["--tasks", "1,,2"],
            "Error: --tasks '1,,2' has an empty item (two commas in a row, or one at an end); give a comma list such as --tasks 1,10,100\n"
        ),
        (
            ["--tasks", "99999999999999999999"],
            "Error: --tasks must be between 1 and 10000000, got 99999999999999999999\n"
        ),
        (
            ["--latency", "1000000s"],
            "Error: --latency must be below 1000000s (11.5 days), got '1000000s'\n"
        ),
        // A negative value is the option's value (ArgumentParser alone says "Missing value").
        (["--tasks", "-1"], "Error: --tasks must be between 1 and 10000000, got -1\n"),
        (["--tasks", "-1,10"], "Error: --tasks must be between 1 and 10000000, got -1\n"),
        (["--latency", "-1ms"], "Error: --latency must be 0 or more, with a unit (e.g. 10ms), got '-1ms'\n"),
        (["--warmup", "-1"], "Error: --warmup must be between 0 and 100, got -1\n"),
        (["--rate", "-5"], "Error: --rate must be at least 1 request per second, got -5\n"),
    ])
    func aBadRunOptionIsNamedWithTheRunUsage(arguments: [String], message: String) throws {
        let result = try run(arguments + ["--out", temporaryDirectory()])
        #expect(result.status == 64)
        #expect(result.stderr == message + Self.runUsage)
        #expect(try run(["run"] + arguments).stderr == message + Self.runUsage, "the same with 'run' named")
    }

    /// Tests/Fixtures/sleep-run, a run that saves as a baseline.
    static let sleepFixture =
        String(#filePath).split(separator: "/").dropLast(2).map { "/" + $0 }.joined()
        + "/Fixtures/sleep-run"

    @Test func aSingleDashWordIsRefusedNotReadAsAClusterEndingInHelp() throws {
        let baselines = temporaryDirectory()
        // `-dash` was -d -a -s -h: the help, exit 0, nothing saved.
        let result = try run(["baseline", "save", "-dash", Self.sleepFixture, "--baseline-dir", baselines])
        #expect(result.status == 64)
        #expect(
            result.stderr
                == "Error: '-dash' is not an option: asyncbench's options are long (--name) but -h; a name cannot start with '-', and a path that does is written './-dash'\nUsage: asyncbench <subcommand>\n  See 'asyncbench --help' for more information.\n"
        )
        #expect(Files.list(baselines).isEmpty)
    }

    @Test(arguments: [["--", "-dash"], [String(repeating: "a", count: 300)]])
    func aBaselineNameThatIsNotOneFolderNameIsBadInput(name: [String]) throws {
        let baselines = temporaryDirectory()
        let result = try run(["baseline", "save"] + name + [Self.sleepFixture, "--baseline-dir", baselines])
        #expect(result.status == 64)
        let problem =
            name.count == 2
            ? "'-dash' does not start with a letter or a digit"
            : "'\(String(repeating: "a", count: 40))…' is longer than 64 characters"
        #expect(
            result.stderr.hasPrefix("Error: baseline name \(problem); a name is 1 to 64 letters"), "\(result.stderr)")
        #expect(Files.list(baselines).isEmpty)
    }

    @Test func aServerHostThatDoesNotResolveIsNamedAsSuch() throws {
        let result = try run(["server", "--host", "999.1.1.1"])
        #expect(result.status == 64)
        #expect(
            result.stderr
                == "Error: --host '999.1.1.1' is not an IP address or a name that resolves: give one of this machine's addresses, e.g. 127.0.0.1, 0.0.0.0 (every interface) or ::1\nUsage: asyncbench server <options>\n  See 'asyncbench server --help' for more information.\n"
        )
    }

    @Test func aServerThatAcceptsButNeverAnswersIsNotAnAsyncbenchServer() throws {
        // A listening socket nobody accepts on: the kernel completes the connection, nothing answers.
        let (fd, port) = try listeningSocket()
        defer { close(fd) }
        let result = try run(["--workload", "net", "--server", "127.0.0.1:\(port)", "--out", temporaryDirectory()])
        #expect(result.status == 64)
        #expect(
            result.stderr
                == "Error: --server: no asyncbench server answered at 127.0.0.1:\(port) within 5 s (something accepted the connection but sent nothing back); start one there with 'asyncbench server --host 0.0.0.0 --port \(port) --latency 20ms'\n"
                + Self.runUsage)
    }

    @Test func aNetCellWithNoRequestAnsweredIsAnError() throws {
        let out = temporaryDirectory()
        let result = try run([
            "--workload", "net", "--backend", "async", "--tasks", "1", "--latency", "5ms", "--loss", "1",
            "--request-timeout", "50ms", "--reps", "1", "--out", out, "--quiet",
        ])
        #expect(result.status == 0, "an error row is a result: \(result.stderr)")
        let row = try #require(try readRows(out + "/results.csv").first)
        #expect(row["status"] == "error")
        #expect(
            row["message"]
                == "no request was answered: clients sent 2, all failed (timed out 2, reset 0); the cell measured no round trip (--loss or --reset at 1?)"
        )
        #expect(row["throughput_rps"] == "0.0" || row["throughput_rps"] == "0", "\(row["throughput_rps"] ?? "")")
    }

    @Test func filesThatAreNotAsyncbenchsAreRefusedWithTheReason() throws {
        let root = String(#filePath).split(separator: "/").dropLast(2).joined(separator: "/")
        let fixture = try #require(Measurement.readFile("/" + root + "/Fixtures/sleep-run/results.csv"))
        func folder(csv: String, runJSON: String? = nil) throws -> String {
            let path = temporaryDirectory()
            try Files.writeAtomically(csv, to: path + "/results.csv")
            if let runJSON { try Files.writeAtomically(runJSON, to: path + "/run.json") }
            return path
        }
        let lines = fixture.split(separator: "\n", omittingEmptySubsequences: false)
        let header = try #require(lines.firstIndex { !$0.hasPrefix("#") })
        let schema99 = try folder(
            csv: (lines[...header] + lines[(header + 1)...].map { $0.isEmpty ? $0 : "99" + $0.drop { $0 != "," } })
                .joined(separator: "\n"))
        let unversioned = try folder(csv: "backend,workload,tasks,status\nasync,sleep,1,ok\n")
        let withNUL = try folder(csv: fixture + "async\0,sleep\n")
        let nulLine = lines.count
        for (command, path, message) in [
            (
                "plot", schema99,
                "\(schema99)/results.csv: schema version 99, but this asyncbench reads schema 1, 2, 3, 4, 5, 6; re-run the sweep with this version (or save a new baseline)"
            ),
            (
                "plot", unversioned,
                "\(unversioned)/results.csv:1: the header has no 'schema_version' column; this is not an asyncbench results file"
            ),
            (
                "report", withNUL,
                "\(withNUL)/results.csv:\(nulLine): the line holds a NUL byte: binary data, not an asyncbench results file"
            ),
        ] {
            let result = try run([command, path])
            #expect(result.status == 2, "\(command) \(path)")
            #expect(result.stderr == "Error: \(message)\n")
        }
        for (json, problem) in [
            ("", "it is empty"), ("garbage", "it is not valid JSON"), ("[1, 2]", "it is not a JSON object"),
            ("{\"tool\": \"asyncbench\"}", "it has no 'schemaVersion' field"),
        ] {
            let path = try folder(csv: fixture, runJSON: json)
            let message =
                "Error: \(path)/run.json:1: not the run metadata asyncbench writes (\(problem)); re-run the sweep, or remove run.json to use results.csv alone\n"
            let report = try run(["report", path])
            #expect(report.status == 2 && report.stderr == message, "\(report.stderr)")
            let baselines = temporaryDirectory()
            let save = try run(["baseline", "save", "x", path, "--baseline-dir", baselines])
            #expect(save.status == 2 && save.stderr == message, "\(save.stderr)")
            #expect(Files.list(baselines).isEmpty, "nothing saved")
        }
    }

    @Test func baselinesAndPathsThatCannotBeUsedSayWhy() throws {
        let root = temporaryDirectory()
        let loop = root + "/loop"
        symlink(loop, loop)
        let file = root + "/file"
        try Files.writeAtomically("", to: file)
        let cases: [([String], Int32, String)] = [
            (
                ["baseline", "save", "..", root], 64,
                "Error: baseline name '..' would name the baselines folder or one above it; choose a name such as main or v1.2\nUsage: asyncbench baseline save <name> [<run-path>] [--baseline-dir <dir>]\n  See 'asyncbench baseline save --help' for more information.\n"
            ),
            (
                ["report", loop], 2,
                "Error: \(loop): a loop of symbolic links (a link that leads back to itself); point it at a run folder\n"
            ),
            (
                ["compare", loop, loop], 2,
                "Error: \(loop): a loop of symbolic links (a link that leads back to itself); point it at a run folder\n"
            ),
            (
                ["baseline", "list", "--baseline-dir", file], 2,
                "Error: \(file) is a file, not a folder; pass a folder as --baseline-dir\n"
            ),
        ]
        for (arguments, status, message) in cases {
            let result = try run(arguments)
            #expect(result.status == status, "\(arguments)")
            #expect(result.stderr == message)
        }
    }

    @Test func aTrendChartThatCannotBeDrawnFailsTheCommand() throws {
        let root = String(#filePath).split(separator: "/").dropLast(2).joined(separator: "/")
        let baselines = temporaryDirectory()
        let saved = try run([
            "baseline", "save", "one", "/" + root + "/Fixtures/sleep-run", "--baseline-dir", baselines,
        ])
        #expect(saved.status == 0, "\(saved.stderr)")
        let result = try run(["trend", "one", "--baseline-dir", baselines, "--chart", "/nonexistent/trend.png"])
        #expect(result.status == 2)
        #expect(
            result.stderr
                == "Error: cannot draw the chart /nonexistent/trend.png: there is no folder /nonexistent; create it or pass another --chart\n"
        )
    }

    @Test func aRunFolderWithAQuoteInItsPathGetsItsCharts() throws {
        guard ProcessIO.findExecutable("gnuplot") != nil else { return }  // charts need gnuplot
        let root = String(#filePath).split(separator: "/").dropLast(2).joined(separator: "/")
        let out = temporaryDirectory() + "/it's \"quoted\""
        try Files.makeDirectories(out)
        let fixture = try #require(Measurement.readFile("/" + root + "/Fixtures/sleep-run/results.csv"))
        try Files.writeAtomically(fixture, to: out + "/results.csv")
        let result = try run(["plot", out])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty, "no gnuplot message: \(result.stderr)")
        #expect(Files.list(out + "/charts").contains("efficiency.png"), "\(Files.list(out + "/charts"))")
    }
}
