import AsyncBenchModel
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Other programs asyncbench runs (a probe, a worker and what it starts, the janitor) are
/// bounded in time and output, and none outlives the run.
extension EndToEndTests {
    /// A fake interpreter: `--describe` runs `body` (sh); anything else is the real python3.
    func fakeInterpreter(_ body: String) throws -> String {
        let path = temporaryDirectory() + "/python"
        try Files.writeAtomically(
            "#!/bin/sh\nfor a in \"$@\"; do if [ \"$a\" = --describe ]; then \(body); exit 0; fi; done\nexec python3 \"$@\"\n",
            to: path)
        chmod(path, 0o755)
        return path
    }

    @Test func anInterpreterThatHangsOrFloodsItsProbeIsRefusedInSecondsAndLeavesNothing() throws {
        let cases = [
            ("sleep 300.5 & wait", "did not answer --describe within 10 s: it was killed with its process group"),
            ("head -c 100000000 /dev/zero | tr '\\0' x", "wrote more than 4096 bytes when asked to answer --describe"),
            ("yes python | head -c 100000000", "wrote more than 4096 bytes when asked to answer --describe"),
            ("echo Python 3; echo '# evil'", "answered 2 lines when asked to answer --describe, not one"),
        ]
        for (body, message) in cases {
            let python = try fakeInterpreter(body)
            let out = temporaryDirectory() + "/run"
            let started = Measurement.monotonicNanoseconds()
            let result = try run([
                "--workload", "sleep", "--backend", "python-asyncio", "--tasks", "1", "--reps", "1", "--warmup", "0",
                "--python", python, "--out", out,
            ])
            let seconds = Double(Measurement.monotonicNanoseconds() - started) / 1e9
            #expect(result.status == 64, "\(body): \(result.stderr)")
            #expect(
                result.stderr.hasPrefix("asyncbench: error: the interpreter \(python) \(message)"), "\(result.stderr)")
            #expect(result.stderr.hasSuffix("(--python, or $ASYNCBENCH_PYTHON)\n"), "\(result.stderr)")
            #expect(seconds < 40, "\(body): refused in \(seconds) s")
            #expect(!Files.exists(out), "\(body): nothing written")
            #expect(processes(running: "sleep 300.5").isEmpty, "the probe's own child went with it")
        }
    }

    @Test func aSIGKILLedRunTakesItsProbeAndWhatTheProbeStartedAlong() throws {
        let python = try fakeInterpreter("sleep 300.75 & wait")
        let directory = temporaryDirectory()
        let pid = try start(
            [
                "--workload", "sleep", "--backend", "python-asyncio", "--tasks", "1", "--python", python, "--out",
                temporaryDirectory() + "/run",
            ], output: directory)
        let started = Measurement.monotonicNanoseconds()
        while processes(running: "sleep 300.75").isEmpty, Measurement.monotonicNanoseconds() - started < 20_000_000_000
        {
            usleep(20_000)
        }
        #expect(!processes(running: "sleep 300.75").isEmpty, "the probe runs")
        kill(pid, SIGKILL)
        _ = WaitStatus.wait(for: pid)
        let killed = Measurement.monotonicNanoseconds()
        while !processes(running: "sleep 300.75").isEmpty, Measurement.monotonicNanoseconds() - killed < 2_000_000_000 {
            usleep(20_000)
        }
        let left = processes(running: "sleep 300.75")
        #expect(left.isEmpty, "the probe's child is still running 2 s after the run was killed")
        for process in left { kill(process, SIGKILL) }
    }

    @Test func aWorkersSetsidGrandchildEndsWithTheCell() throws {
        let root = String(#filePath).split(separator: "/").dropLast(2).joined(separator: "/")
        let worker = temporaryDirectory() + "/worker.py"
        try Files.writeAtomically(
            "import runpy, subprocess\nsubprocess.Popen(['setsid', 'sleep', '300.25'])\n"
                + "runpy.run_path('/\(root)/Fixtures/worker/sleep_worker.py', run_name='__main__')\n", to: worker)
        let out = temporaryDirectory() + "/run"
        let started = Measurement.monotonicNanoseconds()
        let result = try run(
            [
                "--workload", "sleep", "--backend", "worker-test", "--tasks", "2", "--reps", "1", "--warmup", "0",
                "--out", out, "--quiet",
            ], environment: ["ASYNCBENCH_TEST_WORKER": worker])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try readRows(out + "/results.csv")
        #expect(rows.map { $0["status"] } == ["ok"], "the cell is not held by what its worker left: \(rows)")
        #expect(Measurement.monotonicNanoseconds() - started < 60_000_000_000, "not its --cell-timeout")
        let left = processes(running: "sleep 300.25")
        #expect(left.isEmpty, "the worker's setsid grandchild outlived the run")
        for process in left { kill(process, SIGKILL) }
    }

    @Test func anInterruptedRunUnderSetsidLeavesNoProcessOfItsSession() throws {
        let directory = temporaryDirectory()
        let arguments = [
            asyncbenchPath(), "--workload", "sleep", "--backend", "pthread,async", "--tasks", "2", "--latency", "3s",
            "--reps", "1", "--warmup", "0", "--out", temporaryDirectory() + "/run",
        ]
        // /bin/sh is not a group leader: setsid execs in place, and the session is the sweep's pid.
        let pid = try shell(
            "exec setsid " + arguments.map(shellQuoted).joined(separator: " ") + " >\(directory)/out 2>\(directory)/err"
        )
        let started = Measurement.monotonicNanoseconds()
        while cells(of: pid).isEmpty, Measurement.monotonicNanoseconds() - started < 20_000_000_000 { usleep(20_000) }
        #expect(!cells(of: pid).isEmpty, "a cell runs")
        kill(pid, SIGINT)
        guard case .success(let status) = WaitStatus.wait(for: pid) else { throw SystemError("waitpid", errno: errno) }
        #expect(status == .exited(130), "\(Measurement.readFile(directory + "/err") ?? "")")
        // Every process of the session, zombies included (a zombie is a process the run did not end).
        let left = Files.list("/proc").compactMap { name -> String? in
            guard let process = pid_t(name), let stat = Measurement.readFile("/proc/\(name)/stat") else { return nil }
            let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
            return fields.count > 4 && pid_t(fields[4]) == pid ? "\(process) \(fields[0])" : nil
        }
        #expect(left.isEmpty, "processes of the run's session alive after it exited: \(left)")
    }

    @Test func tooFewFreeDescriptorsAreALimitRowNamingOpenFilesNotACrash() throws {
        let out = temporaryDirectory() + "/run"
        let directory = temporaryDirectory()
        let arguments = [
            asyncbenchPath(), "--workload", "net", "--backend", "async", "--tasks", "2", "--requests", "2", "--reps",
            "1",
            "--warmup", "0", "--out", out, "--quiet",
        ]
        // The descriptors this test process holds are closed first: the limit is the run's alone.
        let script =
            "for fd in $(seq 3 1023); do eval \"exec $fd>&-\"; done; ulimit -n 16; exec "
            + arguments.map(shellQuoted).joined(separator: " ") + " >\(directory)/out 2>\(directory)/err"
        let pid = try shell("exec /bin/bash -c " + shellQuoted(script))  // dash's redirections take one digit
        guard case .success(let status) = WaitStatus.wait(for: pid) else { throw SystemError("waitpid", errno: errno) }
        #expect(status == .exited(0), "\(Measurement.readFile(directory + "/err") ?? "")")
        let rows = try readRows(out + "/results.csv")
        #expect(rows.map { $0["status"] } == ["limit"], "\(rows)")
        #expect(rows.first?["message"]?.hasPrefix("open files: the limit (ulimit -n 16) leaves") == true, "\(rows)")
    }
}
