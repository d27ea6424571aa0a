/// The human summary printed after a run: one line per cell, aligned columns.
public enum SummaryTable {
    public static func render(_ rows: [ResultRow]) -> String {
        let header = [
            "backend", "workload", "tasks", "latency", "wall ms median [min-max]", "efficiency",
            "overhead us/task", "peak RSS", "RSS/task", "threads", "status",
        ]
        let lines = rows.map { row -> [String] in
            let wall = row.wallMilliseconds.map {
                "\(Units.trim($0.median, digits: 2)) [\(Units.trim($0.min, digits: 2))-\(Units.trim($0.max, digits: 2))]"
            }
            return [
                row.backend, row.workload, "\(row.tasks)", Units.formatDuration(nanoseconds: row.latencyNanoseconds),
                wall ?? "-", row.efficiency.map { Units.fixed($0, digits: 3) } ?? "-",
                row.overheadMicrosecondsPerTask.map { Units.trim($0, digits: 2) } ?? "-",
                row.peakRSSBytes.map(Units.formatBytes) ?? "-",
                row.rssBytesPerTask.map { Units.formatBytes(Int($0.rounded())) } ?? "-",
                row.threadsPeak.map { "\($0)" } ?? "-",
                row.status == .ok ? "ok" : "\(row.status.rawValue): \(row.message)",
            ]
        }
        return align([header] + lines, rightAligned: Set(2..<10))
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
