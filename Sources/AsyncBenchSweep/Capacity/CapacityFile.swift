import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import CAsyncBench

#if canImport(Glibc)
    import Glibc
#endif

/// capacity.csv: one row per backend (its columns are documented in the README), and the table
/// printed after a capacity run.
public enum CapacityFile {
    public static let columns = [
        "schema_version", "backend", "workload", "latency_ms", "highest_tasks", "memory_per_task_bytes",
        "peak_rss_bytes", "stopped_by", "probes", "seconds", "message",
    ]

    public static func text(_ results: [CapacityResult], metadata: RunMetadata) -> String {
        var text = CSV.preamble(metadata) + CSV.line(columns)
        for result in results {
            text += CSV.line([
                "\(Schema.version)", result.backend, result.workload, Units.trim(result.latencyMilliseconds, digits: 6),
                result.highest.map(String.init) ?? "", result.memoryPerTask.map { Units.trim($0, digits: 1) } ?? "",
                result.peakRSS.map(String.init) ?? "", result.stoppedBy.rawValue, "\(result.probes)",
                Units.trim(result.seconds, digits: 1), result.message,
            ])
        }
        return text
    }

    public static func table(_ results: [CapacityResult]) -> String {
        let header = ["backend", "highest N at once", "memory/task", "peak RSS", "stopped by", "probes", "seconds"]
        let lines = results.map { result in
            [
                result.backend, result.highest.map(String.init) ?? "none",
                result.memoryPerTask.map { Units.formatBytes(Int($0.rounded())) } ?? "-",
                result.peakRSS.map(Units.formatBytes) ?? "-", result.stoppedBy.rawValue, "\(result.probes)",
                Units.trim(result.seconds, digits: 1),
            ]
        }
        var text = SummaryTable.align([header] + lines, rightAligned: [1, 2, 3, 5, 6])
        for result in results where !result.message.isEmpty {
            text += "\(result.backend): \(result.message)\n"
        }
        return text
    }

    /// The capacity results as a Markdown table (REPORT.md).
    public static func markdown(_ results: [CapacityResult]) -> String {
        var text =
            "| backend | highest N at once | memory per task there | peak RSS there | stopped by | why |\n|---|--:|--:|--:|---|---|\n"
        for result in results {
            text +=
                "| \(result.backend) | \(result.highest.map(String.init) ?? "none") | \(result.memoryPerTask.map { Units.formatBytes(Int($0.rounded())) } ?? "—") | \(result.peakRSS.map(Units.formatBytes) ?? "—") | \(result.stoppedBy.rawValue) | \(result.message.replacingAll("|", with: "/")) |\n"
        }
        return text
    }

    /// Reads capacity.csv back (for the report); nil when the file is absent or unreadable.
    public static func load(_ path: String) -> [CapacityResult]? {
        guard let text = Measurement.readFile(path) else { return nil }
        let records = CSV.records(text)
        guard let header = records.first else { return nil }
        return records.dropFirst().compactMap { record in
            let values = Dictionary(zip(header.fields, record.fields), uniquingKeysWith: { first, _ in first })
            guard let backend = values["backend"], let stop = values["stopped_by"].flatMap(CapacityStop.init) else {
                return nil
            }
            return CapacityResult(
                backend: backend, workload: values["workload"] ?? "",
                latencyMilliseconds: Double(values["latency_ms"] ?? "") ?? 0,
                highest: values["highest_tasks"].flatMap { Int($0) },
                memoryPerTask: values["memory_per_task_bytes"].flatMap { Double($0) },
                peakRSS: values["peak_rss_bytes"].flatMap { Int($0) }, stoppedBy: stop,
                message: values["message"] ?? "", probes: Int(values["probes"] ?? "") ?? 0,
                seconds: Double(values["seconds"] ?? "") ?? 0)
        }
    }
}
