import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import AsyncBenchSweep

/// The claims report: for each claim C1–C8 of the asyncio chapter, the figures of a run that
/// settle it and a verdict computed from them by a stated rule. Nothing in it is typed by hand.
public struct ClaimsReport: Sendable {
    /// How a run's figures bear on a claim.
    public enum Verdict: String, Sendable {
        case supported, contradicted, nuanced
        case notMeasured = "not measured"
    }

    /// One claim's section of the report.
    public struct Finding: Sendable {
        public var id: String
        public var claim: String
        public var verdict: Verdict
        /// The rule the verdict follows, in one sentence.
        public var rule: String
        /// The deciding figure, for the summary table.
        public var headline: String
        /// Markdown: tables and sentences with the figures.
        public var body: String
        /// Chart file names (in `charts/`) that show the claim.
        public var charts: [String]
    }

    public var run: RecordedRun
    public var findings: [Finding]
    /// The run's `sleep` figures (nil without sleep rows), shared by the claims and the comparison.
    let sleep: SleepFigures?
    /// Chart files that exist in the run's `charts/` folder.
    public var availableCharts: Set<String>
    /// Why there are no charts, when there are none.
    public var chartsNote: String?

    public init(run: RecordedRun, availableCharts: Set<String>, chartsNote: String? = nil) {
        self.run = run
        self.availableCharts = availableCharts
        self.chartsNote = chartsNote
        // Claims are judged on the system allocator's rows; jemalloc rows get their own section.
        var run = run
        run.rows = run.rows.filter { $0.key.allocator == Allocator.system.rawValue }
        let sleep = SleepFigures(run: run)
        self.sleep = sleep
        findings = [
            Self.c1(run) ?? Self.notMeasured("C1", Claims.c1, workload: "switch"),
            sleep.map { Self.c2($0, capacity: run.capacity) } ?? Self.notMeasured("C2", Claims.c2, workload: "sleep"),
            sleep.map(Self.c3) ?? Self.notMeasured("C3", Claims.c3, workload: "sleep"),
            Self.c4(run) ?? Self.notMeasured("C4", Claims.c4, workload: "net"),
            Self.c5(run) ?? Self.notMeasured("C5", Claims.c5, workload: "file"),
            Self.c6(run) ?? Self.notMeasured("C6", Claims.c6, workload: "blocking"),
            Self.c7(run)
                ?? Self.notMeasured(
                    "C7", Claims.c7, workload: "cpu",
                    note:
                        "When it is measured, expect Swift to differ from the document: Swift's async pool runs one thread per core, so CPU-bound async tasks do use several CPUs, unlike Python's single-threaded asyncio loop."
                ),
            sleep.map(Self.c8) ?? Self.notMeasured("C8", Claims.c8, workload: "sleep"),
        ]
    }

    /// The claims in English, from ../shared/CLAIMS.md.
    enum Claims {
        static let c1 = "Switching between threads has real overhead; switching between async tasks has almost none."
        static let c2 = "Async I/O supports far more concurrent tasks than threads, so thread counts must stay low."
        static let c3 =
            "Running coroutines concurrently (gather, create_task) makes total time about the longest wait, not the sum."
        static let c4 = "Async wins for I/O-bound work with many network waits (web requests, database queries)."
        static let c5 = "Plain file I/O is fast enough to do synchronously; async file I/O helps with many files."
        static let c6 = "One blocking call inside async code stalls every other task; to_thread restores concurrency."
        static let c7 = "Async only helps I/O-bound programs; CPU-bound work needs threads or processes."
        static let c8 = "Processes are the heaviest way to run concurrent work."
    }

    static func notMeasured(_ id: String, _ claim: String, workload: String, note: String? = nil) -> Finding {
        Finding(
            id: id, claim: claim, verdict: .notMeasured, rule: "",
            headline: "needs the `\(workload)` workload",
            body: "This run has no `\(workload)` rows, so it cannot settle \(id)." + (note.map { " " + $0 } ?? "")
                + "\n",
            charts: [])
    }

    // MARK: - C1

    /// ns per switch of `backend` from the run's `switch` rows (the smallest pair count), or nil.
    static func switchNanoseconds(_ run: RecordedRun, _ backend: String, pinned: Bool) -> Double? {
        run.rows.filter {
            $0.key.workload == SwitchWorkload.name && $0.key.backend == backend && $0.key.pinned == pinned
                && $0.status == .ok
        }.min { $0.key.tasks < $1.key.tasks }?[SwitchWorkload.switchNanoseconds]
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
        guard let async = switchNanoseconds(run, "async", pinned: pinned),
            let thread = switchNanoseconds(run, "pthread", pinned: pinned), async > 0
        else {
            return Finding(
                id: "C1", claim: Claims.c1, verdict: .nuanced, rule: rule,
                headline: "async and pthread switch cells did not both complete", body: body, charts: ["switch_ns.png"])
        }
        let times = thread / async
        let verdict: Verdict = times >= 5 ? .supported : (times <= 1 ? .contradicted : .nuanced)
        let placement = pinned ? "pinned" : "unpinned (no pinned cells in this run)"
        body +=
            "\n\(placement.prefix(1).uppercased() + placement.dropFirst()): a thread switch (pipes, as `perf bench sched pipe -T`) costs \(Units.trim(thread, digits: 0)) ns, an async handoff (one resumed continuation) \(Units.trim(async, digits: 0)) ns: \(ratio(times)).\n"
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

    // MARK: - C2

    static func c2(_ figures: SleepFigures, capacity: [CapacityResult]? = nil) -> Finding {
        if let capacity, let found = c2(capacity: capacity) { return found }
        let rule =
            "supported when, at the largest N both completed (≥ 1000), pthread costs ≥ 5× async in wall-time overhead per task and ≥ 1.5× in memory per task, or threads hit a limit below async's highest N; contradicted when neither cost is higher for pthread; nuanced otherwise."
        var body = figures.capacityTable() + "\n"
        let verdict: Verdict
        var headline: String
        let common = figures.largestCommonN(["async", "pthread"])
        if let limit = figures.limitN("pthread"), let asyncMax = figures.highestOK("async"), asyncMax > limit {
            verdict = .supported
            headline = "pthread hit a limit at N = \(limit); async completed N = \(asyncMax)"
            body += "Threads hit a limit at N = \(limit) while async tasks completed N = \(asyncMax).\n"
        } else if let n = common, n >= 1000,
            let asyncRow = figures.row("async", n), let threadRow = figures.row("pthread", n),
            let asyncOverhead = asyncRow[RunnerColumns.overheadPerTask],
            let threadOverhead = threadRow[RunnerColumns.overheadPerTask],
            let asyncMemory = asyncRow[RunnerColumns.rssPerTask],
            let threadMemory = threadRow[RunnerColumns.rssPerTask], asyncOverhead > 0, asyncMemory > 0
        {
            let overheadRatio = threadOverhead / asyncOverhead
            let memoryRatio = threadMemory / asyncMemory
            let costlier = [overheadRatio >= 5, memoryRatio >= 1.5]
            verdict =
                costlier.allSatisfy { $0 }
                ? .supported : (overheadRatio <= 1 && memoryRatio <= 1 ? .contradicted : .nuanced)
            headline =
                "at N = \(n): pthread \(ratio(overheadRatio)) async's overhead per task, \(ratio(memoryRatio)) its memory per task"
            body +=
                "At N = \(n), the largest N both completed: async adds \(us(asyncOverhead)) and \(Units.formatBytes(Int(asyncMemory))) per task, pthread \(us(threadOverhead)) and \(Units.formatBytes(Int(threadMemory))) per task (\(ratio(overheadRatio)) and \(ratio(memoryRatio))).\n"
        } else {
            verdict = .nuanced
            headline = "too few tasks to judge (largest N both completed: \(common.map(String.init) ?? "none"))"
            body += "async and pthread did not both complete N ≥ 1000 in this run, so the rule cannot be applied.\n"
        }
        let stack = figures.setting("thread-stack") ?? "64KiB"
        let threadMemory = figures.highestOK("pthread").flatMap { figures.row("pthread", $0) }?[
            RunnerColumns.rssPerTask
        ].map { Units.formatBytes(Int($0)) }
        body +=
            "\nThreads were capped at `--max-threads` (\(figures.setting("max-threads") ?? "16000")), below the kernel's limit, so this run does not find the highest N threads can reach. Memory per task counts resident pages only: with \(stack) stacks a thread's resident cost was \(threadMemory ?? "not measured") here, whatever the stack's reserved size.\n"
        return Finding(
            id: "C2", claim: Claims.c2, verdict: verdict, rule: rule, headline: headline, body: body,
            charts: ["overhead_per_task.png", "rss_per_task.png", "highest_tasks.png"])
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
        let verdict: Verdict = ratio >= 5 ? .supported : (ratio <= 1 ? .contradicted : .nuanced)
        body += "\nasync held \(async) tasks at once, pthread \(threads) (\(Self.ratio(ratio))).\n"
        return Finding(
            id: "C2", claim: Claims.c2, verdict: verdict, rule: rule,
            headline: "capacity: async \(async) concurrent tasks, pthread \(threads) (\(Self.ratio(ratio)))",
            body: body,
            charts: ["capacity.png"])
    }

    // MARK: - C3

    static func c3(_ figures: SleepFigures) -> Finding {
        let rule =
            "supported when async's wall at the largest N the sequential baseline ran (≥ 10) is within 25% of one wait (efficiency ≥ 0.8) while the baseline takes about the sum (efficiency ≤ 1.25 / N); contradicted when async's efficiency there is below 0.5; nuanced otherwise."
        var body = figures.efficiencyTable() + "\n"
        let verdict: Verdict
        let headline: String
        if let n = figures.highestOK("sequential"), n >= 10, let asyncRow = figures.row("async", n),
            let sequentialRow = figures.row("sequential", n), let asyncEfficiency = asyncRow[RunnerColumns.efficiency],
            let sequentialEfficiency = sequentialRow[RunnerColumns.efficiency],
            let asyncWall = asyncRow[RunnerColumns.wallMedian],
            let sequentialWall = sequentialRow[RunnerColumns.wallMedian]
        {
            let sumLike = sequentialEfficiency <= 1.25 / Double(n)
            verdict =
                asyncEfficiency >= 0.8 && sumLike ? .supported : (asyncEfficiency < 0.5 ? .contradicted : .nuanced)
            headline =
                "N = \(n): async \(ms(asyncWall)) (efficiency \(Units.fixed(asyncEfficiency, digits: 2))) vs sequential \(ms(sequentialWall))"
            body +=
                "At N = \(n), \(n) waits of \(ms(figures.latency)) take \(ms(asyncWall)) concurrently on async and \(ms(sequentialWall)) one after another: \(Units.trim(sequentialWall / asyncWall, digits: 1))× faster.\n\n"
        } else {
            verdict = .nuanced
            headline = "no sequential baseline with N ≥ 10 and an async cell at the same N"
        }
        for backend in figures.backends where backend != "sequential" {
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

    // MARK: - C4

    static func c4(_ run: RecordedRun) -> Finding? {
        let rows = run.rows.filter { $0.key.workload == NetWorkload.name }
        guard !rows.isEmpty else { return nil }
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
        let lagged = rows.filter { ($0[NetWorkload.serverLateness] ?? 0) > 1000 }
        if !lagged.isEmpty {
            body +=
                "\nThe server's own replies went out more than 1 ms late at p99 in \(lagged.count) cell(s) (\(lagged.map { "\($0.key.backend) N = \($0.key.tasks)" }.joined(separator: ", "))): there it shared the 2 cores with the clients and was part of the wait.\n"
        }
        let rule =
            "at the largest N where async and pthread both completed with every request answered (≥ 100): supported when async's throughput is at least 90% of pthread's and its memory per task lower, or when pthread failed at an N async completed; contradicted when pthread's throughput exceeds async's by more than 10% at no more memory; nuanced otherwise."
        func ok(_ cell: ResultRow?) -> Bool { cell?.status == .ok }
        let asyncDone = rows.completedTasks(NetWorkload.name, AsyncBackend.name)
        if let n = rows.filter({ $0.key.backend == PthreadBackend.name && $0.status != .ok && $0.status != .skipped })
            .map(\.key.tasks).filter({ asyncDone.contains($0) }).min()
        {
            return Finding(
                id: "C4", claim: Claims.c4, verdict: .supported, rule: rule,
                headline:
                    "pthread did not complete N = \(n) (\(row(PthreadBackend.name, n)?.status.rawValue ?? "?")); async did",
                body: body, charts: ["net_throughput.png", "net_p99.png"])
        }
        guard
            let n = asyncDone.intersection(rows.completedTasks(NetWorkload.name, PthreadBackend.name))
                .filter({ $0 >= 100 }).max(),
            let asyncRow = row(AsyncBackend.name, n), let threadRow = row(PthreadBackend.name, n),
            let asyncRate = asyncRow[NetWorkload.throughput], let threadRate = threadRow[NetWorkload.throughput],
            let asyncMemory = asyncRow[RunnerColumns.rssPerTask],
            let threadMemory = threadRow[RunnerColumns.rssPerTask]
        else {
            return Finding(
                id: "C4", claim: Claims.c4, verdict: .nuanced, rule: rule,
                headline: "async and pthread did not both complete an N ≥ 100", body: body,
                charts: ["net_throughput.png", "net_p99.png"])
        }
        let verdict: Verdict =
            asyncRate >= 0.9 * threadRate && asyncMemory < threadMemory
            ? .supported : (threadRate > 1.1 * asyncRate && threadMemory <= asyncMemory ? .contradicted : .nuanced)
        body +=
            "\nAt N = \(n): async \(Units.trim(asyncRate, digits: 0)) requests/s with \(Units.formatBytes(Int(asyncMemory))) per task, pthread \(Units.trim(threadRate, digits: 0))/s with \(Units.formatBytes(Int(threadMemory))).\n"
        return Finding(
            id: "C4", claim: Claims.c4, verdict: verdict, rule: rule,
            headline:
                "N = \(n): async \(Units.trim(asyncRate, digits: 0))/s at \(Units.formatBytes(Int(asyncMemory)))/task, pthread \(Units.trim(threadRate, digits: 0))/s at \(Units.formatBytes(Int(threadMemory)))/task",
            body: body, charts: ["net_throughput.png", "net_p99.png"])
    }

    // MARK: - C6

    static func c6(_ run: RecordedRun) -> Finding? {
        let inPlace = BlockingWorkload.name
        let offloaded = OffloadedBlockingWorkload.name
        let rows = run.rows.filter { [inPlace, offloaded].contains($0.key.workload) && $0.status == .ok }
        guard !rows.isEmpty else { return nil }
        func row(_ workload: String, _ backend: String, _ tasks: Int) -> ResultRow? {
            rows.cell(workload, backend, tasks)
        }
        func late(_ row: ResultRow?, _ column: Column<Double>) -> String {
            row?[column].map { Units.trim($0 / 1000, digits: 2) + " ms" } ?? "—"
        }
        let block = rows.compactMap { $0[BlockingWorkload.blockMilliseconds] }.first ?? 0
        let fraction = rows.compactMap { $0[BlockingWorkload.blockingFraction] }.first ?? 0
        var body =
            "Every task waits until a deadline shared by the repetition; \(Units.trim(fraction * 100, digits: 1))% of them (every \(fraction > 0 ? Units.trim(1 / fraction, digits: 1) : "—")th) first block their thread for \(Units.trim(block, digits: 1)) ms. How late the *other* tasks woke past the deadline, p50 / p99:\n\n"
        body +=
            "| backend | N | blocking in place | offloaded to a pool (to_thread) | wall in place | wall offloaded |\n|---|--:|--:|--:|--:|--:|\n"
        let backends = rows.map(\.key.backend).uniqued()
        for backend in backends {
            for tasks in Set(rows.filter { $0.key.backend == backend }.map(\.key.tasks)).sorted() {
                let here = row(inPlace, backend, tasks)
                let there = row(offloaded, backend, tasks)
                body +=
                    "| \(backend) | \(tasks) | \(late(here, SleepWorkload.latenessP50)) / \(late(here, SleepWorkload.latenessP99)) | \(late(there, SleepWorkload.latenessP50)) / \(late(there, SleepWorkload.latenessP99)) | \(here?[RunnerColumns.wallMedian].map(ms) ?? "—") | \(there?[RunnerColumns.wallMedian].map(ms) ?? "—") |\n"
            }
        }
        let rule =
            "on `executor` (one thread, as an asyncio loop; `async` when executor did not run), at the largest N with both variants: supported when blocking in place makes the other tasks' p99 lateness at least half the blocking call and offloading brings it under a tenth of it; contradicted when in place it stays under a tenth; nuanced otherwise."
        let model = backends.contains(ExecutorBackend.name) ? ExecutorBackend.name : AsyncBackend.name
        // (rows holds the ok rows only.)
        let both = rows.completedTasks(inPlace, model).intersection(rows.completedTasks(offloaded, model))
        guard let n = both.max(), let stalled = row(inPlace, model, n)?[SleepWorkload.latenessP99],
            let freed = row(offloaded, model, n)?[SleepWorkload.latenessP99], block > 0
        else {
            return Finding(
                id: "C6", claim: Claims.c6, verdict: .nuanced, rule: rule,
                headline: "\(model) did not run both the blocking and blocking-offload workloads at one N", body: body,
                charts: [])
        }
        let blockMicroseconds = block * 1000
        let verdict: Verdict =
            stalled >= 0.5 * blockMicroseconds && freed <= 0.1 * blockMicroseconds
            ? .supported : (stalled < 0.1 * blockMicroseconds ? .contradicted : .nuanced)
        body +=
            "\nOn `\(model)` at N = \(n), blocking calls of \(Units.trim(block, digits: 1)) ms made in place delayed the other tasks by \(ms(stalled / 1000)) at p99; handed to a thread pool and awaited, by \(ms(freed / 1000)).\n"
        let poolSizes = rows.filter { $0.key.backend == AsyncBackend.name && $0.key.workload == inPlace }.map(
            \.key.tasks)
        if model == ExecutorBackend.name, let few = poolSizes.min(), let many = poolSizes.max(), few < many,
            let fewLate = row(inPlace, AsyncBackend.name, few)?[SleepWorkload.latenessP99],
            let manyLate = row(inPlace, AsyncBackend.name, many)?[SleepWorkload.latenessP99]
        {
            body +=
                "On Swift's default pool (`async`, one thread per core) a blocking call takes one thread, not all: at N = \(few) the other tasks were \(ms(fewLate / 1000)) late at p99; at N = \(many), with more blocking calls than threads, \(ms(manyLate / 1000)).\n"
        }
        return Finding(
            id: "C6", claim: Claims.c6, verdict: verdict, rule: rule,
            headline:
                "\(model), N = \(n): others \(ms(stalled / 1000)) late at p99 with \(Units.trim(block, digits: 1)) ms calls in place, \(ms(freed / 1000)) offloaded",
            body: body, charts: [])
    }

    // MARK: - C7

    static func c7(_ run: RecordedRun) -> Finding? {
        let rows = run.rows.filter { $0.key.workload == CPUWorkload.name && $0.status == .ok }
        guard let n = rows.map(\.key.tasks).max() else { return nil }
        let cores = run.metadata?.cores ?? 0
        let backends = rows.map(\.key.backend).uniqued()
        func speedup(_ backend: String) -> Double? {
            rows.first { $0.key.backend == backend && $0.key.tasks == n }?[CPUWorkload.speedup]
        }
        var body = "Speedup at N = \(n) tasks of CPU work (tasks × one task alone / wall; \(cores) cores):\n\n"
        body += "| backend | speedup |\n|---|--:|\n"
        for backend in backends {
            body += "| \(backend) | \(speedup(backend).map { Units.fixed($0, digits: 2) } ?? "—") |\n"
        }
        let rule =
            "supported when every async backend (async, and executor and nio when they ran) stays ≤ 1.2 while pthread's or fork's speedup reaches ≥ 1.5 (async does not use several CPUs, threads do); contradicted when every async backend reaches ≥ 80% of the best thread or process speedup; nuanced otherwise (one async model parallel, the other not)."
        let threads = [speedup("pthread"), speedup("fork")].compactMap { $0 }.max()
        let executor = speedup(ExecutorBackend.name)
        let loop = speedup(NIOBackend.name)
        guard let async = speedup("async"), let threads else {
            return Finding(
                id: "C7", claim: Claims.c7, verdict: .nuanced, rule: rule,
                headline: "async and pthread or fork cpu cells did not both complete", body: body,
                charts: ["cpu_speedup.png"])
        }
        let asyncModels = [async] + [executor, loop].compactMap { $0 }
        let verdict: Verdict =
            asyncModels.allSatisfy({ $0 <= 1.2 }) && threads >= 1.5
            ? .supported : (asyncModels.allSatisfy { $0 >= 0.8 * threads } ? .contradicted : .nuanced)
        body +=
            "\nSwift's default executor differs from the document, and this is why: Python's asyncio runs every coroutine on one thread, so CPU-bound coroutines take turns on one core. Swift's default executor is a pool with one thread per core, so CPU-bound async tasks run in parallel like threads (async \(Units.fixed(async, digits: 2))×, best of threads and processes \(Units.fixed(threads, digits: 2))×).\n"
        if let executor {
            let nio = loop.map { "; SwiftNIO on its one event loop (`nio`): \(Units.fixed($0, digits: 2))×" } ?? ""
            body +=
                "The `executor` backend runs the same async tasks on one thread, as asyncio does: \(Units.fixed(executor, digits: 2))×\(nio). For the document's model the claim holds; for Swift's default pool it does not.\n"
        } else {
            body += "Run the `executor` backend (async tasks on one thread) to see the asyncio case.\n"
        }
        let executorText = executor.map { ", executor \(Units.fixed($0, digits: 2))×" } ?? ""
        return Finding(
            id: "C7", claim: Claims.c7, verdict: verdict, rule: rule,
            headline:
                "N = \(n): async \(Units.fixed(async, digits: 2))×\(executorText), threads/processes up to \(Units.fixed(threads, digits: 2))× on \(cores) cores",
            body: body, charts: ["cpu_speedup.png"])
    }

    // MARK: - C8

    static func c8(_ figures: SleepFigures) -> Finding {
        let rule =
            "supported when, at the largest N that fork, pthread and async all completed, fork's wall-time overhead per task is the highest of the three; contradicted when it is lower than pthread's; nuanced otherwise."
        var body = ""
        let verdict: Verdict
        let headline: String
        if let n = figures.largestCommonN(["fork", "pthread", "async"]),
            let fork = figures.row("fork", n)?[RunnerColumns.overheadPerTask],
            let thread = figures.row("pthread", n)?[RunnerColumns.overheadPerTask],
            let async = figures.row("async", n)?[RunnerColumns.overheadPerTask]
        {
            verdict = fork >= thread && fork >= async ? .supported : (fork < thread ? .contradicted : .nuanced)
            headline = "at N = \(n): fork \(us(fork)), pthread \(us(thread)), async \(us(async)) per task"
            body +=
                "Wall-time overhead per task at N = \(n) (start, wait, join): fork \(us(fork)), pthread \(us(thread)), async \(us(async)): a process costs \(Units.trim(fork / thread, digits: 1))× a thread and \(Units.trim(fork / async, digits: 1))× an async task.\n"
        } else {
            verdict = .nuanced
            headline = "fork, pthread and async did not complete a common N"
        }
        if let n = figures.largestCommonN(["fork", "pthread", "async"]),
            let fork = figures.row("fork", n), let forkMemory = fork[RunnerColumns.rssPerTask],
            fork.real(RunnerColumns.childrenPrivate) != nil,
            let threadMemory = figures.row("pthread", n)?[RunnerColumns.rssPerTask],
            let asyncMemory = figures.row("async", n)?[RunnerColumns.rssPerTask]
        {
            func bytes(_ value: Double) -> String { Units.formatBytes(Int(value.rounded())) }
            body +=
                "\nMemory per task at N = \(n): fork \(bytes(forkMemory)) (the parent's growth plus each child's private memory, which the child reads from /proc before it exits), pthread \(bytes(threadMemory)), async \(bytes(asyncMemory)).\n"
            if let create = fork[RunnerColumns.createPerTask],
                let threadCreate = figures.row("pthread", n)?[RunnerColumns.createPerTask]
            {
                body +=
                    "Creating one: fork \(us(create)), pthread_create \(us(threadCreate)) (the creation loop / N).\n"
            }
        } else {
            body +=
                "\nMemory per process is not in this figure: this run predates the children's own memory (schema 3), so only the parent's RSS was measured.\n"
        }
        return Finding(
            id: "C8", claim: Claims.c8, verdict: verdict, rule: rule, headline: headline, body: body,
            charts: ["overhead_per_task.png"])
    }

    static func us(_ value: Double) -> String { Units.trim(value, digits: 1) + " µs" }
    static func ms(_ value: Double) -> String { Units.trim(value, digits: 1) + " ms" }
    static func ratio(_ value: Double) -> String { Units.trim(value, digits: 1) + "×" }
}
