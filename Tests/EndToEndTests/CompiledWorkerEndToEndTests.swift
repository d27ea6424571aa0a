import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The Go and Node.js backends from the command line: built once before the first cell, ok
/// rows on the issue's four workloads, the runtimes' versions and build times in run.json.
@Suite(.serialized) struct CompiledWorkerEndToEndTests {
    static var installed: Bool {
        ProcessIO.findExecutable("go") != nil && ProcessIO.findExecutable("node") != nil
    }

    @Test(.enabled(if: installed, "needs go and node: apt-get install golang-go nodejs"))
    func goAndNodeRunSleepSwitchCPUAndNetWithOkRows() throws {
        let out = temporaryDirectory()
        let result = try run([
            "--backend", "go,node", "--workload", "sleep,switch,cpu,net", "--tasks", "2,4", "--latency", "2ms",
            "--reps", "2", "--requests", "3", "--rounds", "500", "--work", "20000", "--out", out, "--overwrite",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try readRows(out + "/results.csv")
        // switch runs pinned and unpinned.
        #expect(rows.count == 2 * 2 * 5, "\(rows.map { "\($0["backend"]!) \($0["workload"]!)" })")
        for row in rows {
            #expect(row["status"] == "ok", "\(row)")
            if row["workload"] == "net" {
                #expect(row["requests_sent"] == row["server_answered"] && row["requests_failed"] == "0", "\(row)")
            }
        }
        let metadata = try #require(Measurement.readFile(out + "/run.json"))
        let decoded = try #require(JSONCoding.decode(RunMetadata.self, from: Array(metadata.utf8)))
        let workers = try #require(decoded.workers)
        #expect(workers.map(\.worker) == ["go", "node"])
        #expect(workers.allSatisfy { $0.status == "ok" && $0.buildSeconds > 0 }, "\(workers)")
        #expect(workers[0].version?.hasPrefix("go1.") == true && workers[0].version?.contains("GOMAXPROCS") == true)
        #expect(workers[1].version?.hasPrefix("Node.js v") == true, "\(workers)")
        #expect(result.stdout.contains("worker: go: go1."), "the build time is printed apart")
        let report = try #require(Measurement.readFile(out + "/REPORT.md"))
        #expect(report.contains("go1.") && report.contains("Node.js v"), "the report names each runtime's version")
    }
}
