extension ClaimsReport {
    /// REPORT.md: the machine and run, a summary of verdicts, one section per claim, and the
    /// published figures from other runtimes beside this run's.
    public func markdown() -> String {
        var text = "# asyncbench claims report\n\n"
        text +=
            "Each verdict below is computed by `asyncbench report` from this run's `results.csv` by the rule stated with it; nothing is typed by hand. The claims come from a tutorial chapter on Python's asyncio (C1–C8 in CLAIMS.md); here they are tested on Swift's concurrency models.\n\n"
        text += "## Machine and run\n\n"
        if let metadata = run.metadata {
            text += "- Machine: \(metadata.machineLine)\n"
            text += "- Date: \(metadata.date)\n"
            text += "- Command: `\(metadata.commandLine)`\n"
            if !metadata.settings.isEmpty { text += "- Settings: \(metadata.settings.joined(separator: ", "))\n" }
        } else {
            text += "- Machine: unknown (no run.json beside the CSV)\n"
        }
        let statuses = Dictionary(grouping: run.rows, by: \.status).map { "\($0.value.count) \($0.key)" }.sorted()
        text += "- Cells: \(run.rows.count) (\(statuses.joined(separator: ", ")))\n"
        text += "- Results: `\(run.path)`\n\n"

        text += "## Summary\n\n| claim | verdict | deciding figures |\n|---|---|---|\n"
        for finding in findings {
            text += "| \(finding.id): \(finding.claim) | **\(finding.verdict.rawValue)** | \(finding.headline) |\n"
        }
        text += "\n"
        if let chartsNote { text += "Charts: \(chartsNote)\n\n" }

        for finding in findings {
            text += "## \(finding.id): \(finding.claim)\n\n"
            text += "**Verdict: \(finding.verdict.rawValue).**"
            text += finding.rule.isEmpty ? "\n\n" : " Rule: \(finding.rule)\n\n"
            text += finding.body + "\n"
            for chart in finding.charts where availableCharts.contains(chart) {
                text += "![\(chart)](charts/\(chart))\n\n"
            }
        }
        text += publishedComparison()
        return text
    }

    /// This run's figures beside published ones from other runtimes (measured elsewhere).
    func publishedComparison() -> String {
        var text = "## Beside published figures from other runtimes\n\n"
        text +=
            "Measured elsewhere, on other hardware, by other harnesses: a guide to orders of magnitude, not a like-for-like comparison. Swift has no published figure of this kind; the asyncbench rows are new.\n\n"
        text +=
            "Memory for 1,000,000 concurrent sleeping tasks (pkolaczk, \"How much memory do you need to run 1 million concurrent tasks?\", 2023):\n\n"
        text += "| runtime | memory for 1M tasks | source |\n|---|--:|---|\n"
        for (runtime, megabytes) in [
            ("Rust tokio", "213.6 MB"), ("C# (.NET)", "461 MB"), ("Node.js", "494 MB"),
            ("Java virtual threads", "1,154 MB"), ("Python asyncio", "2,232 MB"), ("Go goroutines", "2,658 MB"),
        ] {
            text += "| \(runtime) | \(megabytes) | pkolaczk 2023 |\n"
        }
        if let figures = sleep, let n = figures.highestOK("async"),
            let perTask = figures.row("async", n)?.number("rss_bytes_per_task")
        {
            let extrapolated = perTask * 1_000_000 / 1e6
            text +=
                "| Swift async (this run) | ≈ \(Units.trim(extrapolated, digits: 0)) MB, extrapolated from \(Units.formatBytes(Int(perTask))) per task at N = \(n) | asyncbench, not measured at 1M |\n"
        }
        text += "\nSwitch and creation cost (jimblandy/context-switch):\n\n"
        text += "| figure | async task | OS thread | source |\n|---|--:|--:|---|\n"
        text += "| switch | ~0.2 µs | ~1.7 µs | jimblandy/context-switch (Rust) |\n"
        text += "| creation | ~0.3 µs | ~17 µs | jimblandy/context-switch (Rust) |\n"
        if let figures = sleep, let n = figures.largestCommonN(["async", "pthread"]),
            let async = figures.row("async", n)?.number("overhead_us_per_task"),
            let thread = figures.row("pthread", n)?.number("overhead_us_per_task")
        {
            text +=
                "| create + start + join, per task at N = \(n) | \(Self.us(async)) | \(Self.us(thread)) | asyncbench `sleep` overhead per task (this run) |\n"
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
