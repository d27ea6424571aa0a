import AsyncBenchModel
import AsyncBenchResults
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 26, items 3, 5 and 6 and the leftovers about refused input: no gnuplot script is taken
/// from the working folder, no link planted in --out is followed, --overwrite removes only an
/// earlier run's files, a folder holding any file a run writes is refused, and refused input
/// leaves nothing behind.
@Suite struct OutputFolderTrustTests {
    static let sweep = ["--backend", "async", "--workload", "sleep", "--tasks", "1", "--reps", "1", "--latency", "1ms"]

    /// Runs asyncbench in `folder` (its working folder) with `environment`.
    static func runIn(_ folder: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Finished {
        let variables = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\(shellQuoted($0.value)) " }.joined()
        let quoted = ([asyncbenchPath()] + arguments).map(shellQuoted).joined(separator: " ")
        let status = try sh("cd \(shellQuoted(folder)) && exec env \(variables)\(quoted) >.out 2>.err </dev/null")
        return Finished(
            pid: 0, status: status, stdout: Measurement.readFile(folder + "/.out") ?? "",
            stderr: Measurement.readFile(folder + "/.err") ?? "")
    }

    /// A stand-in gnuplot on PATH: logs the script it is given to `log` and draws one chart into
    /// the `out` folder its -e names.
    static func fakeGnuplot(log: String) throws -> [String: String] {
        let bin = temporaryDirectory()
        let script = """
            #!/bin/sh
            printf '%s\\n' "$3" >> \(log)
            out=$(printf '%s' "$2" | sed -n "s/.*out='\\([^']*\\)'.*/\\1/p")
            printf '<svg></svg>' > "$out/fake.svg"
            """
        try Files.writeAtomically(script + "\n", to: bin + "/gnuplot")
        chmod(bin + "/gnuplot", 0o755)
        return ["PATH": bin + ":" + (getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin")]
    }

    @Test func aPlotScriptInTheWorkingFolderIsNeverRun() throws {
        let folder = temporaryDirectory()
        let log = folder + "/scripts-run"
        try Files.writeAtomically("system(\"touch \(folder)/pwned\")\n", to: folder + "/plot.gnuplot")
        let environment = try Self.fakeGnuplot(log: log)
        let swept = try Self.runIn(folder, Self.sweep + ["--out", "out"], environment: environment)
        #expect(swept.status == 0, "\(swept.stderr)")
        let plotted = try Self.runIn(folder, ["plot", "out"], environment: environment)
        #expect(plotted.status == 0, "\(plotted.stderr)")
        let scripts = (Measurement.readFile(log) ?? "").split(separator: "\n")
        #expect(scripts.count == 2, "gnuplot ran for the sweep and for plot: \(scripts)")
        #expect(scripts.allSatisfy { !$0.hasPrefix(folder + "/") }, "the working folder's script was used: \(scripts)")
        #expect(Files.exists(folder + "/out/charts/fake.svg"), "the chart was moved into charts/")
        #expect(RunManifest.read(folder + "/out")?.contains("charts/fake.svg") == true)
    }

    @Test func aLinkedLockFileIsNotFollowed() throws {
        let out = temporaryDirectory()
        let victim = temporaryDirectory() + "/victim"
        try Files.writeAtomically("secret\n", to: victim)
        symlink(victim, out + "/.asyncbench.lock")
        let result = try run(Self.sweep + ["--out", out])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("symbolic link"), "\(result.stderr)")
        #expect(Measurement.readFile(victim) == "secret\n")
    }

    @Test func linksPlantedInTheOutputFolderAreReplacedNotFollowed() throws {
        let out = temporaryDirectory()
        let victim = temporaryDirectory() + "/victim"
        let victimFolder = temporaryDirectory()
        try Files.writeAtomically("secret\n", to: victim)
        for name in [".asyncbench-write-test", "REPORT.md.partial", "run.json.partial", "results.csv.partial"] {
            symlink(victim, out + "/" + name)
        }
        let log = temporaryDirectory() + "/log"
        let result = try run(Self.sweep + ["--out", out], environment: try Self.fakeGnuplot(log: log))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Measurement.readFile(victim) == "secret\n", "a link in --out was written through")
        #expect(Files.linkStatus(out + "/results.csv").map { $0.st_mode & S_IFMT == S_IFREG } == true)
        #expect(try readRows(out + "/results.csv").count == 1)
        // A link where the charts go is in the way of the run: refused, nothing drawn through it.
        let linked = temporaryDirectory()
        symlink(victimFolder, linked + "/charts")
        let refused = try run(Self.sweep + ["--out", linked], environment: try Self.fakeGnuplot(log: log))
        #expect(refused.status == 64 && refused.stderr.contains("charts"), "\(refused.stderr)")
        #expect(Files.list(victimFolder).isEmpty, "charts were drawn through the link: \(Files.list(victimFolder))")
    }

    @Test func aDanglingResultsLinkIsNeverWrittenThrough() throws {
        let out = temporaryDirectory()
        let outside = temporaryDirectory() + "/outside.csv"
        symlink(outside, out + "/results.csv")
        let refused = try run(Self.sweep + ["--out", out])
        #expect(refused.status == 64, "a results.csv (a link) is a run's file: \(refused.stderr)")
        #expect(refused.stderr.contains("--overwrite"), "\(refused.stderr)")
        #expect(!Files.exists(outside))
        let replaced = try run(Self.sweep + ["--out", out, "--overwrite"])
        #expect(replaced.status == 0, "\(replaced.stderr)")
        #expect(!Files.exists(outside), "the results were written outside --out")
        #expect(Files.linkStatus(out + "/results.csv").map { $0.st_mode & S_IFMT == S_IFREG } == true)
    }

    @Test func overwriteRemovesOnlyAnEarlierRunsFiles() throws {
        // A folder of a run older than the manifest: only the names a run writes go.
        let older = temporaryDirectory()
        try Files.makeDirectories(older + "/charts/prod")
        for name in ["results.csv", "run.json", "charts/efficiency.svg", "charts/prod/Chart.yaml", "notes.txt"] {
            try Files.writeAtomically("old\n", to: older + "/" + name)
        }
        let replaced = try run(Self.sweep + ["--out", older, "--overwrite"])
        #expect(replaced.status == 0, "\(replaced.stderr)")
        #expect(Measurement.readFile(older + "/charts/prod/Chart.yaml") == "old\n", "the user's chart was removed")
        #expect(Measurement.readFile(older + "/notes.txt") == "old\n")
        // The old chart is gone (where gnuplot is installed, the run drew a new one).
        #expect(Measurement.readFile(older + "/charts/efficiency.svg") != "old\n")
        #expect(try readRows(older + "/results.csv").count == 1)
        // A run with a manifest: what it lists goes, the user's files added since stay.
        try Files.writeAtomically("mine\n", to: older + "/charts/prod/values.yaml")
        let again = try run(Self.sweep + ["--out", older, "--overwrite"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(Files.list(older + "/charts/prod") == ["Chart.yaml", "values.yaml"])
        // A file a run writes that the manifest does not list is not removed, and refused.
        try Files.writeAtomically("my own report\n", to: older + "/REPORT.md")
        let listed = try #require(RunManifest.read(older)).filter { $0 != "REPORT.md" }
        try RunManifest.start(in: older, listing: listed)
        let refused = try run(Self.sweep + ["--out", older, "--overwrite"])
        #expect(refused.status == 64 && refused.stderr.contains("REPORT.md"), "\(refused.stderr)")
        #expect(Measurement.readFile(older + "/REPORT.md") == "my own report\n")
    }

    @Test func aFolderHoldingAnyFileARunWritesIsRefused() throws {
        for name in ["REPORT.md", "charts/a.svg", "capacity.csv"] {
            let out = temporaryDirectory()
            try Files.makeDirectories(out + "/charts")
            try Files.writeAtomically("mine\n", to: out + "/" + name)
            let result = try run(Self.sweep + ["--out", out])
            #expect(result.status == 64, "\(name): \(result.stderr)")
            #expect(result.stderr.contains(name) && result.stderr.contains("--overwrite"), "\(result.stderr)")
            #expect(Measurement.readFile(out + "/" + name) == "mine\n")
            #expect(!Files.exists(out + "/results.csv") && !Files.exists(out + "/.asyncbench.lock"))
        }
    }

    @Test func refusedInputWritesNothing() throws {
        let folder = temporaryDirectory()
        let capacity = try Self.runIn(
            folder, ["capacity", "--backend", "async", "--start", "0", "--out", "a/b/c", "--quiet"])
        #expect(capacity.status == 64, "\(capacity.stderr)")
        #expect(!Files.exists(folder + "/a"), "\(Files.list(folder + "/a/b/c"))")
        let long = (0..<20).map { _ in String(repeating: "x", count: 250) }.joined(separator: "/")
        let refused = try Self.runIn(folder, Self.sweep + ["--out", long])
        #expect(refused.status == 64, "\(refused.stderr.prefix(300))")
        #expect(!Files.exists(folder + "/" + String(repeating: "x", count: 250)), "folders were made")
        #expect(refused.stderr.count < 600, "a \(refused.stderr.count)-character message")
    }

    @Test func anUnusableTmpdirIsRefusedBeforeTheRun() throws {
        let folder = temporaryDirectory()
        let result = try Self.runIn(
            folder, ["--backend", "async", "--workload", "file", "--tasks", "1", "--reps", "1", "--out", "out"],
            environment: ["TMPDIR": "/nonexistent"])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("TMPDIR") && result.stderr.contains("/nonexistent"), "\(result.stderr)")
        #expect(!Files.exists(folder + "/out"))
    }
}
