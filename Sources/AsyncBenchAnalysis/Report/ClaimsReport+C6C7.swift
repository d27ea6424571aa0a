import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import AsyncBenchSweep

extension ClaimsReport {
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
        // Lateness percentiles are over every task of every repetition: one figure each.
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
        func speedup(_ backend: String) -> Double? { speedupSpread(backend)?.value }
        /// Speedup with its spread: it falls as the N-task cell's wall grows.
        func speedupSpread(_ backend: String) -> Spread? {
            guard let row = rows.first(where: { $0.key.backend == backend && $0.key.tasks == n }),
                let value = row[CPUWorkload.speedup]
            else { return nil }
            return Spread.againstWall(value, of: row)
        }
        var body = "Speedup at N = \(n) tasks of CPU work (tasks × one task alone / wall; \(cores) cores):\n\n"
        body += "| backend | speedup |\n|---|--:|\n"
        for backend in backends {
            body += "| \(backend) | \(speedup(backend).map { Units.fixed($0, digits: 2) } ?? "—") |\n"
        }
        let rule =
            "supported when every async backend (async, and executor and nio when they ran) stays ≤ 1.2 while pthread's or fork's speedup reaches ≥ 1.5 (async does not use several CPUs, threads do); contradicted when every async backend reaches ≥ 80% of the best thread or process speedup; nuanced otherwise (one async model parallel, the other not)."
        let threadSpread = [speedupSpread("pthread"), speedupSpread("fork")].compactMap { $0 }.max {
            $0.value < $1.value
        }
        let threads = threadSpread?.value
        let executor = speedup(ExecutorBackend.name)
        let loop = speedup(NIOBackend.name)
        guard let async = speedup("async"), let threads, let threadSpread else {
            return Finding(
                id: "C7", claim: Claims.c7, verdict: .nuanced, rule: rule,
                headline: "async and pthread or fork cpu cells did not both complete", body: body,
                charts: ["cpu_speedup.png"])
        }
        let asyncModels = ["async", ExecutorBackend.name, NIOBackend.name].compactMap(speedupSpread)
        let verdict = robustVerdict(asyncModels + [threadSpread]) { figures in
            let (models, threads) = (figures.dropLast(), figures[figures.count - 1])
            return models.allSatisfy({ $0 <= 1.2 }) && threads >= 1.5
                ? .supported : (models.allSatisfy { $0 >= 0.8 * threads } ? .contradicted : .nuanced)
        }
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
}
