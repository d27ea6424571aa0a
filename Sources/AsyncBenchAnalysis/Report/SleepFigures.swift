import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import AsyncBenchSweep

/// The `sleep` rows of a run, at one latency, with the look-ups the claims need.
struct SleepFigures: Sendable {
    let rows: [ResultRow]
    /// The latency the figures are for, ms (the one with the most ok rows when a run swept several).
    let latency: Double
    /// Backends in the order the run has them.
    let backends: [String]
    let settings: [String: String]

    /// nil when the run has no `sleep` row that completed.
    init?(run: RecordedRun) {
        let sleep = run.rows.filter { $0.key.workload == "sleep" }
        let okCounts = Dictionary(grouping: sleep.filter { $0.status == .ok }, by: \.key.latencyMilliseconds)
        guard let latency = okCounts.max(by: { ($0.value.count, -$0.key) < ($1.value.count, -$1.key) })?.key else {
            return nil
        }
        self.latency = latency
        rows = sleep.filter { $0.key.latencyMilliseconds == latency }
        backends = rows.map(\.key.backend).uniqued()
        settings = run.metadata?.settingValues ?? [:]
    }

    /// The ok row of `backend` at `tasks`.
    func row(_ backend: String, _ tasks: Int) -> ResultRow? {
        rows.first { $0.key.backend == backend && $0.key.tasks == tasks && $0.status == .ok }
    }

    /// The largest N `backend` completed whose row satisfies `condition`.
    func largestN(_ backend: String, where condition: (ResultRow) -> Bool) -> Int? {
        rows.filter { $0.key.backend == backend && $0.status == .ok && condition($0) }.map(\.key.tasks).max()
    }

    func highestOK(_ backend: String) -> Int? { largestN(backend) { _ in true } }

    /// The N at which `backend` first hit a limit (the tasks it reached when known).
    func limitN(_ backend: String) -> Int? {
        rows.filter { $0.key.backend == backend && $0.status == .limit }.min { $0.key.tasks < $1.key.tasks }
            .map { row in row.real(RunnerColumns.tasksReached).map { Int($0) } ?? row.key.tasks }
    }

    /// The largest N every one of `backends` completed.
    func largestCommonN(_ backends: [String]) -> Int? {
        let sets = backends.map { backend in
            Set(rows.filter { $0.key.backend == backend && $0.status == .ok }.map(\.key.tasks))
        }
        guard let first = sets.first else { return nil }
        return sets.dropFirst().reduce(first) { $0.intersection($1) }.max()
    }

    func setting(_ name: String) -> String? { settings[name] }

    /// Task counts in the run, ascending.
    var taskCounts: [Int] { Set(rows.map(\.key.tasks)).sorted() }

    /// Per backend: highest N completed, the first limit, and the per-task costs at that N.
    func capacityTable() -> String {
        var text =
            "| backend | highest N completed | limit | overhead per task there | RSS per task there | heap per task there | creating one there | threads there |\n|---|--:|---|--:|--:|--:|--:|--:|\n"
        for backend in backends {
            let highest = highestOK(backend)
            let limitRow = rows.filter { $0.key.backend == backend && $0.status != .ok && $0.status != .skipped }
                .min { $0.key.tasks < $1.key.tasks }
            let limit = limitRow.map { "\($0.status) at N = \($0.key.tasks)" } ?? "—"
            let top = highest.flatMap { row(backend, $0) }
            let overhead = top?[RunnerColumns.overheadPerTask].map { Units.trim($0, digits: 1) + " µs" } ?? "—"
            let memory = top?[RunnerColumns.rssPerTask].map { Units.formatBytes(Int($0.rounded())) } ?? "—"
            let heap = top?[RunnerColumns.heapPerTask].map { Units.formatBytes(Int($0.rounded())) } ?? "—"
            let create = top?[RunnerColumns.createPerTask].map { Units.trim($0, digits: 2) + " µs" } ?? "—"
            let threads = top?[RunnerColumns.threadsPeak].map(String.init) ?? "—"
            text +=
                "| \(backend) | \(highest.map(String.init) ?? "none") | \(limit) | \(overhead) | \(memory) | \(heap) | \(create) | \(threads) |\n"
        }
        return text
    }

    /// Efficiency (latency / wall) per backend and N.
    func efficiencyTable() -> String {
        let counts = taskCounts
        var text = "| backend | " + counts.map { "N = \($0)" }.joined(separator: " | ") + " |\n"
        text += "|---|" + counts.map { _ in "--:|" }.joined() + "\n"
        for backend in backends {
            let cells = counts.map { n -> String in
                guard let value = row(backend, n)?[RunnerColumns.efficiency] else {
                    return rows.contains { $0.key.backend == backend && $0.key.tasks == n } ? "—" : ""
                }
                return Units.fixed(value, digits: 3)
            }
            text += "| \(backend) | " + cells.joined(separator: " | ") + " |\n"
        }
        return text
    }
}
