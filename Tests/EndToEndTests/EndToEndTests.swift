import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import AsyncBenchSweep
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Runs the built `asyncbench` binary the way a user does and checks its files and exit status.
@Suite(.serialized) struct EndToEndTests {
    @Test func aSmallSweepOfEveryBackendWritesOkRows() throws {
        // The I/O workloads of the main job, small.
        let out = temporaryDirectory()
        let result = try run([
            "--backend", "all", "--workload", "sleep,net,file,file-offload", "--tasks", "1,8", "--latency", "2ms",
            "--reps", "2", "--requests", "3", "--out", out, "--overwrite",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let all = try readRows(out + "/results.csv")
        #expect(all.count == Registry.visibleBackendNames.count * 2 * 4)
        let rows = all.filter { $0["workload"] == "sleep" }
        #expect(rows.count == Registry.visibleBackendNames.count * 2)
        for row in rows {
            #expect(row["status"] == "ok", "\(row)")
            #expect(row["reps"] == "2")
            #expect(Double(row["wall_ms_median"] ?? "") ?? 0 >= 2, "a 2 ms wait cannot finish sooner")
            #expect(Int(row["peak_rss_bytes"] ?? "") ?? 0 > 0)
            #expect(row["allocator"] == "system")
            // The memory repetition's figures: heap in-process, children's memory for fork.
            let backend = row["backend"]!
            #expect(Double(row["allocs_per_task"] ?? "") != nil, "\(row)")
            #expect((Double(row["heap_bytes_per_task"] ?? "") != nil) == (backend != "fork"), "\(row)")
            #expect((Int(row["children_private_bytes"] ?? "") ?? 0 > 0) == (backend == "fork"), "\(row)")
            #expect((Double(row["create_us_per_task"] ?? "") != nil) == (backend != "sequential"), "\(row)")
        }
        // net: every backend but spawn, every request accounted; file: all but spawn;
        // file-offload: the async backends.
        for row in all where row["workload"] != "sleep" {
            let backend = row["backend"]!
            let runs =
                row["workload"] == "file-offload" ? ["async", "executor", "nio"].contains(backend) : backend != "spawn"
            #expect(row["status"] == (runs ? "ok" : "skipped"), "\(row)")
            guard runs else { continue }
            if row["workload"] == "net" {
                #expect(row["requests_sent"] == row["server_answered"] && row["requests_failed"] == "0", "\(row)")
            } else {
                #expect(row["file_bytes"] == "4096" && Double(row["file_ms_p99"] ?? "") != nil, "\(row)")
            }
        }
        #expect(Set(rows.map { $0["backend"]! }) == Set(Registry.visibleBackendNames))
        // The metadata names the machine, in the sidecar and atop the CSV.
        let metadata = try #require(Measurement.readFile(out + "/run.json"))
        #expect(metadata.contains("\"cores\""))
        #expect(metadata.contains("\"swiftVersion\""))
        let csv = try #require(Measurement.readFile(out + "/results.csv"))
        #expect(csv.hasPrefix("# asyncbench schema \(Schema.version)\n"))
        #expect(csv.contains("# machine: "))
        // The summary table names every backend.
        for backend in Registry.visibleBackendNames { #expect(result.stdout.contains(backend)) }
    }

    @Test func jemallocRowsOrAOneLineHintWhenItIsMissing() throws {
        // ASYNCBENCH_JEMALLOC, when set, is the only place looked at: point it nowhere.
        let missing = ["ASYNCBENCH_JEMALLOC": "/nonexistent/libjemalloc.so.2"]
        let refused = try run(
            ["--allocator", "jemalloc", "--tasks", "4", "--out", temporaryDirectory()], environment: missing)
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("jemalloc is not installed (no libjemalloc.so.2 in /nonexistent)"))
        #expect(refused.stderr.contains("apt-get install libjemalloc2"))
        let out = temporaryDirectory()
        let fallback = try run(
            [
                "--workload", "sleep", "--allocator", "both", "--backend", "async", "--tasks", "4", "--latency", "1ms",
                "--reps", "1", "--out", out, "--overwrite",
            ], environment: missing)
        #expect(fallback.status == 0, "\(fallback.stderr)")
        #expect(fallback.stderr.contains("note: only system rows: jemalloc is not installed"))
        #expect(try readRows(out + "/results.csv").map { $0["allocator"]! } == ["system"])

        // Where jemalloc is installed (.ci/run installs it), `both` runs each cell under each allocator.
        guard Allocator.jemallocLibrary() != nil else { return }
        let both = temporaryDirectory()
        let result = try run([
            "--workload", "sleep",
            "--allocator", "both", "--backend", "async,pthread", "--tasks", "8", "--latency", "1ms", "--reps", "1",
            "--out", both, "--overwrite",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try readRows(both + "/results.csv")
        #expect(
            rows.map { "\($0["backend"]!) \($0["allocator"]!)" } == [
                "async system", "async jemalloc", "pthread system", "pthread jemalloc",
            ])
        for row in rows {
            #expect(row["status"] == "ok", "\(row)")
            #expect(Double(row["heap_bytes_per_task"] ?? "") != nil, "\(row)")
        }
        let metadata = try #require(Measurement.readFile(both + "/run.json"))
        #expect(metadata.contains("jemalloc cells: jemalloc 5"), "\(metadata)")
    }

    @Test func capacityFindsTheHighestConcurrentNWithinItsBounds() throws {
        let out = temporaryDirectory()
        let result = try run([
            "capacity", "--backend", "async,sequential", "--latency", "20ms", "--start", "50", "--max-tasks", "400",
            "--time-budget", "60s", "--out", out, "--overwrite", "--quiet",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try readRows(out + "/capacity.csv")
        #expect(rows.map { $0["backend"]! } == ["async", "sequential"])
        #expect(rows.first?["highest_tasks"] == "400", "\(rows)")
        #expect(rows.first?["stopped_by"] == "max-tasks")
        #expect(rows.last?["highest_tasks"] == "1")
        #expect(rows.last?["stopped_by"] == "bound")
        // Every probe is a row of the sweep's schema: doubling from --start.
        #expect(try readRows(out + "/results.csv").map { $0["tasks"]! } == ["50", "100", "200", "400"])
        #expect(result.stdout.contains("highest N at once"))
        #expect(Measurement.readFile(out + "/REPORT.md")?.contains("| async | 400 |") == true)

        let refused = try run(["capacity", "--workload", "cpu", "--out", temporaryDirectory()])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("capacity searches the sleep workload"))
    }

    @Test func everyNetRequestIsAccountedForByClientsAndServer() throws {
        let out = temporaryDirectory()
        let result = try run([
            "--workload", "net", "--backend", "async,nio,dispatch,pthread,fork", "--tasks", "4", "--requests", "3",
            "--latency", "2ms", "--reps", "1", "--out", out, "--overwrite",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try readRows(out + "/results.csv")
        #expect(rows.count == 5)
        for row in rows {
            #expect(row["status"] == "ok", "\(row)")
            // 4 tasks × 3 requests × (1 warm-up + 1 measured repetition), every one answered.
            #expect(row["requests_sent"] == "24", "\(row)")
            #expect(row["requests_answered"] == "24")
            #expect(row["requests_failed"] == "0")
            #expect(row["server_answered"] == "24")
            #expect(Double(row["request_ms_p50"] ?? "") ?? 0 >= 2, "a 2 ms reply cannot come sooner")
        }
        #expect(try serversLeft(by: result.pid) == 0, "each cell's latency server was stopped")
    }

    @Test func aServerStartedElsewhereIsUsedAndStillReconciled() throws {
        // A server the sweep did not start (here, in this test process): its latency is the
        // server's own (3 ms, not --latency), and its counts are taken before and after each cell.
        let server = try LatencyServer(LatencyServer.Configuration(latencyNanoseconds: 3_000_000))
        defer { server.stop() }
        let out = temporaryDirectory()
        let result = try run([
            "--workload", "net", "--backend", "async,pthread,fork", "--tasks", "5", "--requests", "2", "--reps", "1",
            "--latency", "50ms", "--server", "localhost:\(server.port)", "--out", out, "--overwrite",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("injects 3ms ± 0ns"), "\(result.stderr)")
        let rows = try readRows(out + "/results.csv")
        #expect(rows.count == 3)
        for row in rows {
            #expect(row["status"] == "ok", "\(row)")
            #expect(row["latency_ms"] == "3", "the server's latency, not --latency")
            // 5 tasks × 2 requests × (warm-up + 1 repetition), per cell, though the server's own
            // count keeps growing across cells.
            #expect(row["requests_answered"] == "20" && row["server_answered"] == "20", "\(row)")
        }
        #expect(server.statistics.answered == 60)
        #expect(try serversLeft(by: result.pid) == 0, "no server of its own")

        let nobody = try run([
            "--workload", "net", "--server", "127.0.0.1:1", "--out", temporaryDirectory(),
        ])
        #expect(nobody.status == 64)
        #expect(
            nobody.stderr.contains("nothing accepts connections at 127.0.0.1:1 (Connection refused)"),
            "\(nobody.stderr)")
        #expect(nobody.stderr.contains("asyncbench server --host 0.0.0.0 --port 1"))
        #expect(try run(["--workload", "net", "--server", "nohost", "--out", temporaryDirectory()]).status == 64)
        // Without the net workload the server is not asked for, only mentioned.
        let sleepOnly = try run([
            "--workload", "sleep", "--backend", "async", "--tasks", "1", "--reps", "1", "--server", "127.0.0.1:1",
            "--out", temporaryDirectory(),
        ])
        #expect(sleepOnly.status == 0, "\(sleepOnly.stderr)")
        #expect(sleepOnly.stderr.contains("--server applies to the net and net-rate workloads only"))
    }

    @Test func aCellWhoseServerIsKilledIsAnErrorRowWithTheCounts() throws {
        // Each task sends 40 requests of 50 ms: the server is killed (SIGKILL) mid-cell.
        let out = temporaryDirectory()
        let directory = temporaryDirectory()
        let pid = try start(
            [
                "--workload", "net", "--backend", "pthread,async", "--tasks", "4", "--requests", "40", "--latency",
                "50ms", "--reps", "1", "--warmup", "0", "--out", out, "--overwrite",
            ], output: directory)
        var killed = 0
        let started = Measurement.monotonicNanoseconds()
        // Kill each cell's server once it has answered a few requests (asked over its control
        // request, at the port the cell's spec names), so the clients have both answers and failures.
        func serverPort(of cell: pid_t) -> Int? {
            let commandLine = (Measurement.readFile("/proc/\(cell)/cmdline") ?? "")
            guard let range = commandLine.firstRange(of: "\"serverPort\":") else { return nil }
            return Int(commandLine[range.upperBound...].prefix { ("0"..."9").contains($0) })
        }
        while killed < 2, Measurement.monotonicNanoseconds() - started < 30_000_000_000 {
            if let server = servers(of: pid).first, let cell = cells(of: pid).first, let port = serverPort(of: cell),
                let statistics = try? ServerControl.statistics(host: "127.0.0.1", port: port), statistics.answered >= 4
            {
                kill(server, SIGKILL)
                killed += 1
                while kill(server, 0) == 0 && Measurement.monotonicNanoseconds() - started < 30_000_000_000 {
                    usleep(10_000)
                }
            }
            usleep(20_000)
        }
        guard case .success(let status) = WaitStatus.wait(for: pid) else { throw SystemError("waitpid", errno: errno) }
        #expect(status == .exited(0), "\(status): \(Measurement.readFile(directory + "/err") ?? "")")
        #expect(killed == 2)
        let rows = try readRows(out + "/results.csv")
        #expect(rows.count == 2)
        for row in rows {
            #expect(row["status"] == "error", "\(row)")
            // What the clients did is kept: requests sent, answered before the kill, failed after.
            let sent = Int(row["requests_sent"] ?? "") ?? 0
            let answered = Int(row["requests_answered"] ?? "") ?? -1
            let failed = Int(row["requests_failed"] ?? "") ?? -1
            #expect(sent > 0 && answered > 0 && failed > 0 && sent == answered + failed, "\(row)")
            #expect(row["server_answered"] == "", "a dead server reports nothing")
            #expect(
                row["message"]?.contains("clients sent \(sent), answered \(answered), failed \(failed)") == true,
                "\(row)")
        }
    }

    @Test func aServerPortInUseIsRefusedWithWhatToDo() throws {
        let taken = try LatencyServer(LatencyServer.Configuration(latencyNanoseconds: 1_000_000))
        defer { taken.stop() }
        let result = try run(["server", "--port", "\(taken.port)", "--latency", "5ms"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("cannot listen on 127.0.0.1:\(taken.port)"), "\(result.stderr)")
        #expect(result.stderr.contains("choose another --port"))
        #expect(try run(["server", "--latency", "5"]).status == 64, "a duration needs a unit")
        #expect(try run(["server", "--loss", "0.8", "--reset", "0.5"]).status == 64)
    }

    @Test func runningOutOfFileDescriptorsIsALimitRow() throws {
        // 64 descriptors in all (soft and hard): 100 connections cannot all open.
        let out = temporaryDirectory()
        let result = try run(
            [
                "--workload", "net", "--backend", "async,nio,pthread", "--tasks", "100", "--requests", "2", "--latency",
                "1ms", "--reps", "1", "--warmup", "0", "--out", out, "--overwrite",
            ], openFiles: 64)
        #expect(result.status == 0, "\(result.stderr)")
        for row in try readRows(out + "/results.csv") {
            #expect(row["status"] == "limit", "\(row)")
            #expect(row["message"]?.contains("Too many open files (errno 24)") == true, "\(row)")
        }
        #expect(try serversLeft(by: result.pid) == 0)
    }

    @Test func networkFaultsAreCountedAndStillReconcile() throws {
        let out = temporaryDirectory()
        // The timeout is far above the latency: a reply the server sends late on a loaded machine
        // must still arrive before its client gives up, or the two counts differ (an error row).
        let result = try run([
            "--workload", "net", "--backend", "async,pthread", "--tasks", "10", "--requests", "10", "--latency", "1ms",
            "--loss", "0.2", "--reset", "0.1", "--request-timeout", "400ms", "--reps", "1", "--warmup", "0", "--out",
            out,
            "--overwrite",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        for row in try readRows(out + "/results.csv") {
            #expect(row["status"] == "ok", "\(row)")
            let sent = Int(row["requests_sent"] ?? "") ?? -1
            let answered = Int(row["requests_answered"] ?? "") ?? -1
            let failed = Int(row["requests_failed"] ?? "") ?? -1
            #expect(sent == answered + failed)
            #expect(failed > 0, "30% of requests were dropped or reset")
            // Every failure has its reason: a dropped reply times out, a reset is seen as one.
            let timedOut = Int(row["requests_timed_out"] ?? "") ?? -1
            let reset = Int(row["requests_reset"] ?? "") ?? -1
            #expect(timedOut > 0 && reset > 0 && timedOut + reset == failed, "\(row)")
            #expect(row["server_answered"] == row["requests_answered"])
        }
        let refused = try run(["--workload", "net", "--payload", "70000", "--out", temporaryDirectory()])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("--payload must be between 0 and 65536 bytes"))
    }

    @Test func aCrashingCellIsRecordedAndTheSweepGoesOn() throws {
        let out = temporaryDirectory()
        let result = try run([
            "--workload", "crash,sleep", "--backend", "pthread", "--tasks", "2", "--latency", "1ms", "--reps", "1",
            "--out", out, "--overwrite",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try readRows(out + "/results.csv")
        #expect(rows.map { $0["status"]! } == ["crashed", "ok"])
        #expect(rows[0]["message"]?.hasPrefix("killed by SIGSEGV") == true, "\(rows[0])")
    }

    @Test func aCellPastItsTimeoutIsKilledAndTheSweepGoesOn() throws {
        let out = temporaryDirectory()
        let before = Measurement.monotonicNanoseconds()
        // fork children sleeping 30 s: the timeout must kill them too (whole process group).
        let result = try run([
            "--workload", "sleep",
            "--backend", "fork,async", "--tasks", "3", "--latency", "30s", "--reps", "1", "--warmup", "0",
            "--cell-timeout", "500ms", "--out", out, "--overwrite",
        ])
        let seconds = Double(Measurement.monotonicNanoseconds() - before) / 1e9
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try readRows(out + "/results.csv")
        #expect(rows.map { $0["status"]! } == ["timeout", "timeout"])
        #expect(rows[0]["message"]?.contains("--cell-timeout 500ms") == true)
        #expect(seconds < 20, "the sweep waited for the 30 s sleepers")
        #expect(try sleepersLeft() == 0, "forked children of a killed cell are still running")
    }

    @Test func aRefusedResourceIsALimitRowWithTheErrno() throws {
        let out = temporaryDirectory()
        // Cap the address space: 1 GiB thread stacks run out of it after a few threads.
        let result = try run(
            [
                "--backend", "pthread", "--workload", "sleep", "--tasks", "64", "--thread-stack", "1GiB", "--latency",
                "1ms", "--reps", "1", "--out", out, "--overwrite",
            ], addressSpaceLimit: 16 << 30)
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try readRows(out + "/results.csv")
        #expect(rows.first?["status"] == "limit", "\(rows)")
        #expect(rows.first?["message"]?.contains("pthread_create: ") == true)
        #expect(rows.first?["message"]?.contains("highest N reached: ") == true)
    }

    @Test(arguments: [
        (["--backend", "nope"], "unknown backend 'nope'"),
        (["--tasks", "0"], "--tasks must be between 1 and"),
        (["--tasks=-3"], "--tasks must be between 1 and"),
        (["--latency", "10"], "--latency must be a duration with a unit"),
        (["--latency", "10 furlongs"], "--latency must be a duration with a unit"),
        (["--out", "/proc/no/such/place"], "cannot write to output folder"),
        (["--format", "xlsx"], "is invalid for '--format"),
    ])
    func badInputExitsNonZeroWithAMessageAndRunsNothing(arguments: [String], message: String) throws {
        let result = try run(arguments)
        #expect(result.status == 64)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!result.stderr.contains("Fatal error"), "no stack trace for user errors")
        #expect(result.stdout.isEmpty)
    }

    @Test func jsonFormatWritesEveryRow() throws {
        let out = temporaryDirectory()
        let result = try run([
            "--workload", "sleep",
            "--backend", "async,sequential", "--tasks", "2", "--latency", "1ms", "--reps", "1", "--format", "json",
            "--out", out, "--overwrite",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(Measurement.readFile(out + "/results.json"))
        #expect(json.components("\"status\" : \"ok\"") == 2)
        #expect(access(out + "/results.csv", F_OK) != 0)
    }
}

@Suite struct VerifyEndToEndTests {
    @Test func verifyComparesWithPerfOrSaysItIsMissing() throws {
        let result = try run(["verify", "--rounds", "2000"])
        #expect(result.status == 0 || result.status == 1, "\(result.stderr)")
        #expect(result.stdout.contains("switch, pthread pinned to CPU"))
        #expect(result.stdout.contains("peak RSS, pthread sleep N = 1000"))
        let perf = result.stdout.contains("perf bench sched pipe -T")
        let missing = result.stdout.contains("perf not found: install linux-perf")
        #expect(perf || missing)
    }
}

@Suite(.serialized) struct RegressionEndToEndTests {
    @Test func saveCompareAndCheckARealRun() throws {
        let root = temporaryDirectory()
        let runDir = root + "/run"
        let baselines = ["--baseline-dir", root + "/baselines"]
        let sweep = try run([
            "--workload", "sleep",
            "--backend", "async,sequential", "--tasks", "2", "--latency", "20ms", "--reps", "3", "--out", runDir,
        ])
        #expect(sweep.status == 0, "\(sweep.stderr)")

        let save = try run(["baseline", "save", "main", runDir] + baselines)
        #expect(save.status == 0, "\(save.stderr)")
        #expect(save.stdout.contains("as baseline 'main'"))
        #expect(try run(["baseline", "list"] + baselines).stdout == "main\n")

        // The same run against itself: nothing regressed.
        let check = try run(["check", "--baseline", "main", runDir] + baselines)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("check passed"))

        let json = try run(["compare", "main", runDir, "--format", "json"] + baselines)
        #expect(json.status == 0)
        #expect(json.stdout.contains("\"verdict\" : \"unchanged\""))
        #expect(!json.stdout.contains("\"verdict\" : \"regressed\""))
        let markdown = try run(["compare", "main", "main", "--format", "markdown"] + baselines)
        #expect(markdown.stdout.hasPrefix("| cell | metric | main | main |"))

        // Without RUN_DIR, check runs the baseline's cells first.
        let rerun = try run(
            ["check", "--baseline", "main", "--gate", "counters", "--out", root + "/rerun"] + baselines)
        #expect(rerun.status == 0 || rerun.status == 1, "\(rerun.stderr)")
        #expect(try readRows(root + "/rerun/results.csv").count == 2)
    }

    @Test func errorsExitTwoWithTheFileAndProblem() throws {
        let root = temporaryDirectory()
        let baselines = ["--baseline-dir", root + "/baselines"]
        let missing = try run(["check", "--baseline", "nope", root] + baselines)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no baseline 'nope'"), "\(missing.stderr)")

        let bad = root + "/bad"
        _ = mkdir(bad, 0o755)
        let fd = open(bad + "/results.csv", O_WRONLY | O_CREAT, 0o644)
        _ = "schema_version,backend\n1,async\n".withCString { write(fd, $0, strlen($0)) }
        close(fd)
        let malformed = try run(["baseline", "save", "x", bad] + baselines)
        #expect(malformed.status == 2)
        #expect(
            malformed.stderr.contains(bad + "/results.csv:1: the header has no 'status' column"), "\(malformed.stderr)")
        #expect(!malformed.stderr.contains("Fatal error"))
    }
}
