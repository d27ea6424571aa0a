import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import AsyncBenchSweep

extension ClaimsReport {
    static func c4(_ run: RecordedRun, _ models: Models) -> Finding? {
        let rows = run.rows.filter { $0.key.workload == NetWorkload.name }
        let openLoop = c4OpenLoop(run)
        guard !rows.isEmpty else { return openLoop.map { c4OnlyOpenLoop(run, models, text: $0) } }
        func row(_ backend: String, _ tasks: Int) -> ResultRow? { rows.cell(nil, backend, tasks) }
        let counts = rows.map(\.key.tasks).uniqued().sorted()
        var body =
            "Each task makes its requests one after another to a server that answers after the injected latency; per backend and N: requests per second, p99 round trip, RSS per task (or why the cell did not complete):\n\n"
        body += "| backend | " + counts.map { "N = \($0)" }.joined(separator: " | ") + " |\n"
        body += "|---|" + counts.map { _ in "--:|" }.joined() + "\n"
        for backend in rows.map(\.key.backend).uniqued() {
            let cells = counts.map { n -> String in
                guard let cell = row(backend, n) else { return "—" }
                guard cell.status == .ok else { return cell.status.rawValue }
                let rps = cell[NetWorkload.throughput].map { Units.trim($0, digits: 0) + "/s" } ?? "?"
                let p99 = cell[NetWorkload.requestP99].map { ", p99 " + Units.trim($0, digits: 1) + " ms" } ?? ""
                let memory = cell[RunnerColumns.rssPerTask].map { ", " + Units.formatBytes(Int($0)) } ?? ""
                return rps + p99 + memory
            }
            body += "| \(backend) | " + cells.joined(separator: " | ") + " |\n"
        }
        body += openLoop ?? ""
        let lagged = rows.filter { ($0[NetWorkload.serverLateness] ?? 0) > 1000 }
        if !lagged.isEmpty {
            body +=
                "\nThe server's own replies went out more than 1 ms late at p99 in \(lagged.count) cell(s) (\(lagged.map { "\($0.key.backend) N = \($0.key.tasks)" }.joined(separator: ", "))): there it shared the 2 cores with the clients and was part of the wait.\n"
        }
        let (pool, thread) = (models.pool, models.thread)
        let rule =
            "at the largest N where \(pool) and \(thread) both completed with every request answered (≥ 100): supported when \(pool)'s throughput is at least 80% of \(thread)'s and its memory per task lower, or when \(thread) failed at an N \(pool) completed; contradicted when \(thread)'s throughput is at least 1.5× \(pool)'s at no more memory (threads clearly win); nuanced otherwise. (Bands this wide because one net cell's throughput varies by ±15% from one cell process to the next here: async / pthread at N = 1000 gave 0.79× to 1.15× over twelve main jobs, more than within any one cell, so a narrower line would be crossed by chance.)"
        func ok(_ cell: ResultRow?) -> Bool { cell?.status == .ok }
        let asyncDone = rows.completedTasks(NetWorkload.name, pool)
        if let n = rows.filter({ $0.key.backend == thread && $0.status != .ok && $0.status != .skipped })
            .map(\.key.tasks).filter({ asyncDone.contains($0) }).min()
        {
            return Finding(
                id: "C4", claim: Claims.c4, verdict: .supported, rule: rule,
                headline:
                    "\(thread) did not complete N = \(n) (\(row(thread, n)?.status.rawValue ?? "?")); \(pool) did",
                body: body,
                charts: ["net_throughput.png", "net_p99.png"] + (openLoop == nil ? [] : ["net_rate_latency.png"]))
        }
        guard
            let n = asyncDone.intersection(rows.completedTasks(NetWorkload.name, thread))
                .filter({ $0 >= 100 }).max(),
            let asyncRow = row(pool, n), let threadRow = row(thread, n),
            let asyncRate = asyncRow[NetWorkload.throughput], let threadRate = threadRow[NetWorkload.throughput],
            let asyncMemory = asyncRow[RunnerColumns.rssPerTask],
            let threadMemory = threadRow[RunnerColumns.rssPerTask]
        else {
            return Finding(
                id: "C4", claim: Claims.c4, verdict: .nuanced, rule: rule,
                headline: "\(pool) and \(thread) did not both complete an N ≥ 100", body: body,
                charts: ["net_throughput.png", "net_p99.png"] + (openLoop == nil ? [] : ["net_rate_latency.png"]))
        }
        // Throughput has the spread of the cells' repetitions; memory is read once per cell.
        let rates = Spread.againstWall(asyncRate, of: asyncRow) / Spread.againstWall(threadRate, of: threadRow)
        let verdict = robustVerdict([rates]) { figures in
            figures[0] >= 0.8 && asyncMemory < threadMemory
                ? .supported : (figures[0] <= 1 / 1.5 && threadMemory <= asyncMemory ? .contradicted : .nuanced)
        }
        body +=
            "\nAt N = \(n): \(pool) \(Units.trim(asyncRate, digits: 0)) requests/s with \(Units.formatBytes(Int(asyncMemory))) per task, \(thread) \(Units.trim(threadRate, digits: 0))/s with \(Units.formatBytes(Int(threadMemory))): \(pool)'s throughput is \(ratio(rates)) \(thread)'s (the range over the middle half of the repetitions of both).\n"
        return Finding(
            id: "C4", claim: Claims.c4, verdict: verdict, rule: rule,
            headline:
                "N = \(n): \(pool) \(Units.trim(asyncRate, digits: 0))/s at \(Units.formatBytes(Int(asyncMemory)))/task, \(thread) \(Units.trim(threadRate, digits: 0))/s at \(Units.formatBytes(Int(threadMemory)))/task",
            body: body,
            charts: ["net_throughput.png", "net_p99.png"] + (openLoop == nil ? [] : ["net_rate_latency.png"]))
    }

    /// C4 from net-rate rows alone: the highest rate each model sustains at the largest N.
    static func c4OnlyOpenLoop(_ run: RecordedRun, _ models: Models, text: String) -> Finding {
        let (n, cells) = openLoopCells(run) ?? (0, [])
        func best(_ backend: String) -> ResultRow? {
            cells.filter { $0.key.backend == backend && sustains($0) }.max { $0.key.rate < $1.key.rate }
        }
        let (pool, thread) = (models.pool, models.thread)
        let rule =
            "open loop, at the largest N: supported when \(pool) sustains at least 80% of the rate \(thread) sustains, with less memory per connection; contradicted when \(thread) sustains at least 1.5× \(pool)'s rate at no more memory; nuanced otherwise (sustains: every request answered, ≥ 95% of the rate achieved, p99 from the intended send ≤ 2 × the latency)"
        func memory(_ row: ResultRow) -> Double? { row[RunnerColumns.totalPerTask] ?? row[RunnerColumns.rssPerTask] }
        guard let a = best(pool), let t = best(thread), let am = memory(a), let tm = memory(t) else {
            return Finding(
                id: "C4", claim: Claims.c4, verdict: .nuanced, rule: rule,
                headline: "open loop: \(pool) or \(thread) sustained none of the rates offered", body: text,
                charts: ["net_rate_latency.png"])
        }
        let ratio = a.key.rate / t.key.rate
        let verdict: Verdict =
            ratio >= 0.8 && am < tm ? .supported : (ratio <= 1 / 1.5 && tm <= am ? .contradicted : .nuanced)
        return Finding(
            id: "C4", claim: Claims.c4, verdict: verdict, rule: rule,
            headline:
                "open loop, N = \(n): \(pool) sustains \(Units.trim(a.key.rate, digits: 0))/s at \(Units.formatBytes(Int(am)))/connection, \(thread) \(Units.trim(t.key.rate, digits: 0))/s at \(Units.formatBytes(Int(tm)))",
            body: text, charts: ["net_rate_latency.png"])
    }
}
