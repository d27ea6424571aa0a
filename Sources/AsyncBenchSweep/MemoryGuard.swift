import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults

/// Refuses, before it starts, a cell that would need more memory than the machine has available:
/// the cell is reported `skipped` with the estimate, and the sweep goes on (`--force` runs it).
///
/// The estimate is tasks × the memory per task measured at the largest smaller N of the same
/// backend, workload and allocator earlier in the sweep (RSS above idle, fork's children
/// included), plus 25%, plus that cell's idle RSS. A cell with no smaller sibling is not judged:
/// a stack's reserved size says nothing of what it will touch.
public enum MemoryGuard {
    /// Share of the available memory a cell may be estimated to need.
    public static let margin = 0.8

    /// The estimated peak memory of `spec`, bytes, from `rows` already run; nil when no smaller
    /// cell of its kind completed.
    public static func estimate(_ spec: CellSpec, after rows: [ResultRow]) -> Int? {
        let siblings = rows.filter {
            $0.status == .ok && $0.backend == spec.backend && $0.workload == spec.workload
                && $0.allocator == spec.allocator.rawValue && $0.tasks < spec.tasks
                && $0[RunnerColumns.rssPerTask] != nil
        }
        guard let nearest = siblings.max(by: { $0.tasks < $1.tasks }), let perTask = nearest[RunnerColumns.rssPerTask]
        else {
            return nil
        }
        return Int(Double(spec.tasks) * perTask * 1.25) + (nearest[RunnerColumns.idleRSS] ?? 0)
    }

    /// Why `spec` is refused, or nil when it fits in `availableBytes` (or cannot be estimated).
    public static func refusal(_ spec: CellSpec, after rows: [ResultRow], availableBytes: Int?) -> String? {
        guard let available = availableBytes, let needed = estimate(spec, after: rows),
            Double(needed) > margin * Double(available)
        else { return nil }
        return
            "memory guard: about \(Units.formatBytes(needed)) needed (memory per task at a smaller N + 25%), over \(Int(margin * 100))% of the \(Units.formatBytes(available)) available; --force runs it anyway"
    }
}
