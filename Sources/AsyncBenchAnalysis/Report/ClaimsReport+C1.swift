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

    static func c1(_ run: RecordedRun, _ models: Models) -> Finding? {
        let backends = run.rows.filter { $0.key.workload == SwitchWorkload.name && $0.status == .ok }.map(
            \.key.backend
        )
        .reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        func figure(_ backend: String, _ pinned: Bool) -> String {
            switchNanoseconds(run, backend, pinned: pinned).map { Units.trim($0, digits: 0) + " ns" } ?? "—"
        }
        guard !backends.isEmpty else { return nil }
        let (pool, thread) = (models.pool, models.thread)
        var body = "| backend | ns per switch, pinned to one CPU | ns per switch, unpinned |\n|---|--:|--:|\n"
        for backend in backends { body += "| \(backend) | \(figure(backend, true)) | \(figure(backend, false)) |\n" }
        let rule =
            "supported when, pinned to one CPU, a switch on \(thread) costs ≥ 5× one on \(pool); contradicted when it costs no more; nuanced otherwise."
        let pinned = switchNanoseconds(run, pool, pinned: true) != nil
        guard let asyncSpread = switchSpread(run, pool, pinned: pinned),
            let threadSpread = switchSpread(run, thread, pinned: pinned), asyncSpread.value > 0
        else {
            return Finding(
                id: "C1", claim: Claims.c1, verdict: .nuanced, rule: rule,
                headline: "\(pool) and \(thread) switch cells did not both complete", body: body,
                charts: ["switch_ns.png"])
        }
        let (async, threadNanoseconds) = (asyncSpread.value, threadSpread.value)
        let times = threadSpread / asyncSpread
        let verdict = robustVerdict([times]) { $0[0] >= 5 ? .supported : ($0[0] <= 1 ? .contradicted : .nuanced) }
        let placement = pinned ? "pinned" : "unpinned (no pinned cells in this run)"
        let (threadSwitch, asyncSwitch) =
            models.runtime == .swift
            ? ("a thread switch (pipes, as `perf bench sched pipe -T`)", "an async handoff (one resumed continuation)")
            : (
                "a switch between two threads (a pipe each way)",
                "an asyncio handoff (an asyncio.Event set, then awaited)"
            )
        body +=
            "\n\(placement.prefix(1).uppercased() + placement.dropFirst()): \(threadSwitch) costs \(Units.trim(threadNanoseconds, digits: 0)) ns, \(asyncSwitch) \(Units.trim(async, digits: 0)) ns: \(ratio(times)) (the range over the middle half of the repetitions).\n"
        if let fork = switchNanoseconds(run, models.process, pinned: pinned) {
            body += "A process switch costs \(Units.trim(fork, digits: 0)) ns (\(ratio(fork / async)) \(pool)'s).\n"
        }
        if pinned, let crossCore = switchNanoseconds(run, thread, pinned: false),
            let asyncUnpinned = switchNanoseconds(run, pool, pinned: false), crossCore >= 2 * threadNanoseconds
        {
            body +=
                "\nUnpinned, a thread's handoff wakes its peer on another core: \(Units.trim(crossCore, digits: 0)) ns, \(ratio(crossCore / threadNanoseconds)) the pinned switch; \(pool) stays at \(Units.trim(asyncUnpinned, digits: 0)) ns: the thread costs \(ratio(crossCore / asyncUnpinned)) as much.\n"
        }
        var contrast: String?
        if models.runtime == .python, times.value < 5 {
            // The figures show it: an asyncio switch is not far below a thread's.
            contrast =
                "an asyncio switch is a trip through the event loop (\(Units.trim(async, digits: 0)) ns on \(pool), a switch on \(thread) \(ratio(times)) that)"
            body +=
                "\nAn asyncio switch is a trip through the event loop: setting the Event schedules the waiting coroutine's wake-up as a callback, the loop picks it up on its next pass and resumes the coroutine, much of it Python code, so a handoff costs \(Units.trim(async, digits: 0)) ns here, not far below a switch between threads through the kernel.\n"
        }
        return Finding(
            id: "C1", claim: Claims.c1, verdict: verdict, rule: rule,
            headline:
                "\(pinned ? "pinned" : "unpinned"): \(thread) \(Units.trim(threadNanoseconds, digits: 0)) ns vs \(pool) \(Units.trim(async, digits: 0)) ns per switch (\(ratio(times)))",
            body: body, charts: ["switch_ns.png"], contrast: contrast)
    }
}
