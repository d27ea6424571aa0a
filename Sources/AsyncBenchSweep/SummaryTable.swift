import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults

/// The human summary printed after a run: one line per cell, aligned columns.
public enum SummaryTable {
    /// The table of `rows`: the key, wall time, efficiency and overhead, then every column a
    /// workload or the runner marks for the summary that some row has, then memory and status.
    public static func render(_ rows: [ResultRow], schema: Schema = Registry.schema) -> String {
        let allocators = rows.contains { $0.allocator != Allocator.system.rawValue }
        let extra = schema.summaryColumns.filter { column in rows.contains { $0.figures[column.name] != nil } }
        var header = ["backend", "workload", "tasks", "latency", "pinned"]
        if allocators { header.append("allocator") }
        header += ["wall ms median [min-max]", "efficiency", "overhead us/task"]
        header += extra.compactMap(\.summary)
        header += ["peak RSS", "RSS/task", "heap/task", "threads", "status"]
        let lines = rows.map { row -> [String] in
            let wall = row.wall.map {
                "\(Units.trim($0.median, digits: 2)) [\(Units.trim($0.min, digits: 2))-\(Units.trim($0.max, digits: 2))]"
            }
            var line = [
                row.backend, row.workload, "\(row.tasks)",
                row.latencyNanoseconds > 0 ? Units.formatDuration(nanoseconds: row.latencyNanoseconds) : "-",
                row.pinned ? "yes" : "no",
            ]
            if allocators { line.append(row.allocator) }
            line += [
                wall ?? "-", row[RunnerColumns.efficiency].map { Units.fixed($0, digits: 3) } ?? "-",
                row[RunnerColumns.overheadPerTask].map { Units.trim($0, digits: 2) } ?? "-",
            ]
            line += extra.map { column in row.figures[column.name].map(column.format) ?? "-" }
            line += [
                row[RunnerColumns.peakRSS].map(Units.formatBytes) ?? "-",
                row[RunnerColumns.rssPerTask].map { Units.formatBytes(Int($0.rounded())) } ?? "-",
                row[RunnerColumns.heapPerTask].map { Units.formatBytes(Int($0.rounded())) } ?? "-",
                row[RunnerColumns.threadsPeak].map { "\($0)" } ?? "-",
                row.status == .ok ? "ok" : "\(row.status.rawValue): \(row.message.controlEscaped)",
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

    public static func align(_ table: [[String]], rightAligned: Set<Int>) -> String {
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
