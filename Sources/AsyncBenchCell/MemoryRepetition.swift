import AsyncBenchModel
import AsyncBenchResults
import CAsyncBench

/// Per-task memory slots shared with forked children: child `i` writes its own private memory
/// (smaps_rollup Private_Clean + Private_Dirty + page tables, bytes) to slot `i` before `_exit`,
/// and its page tables alone to slot `tasks + i` (the kernel figure holds them too).
public final class ChildMemorySlots: Sendable {
    let shared: SharedSlots
    let tasks: Int

    init(tasks: Int) throws(CellFailure) {
        self.tasks = tasks
        shared = try SharedSlots(tasks: 2 * tasks, what: "memory")
    }

    /// The shared slots, for the fork backend to hand to its children.
    public var slots: UnsafeMutablePointer<Int64> { shared.pointer }

    /// The sum over the children that reported; nil when none did.
    var total: Int64? {
        let reported = shared.values.prefix(tasks).filter { $0 > 0 }
        return reported.isEmpty ? nil : reported.reduce(0, +)
    }

    /// The sum of the children's page tables; nil when none reported.
    var pageTables: Int64? {
        let reported = shared.values.dropFirst(tasks).filter { $0 > 0 }
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
    ///
    /// With `kernel` (a sampled kernel-memory source) the sampler also keeps that file's peak,
    /// and its reading just before is the baseline; a fork cell has no sampler, so none.
    static func measureMemory(
        backend: any Backend, backendType: any Backend.Type, tasks: Int, body: TaskBody, sampleInterval: Int64,
        kernel: KernelMemory.File? = nil
    ) throws(CellFailure) -> MemoryProbe {
        var probed = body
        let children = backendType.needsSingleThreadedProcess ? try ChildMemorySlots(tasks: tasks) : nil
        probed.childMemory = children
        func run() throws(CellFailure) {
            probed.beforeRepetition?()
            let count = try backend.run(tasks: tasks, body: probed)
            guard count.completed == tasks else { throw .unaccounted(expected: tasks, completed: count.completed) }
        }
        let kernelBaseline = backendType.needsSingleThreadedProcess ? nil : kernel?.read()
        let baseline = CAsyncBench_heap_in_use()
        CAsyncBench_alloc_counting(1)
        var peak: Int64?
        var kernelPeak: Int64?
        do {
            if backendType.needsSingleThreadedProcess {
                try run()
            } else {
                let sampled = try Measurement.sampleThreads(
                    intervalNanoseconds: sampleInterval, heap: true, kernel: kernel, during: run)
                peak = sampled.peakHeap
                kernelPeak = sampled.peakKernel
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
            childrenPrivateBytes: children?.total, childrenPageTableBytes: children?.pageTables,
            allocator: Allocator.loaded,
            kernelBaselineBytes: kernelPeak != nil ? kernelBaseline : nil, kernelPeakBytes: kernelPeak)
    }
}
