import CAsyncBench
import TestSupport
import Testing

@testable import AsyncBenchAnalysis
@testable import AsyncBenchCell
@testable import AsyncBenchModel
@testable import AsyncBenchResults
@testable import AsyncBenchSweep

#if canImport(Glibc)
    import Glibc
#endif

/// The file workloads (C5): each task's file is verified byte for byte, every backend runs them,
/// and no file is left behind.
@Suite struct FileTests {
    /// Writes `bytes` to `path`.
    static func write(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw SystemError("open \(path)", errno: errno) }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw SystemError("write \(path)", errno: errno) }
    }

    @Test func theCheckFindsEveryDifferenceFromTheTasksPattern() throws {
        let path = temporaryDirectory() + "/f7"
        let size = 40_000  // more than two 16 KiB chunks
        let good = (0..<size).map { CAsyncBench_file_byte(7, Int64($0)) }
        try Self.write(good, to: path)
        #expect(CAsyncBench_file_check(path, 7, Int64(size)) == 0)
        // Another task's pattern, one flipped byte, one byte short or long: all mismatches.
        #expect(CAsyncBench_file_check(path, 8, Int64(size)) == CASYNCBENCH_FILE_MISMATCH)
        var flipped = good
        flipped[size - 5] ^= 1
        try Self.write(flipped, to: path)
        #expect(CAsyncBench_file_check(path, 7, Int64(size)) == CASYNCBENCH_FILE_MISMATCH)
        try Self.write(Array(good.dropLast()), to: path)
        #expect(CAsyncBench_file_check(path, 7, Int64(size)) == CASYNCBENCH_FILE_MISMATCH)
        try Self.write(good + [0], to: path)
        #expect(CAsyncBench_file_check(path, 7, Int64(size)) == CASYNCBENCH_FILE_MISMATCH)
        #expect(CAsyncBench_file_check(path + "-missing", 7, 1) == ENOENT)
        // Tasks' patterns differ from their first bytes on.
        let firsts = Set((0..<1000).map { index in (0..<8).map { CAsyncBench_file_byte(Int64(index), Int64($0)) } })
        #expect(firsts.count == 1000)
    }

    @Test func aWorkloadWithoutAFolderMakesItsOwnAndRemovesIt() throws {
        let parent = temporaryDirectory()
        let parameters = FileWorkload.Parameters(fileBytes: 100_000, fileParent: parent)
        do {
            let body = try FileWorkload.testBody(tasks: 3, parameters)
            for index in 0..<3 { try body.blocking(index) }
            let folders = Files.list(parent)
            #expect(folders.count == 1 && folders[0].hasPrefix("asyncbench-files-"))
            #expect(Files.list(parent + "/" + folders[0]).isEmpty, "each task removes its file")
            body.measuredRepetitionEnded?()
            #expect(body.figures?()[FileWorkload.timedFiles] == 3)
        }
        #expect(Files.list(parent).isEmpty, "the folder goes with the workload")
    }

    @Test func filesTheFileSystemCannotHoldAreALimit() {
        let parameters = FileWorkload.Parameters(fileBytes: 1 << 30, fileParent: temporaryDirectory())
        #expect {
            _ = try FileWorkload.testBody(tasks: 1_000_000, parameters)
        } throws: { error in
            guard case CellFailure.limit(_, let cause) = error else { return false }
            return cause.contains("choose a smaller --file-size")
        }
        #expect(Files.list(parameters.fileParent).isEmpty)
    }

    /// A file-workload row: `tasks` files in `wallMilliseconds`, one file's p99 `p99Milliseconds`.
    static func row(
        _ workload: String, _ backend: String, tasks: Int = 1000, wallMilliseconds: Int64, p99Milliseconds: Double
    )
        -> ResultRow
    {
        var spec = CellSpec.example(backend: backend, tasks: tasks, latency: 0)
        spec.use(workload)
        var report = CellReport.example(wallsMilliseconds: [wallMilliseconds])
        report.figures.set(
            Percentiles((1...100).map { Double($0) * p99Milliseconds * 1e6 / 99 }), scale: 1e6,
            p50: FileWorkload.fileP50,
            p99: FileWorkload.fileP99, max: FileWorkload.fileMax)
        return ResultRow(spec: spec, report: report)
    }

    @Test func c5WeighsTheFileTimeInPlaceAndWhatOffloadingGains() throws {
        func verdict(inPlace: Int64, offloaded: Int64, p99: Double) throws -> ClaimsReport.Verdict? {
            let report = try ClaimsReportTests.report([
                Self.row("file", "executor", wallMilliseconds: inPlace, p99Milliseconds: p99),
                Self.row("file-offload", "executor", wallMilliseconds: offloaded, p99Milliseconds: p99 * 2),
            ])
            let finding = try #require(report.findings.first { $0.id == "C5" })
            #expect(finding.body.contains("| executor | in place |"))
            return finding.verdict
        }
        // 1000 files: 30 ms in place (33,333/s) vs 15 ms offloaded (66,667/s), 20 µs a file.
        #expect(try verdict(inPlace: 30, offloaded: 15, p99: 0.02) == .supported)
        #expect(try verdict(inPlace: 30, offloaded: 25, p99: 0.02) == .nuanced, "1.2×: within run-to-run noise")
        #expect(try verdict(inPlace: 20, offloaded: 30, p99: 0.02) == .nuanced, "offloading did not help")
        #expect(try verdict(inPlace: 30, offloaded: 15, p99: 5) == .nuanced, "a file blocks the loop 5 ms")
        #expect(try verdict(inPlace: 20, offloaded: 30, p99: 5) == .contradicted)
        // With fsynced rows, they decide whether offloading helps; the page cache's p99 whether
        // a file is fast enough.
        func synced(page: Int64, sync: Int64) throws -> ClaimsReport.Finding {
            let report = try ClaimsReportTests.report([
                Self.row("file", "executor", wallMilliseconds: 30, p99Milliseconds: 0.02),
                Self.row("file-offload", "executor", wallMilliseconds: page, p99Milliseconds: 0.04),
                Self.row("file-sync", "executor", tasks: 100, wallMilliseconds: 60, p99Milliseconds: 2),
                Self.row("file-sync-offload", "executor", tasks: 100, wallMilliseconds: sync, p99Milliseconds: 4),
            ])
            return try #require(report.findings.first { $0.id == "C5" })
        }
        let helps = try synced(page: 30, sync: 20)
        #expect(helps.verdict == .supported, "3× with fsync, though 1× on the page cache")
        #expect(helps.headline.hasSuffix("offloading 3.00× the files/s with each file fsynced, at N = 100"))
        #expect(helps.body.contains("| executor | offloaded, fsync |"))
        #expect(helps.body.contains("On the page cache alone offloading gave 1.00×"))
        #expect(try synced(page: 10, sync: 60).verdict == .nuanced, "3× on the page cache, 1× with fsync")
        let none = try ClaimsReportTests.report([
            Self.row("file", "pthread", wallMilliseconds: 30, p99Milliseconds: 0.02)
        ])
        #expect(none.findings.first { $0.id == "C5" }?.verdict == .nuanced, "no async rows: nothing to weigh")
    }

    @Test func thePlanChecksTheFileOptionsAndKeepsFileCellsOnEveryBackend() throws {
        #expect(throws: UsageError.self) {
            try RunPlan(RunPlanTests.options { $0.workloadOptions = try! .parse(["--file-size", "2GiB"]) })
        }
        #expect(throws: UsageError.self) {
            try RunPlan(RunPlanTests.options { $0.workloadOptions = try! .parse(["--file-size", "4 apples"]) })
        }
        #expect(throws: UsageError.self) {
            try RunPlan(RunPlanTests.options { $0.workloadOptions = try! .parse(["--file-dir", "/no/such/dir"]) })
        }
        let plan = try RunPlan(
            RunPlanTests.options {
                $0.workloads = "file,file-offload"
                $0.tasks = "1000"
            })
        let run = plan.cells.filter { $0.skipReason == nil }.map { "\($0.spec.workload) \($0.spec.backend)" }
        // No wait to serialize: sequential and threadpool run N = 1000 files; spawn cannot.
        #expect(run.contains("file sequential") && run.contains("file threadpool"))
        #expect(!run.contains("file spawn"))
        #expect(
            run.filter { $0.hasPrefix("file-offload") } == [
                "file-offload async", "file-offload executor", "file-offload nio",
            ])
        // The net workload makes --requests waits per task, one after another: sequential
        // N = 100 would take 100 × 10 × the latency.
        let net = try RunPlan(
            RunPlanTests.options {
                $0.workloads = "net"
                $0.backends = "sequential"
                $0.tasks = "1,100"
            })
        #expect(net.cells.map { $0.skipReason == nil } == [true, false])
        // A request timeout given no longer than the server's slowest reply would fail every
        // request; left to itself, it follows the latency.
        #expect(throws: UsageError.self) {
            try RunPlan(
                RunPlanTests.options {
                    $0.workloads = "net"
                    $0.latencies = "4s"
                    $0.workloadOptions = try! .parse(["--jitter", "1s", "--request-timeout", "5s"])
                })
        }
        #expect(throws: Never.self) {
            try RunPlan(
                RunPlanTests.options {
                    $0.workloads = "net"
                    $0.latencies = "4s"
                    $0.workloadOptions = try! .parse(["--jitter", "1s"])
                })
        }
        #expect(throws: Never.self) {
            try RunPlan(
                RunPlanTests.options {
                    $0.workloads = "sleep"
                    $0.latencies = "10s"
                })
        }
    }
}

extension BlockingBackendSuites {
    @Suite struct FileWorkloadTests {
        @Test(arguments: [
            ("file", "async"), ("file", "executor"), ("file", "nio"), ("file", "dispatch"), ("file", "pthread"),
            ("file", "threadpool"), ("file", "fork"), ("file", "sequential"), ("file-offload", "async"),
            ("file-offload", "executor"), ("file-offload", "nio"),
        ])
        func everyTaskVerifiesItsFileAndRemovesIt(workload: String, backend: String) throws {
            let folder = temporaryDirectory()
            var spec = CellSpec.example(backend: backend, tasks: 20, latency: 0)
            spec.use(workload)
            spec.reps = 2
            spec.warmup = 1
            spec.update(FileWorkload.Parameters.self) {
                $0.fileBytes = 20_000
                $0.fileDirectory = folder
            }
            let report = CellRunner.run(spec)
            #expect(report.status == .ok, "\(report.message)")
            #expect(report.figures[FileWorkload.timedFiles] == 20 * report.samples.count, "every file timed")
            #expect((report.figures[FileWorkload.fileP50] ?? 0) > 0)
            #expect(Files.list(folder).isEmpty, "no file left behind")
            let row = ResultRow(spec: spec, report: report)
            #expect(
                row[FileWorkload.fileBytes] == 20_000 && row[FileWorkload.filesPerSecond] != nil
                    && row[FileWorkload.fileP99] != nil)
        }
    }
}

/// A run killed with SIGKILL leaves its cell's private folder; the next run removes it.
@Suite struct AbandonedFolderTests {
    @Test func foldersWhoseMakerIsGoneAreRemovedWithANote() throws {
        let parent = temporaryDirectory()
        // A pid that is not running: a child that has exited and been reaped.
        let gone = try #require(try shellExitedPid())
        try Files.makeDirectories(parent + "/asyncbench-files-\(gone)-abc123/inside")
        try Files.makeDirectories(parent + "/asyncbench-files-\(getpid())-live12")
        try Files.makeDirectories(parent + "/asyncbench-files-old123")  // no maker: not ours to judge
        let plan = try RunPlan(
            RunPlanTests.options {
                $0.workloads = "file"
                $0.workloadOptions = try! .parse(["--file-dir", parent])
            })
        #expect(Files.list(parent) == ["asyncbench-files-\(getpid())-live12", "asyncbench-files-old123"])
        #expect(plan.notes.contains { $0.contains("removed \(parent)/asyncbench-files-\(gone)-abc123") })
    }

    /// The pid of a process that has exited and been reaped.
    func shellExitedPid() throws -> pid_t? {
        var pid: pid_t = 0
        let rc = ProcessIO.withCStrings(["/bin/true"]) { posix_spawn(&pid, "/bin/true", nil, nil, $0, environ) }
        guard rc == 0 else { return nil }
        _ = WaitStatus.wait(for: pid)
        return pid
    }
}
