/// The human summary printed after a run: one line per cell, aligned columns.
public enum SummaryTable {
    public static func render(_ rows: [ResultRow]) -> String {
        let switches = rows.contains { $0.switchNanoseconds != nil || $0.workload == SwitchWorkload.name }
        let allocators = rows.contains { $0.allocator != Allocator.system.rawValue }
        var header = ["backend", "workload", "tasks", "latency", "pinned"]
        if allocators { header.append("allocator") }
        header += ["wall ms median [min-max]", "efficiency", "overhead us/task"]
        if switches { header.append("ns/switch") }
        let speedups = rows.contains { $0.speedup != nil || $0.workload == CPUWorkload.name }
        if speedups { header.append("speedup") }
        // Requests (net) and files (file workloads) per second, and the p99 of one of them.
        let rates = rows.contains { $0.requestsPerTask != nil || $0.fileBytes != nil }
        if rates { header += ["ops/s", "op p99 ms"] }
        header += ["peak RSS", "RSS/task", "heap/task", "threads", "status"]
        let lines = rows.map { row -> [String] in
            let wall = row.wallMilliseconds.map {
                "\(Units.trim($0.median, digits: 2)) [\(Units.trim($0.min, digits: 2))-\(Units.trim($0.max, digits: 2))]"
            }
            var line = [
                row.backend, row.workload, "\(row.tasks)",
                row.latencyNanoseconds > 0 ? Units.formatDuration(nanoseconds: row.latencyNanoseconds) : "-",
                row.pinned ? "yes" : "no",
            ]
            if allocators { line.append(row.allocator) }
            line += [
                wall ?? "-", row.efficiency.map { Units.fixed($0, digits: 3) } ?? "-",
                row.overheadMicrosecondsPerTask.map { Units.trim($0, digits: 2) } ?? "-",
            ]
            if switches { line.append(row.switchNanoseconds.map { Units.trim($0, digits: 0) } ?? "-") }
            if speedups { line.append(row.speedup.map { Units.fixed($0, digits: 2) } ?? "-") }
            if rates {
                line.append((row.throughput ?? row.filesPerSecond).map { Units.trim($0, digits: 0) } ?? "-")
                line.append((row.requestLatency ?? row.fileLatency).map { Units.trim($0.p99 / 1e6, digits: 3) } ?? "-")
            }
            line += [
                row.peakRSSBytes.map(Units.formatBytes) ?? "-",
                row.rssBytesPerTask.map { Units.formatBytes(Int($0.rounded())) } ?? "-",
                row.heapBytesPerTask.map { Units.formatBytes(Int($0.rounded())) } ?? "-",
                row.threadsPeak.map { "\($0)" } ?? "-",
                row.status == .ok ? "ok" : "\(row.status.rawValue): \(row.message)",
            ]
            return line
        }
        return align(
            [header] + mergingSkipped(lines, rows),
            rightAligned: Set(2..<(header.count - 1)).subtracting(allocators ? [4, 5] : [4]))
    }

    /// One line for consecutive skipped cells of one backend and workload skipped for the same
    /// reason (e.g. a workload a backend cannot run), their task counts listed: "1,100,1000".
    static func mergingSkipped(_ lines: [[String]], _ rows: [ResultRow]) -> [[String]] {
        var merged: [[String]] = []
        var previous: ResultRow?
        for (line, row) in zip(lines, rows) {
            if row.status == .skipped, let last = previous, last.status == .skipped, last.backend == row.backend,
                last.workload == row.workload, last.message == row.message, var top = merged.popLast()
            {
                top[2] += ",\(row.tasks)"
                merged.append(top)
            } else {
                merged.append(line)
            }
            previous = row
        }
        return merged
    }

    static func align(_ table: [[String]], rightAligned: Set<Int>) -> String {
        guard let columns = table.first?.count else { return "" }
        var widths = [Int](repeating: 0, count: columns)
        for line in table {
            for (index, cell) in line.enumerated() where index < columns - 1 || rightAligned.contains(index) {
                widths[index] = max(widths[index], cell.count)
            }
        }
        return table.map { line in
            line.enumerated().map { index, cell in
                guard index < columns - 1 || rightAligned.contains(index) else { return cell }
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                return rightAligned.contains(index) ? padding + cell : cell + padding
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
