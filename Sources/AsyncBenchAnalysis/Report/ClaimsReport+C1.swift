import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import AsyncBenchSweep

extension ClaimsReport {
    /// ns per switch of `backend` from the run's `switch` rows (the smallest pair count), or nil.
    static func switchNanoseconds(_ run: RecordedRun, _ backend: String, pinned: Bool) -> Double? {
        switchSpread(run, backend, pinned: pinned)?.value
    }

    /// ns per switch with its spread over the repetitions (it is the wall time / round trips).
    static func switchSpread(_ run: RecordedRun, _ backend: String, pinned: Bool) -> Spread? {
        let row = run.rows.filter {
            $0.key.workload == SwitchWorkload.name && $0.key.backend == backend && $0.key.pinned == pinned
                && $0.status == .ok
        }.min { $0.key.tasks < $1.key.tasks }
        return row.flatMap { row in row[SwitchWorkload.switchNanoseconds].map { Spread.withWall($0, of: row) } }
    }

    static func c1(_ run: RecordedRun) -> Finding? {
        let backends = run.rows.filter { $0.key.workload == SwitchWorkload.name && $0.status == .ok }.map(
            \.key.backend
        )
        .reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        func figure(_ backend: String, _ pinned: Bool) -> String {
            switchNanoseconds(run, backend, pinned: pinned).map { Units.trim($0, digits: 0) + " ns" } ?? "—"
        }
        guard !backends.isEmpty else { return nil }
        var body = "| backend | ns per switch, pinned to one CPU | ns per switch, unpinned |\n|---|--:|--:|\n"
        for backend in backends { body += "| \(backend) | \(figure(backend, true)) | \(figure(backend, false)) |\n" }
        let rule =
            "supported when, pinned to one CPU, a pthread switch costs ≥ 5× an async switch; contradicted when it costs no more; nuanced otherwise."
        let pinned = switchNanoseconds(run, "async", pinned: true) != nil
        guard let asyncSpread = switchSpread(run, "async", pinned: pinned),
            let threadSpread = switchSpread(run, "pthread", pinned: pinned), asyncSpread.value > 0
        else {
            return Finding(
                id: "C1", claim: Claims.c1, verdict: .nuanced, rule: rule,
                headline: "async and pthread switch cells did not both complete", body: body, charts: ["switch_ns.png"])
        }
        let (async, thread) = (asyncSpread.value, threadSpread.value)
        let times = threadSpread / asyncSpread
        let verdict = robustVerdict([times]) { $0[0] >= 5 ? .supported : ($0[0] <= 1 ? .contradicted : .nuanced) }
        let placement = pinned ? "pinned" : "unpinned (no pinned cells in this run)"
        body +=
            "\n\(placement.prefix(1).uppercased() + placement.dropFirst()): a thread switch (pipes, as `perf bench sched pipe -T`) costs \(Units.trim(thread, digits: 0)) ns, an async handoff (one resumed continuation) \(Units.trim(async, digits: 0)) ns: \(ratio(times)) (the range from the fastest and slowest repetitions).\n"
        if let fork = switchNanoseconds(run, "fork", pinned: pinned) {
            body += "A process switch costs \(Units.trim(fork, digits: 0)) ns (\(ratio(fork / async)) async's).\n"
        }
        if pinned, let crossCore = switchNanoseconds(run, "pthread", pinned: false),
            let asyncUnpinned = switchNanoseconds(run, "async", pinned: false), crossCore >= 2 * thread
        {
            body +=
                "\nUnpinned, a thread's handoff wakes its peer on another core: \(Units.trim(crossCore, digits: 0)) ns, \(ratio(crossCore / thread)) the pinned switch; async stays at \(Units.trim(asyncUnpinned, digits: 0)) ns: the thread costs \(ratio(crossCore / asyncUnpinned)) as much.\n"
        }
        return Finding(
            id: "C1", claim: Claims.c1, verdict: verdict, rule: rule,
            headline:
                "\(pinned ? "pinned" : "unpinned"): pthread \(Units.trim(thread, digits: 0)) ns vs async \(Units.trim(async, digits: 0)) ns per switch (\(ratio(times)))",
            body: body, charts: ["switch_ns.png"])
    }
}
