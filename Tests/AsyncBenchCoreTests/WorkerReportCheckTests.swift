import TestSupport
import Testing

@testable import AsyncBenchCell
@testable import AsyncBenchModel
@testable import AsyncBenchResults
@testable import AsyncBenchSweep

/// Issue 26: a worker's report is data. Impossible figures (a negative wall or CPU time, more
/// tasks in flight than the cell has, a lateness of 1e300, a figure no column declares) make an
/// `error` row naming the figure, never an `ok` row.
extension BlockingBackendSuites {
    @Suite struct WorkerReportCheckTests {
        /// A worker script that answers ok with one repetition `sample` and `figures` (Python literals).
        static func worker(sample: String, figures: String = "{}", extra: String = "") throws -> String {
            let report =
                "{'event': 'report', 'status': 'ok', 'message': '', 'samples': [\(sample)], 'figures': \(figures)\(extra)}"
            return try WorkerTests.script(
                "import sys, json\nsys.stdin.readline()\nprint(json.dumps({'event': 'ready'}), flush=True)\n"
                    + "sys.stdin.readline()\nprint(json.dumps(\(report)), flush=True)\nsys.stdin.read()\n")
        }

        static func sample(wall: String = "6000000", user: String = "0.001", peak: String = "20") -> String {
            "{'wallNanoseconds': \(wall), 'userSeconds': \(user), 'systemSeconds': 0, 'voluntarySwitches': 1, 'involuntarySwitches': 0, 'peakInFlight': \(peak)}"
        }

        @Test func impossibleFiguresAreAnErrorRowNamingTheFigure() throws {
            let cases: [(String, String)] = [
                (
                    try Self.worker(sample: Self.sample(wall: "-5000000")),
                    "repetition 1's wallNanoseconds -5000000 is negative"
                ),
                (try Self.worker(sample: Self.sample(user: "-1")), "repetition 1's userSeconds -1.0 is negative"),
                (
                    try Self.worker(sample: Self.sample(peak: "99999999")),
                    "repetition 1's peakInFlight 99999999 is more than the cell's 20 tasks"
                ),
                (
                    try Self.worker(sample: Self.sample(), figures: "{'lateness_us_p99': 1e300}"),
                    "its figure lateness_us_p99 1e+300 is beyond ±1e15"
                ),
                (
                    try Self.worker(sample: Self.sample(), figures: "{'lateness_us_max': -1e300}"),
                    "its figure lateness_us_max -1e+300 is beyond ±1e15"
                ),
                (
                    try Self.worker(sample: Self.sample(), figures: "{'bogus_figure': 1}"),
                    "it sends a figure 'bogus_figure', which no column of the results declares"
                ),
                (
                    try Self.worker(sample: Self.sample(), extra: ", 'tasksReached': 500"),
                    "tasksReached 500 is more than the cell's 20 tasks"
                ),
                (
                    try Self.worker(sample: Self.sample(), extra: ", 'childrenPrivateBytes': -4096"),
                    "childrenPrivateBytes -4096 is negative"
                ),
            ]
            for (script, expected) in cases {
                let report = WorkerTests.run(worker: script)
                #expect(report.status == .error, "\(expected): \(report.status) \(report.message)")
                #expect(
                    report.message.contains("the worker's report is not believable: " + expected),
                    "\(report.message)")
            }
            // A negative lateness (a wake-up before the deadline) is a figure the column allows.
            let early = WorkerTests.run(
                worker: try Self.worker(sample: Self.sample(), figures: "{'lateness_us_p50': -3.5}"))
            #expect(early.status == .ok, "\(early.message)")
        }
    }
}
