import TestSupport
import Testing

@testable import AsyncBenchAnalysis
@testable import AsyncBenchCell
@testable import AsyncBenchModel
@testable import AsyncBenchResults
@testable import AsyncBenchSweep

/// The capacity search on a fake machine (probes and clock are stand-ins: no timing involved).
@Suite struct CapacityTests {
    /// A search from 1000 with room for 64 MiB, 30 s, and every probe taking `seconds` of the clock.
    static func search(
        budget: Int = 64 << 20, time: Int64 = 30_000_000_000, seconds: Int64 = 1,
        probe: @escaping (Int) -> CapacityProbe.Outcome
    ) -> CapacityResult {
        var clock: Int64 = 0
        let search = CapacitySearch(
            start: 1000, maxTasks: 1_000_000, memoryBudgetBytes: budget, timeBudgetNanoseconds: time,
            baselineBytes: 0)
        let now = { clock }
        return search.run(backend: "x", workload: "sleep", latencyMilliseconds: 1000, now: now) { tasks, _ in
            clock += seconds * 1_000_000_000
            return CapacityProbe(probe(tasks))
        }
    }

    @Test func doublesThenBisectsToTheLimit() {
        var tried: [Int] = []
        let result = Self.search { tasks in
            tried.append(tasks)
            return tasks <= 5000 ? .concurrent(memoryPerTask: 100, peakRSS: tasks * 100) : .stopped(.limit, "EAGAIN")
        }
        #expect(Array(tried.prefix(4)) == [1000, 2000, 4000, 8000])
        #expect(result.stoppedBy == .limit)
        let highest = result.highest ?? 0
        #expect(highest <= 5000 && highest >= 5000 - 5000 / 16, "\(highest)")
        #expect(result.message.hasSuffix("EAGAIN"))
        #expect(result.probes == tried.count)
    }

    @Test func theMemoryGuardStopsBeforeAProbeWouldNeedTooMuch() {
        // 16 KiB a task, 64 MiB budget: 4096 tasks fit, with 25% margin about 3276.
        var largest = 0
        let result = Self.search { tasks in
            largest = max(largest, tasks)
            return .concurrent(memoryPerTask: 16384, peakRSS: tasks * 16384)
        }
        #expect(result.stoppedBy == .memoryGuard)
        #expect(largest * 16384 * 5 / 4 <= 64 << 20, "no probe above the budget ran: \(largest)")
        #expect(result.message.contains("over --memory-budget 64MiB"))
    }

    @Test func theTimeBudgetEndsTheSearchWithTheBestSoFar() {
        let result = Self.search(seconds: 10) { _ in .concurrent(memoryPerTask: 1, peakRSS: 1) }
        #expect(result.stoppedBy == .timeBudget)
        #expect(result.probes == 3)  // 0, 10, 20 s; at 30 s no time is left
        #expect(result.highest == 4000)
    }

    @Test func aPartlyConcurrentProbeSendsTheSearchToWhatWasAlive() {
        var tried: [Int] = []
        let result = Self.search { tasks in
            tried.append(tasks)
            return tasks <= 24 ? .concurrent(memoryPerTask: 1, peakRSS: 1) : .partlyConcurrent(alive: 24, "capped")
        }
        #expect(tried.prefix(2) == [1000, 24])
        #expect(result.stoppedBy == .notConcurrent)
        #expect((result.highest ?? 0) >= 24)
    }

    @Test func capacityRowsRoundTripThroughTheFile() throws {
        let results = [
            CapacityResult(
                backend: "async", workload: "sleep", latencyMilliseconds: 2000, highest: 1_024_000,
                memoryPerTask: 2355.2, peakRSS: 2 << 30, stoppedBy: .timeBudget, message: "used up, \"60s\"",
                probes: 12,
                seconds: 60.3)
        ]
        let path = temporaryDirectory() + "/capacity.csv"
        try Files.writeAtomically(CapacityFile.text(results, metadata: RegressionTests.machine), to: path)
        #expect(try CapacityFile.load(path) == results)
        #expect(CapacityFile.table(results).contains("1024000"))
    }

    /// The committed capacity run, read and written again, gives its rows back field for field:
    /// the columns, their order and their number formatting (all but the schema version).
    @Test func committedCapacityFileIsWrittenBackIdentically() throws {
        let root = String(#filePath).split(separator: "/").dropLast(3).joined(separator: "/")
        let path = "/" + root + "/Results/capacity/capacity.csv"
        let committed = try #require(Measurement.readFile(path))
        let results = try #require(try CapacityFile.load(path))
        #expect(results.count == 9)
        func rows(_ text: String) -> [Substring] {
            text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.drop { $0 != "," } }
        }
        // Since issue 26 a message starting with a formula character (`--time-budget`) is
        // written with a leading quote; the committed file predates it.
        let quoted = committed.replacing(",--time-budget", with: ",'--time-budget")
        #expect(rows(CapacityFile.text(results, metadata: RegressionTests.machine)) == rows(quoted))
        #expect(results.first?.message.hasPrefix("--time-budget") == true, "read back without the quote")
    }
}
