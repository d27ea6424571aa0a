import AsyncBenchModel
import AsyncBenchResults

/// Memory per task in user and kernel parts: what C2 and C8 judge, and the table beside the
/// stacked chart (`memory_parts.png`).
extension SleepFigures {
    /// What the claims judge: `total_bytes_per_task` (RSS + kernel) when the row has it, else RSS
    /// alone (runs before the kernel columns).
    static func memoryPerTask(_ row: ResultRow) -> Double? {
        row[RunnerColumns.totalPerTask] ?? row[RunnerColumns.rssPerTask]
    }

    /// "31.2KiB (user 8.6KiB + kernel 22.6KiB)", or "8.6KiB (RSS only)" without a kernel figure.
    static func memoryText(_ row: ResultRow) -> String {
        func bytes(_ value: Double) -> String { Units.formatBytes(Int(value.rounded())) }
        guard let rss = row[RunnerColumns.rssPerTask] else { return "not measured" }
        guard let kernel = row[RunnerColumns.kernelPerTask], let total = row[RunnerColumns.totalPerTask] else {
            return "\(bytes(rss)) (RSS only)"
        }
        // Fork: the children's page tables are in both parts and counted once in the total.
        let shared = rss + kernel - total
        let once = shared >= 1 ? ", \(bytes(shared)) of page tables in both, counted once" : ""
        return "\(bytes(total)) (user \(bytes(rss)) + kernel \(bytes(kernel))\(once))"
    }

    /// The largest N that every backend with a kernel figure completed with one.
    var largestCommonKernelN: Int? {
        let measured = backends.filter { backend in
            rows.contains { $0.key.backend == backend && $0.status == .ok && $0[RunnerColumns.kernelPerTask] != nil }
        }
        guard !measured.isEmpty else { return nil }
        let sets = measured.map { backend in
            Set(
                rows.filter { $0.key.backend == backend && $0.status == .ok && $0[RunnerColumns.kernelPerTask] != nil }
                    .map(\.key.tasks))
        }
        return sets.dropFirst().reduce(sets[0]) { $0.intersection($1) }.max()
    }

    /// Per backend at `n`: user (RSS), kernel and total bytes per task, and where the kernel part
    /// was read; nil when no row at `n` has a kernel figure.
    func memoryPartsTable(at n: Int) -> String? {
        func bytes(_ value: Double?) -> String { value.map { Units.formatBytes(Int($0.rounded())) } ?? "—" }
        let measured = backends.compactMap { row($0, n) }.filter { $0[RunnerColumns.kernelPerTask] != nil }
        guard !measured.isEmpty else { return nil }
        var text =
            "| backend (N = \(n)) | user (RSS) per task | kernel per task | total per task |\n|---|--:|--:|--:|\n"
        for row in measured {
            text +=
                "| \(row.key.backend) | \(bytes(row[RunnerColumns.rssPerTask])) | \(bytes(row[RunnerColumns.kernelPerTask])) | \(bytes(row[RunnerColumns.totalPerTask])) |\n"
        }
        let sources = Set(measured.compactMap { $0[RunnerColumns.kernelSource] }).sorted()
        let meminfo = sources.contains(KernelMemory.Source.meminfo.rawValue)
        text +=
            "\nKernel memory is the kernel's own accounting of kernel stacks, page tables and slab (\(sources.joined(separator: ", "))): "
            + (meminfo
                ? "read system-wide from /proc/meminfo, so other processes' kernel memory is in it (run.json gives the noise floor of idle samples).\n"
                : "each cell ran in a memory cgroup of its own, with its forked children and worker programs, so nothing else is in it.\n")
        text +=
            "Both parts are (peak − idle) / N: where tasks did not all exist at once (compare `threads_peak` or `tasks_in_flight_peak` with N; fork when its creation loop outlasts the wait) they are below one task's cost. Where a sleeping async task's bytes go: docs/async-task-memory.md.\n"
        return text
    }
}
