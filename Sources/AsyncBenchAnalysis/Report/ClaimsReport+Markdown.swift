import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import AsyncBenchSweep

extension ClaimsReport {
    /// REPORT.md: the machine and run, a summary of verdicts, one section per claim, and the
    /// published figures from other runtimes beside this run's.
    public func markdown() -> String {
        var text = "# asyncbench claims report\n\n"
        text +=
            "Each verdict below is computed by `asyncbench report` from this run's `results.csv` by the rule stated with it; nothing is typed by hand. The claims come from a tutorial chapter on Python's asyncio (C1–C8 in CLAIMS.md); here they are tested on Swift's concurrency models\(pythonFindings == nil ? "" : " and, by the same rules, on Python's (the `python-*` backends)"). A figure measured over repetitions carries a range, [low–high]: what the middle half of its repetitions give (first to third quartile of their wall times; one odd repetition moves the median the verdict uses very little), or for a p99 the lowest and highest p99 of one repetition; a rule whose threshold lies inside that range gives *inconclusive* instead of a verdict another run could flip.\n\n"
        text += "## Machine and run\n\n"
        if let metadata = run.metadata {
            // run.json's strings are data: escaped, they cannot add Markdown or HTML to the report.
            text += "- Machine: \(Markdown.text(metadata.machineLine))\n"
            text += "- Date: \(Markdown.text(metadata.date))\n"
            text += "- Command: \(Markdown.code(metadata.commandLine))\n"
            if !metadata.settings.isEmpty {
                text += "- Settings: \(Markdown.text(metadata.settings.joined(separator: ", ")))\n"
            }
            for worker in metadata.workers ?? [] {
                text +=
                    "- Worker built once before the first cell, apart from every measurement: \(Markdown.text(worker.line))\n"
            }
        } else {
            text += "- Machine: unknown (no run.json beside the CSV)\n"
        }
        let statuses = Dictionary(grouping: run.rows, by: \.status).map { "\($0.value.count) \($0.key)" }.sorted()
        text += "- Cells: \(run.rows.count) (\(statuses.joined(separator: ", ")))\n"
        text += "- Results: \(Markdown.code(run.path))\n\n"

        text += summary()
        if let chartsNote { text += "Charts: \(chartsNote)\n\n" }

        for (index, finding) in findings.enumerated() {
            text += "## \(finding.id): \(finding.claim)\n\n"
            text += Self.verdictAndBody(finding)
            for chart in finding.charts where availableCharts.contains(chart) {
                text += "![\(chart)](charts/\(chart))\n\n"
            }
            if let python = pythonFindings?[index] {
                // The charts draw every backend of the run: shown once, above.
                text += "### Python\n\n" + Self.verdictAndBody(python)
                if python.verdict != finding.verdict {
                    text +=
                        "Swift and Python differ: \(python.contrast ?? "see the figures"); Swift's verdict is \(finding.verdict.rawValue), Python's \(python.verdict.rawValue).\n\n"
                }
            }
        }
        text += allocatorComparison()
        text += publishedComparison()
        return text
    }

    /// The summary table: a verdict per claim, Swift's beside Python's when the run has both.
    func summary() -> String {
        guard let pythonFindings else {
            var text = "## Summary\n\n| claim | verdict | deciding figures |\n|---|---|---|\n"
            for finding in findings {
                text += "| \(finding.id): \(finding.claim) | **\(finding.verdict.rawValue)** | \(finding.headline) |\n"
            }
            return text + "\n"
        }
        var text = "## Summary\n\n| claim | Swift | Python | deciding figures (Swift; Python) |\n|---|---|---|---|\n"
        for (swift, python) in zip(findings, pythonFindings) {
            text +=
                "| \(swift.id): \(swift.claim) | **\(swift.verdict.rawValue)** | **\(python.verdict.rawValue)** | Swift: \(swift.headline); Python: \(python.headline) |\n"
        }
        return text + "\n"
    }

    /// A finding's verdict, rule and body.
    static func verdictAndBody(_ finding: Finding) -> String {
        var text = "**Verdict: \(finding.verdict.rawValue).**"
        if finding.verdict == .inconclusive {
            text += " (A threshold of the rule lies inside the deciding figures' range over the repetitions.)"
        }
        text += finding.rule.isEmpty ? "\n\n" : " Rule: \(finding.rule)\n\n"
        return text + finding.body + "\n"
    }

    /// The jemalloc rows beside the system rows of the same cells (a run with `--allocator both`).
    func allocatorComparison() -> String {
        var text = "## The allocator's own effect: glibc malloc vs jemalloc\n\n"
        // Per-task figures need many tasks: at small N, one-off costs dominate (jemalloc fills a
        // thread cache of ~28 KiB on first use). The sequential baseline creates no tasks.
        let minimumTasks = 100
        let jemalloc = run.rows.filter {
            $0.key.allocator == Allocator.jemalloc.rawValue && $0.status == .ok
                && $0.key.backend != SequentialBackend.name && $0.key.tasks >= minimumTasks
        }
        guard run.rows.contains(where: { $0.key.allocator == Allocator.jemalloc.rawValue }) else {
            return text
                + "This run used the system allocator only (glibc malloc). `--allocator both` runs every cell under jemalloc too, and this section then compares the two.\n\n"
        }
        guard !jemalloc.isEmpty else {
            return text
                + "No cell with N ≥ \(minimumTasks) completed under both allocators in this run: at smaller N, one-off costs (jemalloc's thread cache) swamp the per-task figures.\n\n"
        }
        var system: [CellKey: ResultRow] = [:]
        for row in run.rows where row.key.allocator == Allocator.system.rawValue && row.status == .ok {
            system[row.key] = row
        }
        // Per backend and workload, the largest N that ran under both.
        var pairs: [(ResultRow, ResultRow)] = []
        for group in Dictionary(grouping: jemalloc, by: { "\($0.key.workload) \($0.key.backend) \($0.key.pinned)" })
            .values
        {
            let matched = group.compactMap { row -> (ResultRow, ResultRow)? in
                var key = row.key
                key.allocator = Allocator.system.rawValue
                return system[key].map { ($0, row) }
            }
            if let largest = matched.max(by: { $0.0.key.tasks < $1.0.key.tasks }) { pairs.append(largest) }
        }
        pairs.sort { $0.0.key < $1.0.key }
        text +=
            "Each cell below ran twice in this run, once per allocator; the same code, only `malloc` differs. Heap is each allocator's own count of bytes in use (glibc `mallinfo2`, jemalloc `stats.allocated`); allocation calls are counted the same way under both. Per backend and workload, the largest N that ran under both (N ≥ \(minimumTasks): below that, one-off costs such as jemalloc's ~28 KiB thread cache swamp per-task figures).\n\n"
        text +=
            "| cell | heap per task (glibc → jemalloc) | allocations per task | RSS per task | creating one | wall (median) |\n|---|--:|--:|--:|--:|--:|\n"
        func pair(_ a: ResultRow, _ b: ResultRow, _ column: Column<Double>, _ format: (Double) -> String) -> String {
            guard let x = a[column], let y = b[column] else { return "—" }
            let change = x > 0 ? " (\(Units.trim(y / x, digits: 2))×)" : ""
            return "\(format(x)) → \(format(y))\(change)"
        }
        let bytes = { (value: Double) in Units.formatBytes(Int(value.rounded())) }
        for (glibc, jemallocRow) in pairs {
            var label = glibc.key
            label.allocator = ""
            text +=
                "| \(label.description.trimmingWhitespace()) | \(pair(glibc, jemallocRow, RunnerColumns.heapPerTask, bytes)) | \(pair(glibc, jemallocRow, RunnerColumns.allocationsPerTask) { Units.trim($0, digits: 2) }) | \(pair(glibc, jemallocRow, RunnerColumns.rssPerTask, bytes)) | \(pair(glibc, jemallocRow, RunnerColumns.createPerTask) { Units.trim($0, digits: 2) + " µs" }) | \(pair(glibc, jemallocRow, RunnerColumns.wallMedian) { Units.trim($0, digits: 2) + " ms" }) |\n"
        }
        return text + "\n"
    }

    /// This run's figures beside published ones from other runtimes (measured elsewhere).
    func publishedComparison() -> String {
        var text = "## Beside published figures from other runtimes\n\n"
        text +=
            "Measured elsewhere, on other hardware, by other harnesses: a guide to orders of magnitude, not a like-for-like comparison. Swift has no published figure of this kind; the asyncbench rows are new.\n\n"
        text +=
            "Memory for 1,000,000 concurrent sleeping tasks (pkolaczk, \"How much memory do you need to run 1 million concurrent tasks?\", 2023):\n\n"
        text += "| runtime | memory for 1M tasks | source |\n|---|--:|---|\n"
        for (runtime, megabytes, source) in [
            ("Rust tokio", "213.6 MB", "pkolaczk 2023"), ("C# (.NET)", "461 MB", "pkolaczk 2023"),
            ("Node.js", "494 MB", "pkolaczk 2023"), ("Java virtual threads", "1,154 MB", "pkolaczk 2023"),
            ("Python 3.10 asyncio", "2,232 MB", "pkolaczk 2023"),
            ("Python 3.13 asyncio", "1,276 MB", "hez2010's 2024 re-run of the same benchmark, other hardware"),
            ("Go goroutines", "2,658 MB", "pkolaczk 2023"),
        ] {
            text += "| \(runtime) | \(megabytes) | \(source) |\n"
        }
        let million = 1_000_000
        let labels = [
            AsyncBackend.name: "Swift async (this run)",
            ExecutorBackend.name: "Swift async on one thread, `executor` (this run)",
            NIOBackend.name: "SwiftNIO, one timer per task on one event loop, `nio` (this run)",
            PythonAsyncioBackend.name: "Python asyncio, `python-asyncio` (this run)",
            PythonUvloopBackend.name: "Python asyncio on uvloop, `python-uvloop` (this run)",
        ]
        let measuredOnly: Set = [NIOBackend.name, PythonAsyncioBackend.name, PythonUvloopBackend.name]
        for backend in [
            AsyncBackend.name, ExecutorBackend.name, NIOBackend.name, PythonAsyncioBackend.name,
            PythonUvloopBackend.name,
        ] {
            guard let label = labels[backend] else { continue }
            if measuredOnly.contains(backend) && everySleep?.row(backend, million) == nil { continue }
            if let row = everySleep?.row(backend, million), let peak = row.real(RunnerColumns.peakRSS) {
                text +=
                    "| \(label) | \(Units.trim(peak / 1e6, digits: 1)) MB measured (peak RSS of the process) | asyncbench |\n"
            } else if let figures = everySleep, let n = figures.highestOK(backend),
                let perTask = figures.row(backend, n)?[RunnerColumns.rssPerTask]
            {
                let extrapolated = perTask * Double(million) / 1e6
                text +=
                    "| \(label) | ≈ \(Units.trim(extrapolated, digits: 0)) MB, extrapolated from \(Units.formatBytes(Int(perTask))) per task at N = \(n) | asyncbench, not measured at 1M (`--preset million-tasks` measures it) |\n"
            }
        }
        if let figures = everySleep, figures.rows.contains(where: { $0.key.tasks == million }) {
            text += "\n" + MillionTasks.table(figures)
        }
        text += "\nSwitch and creation cost (jimblandy/context-switch):\n\n"
        text += "| figure | async task | OS thread | source |\n|---|--:|--:|---|\n"
        text += "| switch | ~0.2 µs | ~1.7 µs | jimblandy/context-switch (Rust) |\n"
        text += "| creation | ~0.3 µs | ~17 µs | jimblandy/context-switch (Rust) |\n"
        if let figures = sleep, let n = figures.largestCommonN(["async", "pthread"]),
            let async = figures.row("async", n)?[RunnerColumns.overheadPerTask],
            let thread = figures.row("pthread", n)?[RunnerColumns.overheadPerTask]
        {
            text +=
                "| create + start + join, per task at N = \(n) | \(Self.us(async)) | \(Self.us(thread)) | asyncbench `sleep` overhead per task (this run) |\n"
        }
        if let figures = sleep, let n = figures.largestCommonN(["async", "pthread"]),
            let async = figures.row("async", n)?[RunnerColumns.createPerTask],
            let thread = figures.row("pthread", n)?[RunnerColumns.createPerTask]
        {
            text +=
                "| creation (the backend's creation loop / N) at N = \(n) | \(Self.us(async)) | \(Self.us(thread)) | asyncbench `create_us_per_task` (this run) |\n"
        }
        let async = Self.switchNanoseconds(run, "async", pinned: true)
        let thread = Self.switchNanoseconds(run, "pthread", pinned: true)
        if async != nil || thread != nil {
            let format = { (value: Double?) in value.map { Units.trim($0 / 1000, digits: 2) + " µs" } ?? "—" }
            text +=
                "| switch, pinned to one CPU | \(format(async)) | \(format(thread)) | asyncbench `switch` (this run) |\n"
        } else {
            text += "| switch | not measured in this run | not measured in this run | needs the `switch` workload |\n"
        }
        return text
    }
}
