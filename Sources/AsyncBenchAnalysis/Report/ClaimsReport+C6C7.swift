import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import AsyncBenchSweep

extension ClaimsReport {
    // MARK: - C6

    static func c6(_ run: RecordedRun, _ models: Models) -> Finding? {
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
            "\(models.loopPhrase), at the largest N with both variants: supported when blocking in place makes the other tasks' p99 lateness at least half the blocking call and offloading brings it under a quarter of it; contradicted when in place it stays under a tenth; nuanced otherwise. (Not lower than a quarter: the one loop thread resumes the other tasks one after another, so at N = 100 the last wakes about a millisecond late with nothing blocking at all.) The p99s carry the range of the repetitions' own p99s."
        let model = models.loopModel(among: backends)
        // (rows holds the ok rows only.)
        let both = rows.completedTasks(inPlace, model).intersection(rows.completedTasks(offloaded, model))
        guard let n = both.max(), let here = row(inPlace, model, n), let there = row(offloaded, model, n),
            let stalledSpread = Spread.latenessP99(of: here), let freedSpread = Spread.latenessP99(of: there),
            block > 0
        else {
            return Finding(
                id: "C6", claim: Claims.c6, verdict: .nuanced, rule: rule,
                headline: "\(model) did not run both the blocking and blocking-offload workloads at one N", body: body,
                charts: [])
        }
        let blockMicroseconds = block * 1000
        let verdict = robustVerdict([stalledSpread, freedSpread]) { figures in
            let (stalled, freed) = (figures[0], figures[1])
            return stalled >= 0.5 * blockMicroseconds && freed < 0.25 * blockMicroseconds
                ? .supported : (stalled < 0.1 * blockMicroseconds ? .contradicted : .nuanced)
        }
        func milliseconds(_ spread: Spread) -> String {
            ms(spread.value / 1000) + spread.range { Units.trim($0 / 1000, digits: 1) }
        }
        let (stalled, freed) = (milliseconds(stalledSpread), milliseconds(freedSpread))
        body +=
            "\nOn `\(model)` at N = \(n), blocking calls of \(Units.trim(block, digits: 1)) ms made in place delayed the other tasks by \(stalled) at p99; handed to a thread pool and awaited, by \(freed) (in brackets, the lowest and highest p99 of one repetition).\n"
        let poolSizes = rows.filter { $0.key.backend == models.pool && $0.key.workload == inPlace }.map(
            \.key.tasks)
        if model == models.loop, model != models.pool, let few = poolSizes.min(), let many = poolSizes.max(),
            few < many,
            let fewLate = row(inPlace, models.pool, few)?[SleepWorkload.latenessP99],
            let manyLate = row(inPlace, models.pool, many)?[SleepWorkload.latenessP99]
        {
            body +=
                "On \(models.name)'s default pool (`\(models.pool)`, one thread per core) a blocking call takes one thread, not all: at N = \(few) the other tasks were \(ms(fewLate / 1000)) late at p99; at N = \(many), with more blocking calls than threads, \(ms(manyLate / 1000)).\n"
        }
        return Finding(
            id: "C6", claim: Claims.c6, verdict: verdict, rule: rule,
            headline:
                "\(model), N = \(n): others \(stalled) late at p99 with \(Units.trim(block, digits: 1)) ms calls in place, \(freed) offloaded",
            body: body, charts: [])
    }

    // MARK: - C7

    static func c7(_ run: RecordedRun, _ models: Models) -> Finding? {
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
        let (pool, thread, process) = (models.pool, models.thread, models.process)
        let others = models.asyncModels.dropFirst()
        let when =
            others.isEmpty
            ? "" : ", and \(others.joined(separator: " and ")) when \(others.count == 1 ? "it" : "they") ran"
        let rule =
            "supported when every async backend (\(pool)\(when)) stays ≤ 1.2 while \(thread)'s or \(process)'s speedup reaches ≥ 1.5 (async does not use several CPUs, threads do); contradicted when every async backend reaches ≥ 80% of the best thread or process speedup; nuanced otherwise (one async model parallel, the other not)."
        let threadSpread = [speedupSpread(thread), speedupSpread(process)].compactMap { $0 }.max {
            $0.value < $1.value
        }
        guard let async = speedup(pool), let threads = threadSpread?.value, let threadSpread else {
            return Finding(
                id: "C7", claim: Claims.c7, verdict: .nuanced, rule: rule,
                headline: "\(pool) and \(thread) or \(process) cpu cells did not both complete", body: body,
                charts: ["cpu_speedup.png"])
        }
        let asyncModels = models.asyncModels.compactMap(speedupSpread)
        let verdict = robustVerdict(asyncModels + [threadSpread]) { figures in
            let (models, threads) = (figures.dropLast(), figures[figures.count - 1])
            return models.allSatisfy({ $0 <= 1.2 }) && threads >= 1.5
                ? .supported : (models.allSatisfy { $0 >= 0.8 * threads } ? .contradicted : .nuanced)
        }
        func times(_ value: Double) -> String { Units.fixed(value, digits: 2) + "×" }
        switch models.runtime {
        case .swift:
            body += c7SwiftText(
                async: async, threads: threads, executor: speedup(models.loop), nio: speedup(NIOBackend.name))
            let executorText = speedup(models.loop).map { ", \(models.loop) \(times($0))" } ?? ""
            return Finding(
                id: "C7", claim: Claims.c7, verdict: verdict, rule: rule,
                headline:
                    "N = \(n): \(pool) \(times(async))\(executorText), threads/processes up to \(times(threads)) on \(cores) cores",
                body: body, charts: ["cpu_speedup.png"])
        case .python:
            var contrast: [String] = []
            if asyncModels.allSatisfy({ $0.value <= 1.2 }) {
                body +=
                    "\nasyncio runs every coroutine on one thread, so CPU-bound coroutines take turns on one core: \(pool) \(times(async)).\n"
                contrast.append(
                    "asyncio runs every coroutine on one thread (\(pool) \(times(async))), unlike Swift's default pool")
            }
            let (threaded, forked) = (speedup(thread), speedup(process))
            if let threaded, let forked, threaded <= 1.2, forked >= 1.5 {
                body +=
                    "The GIL: one thread at a time runs Python code, so CPU-bound threads take turns too (\(thread) \(times(threaded))); each process has its own interpreter and GIL, so processes run in parallel (\(process) \(times(forked))). Of the claim's \"threads or processes\", only processes help CPU-bound Python.\n"
                contrast.append(
                    "under the GIL Python threads give no speedup (\(thread) \(times(threaded))), processes do (\(process) \(times(forked)))"
                )
            } else if let threaded, threaded >= 1.5 {
                body +=
                    "\(thread) ran in parallel here (\(times(threaded))), as Python threads do only without the GIL (a free-threaded build).\n"
            }
            let speedups = [thread, process].compactMap { backend in speedup(backend).map { "\(backend) \(times($0))" }
            }
            return Finding(
                id: "C7", claim: Claims.c7, verdict: verdict, rule: rule,
                headline: "N = \(n): " + (["\(pool) \(times(async))"] + speedups).joined(separator: ", ")
                    + " on \(cores) cores",
                body: body, charts: ["cpu_speedup.png"],
                contrast: contrast.isEmpty ? nil : contrast.joined(separator: "; "))
        }
    }

    /// Why Swift differs from the document on C7: its default executor is a pool.
    static func c7SwiftText(async: Double, threads: Double, executor: Double?, nio: Double?) -> String {
        var body =
            "\nSwift's default executor differs from the document, and this is why: Python's asyncio runs every coroutine on one thread, so CPU-bound coroutines take turns on one core. Swift's default executor is a pool with one thread per core, so CPU-bound async tasks run in parallel like threads (async \(Units.fixed(async, digits: 2))×, best of threads and processes \(Units.fixed(threads, digits: 2))×).\n"
        if let executor {
            let nio = nio.map { "; SwiftNIO on its one event loop (`nio`): \(Units.fixed($0, digits: 2))×" } ?? ""
            body +=
                "The `executor` backend runs the same async tasks on one thread, as asyncio does: \(Units.fixed(executor, digits: 2))×\(nio). For the document's model the claim holds; for Swift's default pool it does not.\n"
        } else {
            body += "Run the `executor` backend (async tasks on one thread) to see the asyncio case.\n"
        }
        return body
    }
}
