import CAsyncBench

/// Per-task memory slots shared with forked children: child `i` writes its own private memory
/// (smaps_rollup Private_Clean + Private_Dirty + page tables, bytes) to slot `i` before `_exit`.
public final class ChildMemorySlots: @unchecked Sendable {
    /// The shared slots, for the fork backend to hand to its children.
    public let slots: UnsafeMutablePointer<Int64>
    let count: Int

    init(tasks: Int) throws(CellFailure) {
        count = max(1, tasks)
        guard let shared = CAsyncBench_map_shared(count * MemoryLayout<Int64>.stride) else {
            throw .limit(reached: nil, cause: "mmap of \(count) memory slots failed: out of memory")
        }
        slots = shared.bindMemory(to: Int64.self, capacity: count)
    }

    deinit { CAsyncBench_unmap(slots, count * MemoryLayout<Int64>.stride) }

    /// The sum over the children that reported; nil when none did.
    var total: Int64? {
        let reported = UnsafeBufferPointer(start: slots, count: count).filter { $0 > 0 }
        return reported.isEmpty ? nil : reported.reduce(0, +)
    }
}

extension CellRunner {
    /// One extra, untimed repetition after the measured ones, for the heap columns.
    ///
    /// Allocation calls are counted for its duration (the binary's malloc pass-through, see
    /// heap.c). In a multi-threaded cell the sampler thread also reads the allocator's bytes in
    /// use (mallinfo2 or jemalloc's stats.allocated) every sample interval, so the peak while
    /// the tasks exist minus the figure just before gives heap bytes per task. Fork children
    /// instead report their own private memory through shared slots. Untimed because the
    /// sampling takes the allocator's locks and the children read /proc before exiting.
    static func measureMemory(
        backend: any Backend, backendType: any Backend.Type, tasks: Int, body: TaskBody, sampleInterval: Int64
    ) throws(CellFailure) -> MemoryProbe {
        var probed = body
        let children = backendType.needsSingleThreadedProcess ? try ChildMemorySlots(tasks: tasks) : nil
        probed.childMemory = children
        func run() throws(CellFailure) {
            let count = try backend.run(tasks: tasks, body: probed)
            guard count.completed == tasks else { throw .unaccounted(expected: tasks, completed: count.completed) }
        }
        let baseline = CAsyncBench_heap_in_use()
        CAsyncBench_alloc_counting(1)
        var peak: Int64?
        do {
            if backendType.needsSingleThreadedProcess {
                try run()
            } else {
                peak = try Measurement.sampleThreads(intervalNanoseconds: sampleInterval, heap: true, during: run)
                    .peakHeap
            }
        } catch {
            CAsyncBench_alloc_counting(0)
            throw error
        }
        CAsyncBench_alloc_counting(0)
        let counts = CAsyncBench_alloc_counts_read()
        return MemoryProbe(
            allocations: counts.allocations, frees: counts.frees,
            heapBaselineBytes: peak != nil && baseline >= 0 ? baseline : nil, heapPeakBytes: peak,
            childrenPrivateBytes: children?.total, allocator: Allocator.loaded)
    }
}
