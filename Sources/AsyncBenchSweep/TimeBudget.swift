import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults

/// The sweep's time budget (`--budget`): before a cell starts, its time is estimated from the
/// largest smaller N of the same series run earlier in the sweep (backend, workload, latency,
/// pinning, allocator), and a cell that would take more than a twelfth of the budget, or more than
/// what is left of it, is `skipped` with the estimate, and so are the larger N of its series. So
/// a series stops growing where it would blow the budget, and the other workloads still run.
///
/// The estimate: one repetition's wall grows from the smaller cell's as its part above the
/// waits does (waits per task × latency, the floor no backend beats), in proportion to N; the
/// cell runs its warm-up, the repetitions the runner would make (at least --min-reps; more while
/// they fit in --rep-budget, up to --reps) and the memory repetition, plus its start-up.
/// A cell with no smaller sibling is not judged.
public struct TimeBudget: Sendable {
    public let nanoseconds: Int64
    /// The share of the budget one cell may take: a twelfth (7.5 s of the main job's 90 s) leaves
    /// room for the deciding cells after the largest ones that decide nothing (spawn and GCD at
    /// N = 1000 sleep took 9-11 s: with a tenth, one of them once ran and left pthread at 10,000
    /// out).
    public static let cellShare = 1.0 / 12
    /// Starting a cell process and its workload's setup, seconds (a debug build takes longer).
    static let startupSeconds = 0.15

    public init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    /// Whether `row` is a smaller N of `spec`'s series: its backend, workload, latency, pinning
    /// and allocator.
    static func isSmaller(_ row: ResultRow, of spec: CellSpec) -> Bool {
        row.backend == spec.backend && row.workload == spec.workload && row.allocator == spec.allocator.rawValue
            && row.key.pinned == spec.pinned && row.tasks < spec.tasks
            && row.latencyMilliseconds * 1e6 == Double(spec.latencyNanoseconds)
    }

    /// The estimated seconds `spec` takes, from `rows` already run; nil with no smaller sibling.
    public static func estimate(_ spec: CellSpec, after rows: [ResultRow]) -> (seconds: Double, from: Int)? {
        let siblings = rows.filter { $0.status == .ok && isSmaller($0, of: spec) }
        guard let nearest = siblings.max(by: { $0.tasks < $1.tasks }),
            let wall = nearest[RunnerColumns.wallMedian]
        else { return nil }
        let waits = Double(Registry.workload(named: spec.workload)?.waits(spec) ?? 0)
        let floor = waits * Double(spec.latencyNanoseconds) / 1e6
        let repetition = floor + max(0, wall - floor) * Double(spec.tasks) / Double(nearest.tasks)
        let budget = Double(spec.repBudgetNanoseconds) / 1e6
        let measured =
            budget > 0
            ? min(spec.reps, max(spec.minReps, Int((budget / max(repetition, 1e-3)).rounded(.up)))) : spec.reps
        let repetitions = Double(spec.warmup + measured + (spec.runsMemoryRepetition ? 1 : 0))
        return (startupSeconds + repetitions * repetition / 1e3, nearest.tasks)
    }

    /// Why `spec` is skipped, or nil when it fits: `elapsed` is the sweep's time so far, `rows`
    /// the cells already run (a series skipped at a smaller N stays skipped).
    public func refusal(_ spec: CellSpec, after rows: [ResultRow], elapsedNanoseconds: Int64) -> String? {
        let budget = Units.formatDuration(nanoseconds: nanoseconds)
        let skippedBefore = rows.contains {
            $0.status == .skipped && $0.message.hasPrefix(Self.prefix) && Self.isSmaller($0, of: spec)
        }
        if skippedBefore {
            return "\(Self.prefix) a smaller N of this series was over it; --budget none runs them all"
        }
        guard let (seconds, from) = Self.estimate(spec, after: rows) else { return nil }
        let total = Double(nanoseconds) / 1e9
        let left = max(0, total - Double(elapsedNanoseconds) / 1e9)
        guard seconds > min(total * Self.cellShare, left) else { return nil }
        let estimate = Units.trim(seconds, digits: 1)
        let limit =
            seconds > left
            ? "more than the \(Units.trim(left, digits: 1)) s left of the \(budget) budget"
            : "more than a twelfth of the \(budget) budget"
        return "\(Self.prefix) estimated \(estimate) s from N = \(from), \(limit); --budget none runs it"
    }

    /// How the message of a cell skipped for the budget starts.
    public static let prefix = "time budget:"
}
