import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import AsyncBenchSweep

/// A figure compared between runs: where it comes from, which way is better, and how large a
/// change must be before it counts.
///
/// A change counts only when it is larger than the relative threshold, the absolute floor
/// (so 2 µs → 3 µs is not a 50% regression) and, where the metric has a range over
/// repetitions, the combined spread (max − min) of both runs: noise within the repetitions
/// cannot make a regression. Memory has no range (one peak per cell) and varies between
/// processes with glibc's arena reuse (±30% seen at 10,000 async tasks), so its default
/// threshold is 50%.
public struct Metric: Sendable {
    /// Timings blur on a noisy machine; counters and memory much less.
    public enum Kind: String, Sendable {
        case timing, memory, counter
    }

    public let name: String
    public let unit: String
    public let kind: Kind
    public let lowerIsBetter: Bool
    public let relativeThreshold: Double
    /// The smallest change that can count, in the metric's unit, for a given row.
    let absoluteFloor: @Sendable (ResultRow) -> Double
    public let meaning: String
    let value: @Sendable (ResultRow) -> Double?
    let range: @Sendable (ResultRow) -> ClosedRange<Double>?

    /// Every metric `compare` and `check` know, in display order.
    public static let all: [Metric] = [
        Metric(
            name: "wall", unit: "ms", kind: .timing, lowerIsBetter: true, relativeThreshold: 0.10,
            absoluteFloor: { _ in 1 },
            meaning: "median wall time of one repetition",
            value: { $0[RunnerColumns.wallMedian] },
            range: { row in
                guard let low = row[RunnerColumns.wallMin], let high = row[RunnerColumns.wallMax], low <= high else {
                    return nil
                }
                return low...high
            }),
        Metric(
            name: "efficiency", unit: "", kind: .timing, lowerIsBetter: false, relativeThreshold: 0.10,
            absoluteFloor: { _ in 0.02 }, meaning: "latency / wall",
            value: { $0[RunnerColumns.efficiency] },
            range: { row in
                guard let low = row[RunnerColumns.wallMin], let high = row[RunnerColumns.wallMax], low > 0, low <= high
                else { return nil }
                return row.key.latencyMilliseconds / high...row.key.latencyMilliseconds / low
            }),
        Metric(
            name: "cpu", unit: "s", kind: .timing, lowerIsBetter: true, relativeThreshold: 0.5,
            absoluteFloor: { _ in 0.02 },
            meaning: "user + system CPU seconds of one repetition",
            value: { row in
                guard let user = row[RunnerColumns.cpuUser], let system = row[RunnerColumns.cpuSystem] else {
                    return nil
                }
                return user + system
            }, range: { _ in nil }),
        Metric(
            name: "rss_per_task", unit: "B", kind: .memory, lowerIsBetter: true, relativeThreshold: 0.5,
            // A few pages (an allocator chunk, a stack) are noise: under 1 MiB in all never counts.
            absoluteFloor: { row in max(256, 1_048_576 / Double(row.key.tasks)) },
            meaning: "peak RSS above idle, per task",
            value: { $0[RunnerColumns.rssPerTask] }, range: { _ in nil }),
        Metric(
            name: "peak_rss", unit: "B", kind: .memory, lowerIsBetter: true, relativeThreshold: 0.5,
            absoluteFloor: { _ in 4 * 1024 * 1024 }, meaning: "peak RSS of the cell process",
            value: { $0.real(RunnerColumns.peakRSS) }, range: { _ in nil }),
        Metric(
            name: "heap_per_task", unit: "B", kind: .memory, lowerIsBetter: true, relativeThreshold: 0.5,
            // One-off allocations (a pool's first buffers) are noise: under 256 KiB in all never counts.
            absoluteFloor: { row in max(64, 262_144 / Double(row.key.tasks)) },
            meaning: "heap bytes in use per task (the memory repetition)",
            value: { $0[RunnerColumns.heapPerTask] }, range: { _ in nil }),
        Metric(
            name: "allocs_per_task", unit: "", kind: .counter, lowerIsBetter: true, relativeThreshold: 0.2,
            // A few one-off allocations per cell are noise: under 16 in all never count.
            absoluteFloor: { row in max(0.5, 16 / Double(row.key.tasks)) },
            meaning: "allocation calls per task (the memory repetition)",
            value: { $0[RunnerColumns.allocationsPerTask] }, range: { _ in nil }),
        Metric(
            name: "ctx_per_task", unit: "", kind: .counter, lowerIsBetter: true, relativeThreshold: 0.25,
            absoluteFloor: { _ in 0.25 }, meaning: "voluntary context switches per task",
            value: { row in row[RunnerColumns.voluntarySwitches].map { $0 / Double(row.key.tasks) } },
            range: { row in
                guard let low = row.real(RunnerColumns.voluntarySwitchesMin),
                    let high = row.real(RunnerColumns.voluntarySwitchesMax), low <= high
                else { return nil }
                return low / Double(row.key.tasks)...high / Double(row.key.tasks)
            }),
        Metric(
            name: "threads", unit: "", kind: .counter, lowerIsBetter: true, relativeThreshold: 0.5,
            absoluteFloor: { _ in 4 },
            meaning: "peak thread count of the cell process (not judged for one-thread-per-task backends)",
            value: { row in
                Registry.backend(named: row.key.backend)?.threadPerTask == true
                    ? nil : row.real(RunnerColumns.threadsPeak)
            }, range: { _ in nil }),
    ]

    public static func named(_ name: String) -> Metric? { all.first { $0.name == name } }

    /// The same metric with another relative threshold.
    public func with(relativeThreshold: Double) -> Metric {
        Metric(
            name: name, unit: unit, kind: kind, lowerIsBetter: lowerIsBetter, relativeThreshold: relativeThreshold,
            absoluteFloor: absoluteFloor, meaning: meaning, value: value, range: range)
    }

    /// Whether going from `baseline` to `current` is a real change, and which way.
    func judge(baseline: ResultRow, current: ResultRow) -> (Verdict, Double?, Double?) {
        guard let before = value(baseline), let after = value(current) else { return (.unchanged, nil, nil) }
        let change = after - before
        var needed = max(absoluteFloor(baseline), relativeThreshold * abs(before))
        if let a = range(baseline), let b = range(current) {
            needed = max(needed, (a.upperBound - a.lowerBound) + (b.upperBound - b.lowerBound))
        }
        guard abs(change) > needed else { return (.unchanged, before, after) }
        let worse = lowerIsBetter ? change > 0 : change < 0
        return (worse ? .regressed : .improved, before, after)
    }
}

/// What happened to one cell's metric between two runs.
public enum Verdict: String, Codable, Sendable, CaseIterable {
    case improved, unchanged, regressed, new, missing
}
