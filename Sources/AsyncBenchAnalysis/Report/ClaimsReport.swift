import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import AsyncBenchSweep

/// The claims report: for each claim C1–C8 of the asyncio chapter, the figures of a run that
/// settle it and a verdict computed from them by a stated rule. Nothing in it is typed by hand.
public struct ClaimsReport: Sendable {
    /// How a run's figures bear on a claim.
    public enum Verdict: String, Sendable {
        case supported, contradicted, nuanced
        /// A threshold of the rule lies inside the deciding figures' spread over the repetitions:
        /// the figures are given, the verdict is not.
        case inconclusive
        case notMeasured = "not measured"
    }

    /// One claim's section of the report.
    public struct Finding: Sendable {
        public var id: String
        public var claim: String
        public var verdict: Verdict
        /// The rule the verdict follows, in one sentence.
        public var rule: String
        /// The deciding figure, for the summary table.
        public var headline: String
        /// Markdown: tables and sentences with the figures.
        public var body: String
        /// Chart file names (in `charts/`) that show the claim.
        public var charts: [String]
        /// What sets this family's figures apart, when they show it (an asyncio switch is a trip
        /// through the loop; the GIL): the reason given where two families' verdicts differ.
        public var contrast: String? = nil
    }

    public var run: RecordedRun
    /// The verdicts on Swift's backends.
    public var findings: [Finding]
    /// The same rules applied to the Python backends, when the run has rows of one; else nil.
    public var pythonFindings: [Finding]?
    /// The run's `sleep` figures (nil without sleep rows), shared by the claims and the comparison.
    let sleep: SleepFigures?
    /// The `sleep` figures of every backend, Swift's and Python's, for the table beside
    /// published figures (the 1M-tasks comparison).
    let everySleep: SleepFigures?
    /// Chart files that exist in the run's `charts/` folder.
    public var availableCharts: Set<String>
    /// Why there are no charts, when there are none.
    public var chartsNote: String?

    public init(run: RecordedRun, availableCharts: Set<String>, chartsNote: String? = nil) {
        self.run = run
        self.availableCharts = availableCharts
        self.chartsNote = chartsNote
        // Claims are judged on the system allocator's rows; jemalloc rows get their own section.
        var run = run
        run.rows = run.rows.filter { $0.key.allocator == Allocator.system.rawValue }
        let swift = Models.swift.rows(of: run)
        let sleep = SleepFigures(run: swift)
        self.sleep = sleep
        everySleep = SleepFigures(run: run)
        findings = Self.findings(swift, .swift, sleep: sleep, capacity: run.capacity)
        if Self.hasPythonRows(run) {
            // Capacity searches are Swift's only: Python's C2 is judged from its sleep rows.
            let python = Models.python.rows(of: run)
            pythonFindings = Self.findings(python, .python, sleep: SleepFigures(run: python), capacity: nil)
        }
    }

    /// One finding per claim, C1–C8, for `models` on `run` (its rows already the family's).
    static func findings(_ run: RecordedRun, _ models: Models, sleep: SleepFigures?, capacity: [CapacityResult]?)
        -> [Finding]
    {
        let c7Note =
            models.runtime == .swift
            ? "When it is measured, expect Swift to differ from the document: Swift's async pool runs one thread per core, so CPU-bound async tasks do use several CPUs, unlike Python's single-threaded asyncio loop."
            : nil
        return [
            Self.c1(run, models) ?? Self.notMeasured("C1", Claims.c1, workload: "switch"),
            sleep.map { Self.c2($0, models, capacity: capacity) }
                ?? Self.notMeasured("C2", Claims.c2, workload: "sleep"),
            sleep.map { Self.c3($0, models) } ?? Self.notMeasured("C3", Claims.c3, workload: "sleep"),
            Self.c4(run, models) ?? Self.notMeasured("C4", Claims.c4, workload: "net"),
            Self.c5(run, models) ?? Self.notMeasured("C5", Claims.c5, workload: "file"),
            Self.c6(run, models) ?? Self.notMeasured("C6", Claims.c6, workload: "blocking"),
            Self.c7(run, models) ?? Self.notMeasured("C7", Claims.c7, workload: "cpu", note: c7Note),
            sleep.map { Self.c8($0, models) } ?? Self.notMeasured("C8", Claims.c8, workload: "sleep"),
        ]
    }

    /// The claims in English, from ../shared/CLAIMS.md.
    enum Claims {
        static let c1 = "Switching between threads has real overhead; switching between async tasks has almost none."
        static let c2 = "Async I/O supports far more concurrent tasks than threads, so thread counts must stay low."
        static let c3 =
            "Running coroutines concurrently (gather, create_task) makes total time about the longest wait, not the sum."
        static let c4 = "Async wins for I/O-bound work with many network waits (web requests, database queries)."
        static let c5 = "Plain file I/O is fast enough to do synchronously; async file I/O helps with many files."
        static let c6 = "One blocking call inside async code stalls every other task; to_thread restores concurrency."
        static let c7 = "Async only helps I/O-bound programs; CPU-bound work needs threads or processes."
        static let c8 = "Processes are the heaviest way to run concurrent work."
    }

    static func notMeasured(_ id: String, _ claim: String, workload: String, note: String? = nil) -> Finding {
        Finding(
            id: id, claim: claim, verdict: .notMeasured, rule: "",
            headline: "needs the `\(workload)` workload",
            body: "This run has no `\(workload)` rows, so it cannot settle \(id)." + (note.map { " " + $0 } ?? "")
                + "\n",
            charts: [])
    }

    static func us(_ value: Double) -> String { Units.trim(value, digits: 1) + " µs" }
    static func ms(_ value: Double) -> String { Units.trim(value, digits: 1) + " ms" }
    static func ratio(_ value: Double) -> String { Units.trim(value, digits: 1) + "×" }
}
