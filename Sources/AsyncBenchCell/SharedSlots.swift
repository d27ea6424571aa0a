import AsyncBenchModel
import AsyncBenchResults
import CAsyncBench

/// One 64-bit slot per task in anonymous memory shared with forked children (MAP_SHARED), so a
/// task can report a figure (its lateness, its memory) from whichever thread or process ran it.
public final class SharedSlots: @unchecked Sendable {
    /// The first slot, for C task bodies.
    public let pointer: UnsafeMutablePointer<Int64>
    /// Slots available (at least one).
    public let count: Int

    /// Maps `tasks` zeroed slots; `what` names them in the `limit` failure when memory runs out.
    init(tasks: Int, what: String) throws(CellFailure) {
        count = max(1, tasks)
        guard let shared = CAsyncBench_map_shared(count * MemoryLayout<Int64>.stride) else {
            throw .limit(reached: nil, cause: "mmap of \(count) \(what) slots failed: out of memory")
        }
        pointer = shared.bindMemory(to: Int64.self, capacity: count)
    }

    deinit { CAsyncBench_unmap(pointer, count * MemoryLayout<Int64>.stride) }

    /// Writes `value` to slot `index` (ignored beyond the slots).
    func record(_ index: Int, _ value: Int64) {
        if index >= 0 && index < count { pointer[index] = value }
    }

    /// Every slot's value.
    var values: [Int64] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}
