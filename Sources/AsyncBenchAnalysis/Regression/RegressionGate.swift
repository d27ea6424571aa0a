import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import AsyncBenchSweep

/// Which metrics `check` judges, and with what thresholds: built from `--gate`, `--metric` and
/// `--threshold`, validated before anything runs.
public struct RegressionGate: Sendable {
    /// `all` judges every metric; the others only metrics of one kind (`counters` for CI
    /// runners too noisy for wall-clock gates).
    public enum Scope: String, Sendable, CaseIterable {
        case all, counters, memory, timing

        var kind: Metric.Kind? {
            switch self {
            case .all: return nil
            case .counters: return .counter
            case .memory: return .memory
            case .timing: return .timing
            }
        }
    }

    public var metrics: [Metric]

    /// - Parameters:
    ///   - scope: all metrics, or those of one kind.
    ///   - metricNames: comma-separated metric names, or nil for every metric in the scope.
    ///   - threshold: `10%` for every metric, or `wall=20%,cpu=30%` per metric; nil keeps each
    ///     metric's default.
    public init(scope: Scope = .all, metricNames: String? = nil, threshold: String? = nil) throws(UsageError) {
        var chosen = Metric.all.filter { scope.kind == nil || $0.kind == scope.kind }
        if let metricNames {
            let names = try RunPlan.list(metricNames, option: "--metric")
            chosen = try names.map { name throws(UsageError) in
                guard let metric = chosen.first(where: { $0.name == name }) else {
                    throw .outOfRange(
                        option: "--metric", value: name,
                        range: "one of \(chosen.map(\.name).joined(separator: ", ")) (with --gate \(scope.rawValue))")
                }
                return metric
            }
        }
        if let threshold {
            for item in try RunPlan.list(threshold, option: "--threshold") {
                let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
                let value = try Self.percentage(parts.last ?? item)
                if parts.count == 2 {
                    guard let index = chosen.firstIndex(where: { $0.name == parts[0] }) else {
                        throw .outOfRange(
                            option: "--threshold", value: item,
                            range: "METRIC=N% for a chosen metric (\(chosen.map(\.name).joined(separator: ", ")))")
                    }
                    chosen[index] = chosen[index].with(relativeThreshold: value)
                } else {
                    chosen = chosen.map { $0.with(relativeThreshold: value) }
                }
            }
        }
        metrics = chosen
    }

    /// "10%" → 0.1.
    static func percentage(_ text: String) throws(UsageError) -> Double {
        guard text.hasSuffix("%"), let value = Double(text.dropLast()), value >= 0, value <= 1000 else {
            throw .outOfRange(option: "--threshold", value: text, range: "a percentage such as 10%")
        }
        return value / 100
    }
}
