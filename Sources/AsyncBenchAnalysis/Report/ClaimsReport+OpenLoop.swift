import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults

extension ClaimsReport {
    /// A backend sustains an offered rate when every request was answered, it achieved at least
    /// 95% of it, and its p99 from the intended send time stayed within twice the latency.
    static func sustains(_ row: ResultRow) -> Bool {
        guard row.status == .ok, let achieved = row[NetRateWorkload.achieved],
            let p99 = row[NetWorkload.requestP99], row[NetWorkload.failed] == 0
        else { return false }
        return achieved >= 0.95 * row.key.rate && p99 <= 2 * row.latencyMilliseconds
    }

    /// C4 under an open loop (net-rate rows): per backend at the largest N, p50 / p99 from the
    /// intended send at each offered rate, and the highest rate it sustains with its memory per
    /// connection; nil without net-rate rows.
    /// The net-rate rows (system allocator) at the largest N with an ok one, and that N; nil
    /// without any.
    static func openLoopCells(_ run: RecordedRun) -> (n: Int, cells: [ResultRow])? {
        let rows = run.rows.filter { $0.key.workload == NetRateWorkload.name && $0.allocator == "system" }
        guard let n = rows.filter({ $0.status == .ok }).map(\.key.tasks).max() else { return nil }
        return (n, rows.filter { $0.key.tasks == n })
    }

    static func c4OpenLoop(_ run: RecordedRun) -> String? {
        guard let (n, cells) = openLoopCells(run) else { return nil }
        let rates = cells.map(\.key.rate).uniqued().sorted()
        let latency = cells.first?.latencyMilliseconds ?? 0
        var text =
            "\n**Open loop** (net-rate, \(n) connections, \(Units.trim(latency, digits: 3)) ms): each connection sends on a schedule and latency counts from the intended send time, so a client or server that falls behind shows in the percentiles (no coordinated omission). Per backend and offered rate: p50 / p99 in ms, and the rate achieved where it fell short; a backend *sustains* a rate when it answered every request, achieved ≥ 95% of it and kept p99 ≤ 2 × the latency (\(Units.trim(2 * latency, digits: 3)) ms):\n\n"
        text += "| backend | " + rates.map { Units.trim($0, digits: 0) + "/s" }.joined(separator: " | ")
        text += " | highest with ≥ 95% achieved | highest sustained | memory per connection there |\n"
        text += "|---|" + rates.map { _ in "--:|" }.joined() + "--:|--:|--:|\n"
        for backend in cells.map(\.key.backend).uniqued() {
            let mine = cells.filter { $0.key.backend == backend }
            let figures = rates.map { rate -> String in
                guard let row = mine.first(where: { $0.key.rate == rate }) else { return "—" }
                guard row.status == .ok else { return row.status.rawValue }
                let p50 = row[NetWorkload.requestP50].map { Units.trim($0, digits: 1) } ?? "?"
                let p99 = row[NetWorkload.requestP99].map { Units.trim($0, digits: 1) } ?? "?"
                let short =
                    (row[NetRateWorkload.achieved] ?? 0) < 0.95 * rate
                    ? " (achieved \(Units.trim(row[NetRateWorkload.achieved] ?? 0, digits: 0))/s)" : ""
                return "\(p50) / \(p99)\(short)"
            }
            let best = mine.filter(sustains).max { $0.key.rate < $1.key.rate }
            let kept = mine.filter {
                $0.status == .ok && ($0[NetRateWorkload.achieved] ?? 0) >= 0.95 * $0.key.rate
            }.map(\.key.rate).max()
            let memory = best?[RunnerColumns.totalPerTask] ?? best.flatMap { $0[RunnerColumns.rssPerTask] }
            text +=
                "| \(backend) | " + figures.joined(separator: " | ")
                + " | \(kept.map { Units.trim($0, digits: 0) + "/s" } ?? "none")"
                + " | \(best.map { Units.trim($0.key.rate, digits: 0) + "/s" } ?? "none") | \(memory.map { Units.formatBytes(Int($0)) } ?? "—") |\n"
        }
        text +=
            "\nThe memory is user + kernel bytes per connection where the cell read the kernel's, else RSS per connection. Each cell's `.hgrm` under `histograms/` holds its whole distribution.\n"
        return text
    }
}
