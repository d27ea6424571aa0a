import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import AsyncBenchSweep
import FoundationEssentials

/// Two runs compared cell by cell and metric by metric, with a verdict on each.
public struct Comparison: Sendable {
    /// One line of the comparison: a cell's metric (or its status) in both runs.
    public struct Entry: Codable, Sendable, Equatable {
        public var cell: String
        public var metric: String
        public var baseline: Double?
        public var current: Double?
        /// (current − baseline) / baseline × 100.
        public var changePercent: Double?
        public var verdict: Verdict
        /// Why, for status changes and cells present in one run only.
        public var note: String
    }

    public var baselineName: String
    public var currentName: String
    public var entries: [Entry]
    /// Differences between the machines the runs came from (empty when alike or unknown).
    public var machineDifferences: [String]
    public var metrics: [String]

    public var regressions: [Entry] { entries.filter { $0.verdict == .regressed } }

    /// Compares `current` against `baseline` on `metrics`.
    public init(
        baseline: RecordedRun, baselineName: String, current: RecordedRun, currentName: String, metrics: [Metric]
    ) {
        self.baselineName = baselineName
        self.currentName = currentName
        self.metrics = metrics.map(\.name)
        machineDifferences = Self.machineDifferences(baseline.metadata, current.metadata)
        let before = Dictionary(uniqueKeysWithValues: baseline.rows.map { ($0.key, $0) })
        let after = Dictionary(uniqueKeysWithValues: current.rows.map { ($0.key, $0) })
        var entries: [Entry] = []
        for key in Set(before.keys).union(after.keys).sorted() {
            let cell = key.description
            guard let old = before[key] else {
                entries.append(Entry(cell: cell, metric: "cell", verdict: .new, note: "only in \(currentName)"))
                continue
            }
            guard let new = after[key] else {
                entries.append(Entry(cell: cell, metric: "cell", verdict: .missing, note: "only in \(baselineName)"))
                continue
            }
            if old.status != .ok || new.status != .ok {
                let verdict: Verdict =
                    old.status == new.status ? .unchanged : (new.status == .ok ? .improved : .regressed)
                let note = new.status == .ok ? "" : new.message
                entries.append(
                    Entry(cell: cell, metric: "status", verdict: verdict, note: "\(old.status) → \(new.status) \(note)")
                )
                continue
            }
            for metric in metrics {
                let (verdict, value, newValue) = metric.judge(baseline: old, current: new)
                guard let value, let newValue else { continue }
                let percent = value != 0 ? (newValue - value) / abs(value) * 100 : nil
                entries.append(
                    Entry(
                        cell: cell, metric: metric.name, baseline: value, current: newValue, changePercent: percent,
                        verdict: verdict, note: ""))
            }
        }
        self.entries = entries
    }

    /// Cores, CPU, kernel, Swift version and allocator that differ between two runs' metadata.
    static func machineDifferences(_ a: RunMetadata?, _ b: RunMetadata?) -> [String] {
        guard let a, let b else { return [] }
        let fields: [(String, String, String)] = [
            ("cores", "\(a.cores)", "\(b.cores)"), ("cpu", a.cpuModel, b.cpuModel), ("kernel", a.kernel, b.kernel),
            ("swift", a.swiftVersion, b.swiftVersion), ("allocator", a.allocator, b.allocator),
        ]
        return fields.filter { $0.1 != $0.2 }.map { "\($0.0) \($0.1) vs \($0.2)" }
    }

    /// A one-line count of the verdicts.
    public var summary: String {
        let counts = Verdict.allCases.compactMap { verdict -> String? in
            let count = entries.filter { $0.verdict == verdict }.count
            return count == 0 ? nil : "\(count) \(verdict.rawValue)"
        }
        return "\(baselineName) → \(currentName): "
            + (counts.isEmpty ? "nothing to compare" : counts.joined(separator: ", "))
    }

    // MARK: - Output

    /// Output formats of `compare`.
    public enum Format: String, Sendable, CaseIterable {
        case text, markdown, json
    }

    /// The comparison in `format`; `onlyChanges` keeps the entries whose verdict is not `unchanged`.
    public func render(_ format: Format, onlyChanges: Bool = false) -> String {
        let shown = onlyChanges ? entries.filter { $0.verdict != .unchanged } : entries
        switch format {
        case .json:
            struct Document: Encodable {
                var baseline: String
                var current: String
                var metrics: [String]
                var machineDifferences: [String]
                var entries: [Entry]
            }
            return JSONCoding.json(
                Document(
                    baseline: baselineName, current: currentName, metrics: metrics,
                    machineDifferences: machineDifferences, entries: shown), pretty: true) + "\n"
        case .text:
            let header = ["cell", "metric", "baseline", "current", "change", "verdict", "note"]
            let lines = shown.map { entry in
                [
                    entry.cell, entry.metric, Self.format(entry.baseline, entry.metric),
                    Self.format(entry.current, entry.metric), entry.changePercent.map { Self.percent($0) } ?? "",
                    entry.verdict.rawValue, entry.note.controlEscaped,
                ]
            }
            return SummaryTable.align([header] + lines, rightAligned: [2, 3, 4]) + summary + "\n"
        case .markdown:
            var text =
                "| cell | metric | \(Markdown.text(baselineName)) | \(Markdown.text(currentName)) | change | verdict | note |\n|---|---|--:|--:|--:|---|---|\n"
            for entry in shown {
                let verdict = entry.verdict == .regressed ? "**regressed**" : entry.verdict.rawValue
                let change = entry.changePercent.map { Self.percent($0) } ?? ""
                // Every cell but the verdict is data, escaped: a note may quote a worker's message.
                let cells =
                    [
                        entry.cell, entry.metric, Self.format(entry.baseline, entry.metric),
                        Self.format(entry.current, entry.metric), change,
                    ].map(Markdown.text) + [verdict, Markdown.text(entry.note)]
                text += "| " + cells.joined(separator: " | ") + " |\n"
            }
            return text + "\n" + Markdown.text(summary) + "\n"
        }
    }

    static func format(_ value: Double?, _ metric: String) -> String {
        guard let value else { return "" }
        switch Metric.named(metric)?.unit {
        case "B": return Units.formatBytes(Int(value.rounded()))
        case "ms": return Units.trim(value, digits: 2) + " ms"
        case "s": return Units.trim(value, digits: 4) + " s"
        default: return Units.trim(value, digits: 3)
        }
    }

    static func percent(_ value: Double) -> String {
        (value >= 0 ? "+" : "") + Units.trim(value, digits: 1) + "%"
    }
}
