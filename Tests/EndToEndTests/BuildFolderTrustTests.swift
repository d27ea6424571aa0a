import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 26, item 1: another local account that makes the worker build folder first (world-
/// writable, with its own program in it) or plants a symbolic link in its place gets no code run
/// as the user of asyncbench, and the folder a link points to is neither chmodded nor pruned.
/// The toolchain is /bin/true (`ASYNCBENCH_GO`): what is tested is the folder, not Go.
@Suite(.serialized) struct BuildFolderTrustTests {
    static var isRoot: Bool { geteuid() == 0 && ProcessIO.findExecutable("useradd") != nil }

    /// A second local account for one test, removed by `remove()`.
    struct OtherUser {
        let name: String

        /// `prefix` tells apart the accounts of suites that run at the same time.
        init(prefix: String = "abt26u") throws {
            name = "\(prefix)\(getpid() % 100_000)"
            _ = try sh("userdel \(name) 2>/dev/null; useradd --no-create-home --shell /bin/sh \(name)")
        }

        /// Runs `command` through /bin/sh as this user; returns its exit status.
        @discardableResult
        func run(_ command: String) throws -> Int32 {
            try sh("runuser -u \(name) -- /bin/sh -c \(shellQuoted(command))")
        }

        func remove() { _ = try? sh("userdel \(name)") }
    }

    /// A folder under /tmp that every user may write to, sticky, as /tmp itself is.
    static func sharedFolder() throws -> String {
        var template = Array("/tmp/asyncbench-t26-XXXXXX".utf8CString)
        let path = try #require(mkdtemp(&template).map { String(cString: $0) })
        chmod(path, 0o1777)
        return path
    }

    /// The environment of the victim's runs: the cache and TMPDIR in `shared`, a stand-in go.
    static func environment(_ shared: String) -> [String: String] {
        ["XDG_CACHE_HOME": shared, "TMPDIR": shared, "ASYNCBENCH_GO": "/bin/true"]
    }

    static var goSleepSpec: String {
        var spec = CellSpec(
            backend: "go", workload: "sleep", tasks: 1, latencyNanoseconds: 2_000_000,
            options: BackendOptions(threadStackBytes: 0, maxThreads: 100, maxProcesses: 100), reps: 1, warmup: 0)
        spec.parameters =
            (try? Registry.workload(named: "sleep")!.erasedPlan(.defaults, latencies: [2_000_000]).parameters)
            ?? spec.parameters
        return JSONCoding.encode(spec)
    }

    @Test(.enabled(if: isRoot, "needs root to add a second local account (useradd)"))
    func aWorkerPlantedByAnotherUserIsNeverRun() throws {
        let shared = try Self.sharedFolder()
        let other = try OtherUser()
        defer {
            other.remove()
            Files.removeTree(shared)
        }
        // Where a cell looks for the built worker: the message of a cell run before any build.
        let first = try run(["cell", "--spec", Self.goSleepSpec], environment: Self.environment(shared))
        let message = first.stdout
        let start = try #require(message.firstRange(of: "(no ")?.upperBound, "\(message) \(first.stderr)")
        let binary = String(message[start...].prefix { $0 != ")" })
        #expect(binary.hasPrefix(shared + "/"), "\(binary)")
        // The other user makes that folder first, open to all, with a program of theirs.
        let folder = Files.parent(of: binary)
        let marker = shared + "/ran-as"
        let planted = "#!/bin/sh\nid -u > \(marker)\nexit 3\n"
        try other.run(
            "mkdir -p \(folder) && chmod -R 0777 \(shared)/*/ && printf '%s' \(shellQuoted(planted)) > \(binary) && chmod 0755 \(binary)"
        )
        #expect(Files.exists(binary), "the other user planted \(binary)")
        let second = try run(["cell", "--spec", Self.goSleepSpec], environment: Self.environment(shared))
        #expect(!Files.exists(marker), "the planted worker ran as uid \(Measurement.readFile(marker) ?? "")")
        #expect(second.stdout.contains("belongs to \(other.name)"), "\(second.stdout) \(second.stderr)")
        #expect(second.stdout.contains("\"status\":\"error\""), "\(second.stdout)")
    }

    @Test(.enabled(if: isRoot, "needs root to add a second local account (useradd)"))
    func aLinkedBuildFolderIsNeitherChmoddedNorPruned() throws {
        let shared = try Self.sharedFolder()
        let victim = temporaryDirectory() + "/victim"
        let other = try OtherUser()
        defer {
            other.remove()
            Files.removeTree(shared)
        }
        try Files.makeDirectories(victim + "/go-0123456789abcdef")
        chmod(victim, 0o755)
        let threeDaysAgo = timeval(tv_sec: time(nil) - 3 * 86_400, tv_usec: 0)
        _ = [threeDaysAgo, threeDaysAgo].withUnsafeBufferPointer {
            utimes(victim + "/go-0123456789abcdef", $0.baseAddress)
        }
        // The link names of the build root before and after the fix, both pointing at victim.
        try other.run("ln -s \(victim) \(shared)/asyncbench && ln -s \(victim) \(shared)/asyncbench-workers-0")
        let out = temporaryDirectory() + "/out"
        let result = try run(
            [
                "--backend", "go", "--workload", "sleep", "--tasks", "1", "--reps", "1", "--latency", "1ms", "--out",
                out,
            ],
            environment: Self.environment(shared))
        let info = try #require(Files.linkStatus(victim))
        #expect(
            info.st_mode & 0o7777 == 0o755,
            "the linked folder was chmodded to \(String(info.st_mode & 0o7777, radix: 8))")
        #expect(Files.isDirectory(victim + "/go-0123456789abcdef"), "a folder inside the link's target was pruned")
        let rows = try readRows(out + "/results.csv")
        #expect(!rows.isEmpty && rows.allSatisfy { $0["status"] == "error" }, "\(rows)")
        #expect(
            rows.allSatisfy { $0["message"]?.contains("is a symbolic link") == true },
            "\(rows.map { $0["message"] ?? "" })"
        )
        #expect(result.status == 0, "\(result.stderr)")
    }
}

/// Runs `command` with /bin/sh and waits; returns its exit status.
@discardableResult
func sh(_ command: String) throws -> Int32 {
    let pid = try shell(command)
    guard case .success(.exited(let code)) = WaitStatus.wait(for: pid) else { return -1 }
    return code
}
