import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import CAsyncBench

#if canImport(Glibc)
    import Glibc
#endif

/// capacity.csv: one row per backend (its columns are `CapacityColumns`, documented in the
/// README), and the table printed after a capacity run.
public enum CapacityFile {
    public static func text(_ results: [CapacityResult], metadata: RunMetadata) -> String {
        var text = CSV.preamble(metadata) + CSV.line(CapacityColumns.all.map(\.name))
        for result in results {
            let figures = result.figures
            text += CSV.line(CapacityColumns.all.map { column in figures[column.name].map(column.format) ?? "" })
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
            text += "\(result.backend): \(result.message.controlEscaped)\n"
        }
        return text
    }

    /// The capacity results as a Markdown table (REPORT.md).
    public static func markdown(_ results: [CapacityResult]) -> String {
        var text =
            "| backend | highest N at once | memory per task there | peak RSS there | stopped by | why |\n|---|--:|--:|--:|---|---|\n"
        for result in results {
            text +=
                "| \(Markdown.text(result.backend)) | \(result.highest.map(String.init) ?? "none") | \(result.memoryPerTask.map { Units.formatBytes(Int($0.rounded())) } ?? "—") | \(result.peakRSS.map(Units.formatBytes) ?? "—") | \(result.stoppedBy.rawValue) | \(Markdown.text(result.message)) |\n"
        }
        return text
    }

    /// A field of capacity.csv that is not a value of its column (`AnyColumn.read`).
    public struct RefusedField: Error, Equatable, Sendable {
        public var line: Int
        public var column: String
        public var value: String
        public var problem: String
    }

    /// Reads capacity.csv back (for the report); nil when the file is absent or unreadable.
    /// Every field is checked against its column: a bad one is refused, naming its line and column.
    public static func load(_ path: String) throws(RefusedField) -> [CapacityResult]? {
        guard let text = Measurement.readFile(path), CSV.byteProblem(in: text) == nil else { return nil }
        let records = CSV.records(text)
        guard let header = records.first?.fields else { return nil }
        // Each column's field, found by its name (the first, if the header repeats it).
        let fields = CapacityColumns.all.compactMap { column in
            header.firstIndex(of: column.name).map { (column, $0) }
        }
        var results: [CapacityResult] = []
        for record in records.dropFirst() {
            var figures = Figures()
            for (column, index) in fields where index < record.fields.count {
                let field = record.fields[index]
                switch column.read(field) {
                case .success(let figure): figures[column.name] = figure
                case .failure(let refusal):
                    throw RefusedField(line: record.line, column: column.name, value: field, problem: refusal.problem)
                }
            }
            if let result = CapacityResult(figures: figures) { results.append(result) }
        }
        return results
    }
}
