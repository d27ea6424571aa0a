import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import AsyncBenchSweep
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The faults a user hits: the run killed, interrupted, out of disk, or sharing its folder.
extension EndToEndTests {
    @Test(arguments: ["fork", "spawn"])
    func killingTheSweepTakesItsCellAndTheCellsChildrenAlong(backend: String) throws {
        let directory = temporaryDirectory()
        let pid = try start(
            [
                "--workload", "sleep", "--backend", backend, "--tasks", "40", "--latency", "20s", "--reps", "1",
                "--warmup", "0", "--out", temporaryDirectory(),
            ], output: directory)
        // The cell, and its 40 forked children (which share its command line) or spawned helpers.
        func family() -> [pid_t] {
            let cells = cells(of: pid)
            return cells + cells.flatMap { processes(running: "__asyncbench-task \($0) ") }
        }
        let started = Measurement.monotonicNanoseconds()
        while family().count < 41, Measurement.monotonicNanoseconds() - started < 20_000_000_000 { usleep(20_000) }
        let before = family()
        #expect(before.count >= 41, "\(before.count) processes")
        kill(pid, SIGKILL)
        _ = WaitStatus.wait(for: pid)
        let killed = Measurement.monotonicNanoseconds()
        while before.contains(where: { kill($0, 0) == 0 }), Measurement.monotonicNanoseconds() - killed < 3_000_000_000
        {
            usleep(20_000)
        }
        let left = before.filter { kill($0, 0) == 0 }
        #expect(left.isEmpty, "\(left.count) of \(before.count) still running 3 s after the sweep was killed")
        for process in left { kill(process, SIGKILL) }
    }

    @Test func aResultsFileThatCannotGrowKeepsWholeRowsAndTheRunFails() throws {
        // A file size limit (ulimit -f, 512-byte blocks) stands in for a full disk: writes past it
        // fail with EFBIG, as with ENOSPC.
        let out = temporaryDirectory()
        let directory = temporaryDirectory()
        let arguments = [
            asyncbenchPath(), "--workload", "sleep", "--backend", "async", "--tasks", "1,2,3,4,5,6,7,8,9,10,11,12",
            "--latency", "1ms", "--reps", "1", "--warmup", "0", "--out", out,
        ]
        let pid = try shell(
            "ulimit -f 5; exec " + arguments.map(shellQuoted).joined(separator: " ")
                + " >\(directory)/out 2>\(directory)/err")
        guard case .success(let status) = WaitStatus.wait(for: pid) else { throw SystemError("waitpid", errno: errno) }
        let stderr = Measurement.readFile(directory + "/err") ?? ""
        #expect(status == .exited(1), "\(status): \(stderr)")
        #expect(stderr.contains("File too large") && stderr.contains("rows finished before it are whole"), "\(stderr)")
        let text = try #require(Measurement.readFile(out + "/results.csv"))
        #expect(text.hasSuffix("\n") && text.utf8.count <= 2560, "cut back to the last whole row")
        let rows = try readRows(out + "/results.csv")
        #expect(!rows.isEmpty && rows.count < 12, "\(rows.count) rows")
        #expect(rows.allSatisfy { $0["status"] == "ok" && $0["message"] != nil })
        let report = try run(["report", out])
        #expect(report.status == 0, "every whole row still reads: \(report.stderr)")
    }

    @Test func anInterruptWhileTheChartsAreDrawnEndsTheRunAs130AndTakesGnuplotAlong() throws {
        // A gnuplot that takes its time: the interrupt lands while it "draws".
        let bin = temporaryDirectory()
        try Files.writeAtomically("#!/bin/sh\nexec sleep 31.25\n", to: bin + "/gnuplot")
        chmod(bin + "/gnuplot", 0o755)
        let out = temporaryDirectory()
        let directory = temporaryDirectory()
        let arguments = [
            asyncbenchPath(), "--workload", "sleep", "--backend", "async", "--tasks", "1", "--reps", "1", "--out", out,
        ]
        let pid = try shell(
            "PATH='\(bin)':\"$PATH\" exec " + arguments.map(shellQuoted).joined(separator: " ")
                + " >\(directory)/out 2>\(directory)/err")
        let started = Measurement.monotonicNanoseconds()
        while processes(running: "sleep 31.25").isEmpty, Measurement.monotonicNanoseconds() - started < 20_000_000_000 {
            usleep(20_000)
        }
        #expect(!processes(running: "sleep 31.25").isEmpty, "the charts step started")
        kill(pid, SIGINT)
        guard case .success(let status) = WaitStatus.wait(for: pid) else { throw SystemError("waitpid", errno: errno) }
        #expect(status == .exited(130), "\(status): \(Measurement.readFile(directory + "/err") ?? "")")
        usleep(100_000)
        #expect(processes(running: "sleep 31.25").isEmpty, "gnuplot went with the run")
        #expect(try readRows(out + "/results.csv").count == 1, "the row is saved")
    }

    @Test func aSecondRunOnTheSameFolderIsRefusedWhileTheFirstLives() throws {
        let out = temporaryDirectory()
        let directory = temporaryDirectory()
        let pid = try start(
            [
                "--workload", "sleep", "--backend", "pthread", "--tasks", "1", "--latency", "3s", "--reps", "1",
                "--out", out,
            ],
            output: directory)
        let started = Measurement.monotonicNanoseconds()
        while !Files.exists(out + "/run.json"), Measurement.monotonicNanoseconds() - started < 10_000_000_000 {
            usleep(20_000)
        }
        for extra in [[], ["--overwrite"]] {
            let second = try run(["--workload", "sleep", "--tasks", "1", "--out", out] + extra)
            #expect(second.status == 64)
            #expect(second.stderr.contains("is in use by another asyncbench run (pid \(pid))"), "\(second.stderr)")
        }
        kill(pid, SIGTERM)
        _ = WaitStatus.wait(for: pid)
        let rows = try readRows(out + "/results.csv")
        #expect(rows.isEmpty || rows.allSatisfy { $0["backend"] == "pthread" }, "only the first run's rows")
    }

    @Test func ctrlCStopsTheSweepWithAValidCSVAndNothingLeftBehind() throws {
        // A sleep cell, then a net cell of 10 s a repetition: SIGINT lands while the net cell and
        // its latency server run.
        let out = temporaryDirectory()
        let directory = temporaryDirectory()
        let pid = try start(
            [
                "--workload", "sleep,net", "--backend", "pthread", "--tasks", "2", "--requests", "1000", "--latency",
                "10ms", "--reps", "1", "--out", out, "--overwrite",
            ], output: directory)
        let started = Measurement.monotonicNanoseconds()
        // Wait for the net cell's server, then interrupt.
        while try childrenOf(pid).filter({ $0.contains("asyncbench server") }).isEmpty,
            Measurement.monotonicNanoseconds() - started < 20_000_000_000
        {
            usleep(50_000)
        }
        usleep(300_000)
        kill(pid, SIGINT)
        guard case .success(let status) = WaitStatus.wait(for: pid) else { throw SystemError("waitpid", errno: errno) }
        let seconds = Double(Measurement.monotonicNanoseconds() - started) / 1e9
        #expect(status == .exited(130), "\(status)")
        #expect(seconds < 15, "stopped within a second or two of the signal, not after the 10 s cell")
        #expect(Measurement.readFile(directory + "/err")?.contains("interrupted by SIGINT") == true)
        // The CSV holds the finished sleep row, whole.
        let rows = try readRows(out + "/results.csv")
        #expect(rows.map { $0["workload"]! } == ["sleep"])
        #expect(rows.first?["status"] == "ok")
        #expect(try childrenOf(pid).isEmpty, "no cell, fork child or server left")
    }

    @Test func aFileCellThatDiesMidWriteLeavesNoFilesBehind() throws {
        // Files may grow to 256 KiB (RLIMIT_FSIZE): the first write past it kills the cell
        // (SIGXFSZ), or fails with EFBIG where the signal is ignored, with its tasks' files
        // half-written; the sweep still removes them.
        let out = temporaryDirectory()
        let files = temporaryDirectory()
        let result = try run(
            [
                "--workload", "file", "--backend", "pthread,async", "--tasks", "4", "--file-size", "1MiB", "--file-dir",
                files, "--reps", "1", "--warmup", "0", "--out", out, "--overwrite",
            ], fileSizeLimit: 256 * 1024)
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try readRows(out + "/results.csv")
        #expect(rows.count == 2)
        for row in rows {
            let message = row["message"] ?? ""
            #expect(
                (row["status"] == "crashed" && message.contains("SIGXFSZ"))
                    || (row["status"] == "limit" && message.contains("File too large")), "\(row)")
        }
        #expect(Files.list(files).isEmpty, "\(Files.list(files))")

        // Without the limit the same cells pass, and leave nothing either.
        let passed = try run([
            "--workload", "file,file-offload", "--backend", "pthread,async", "--tasks", "4", "--file-size", "1MiB",
            "--file-dir", files, "--reps", "1", "--warmup", "0", "--out", out, "--overwrite",
        ])
        #expect(passed.status == 0, "\(passed.stderr)")
        let ok = try readRows(out + "/results.csv").filter { $0["status"] == "ok" }
        #expect(ok.count == 3, "file on both, file-offload on async")
        #expect(ok.allSatisfy { $0["file_bytes"] == "1048576" && Double($0["files_per_s"] ?? "") != nil })
        #expect(Files.list(files).isEmpty)
    }

    @Test func killingTheSweepInAFileCellLeavesNoProcessAndNoFolder() throws {
        let files = temporaryDirectory()
        let directory = temporaryDirectory()
        let pid = try start(
            [
                "--workload", "file", "--backend", "pthread", "--tasks", "16", "--file-size", "4MiB", "--file-dir",
                files, "--reps", "50", "--out", temporaryDirectory(),
            ], output: directory)
        let started = Measurement.monotonicNanoseconds()
        func written() -> Int { Files.list(files).map { Files.list(files + "/" + $0).count }.reduce(0, +) }
        while written() == 0, Measurement.monotonicNanoseconds() - started < 20_000_000_000 { usleep(10_000) }
        let cellsBefore = cells(of: pid)
        #expect(written() > 0 && !cellsBefore.isEmpty, "the file cell is writing")
        // This sweep's janitor (other runs on the machine have their own).
        let janitors = processes(running: "__asyncbench-janitor").filter { parent(of: $0) == pid }
        #expect(janitors.count == 1, "the sweep started its janitor")
        kill(pid, SIGKILL)
        _ = WaitStatus.wait(for: pid)
        let killed = Measurement.monotonicNanoseconds()
        // A janitor that exited may stay a zombie until init reaps it: gone once its command line is.
        func janitorsAlive() -> [pid_t] { processes(running: "__asyncbench-janitor").filter(janitors.contains) }
        while !Files.list(files).isEmpty || cellsBefore.contains(where: { kill($0, 0) == 0 })
            || !janitorsAlive().isEmpty,
            Measurement.monotonicNanoseconds() - killed < 2_000_000_000
        {
            usleep(20_000)
        }
        #expect(Files.list(files).isEmpty, "\(Files.list(files)) still there 2 s after the sweep was killed")
        #expect(!cellsBefore.contains { kill($0, 0) == 0 }, "the cell is gone")
        #expect(janitorsAlive().isEmpty, "the janitor is done too")
    }

    @Test(.enabled(if: getuid() == 0, "mounts a small tmpfs, which needs root"))
    func aDiskThatFillsMidSweepFailsTheRunAndKeepsEveryWholeRowReadable() throws {
        let disk = try #require(SmallDisk(kibibytes: 64))
        defer { disk.unmount() }
        // 16 KiB left (tmpfs counts whole 4 KiB pages): room for the lock, the run's manifest,
        // run.json, the header and a few rows.
        try disk.fill(leavingKiB: 16)
        let out = disk.path + "/run"
        let result = try run([
            "--workload", "sleep", "--backend", "async", "--tasks", (1...30).map(String.init).joined(separator: ","),
            "--latency", "1ms", "--reps", "1", "--warmup", "0", "--out", out, "--quiet",
        ])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(
            result.stderr
                == "asyncbench: error: write \(out)/results.csv: No space left on device (errno 28); the run stopped (the rows finished before it are whole in \(out)/results.csv)\n"
        )
        let rows = try readRows(out + "/results.csv")
        #expect(!rows.isEmpty && rows.count < 30 && rows.allSatisfy { $0["status"] == "ok" }, "\(rows.count) rows")
        // Every whole row reads back: compare and check read only; report needs room for REPORT.md.
        #expect(try run(["compare", out, out]).status == 0)
        let baselines = temporaryDirectory()
        #expect(try run(["baseline", "save", "full", out, "--baseline-dir", baselines]).status == 0)
        #expect(try run(["check", "--baseline", "full", out, "--baseline-dir", baselines]).status == 0)
        let report = try run(["report", out])
        #expect(report.status == 2)
        #expect(
            report.stderr
                == "Error: cannot write \(out)/REPORT.md: write \(out)/REPORT.md: No space left on device (errno 28)\n"
        )
        disk.empty()
        #expect(try run(["report", out]).status == 0, "with room again the report is written from the same rows")

        // Room for the rows (pages for the lock, the manifest, run.json, results.csv) but not
        // the report: the run fails, saying so, and keeps its row.
        Files.removeTree(out)
        try disk.fill(leavingKiB: 20)
        let cramped = try run([
            "--workload", "sleep", "--backend", "async", "--tasks", "1", "--reps", "1", "--warmup", "0", "--out", out,
            "--quiet",
        ])
        #expect(cramped.status == 1, "\(cramped.stdout)\(cramped.stderr)")
        #expect(cramped.stdout.contains("report: not written: cannot write \(out)/REPORT.md"), "\(cramped.stdout)")
        #expect(
            cramped.stderr
                == "asyncbench: error: the charts or the report could not be written (see above); every row is saved in \(out)/results.csv, and 'asyncbench plot' / 'asyncbench report' redo them once there is room\n"
        )
        #expect(try readRows(out + "/results.csv").count == 1)
        disk.empty()

        // Full from the start: nothing is left, not even the folder.
        try disk.fill(leavingKiB: 0)
        let none = disk.path + "/none/run"
        let refused = try run(["--workload", "sleep", "--backend", "async", "--tasks", "1", "--out", none, "--quiet"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("left nothing in \(none) (free some space, or pass another --out)"))
        #expect(!Files.exists(disk.path + "/none"), "\(Files.list(disk.path))")
    }

    @Test func anInterruptedOverwriteLeavesNothingOfTheRunItReplaced() throws {
        let out = temporaryDirectory()
        let first = try run([
            "--workload", "sleep", "--backend", "async", "--tasks", "1", "--reps", "1", "--out", out, "--quiet",
        ])
        #expect(first.status == 0 && Files.exists(out + "/REPORT.md"), "\(first.stderr)")
        let directory = temporaryDirectory()
        let pid = try start(
            [
                "--workload", "sleep", "--backend", "pthread", "--tasks", "1,2", "--latency", "3s", "--reps", "1",
                "--warmup", "0", "--out", out, "--overwrite", "--quiet",
            ], output: directory)
        let started = Measurement.monotonicNanoseconds()
        while cells(of: pid).isEmpty, Measurement.monotonicNanoseconds() - started < 20_000_000_000 { usleep(20_000) }
        kill(pid, SIGINT)
        guard case .success(let status) = WaitStatus.wait(for: pid) else { throw SystemError("waitpid", errno: errno) }
        #expect(status == .exited(130), "\(Measurement.readFile(directory + "/err") ?? "")")
        #expect(!Files.exists(out + "/REPORT.md") && !Files.exists(out + "/charts"), "\(Files.list(out))")
        #expect(try readRows(out + "/results.csv").allSatisfy { $0["backend"] == "pthread" })
        #expect(Measurement.readFile(out + "/run.json")?.contains("--overwrite") == true, "the new run's metadata")
    }

    @Test func plotRefusesAFiftyMegabyteLineInSecondsWithoutStartingGnuplot() throws {
        let out = temporaryDirectory()
        let root = String(#filePath).split(separator: "/").dropLast(2).joined(separator: "/")
        var text = try #require(Measurement.readFile("/" + root + "/Fixtures/sleep-run/results.csv"))
        text += String(repeating: "x", count: 50_000_000) + "\n"
        try Files.writeAtomically(text, to: out + "/results.csv")
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).count - 1
        let started = Measurement.monotonicNanoseconds()
        let result = try run(["plot", out])
        let seconds = Double(Measurement.monotonicNanoseconds() - started) / 1e9
        #expect(result.status == 2)
        #expect(
            result.stderr
                == "Error: \(out)/results.csv:\(line): the line is longer than 1048576 bytes (a results row is a few KB): not an asyncbench results file, or an edited one\n"
        )
        #expect(seconds < 30, "refused before any work on the line: \(seconds) s")
        #expect(!Files.exists(out + "/charts"))
    }
}

/// A tmpfs of a few KiB mounted on a temporary folder, to run out of disk for real.
struct SmallDisk {
    let path: String

    init?(kibibytes: Int) {
        path = temporaryDirectory()
        guard
            (try? shell("exec mount -t tmpfs -o size=\(kibibytes)k tmpfs '\(path)'")).map({ pid in
                if case .success(.exited(0)) = WaitStatus.wait(for: pid) { return true }
                return false
            }) == true
        else { return nil }
    }

    /// Fills the disk with one file until `leavingKiB` remain.
    func fill(leavingKiB: Int) throws {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { throw SystemError("statvfs", errno: errno) }
        let free = Int(info.f_bavail) * Int(info.f_frsize)
        let fd = open(path + "/filler-\(leavingKiB)", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0, count: max(0, free - leavingKiB * 1024))
        _ = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    /// Removes the filler files.
    func empty() {
        for name in Files.list(path) where name.hasPrefix("filler-") { unlink(path + "/" + name) }
    }

    func unmount() {
        if let pid = try? shell("exec umount -l '\(path)'") { _ = WaitStatus.wait(for: pid) }
    }
}
