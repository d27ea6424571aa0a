import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import AsyncBenchSweep

extension ClaimsReport {
    // MARK: - C2

    static func c2(_ figures: SleepFigures, _ models: Models, capacity: [CapacityResult]? = nil) -> Finding {
        if let capacity, let found = c2(capacity: capacity) { return found }
        let (pool, thread) = (models.pool, models.thread)
        let rule =
            "supported when, at the largest N both completed (≥ 1000), \(thread) costs ≥ 5× \(pool) in wall-time overhead per task and ≥ 1.5× in memory per task (user + kernel where the run measured the kernel's part), or threads hit a limit below \(pool)'s highest N; contradicted when neither cost is higher for \(thread); nuanced otherwise."
        var body = figures.capacityTable() + "\n"
        let verdict: Verdict
        var headline: String
        let common = figures.largestCommonN([pool, thread])
        if let limit = figures.limitN(thread), let asyncMax = figures.highestOK(pool), asyncMax > limit {
            verdict = .supported
            headline = "\(thread) hit a limit at N = \(limit); \(pool) completed N = \(asyncMax)"
            body += "Threads hit a limit at N = \(limit) while \(pool) tasks completed N = \(asyncMax).\n"
        } else if let n = common, n >= 1000,
            let asyncRow = figures.row(pool, n), let threadRow = figures.row(thread, n),
            let asyncOverhead = Spread.overheadPerTask(of: asyncRow),
            let threadOverhead = Spread.overheadPerTask(of: threadRow),
            let asyncMemory = SleepFigures.memoryPerTask(asyncRow),
            let threadMemory = SleepFigures.memoryPerTask(threadRow), asyncOverhead.value > 0, asyncMemory > 0
        {
            let overheadRatio = threadOverhead / asyncOverhead
            // Memory is read once per cell (the peak over its repetitions): no spread.
            let memoryRatio = Spread(threadMemory / asyncMemory)
            verdict = robustVerdict([overheadRatio, memoryRatio]) { figures in
                figures[0] >= 5 && figures[1] >= 1.5
                    ? .supported : (figures[0] <= 1 && figures[1] <= 1 ? .contradicted : .nuanced)
            }
            headline =
                "at N = \(n): \(thread) \(ratio(overheadRatio)) \(pool)'s overhead per task, \(ratio(memoryRatio)) its memory per task"
            body +=
                "At N = \(n), the largest N both completed: \(pool) adds \(us(asyncOverhead.value)) and \(SleepFigures.memoryText(asyncRow)) per task, \(thread) \(us(threadOverhead.value)) and \(SleepFigures.memoryText(threadRow)) per task (\(ratio(overheadRatio)) and \(ratio(memoryRatio)); the overhead's range is over the middle half of the repetitions, memory is read once per cell).\n"
        } else {
            verdict = .nuanced
            headline = "too few tasks to judge (largest N both completed: \(common.map(String.init) ?? "none"))"
            body += "\(pool) and \(thread) did not both complete N ≥ 1000 in this run, so the rule cannot be applied.\n"
        }
        // Swift's threads get --thread-stack; Python's threading keeps its own default stack.
        let stacks = models.runtime == .swift ? "with \(figures.setting("thread-stack") ?? "64KiB") stacks " : ""
        let threadMemory = figures.highestOK(thread).flatMap { figures.row(thread, $0) }.map(SleepFigures.memoryText)
        body +=
            "\nThreads were capped at `--max-threads` (\(figures.setting("max-threads") ?? "16000")), below the kernel's limit, so this run does not find the highest N threads can reach. User memory per task counts resident pages only: \(stacks)a thread cost \(threadMemory ?? "not measured") here, whatever the stack's reserved size.\n"
        var charts = ["overhead_per_task.png", "rss_per_task.png", "highest_tasks.png"]
        if let n = figures.largestCommonKernelN, let parts = figures.memoryPartsTable(at: n) {
            body += "\nUser and kernel memory per task at the largest N every backend measured both:\n\n" + parts
            charts.append("memory_parts.png")
        }
        return Finding(
            id: "C2", claim: Claims.c2, verdict: verdict, rule: rule, headline: headline, body: body, charts: charts)
    }

    /// C2 from a capacity run: the highest N each backend held at once.
    static func c2(capacity: [CapacityResult]) -> Finding? {
        guard !capacity.isEmpty else { return nil }
        let rule =
            "from `asyncbench capacity`: supported when async held ≥ 5× as many concurrent tasks as pthread; contradicted when it held no more; nuanced otherwise."
        var body = "The highest number of tasks each backend held at once (`asyncbench capacity`):\n\n"
        body += CapacityFile.markdown(capacity) + "\n"
        body +=
            "A search stops at the first of: the kernel or a cap refusing a thread or process, the memory guard, a probe timing out, the time budget; the table says which, so a figure cut short by the budget is a lower bound.\n"
        guard let async = capacity.first(where: { $0.backend == AsyncBackend.name })?.highest,
            let threads = capacity.first(where: { $0.backend == PthreadBackend.name })?.highest
        else {
            return Finding(
                id: "C2", claim: Claims.c2, verdict: .nuanced, rule: rule,
                headline: "capacity searched without both async and pthread", body: body, charts: ["capacity.png"])
        }
        let ratio = Double(async) / Double(max(1, threads))
        // The highest N held is a search's result, not a repeated measurement: no spread.
        let verdict: Verdict = ratio >= 5 ? .supported : (ratio <= 1 ? .contradicted : .nuanced)
        body += "\nasync held \(async) tasks at once, pthread \(threads) (\(Self.ratio(ratio))).\n"
        return Finding(
            id: "C2", claim: Claims.c2, verdict: verdict, rule: rule,
            headline: "capacity: async \(async) concurrent tasks, pthread \(threads) (\(Self.ratio(ratio)))",
            body: body,
            charts: ["capacity.png"])
    }

    // MARK: - C3

    static func c3(_ figures: SleepFigures, _ models: Models) -> Finding {
        let (pool, sequential) = (models.pool, models.sequential)
        let rule =
            "supported when \(pool)'s wall at the largest N the sequential baseline ran (≥ 10) is within 25% of one wait (efficiency ≥ 0.8) while the baseline takes about the sum (efficiency ≤ 1.25 / N); contradicted when async's efficiency there is below 0.5; nuanced otherwise."
        var body = figures.efficiencyTable() + "\n"
        let verdict: Verdict
        let headline: String
        if let n = figures.highestOK(sequential), n >= 10, let asyncRow = figures.row(pool, n),
            let sequentialRow = figures.row(sequential, n), let asyncEfficiency = asyncRow[RunnerColumns.efficiency],
            let sequentialEfficiency = sequentialRow[RunnerColumns.efficiency],
            let asyncWall = asyncRow[RunnerColumns.wallMedian],
            let sequentialWall = sequentialRow[RunnerColumns.wallMedian]
        {
            let asyncSpread = Spread.againstWall(asyncEfficiency, of: asyncRow)
            let sequentialSpread = Spread.againstWall(sequentialEfficiency, of: sequentialRow)
            verdict = robustVerdict([asyncSpread, sequentialSpread]) { figures in
                figures[0] >= 0.8 && figures[1] <= 1.25 / Double(n)
                    ? .supported : (figures[0] < 0.5 ? .contradicted : .nuanced)
            }
            let range = asyncSpread.range { Units.fixed($0, digits: 2) }
            headline =
                "N = \(n): \(pool) \(ms(asyncWall)) (efficiency \(Units.fixed(asyncEfficiency, digits: 2))\(range)) vs \(sequential) \(ms(sequentialWall))"
            body +=
                "At N = \(n), \(n) waits of \(ms(figures.latency)) take \(ms(asyncWall)) concurrently on \(pool) (efficiency \(Units.fixed(asyncEfficiency, digits: 2))\(range) over the repetitions) and \(ms(sequentialWall)) one after another: \(Units.trim(sequentialWall / asyncWall, digits: 1))× faster.\n\n"
        } else {
            verdict = .nuanced
            headline = "no \(sequential) baseline with N ≥ 10 and a \(pool) cell at the same N"
        }
        if models.runtime == .python {
            body +=
                "Python has no sequential backend: the baseline is Swift's `\(sequential)` rows, as sleeping one wait after another does not depend on the runtime.\n\n"
        }
        for backend in figures.backends where backend != sequential {
            let holds = figures.largestN(backend) { ($0[RunnerColumns.efficiency] ?? 0) >= 0.8 }
            body +=
                "- `\(backend)`: "
                + (holds.map { "efficiency ≥ 0.8 up to N = \($0)" } ?? "efficiency below 0.8 at every N")
                + (figures.largestN(backend) { _ in true }.map { n in
                    figures.row(backend, n)?[RunnerColumns.efficiency].map {
                        "; at N = \(n): \(Units.fixed($0, digits: 3))"
                    } ?? ""
                } ?? "") + "\n"
        }
        return Finding(
            id: "C3", claim: Claims.c3, verdict: verdict, rule: rule, headline: headline, body: body,
            charts: ["efficiency.png"])
    }

    // MARK: - C8

    static func c8(_ figures: SleepFigures, _ models: Models) -> Finding {
        let (pool, thread, process) = (models.pool, models.thread, models.process)
        let rule =
            "supported when, at the largest N that \(process), \(thread) and \(pool) all completed, \(process)'s wall-time overhead per task is the highest of the three; contradicted when it is lower than \(thread)'s; nuanced otherwise."
        var body = ""
        let verdict: Verdict
        let headline: String
        if let n = figures.largestCommonN([process, thread, pool]),
            let forkSpread = figures.row(process, n).flatMap(Spread.overheadPerTask),
            let threadSpread = figures.row(thread, n).flatMap(Spread.overheadPerTask),
            let asyncSpread = figures.row(pool, n).flatMap(Spread.overheadPerTask)
        {
            let (fork, threadOverhead, async) = (forkSpread.value, threadSpread.value, asyncSpread.value)
            verdict = robustVerdict([forkSpread, threadSpread, asyncSpread]) { figures in
                figures[0] >= figures[1] && figures[0] >= figures[2]
                    ? .supported : (figures[0] < figures[1] ? .contradicted : .nuanced)
            }
            func text(_ spread: Spread) -> String { us(spread.value) + spread.range { Units.trim($0, digits: 1) } }
            headline =
                "at N = \(n): \(process) \(us(fork)), \(thread) \(us(threadOverhead)), \(pool) \(us(async)) per task"
            body +=
                "Wall-time overhead per task at N = \(n) (start, wait, join; the range is over the middle half of the repetitions): \(process) \(text(forkSpread)), \(thread) \(text(threadSpread)), \(pool) \(text(asyncSpread)): a process costs \(Units.trim(fork / threadOverhead, digits: 1))× a thread and \(Units.trim(fork / async, digits: 1))× an async task.\n"
        } else {
            verdict = .nuanced
            headline = "\(process), \(thread) and \(pool) did not complete a common N"
        }
        if let n = figures.largestCommonN([process, thread, pool]),
            let fork = figures.row(process, n), let forkMemory = SleepFigures.memoryPerTask(fork),
            fork.real(RunnerColumns.childrenPrivate) != nil,
            let threadRow = figures.row(thread, n), let threadMemory = SleepFigures.memoryPerTask(threadRow),
            let asyncRow = figures.row(pool, n), let asyncMemory = SleepFigures.memoryPerTask(asyncRow),
            threadMemory > 0, asyncMemory > 0
        {
            body +=
                "\nMemory per task at N = \(n): \(process) \(SleepFigures.memoryText(fork)) (user: the parent's growth plus each child's private memory, which the child reads from /proc before it exits; kernel: the cell's cgroup holds the children), \(thread) \(SleepFigures.memoryText(threadRow)), \(pool) \(SleepFigures.memoryText(asyncRow)): a process costs \(Units.trim(forkMemory / threadMemory, digits: 2))× a thread's memory and \(Units.trim(forkMemory / asyncMemory, digits: 1))× an async task's.\n"
            if let create = fork[RunnerColumns.createPerTask],
                let threadCreate = figures.row(thread, n)?[RunnerColumns.createPerTask]
            {
                body +=
                    "Creating one: \(process) \(us(create)), \(thread) \(us(threadCreate)) (the creation loop / N).\n"
            }
        } else {
            let why =
                models.runtime == .swift
                ? "this run predates the children's own memory (schema 3)" : "the Python worker reads no child's memory"
            body +=
                "\nMemory per process is not in this figure: \(why), so only the parent's RSS was measured.\n"
        }
        let charts =
            figures.largestCommonKernelN != nil
            ? ["overhead_per_task.png", "memory_parts.png"] : ["overhead_per_task.png"]
        return Finding(
            id: "C8", claim: Claims.c8, verdict: verdict, rule: rule, headline: headline, body: body, charts: charts)
    }
}
