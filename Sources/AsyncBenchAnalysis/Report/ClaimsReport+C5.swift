import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import AsyncBenchSweep

extension ClaimsReport {
    /// C5 from the file workloads' rows: files/s and the per-file p99, blocking calls made in
    /// place vs offloaded to a thread pool, on the page cache (`file`, `file-offload`) and with
    /// each file fsynced (`file-sync`, `file-sync-offload`); judged on the family's one-thread
    /// loop (the asyncio model) and shown for every backend of the family.
    static func c5(_ run: RecordedRun, _ models: Models) -> Finding? {
        let inPlace = FileWorkload.name
        let offloaded = OffloadedFileWorkload.name
        let syncedInPlace = SyncedFileWorkload.name
        let syncedOffloaded = OffloadedSyncedFileWorkload.name
        let variants = [
            (inPlace, "in place"), (offloaded, "offloaded"), (syncedInPlace, "in place, fsync"),
            (syncedOffloaded, "offloaded, fsync"),
        ]
        let rows = run.rows.filter { row in variants.contains { $0.0 == row.key.workload } }
        guard !rows.isEmpty else { return nil }
        func row(_ workload: String, _ backend: String, _ tasks: Int) -> ResultRow? {
            rows.cell(workload, backend, tasks)
        }
        func cell(_ row: ResultRow?) -> String {
            guard let row else { return "—" }
            guard row.status == .ok else { return row.status.rawValue }
            let rate = row[FileWorkload.filesPerSecond].map { Units.trim($0, digits: 0) + "/s" } ?? "?"
            let p99 = row[FileWorkload.fileP99].map { ", p99 " + Units.trim($0 * 1000, digits: 1) + " µs" } ?? ""
            return rate + p99
        }
        let size = rows.compactMap { $0.real(FileWorkload.fileBytes) }.first.map { Units.formatBytes(Int($0)) } ?? "?"
        let counts = rows.map(\.key.tasks).uniqued().sorted()
        var body =
            "Each task writes a \(size) file, reads it back, verifies it byte for byte and removes it. Files per second and the p99 time of one file (write + read + verify), with the blocking calls made in place (`file`) and, in async code, handed to a thread pool and awaited (`file-offload`, as aiofiles does); then the same with each file fsynced after writing (`file-sync`, `file-sync-offload`: the task waits for the disk):\n\n"
        body += "| backend | variant | " + counts.map { "N = \($0)" }.joined(separator: " | ") + " |\n"
        body += "|---|---|" + counts.map { _ in "--:|" }.joined() + "\n"
        for backend in rows.map(\.key.backend).uniqued() {
            // A variant the backend does not run (offloading outside async code, files in spawn's
            // helper) has only skipped rows: left out.
            for (workload, variant) in variants
            where rows.contains(where: {
                $0.key.backend == backend && $0.key.workload == workload && $0.status != .skipped
            }) {
                body +=
                    "| \(backend) | \(variant) | "
                    + counts.map { cell(row(workload, backend, $0)) }.joined(separator: " | ") + " |\n"
            }
        }
        let rule =
            "\(models.loopPhrase), at the largest N with both variants ok: \"fast enough to do synchronously\" holds when one file in place on the page cache (`file`) takes under 1 ms at p99 (the loop is never blocked longer); \"async file I/O helps with many files\" holds when, with each file fsynced (`file-sync`: the I/O waits for the device), offloading reaches at least 1.5× the in-place files/s (on the page cache alone there is no wait to overlap, and that gain comes and goes between cell processes; it decides only when no fsynced rows ran). Supported when both hold, contradicted when neither does, nuanced otherwise."
        let model = models.loopModel(among: rows.map(\.key.backend))
        func largest(_ here: String, _ there: String) -> (ResultRow, ResultRow)? {
            guard let n = rows.completedTasks(here, model).intersection(rows.completedTasks(there, model)).max(),
                let blocking = row(here, model, n), let pooled = row(there, model, n)
            else { return nil }
            return (blocking, pooled)
        }
        guard let (blocking, pooled) = largest(inPlace, offloaded), let fileP99 = blocking[FileWorkload.fileP99],
            let (syncBlocking, syncPooled) = largest(syncedInPlace, syncedOffloaded) ?? largest(inPlace, offloaded),
            let blockingRate = syncBlocking[FileWorkload.filesPerSecond],
            let pooledRate = syncPooled[FileWorkload.filesPerSecond]
        else {
            return Finding(
                id: "C5", claim: Claims.c5, verdict: .nuanced, rule: rule,
                headline: "\(model) did not complete both the file and file-offload workloads at one N", body: body,
                charts: ["files_per_s.png"])
        }
        let n = blocking.key.tasks
        let synced = syncBlocking.key.workload == syncedInPlace
        // The rate has the spread of the cells' repetitions; the p99 is over every file of every
        // repetition, one figure.
        let gain = Spread.againstWall(pooledRate, of: syncPooled) / Spread.againstWall(blockingRate, of: syncBlocking)
        let fastEnough = fileP99 < 1
        let verdict = robustVerdict([gain]) { figures in
            let helps = figures[0] >= 1.5
            return fastEnough && helps ? .supported : (!fastEnough && !helps ? .contradicted : .nuanced)
        }
        let ratio = Units.fixed(gain.value, digits: 2) + gain.range { Units.fixed($0, digits: 2) }
        let condition = synced ? "with each file fsynced, at N = \(syncBlocking.key.tasks)" : "on the page cache"
        body +=
            "\nOn `\(model)` at N = \(n): one file in place took \(Units.trim(fileP99 * 1000, digits: 1)) µs at p99, the longest the loop was blocked by one file. \(condition.prefix(1).uppercased() + condition.dropFirst()): \(Units.trim(blockingRate, digits: 0)) files/s in place, \(Units.trim(pooledRate, digits: 0)) offloaded (\(ratio)×).\n"
        if synced, let pageRate = blocking[FileWorkload.filesPerSecond],
            let pagePooled = pooled[FileWorkload.filesPerSecond]
        {
            let page = Spread.againstWall(pagePooled, of: pooled) / Spread.againstWall(pageRate, of: blocking)
            body +=
                "On the page cache alone offloading gave \(Units.fixed(page.value, digits: 2))\(page.range { Units.fixed($0, digits: 2) })× (N = \(n)): no wait to overlap, only the kernel's copying spread over the cores.\n"
        }
        if model == models.loop, model != models.pool,
            let n = rows.completedTasks(inPlace, model).intersection(rows.completedTasks(inPlace, models.pool))
                .max(), let pool = row(inPlace, models.pool, n)?[FileWorkload.filesPerSecond],
            let single = row(inPlace, models.loop, n)?[FileWorkload.filesPerSecond]
        {
            body +=
                "\(models.name)'s default pool (`\(models.pool)`) already runs tasks on one thread per core, so blocking file calls in place there use every core: \(Units.trim(pool, digits: 0)) files/s at N = \(n) against the one-thread executor's \(Units.trim(single, digits: 0)).\n"
        }
        if let settings = run.metadata?.settingValues, let folder = settings["file-dir"] {
            let synced =
                settings["file-sync"] == "yes"
                ? "each file was fsynced" : "without fsync, so mostly the page cache; `--file-sync` adds one per file"
            body += "Files went to \(folder) (\(synced); `--file-dir` picks another disk).\n"
        }
        return Finding(
            id: "C5", claim: Claims.c5, verdict: verdict, rule: rule,
            headline:
                "\(model), N = \(n): one file \(Units.trim(fileP99 * 1000, digits: 1)) µs at p99 in place; offloading \(ratio)× the files/s \(condition)",
            body: body, charts: ["files_per_s.png"])
    }
}
