import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults

/// A deciding figure with its spread over the repetitions: the value a verdict is computed from
/// (the median repetition's) and the range between what the first and third quartile of the
/// repetitions give (their middle half; the fastest and slowest for older rows). A figure measured once (memory per task, a percentile over every task of every
/// repetition) has no spread: low = value = high.
struct Spread: Sendable, Equatable {
    var value: Double
    var low: Double
    var high: Double

    /// A figure without spread.
    init(_ value: Double) {
        self.init(value: value, low: value, high: value)
    }

    init(value: Double, low: Double, high: Double) {
        self.value = value
        self.low = min(low, value, high)
        self.high = max(low, value, high)
    }

    /// A figure of `row` proportional to its wall time (ns per switch): scaled by the fastest and
    /// slowest repetition's wall over the median's.
    static func withWall(_ value: Double, of row: ResultRow) -> Spread {
        guard let (median, fastest, slowest) = walls(row) else { return Spread(value) }
        return Spread(value: value, low: value * fastest / median, high: value * slowest / median)
    }

    /// A figure of `row` inversely proportional to its wall time (throughput, files per second,
    /// speedup, efficiency).
    static func againstWall(_ value: Double, of row: ResultRow) -> Spread {
        guard let (median, fastest, slowest) = walls(row) else { return Spread(value) }
        return Spread(value: value, low: value * median / slowest, high: value * median / fastest)
    }

    /// `row`'s wall-time overhead per task, µs: (wall − latency) / tasks for the median, fastest
    /// and slowest repetition.
    static func overheadPerTask(of row: ResultRow) -> Spread? {
        guard let value = row[RunnerColumns.overheadPerTask] else { return nil }
        guard let (_, fastest, slowest) = walls(row) else { return Spread(value) }
        let tasks = Double(row.key.tasks)
        let latency = row.latencyMilliseconds
        return Spread(
            value: value, low: (fastest - latency) * 1000 / tasks, high: (slowest - latency) * 1000 / tasks)
    }

    /// `row`'s p99 task lateness (over every task of every repetition), with the lowest and
    /// highest p99 of one repetition alone as its range (rows written before those columns: none).
    static func latenessP99(of row: ResultRow) -> Spread? {
        guard let value = row[SleepWorkload.latenessP99] else { return nil }
        guard let low = row[SleepWorkload.latenessP99RepetitionMin],
            let high = row[SleepWorkload.latenessP99RepetitionMax]
        else { return Spread(value) }
        return Spread(value: value, low: low, high: high)
    }

    /// The median repetition's wall and the ends of the middle half of the repetitions (first and
    /// third quartile: one odd repetition moves the median, which verdicts use, very little);
    /// the fastest and slowest for rows written before those columns.
    private static func walls(_ row: ResultRow) -> (Double, Double, Double)? {
        guard let median = row[RunnerColumns.wallMedian],
            let fastest = row[RunnerColumns.wallQ1] ?? row[RunnerColumns.wallMin],
            let slowest = row[RunnerColumns.wallQ3] ?? row[RunnerColumns.wallMax], median > 0, fastest > 0, slowest > 0
        else { return nil }
        return (median, fastest, slowest)
    }

    /// The ratio of two figures, its range from the extremes of both.
    static func / (numerator: Spread, denominator: Spread) -> Spread {
        guard denominator.low > 0 else {
            return Spread(value: numerator.value / denominator.value, low: -.infinity, high: .infinity)
        }
        return Spread(
            value: numerator.value / denominator.value, low: numerator.low / denominator.high,
            high: numerator.high / denominator.low)
    }

    /// Whether the figure has a spread at all.
    var isExact: Bool { low == high }

    /// `[low–high]` with `format`, or "" for an exact figure.
    func range(_ format: (Double) -> String) -> String {
        isExact ? "" : " [\(format(low))–\(format(high))]"
    }
}

extension ClaimsReport {
    /// The verdict `rule` gives for the figures' values, if it gives the same at every corner of
    /// their spreads (each figure at its low or high end); else `inconclusive`: a threshold of the
    /// rule lies inside the spread, so another run could land on either side.
    static func robustVerdict(_ figures: [Spread], _ rule: ([Double]) -> Verdict) -> Verdict {
        let verdict = rule(figures.map(\.value))
        let varying = figures.indices.filter { !figures[$0].isExact }
        guard !varying.isEmpty else { return verdict }
        for corner in 0..<(1 << varying.count) {
            var values = figures.map(\.value)
            for (bit, index) in varying.enumerated() {
                values[index] = corner & (1 << bit) == 0 ? figures[index].low : figures[index].high
            }
            if rule(values) != verdict { return .inconclusive }
        }
        return verdict
    }

    /// "5.2× [4.1–6.3]": a ratio with its spread.
    static func ratio(_ spread: Spread) -> String {
        let digits = spread.high < 10 ? 2 : 1
        return Units.trim(spread.value, digits: digits) + "×" + spread.range { Units.trim($0, digits: digits) }
    }
}
