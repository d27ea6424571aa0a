import AsyncBenchModel
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Limits that throttle the runtimes' own threads (libdispatch sleeps a second and retries,
/// forever, when pthread_create fails) are `limit` rows naming the resource, in seconds: not
/// `ok` rows timed at the limit, nor cells that run into their timeout (issue 26, item 11).
@Suite(.serialized) struct RuntimeLimitTests {
    static var canAddUser: Bool {
        geteuid() == 0 && ProcessIO.findExecutable("useradd") != nil && ProcessIO.findExecutable("runuser") != nil
            && ProcessIO.findExecutable("bash") != nil
    }

    /// A small sleep sweep of `backends` run by bash after `limits` (`ulimit` commands), as
    /// `user` when given; the results folder is `folder`/o. Returns the exit status, stderr and
    /// the rows.
    static func sweep(
        _ backends: String, limits: String, user: String? = nil, folder: String, binary: String = asyncbenchPath()
    ) throws -> (status: Int32, stderr: String, rows: [[String: String]]) {
        let command =
            "\(limits); exec "
            + [
                binary, "--backend", backends, "--workload", "sleep", "--tasks", "10", "--latency", "1ms",
                "--reps", "1", "--warmup", "0", "--cell-timeout", "20s", "--out", folder + "/o",
            ].map(shellQuoted).joined(separator: " ") + " >\(folder)/out 2>\(folder)/err </dev/null"
        let bash = "bash -c \(shellQuoted(command))"
        let status = try sh(user.map { "runuser -u \($0) -- \(bash)" } ?? bash)
        let rows = (try? readRows(folder + "/o/results.csv")) ?? []
        return (status, Measurement.readFile(folder + "/err") ?? "", rows)
    }

    @Test func aRuntimeThatCannotGetItsThreadsUnderUlimitVIsALimitRowNamingTheAddressSpace() throws {
        let folder = temporaryDirectory()
        // 64 MiB default stacks (what the runtimes' threads get) under a 300,000 KiB address
        // space: the cooperative pool cannot create its threads. Before: libdispatch retried
        // every second and the cell ran into its timeout.
        let started = Measurement.monotonicNanoseconds()
        let result = try Self.sweep("async", limits: "ulimit -s 65536; ulimit -v 300000", folder: folder)
        let seconds = Double(Measurement.monotonicNanoseconds() - started) / 1e9
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.rows.count == 1, "\(result.rows)")
        for row in result.rows {
            #expect(row["status"] == "limit", "\(row)")
            #expect(row["message"]?.hasPrefix("address space: the limit (ulimit -v 300000)") == true, "\(row)")
            #expect(row["message"]?.hasSuffix("raise ulimit -v") == true, "\(row)")
        }
        #expect(seconds < 15, "the cell should stop at the first refused thread, not retry: \(seconds) s")
    }

    @Test(
        .enabled(
            if: canAddUser,
            "needs root to add a second local account (useradd) and runuser; RLIMIT_NPROC does not bind root"))
    func asyncCellsUnderUlimitUAreLimitRowsNamingProcessesNotTimeouts() throws {
        let user = "abt26l\(getpid() % 100_000)"
        #expect(try sh("userdel \(user) 2>/dev/null; useradd --no-create-home --shell /bin/sh \(user)") == 0)
        defer { _ = try? sh("userdel \(user)") }
        // A folder of ours (0700, root's), then given to the account, which writes the run there.
        var template = Array("/tmp/asyncbench-limits-XXXXXX".utf8CString)
        let folder = try #require(mkdtemp(&template).map { String(cString: $0) })
        defer { Files.removeTree(folder) }
        // A copy of the binary there: the build folder may be one the account cannot enter
        // (a clone under /root, a 0700 folder).
        let binary = folder + "/asyncbench"
        #expect(
            try sh("cp \(shellQuoted(asyncbenchPath())) \(shellQuoted(binary)) && chmod 0755 \(shellQuoted(binary))")
                == 0)
        #expect(try sh("chown \(user) \(shellQuoted(folder))") == 0)
        #expect(
            try sh("runuser -u \(user) -- test -x \(shellQuoted(binary))") == 0, "the account cannot run the binary")

        let started = Measurement.monotonicNanoseconds()
        let result = try Self.sweep(
            "async,executor,dispatch", limits: "ulimit -u 4", user: user, folder: folder, binary: binary)
        let seconds = Double(Measurement.monotonicNanoseconds() - started) / 1e9
        // The exit status is not checked: under 4 processes the report step cannot start its
        // tools either, and says so; the rows are what this test is about.
        #expect(result.rows.map { $0["backend"] } == ["async", "executor", "dispatch"], "\(result.rows)")
        for row in result.rows {
            #expect(row["status"] == "limit", "\(row)")
            #expect(row["message"]?.hasPrefix("processes/threads: the limit (ulimit -u 4) refused") == true, "\(row)")
            #expect(row["message"]?.hasSuffix("raise ulimit -u") == true, "\(row)")
        }
        #expect(seconds < 30, "three cells that each stop at the first refused thread: \(seconds) s")
    }
}
