import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults

/// The 1M-tasks table: N tasks that each sleep 10 s, per runtime and N, peak memory and
/// completion time on this machine beside the figures published for the same program elsewhere.
///
/// Sources (the figures are the data of the articles' charts, in their page sources):
/// - 2023: Piotr Kołaczkowski, "How Much Memory Do You Need to Run 1 Million Concurrent Tasks?",
///   https://pkolaczk.github.io/memory-consumption-of-async/ (pkolaczk/pkolaczk.github.io,
///   `_posts/2023-05-21-memory-consumption-of-async.md`): peak memory only; Rust 1.69, Go 1.18.1,
///   Node.js 12.22.9, Python 3.10.6 on a Xeon E3-1505M v6.
/// - 2024: hez2010, "How Much Memory Do You Need in 2024 to Run 1 Million Concurrent Tasks? -
///   Take 2", https://hez2010.github.io/async-runtimes-benchmarks-2024/take2.html
///   (hez2010/async-runtimes-benchmarks, `RESULT.md`): memory and time; Rust 1.82.0, Go 1.23.3,
///   Node.js 23.2.0, Python 3.13.0 on an i7-13700K.
///
/// Their "MB" are the peak resident set as the tool reports it (maxrss in KiB / 1024, so MiB);
/// this run's are shown in MiB too. Their time is the whole program's, start-up included; this
/// run's is from starting the first task to joining the last.
enum MillionTasks {
    /// The task counts both articles used.
    static let counts = [1, 10_000, 100_000, 1_000_000]

    /// What was published for the runtime a backend runs, by N.
    struct Published: Sendable {
        var runtime: String
        /// Peak memory, MB as published (2023 has no times).
        var memory2023: [Int: Double]
        /// Peak memory, MB as published, and seconds to complete.
        var result2024: [Int: (megabytes: Double, seconds: Double)]
    }

    /// By backend: the published runtime it corresponds to. Swift (async, executor, nio),
    /// uvloop and tokio's current-thread runtime have no published figure.
    static let published: [String: Published] = [
        "go": Published(
            runtime: "Go (goroutines)", memory2023: [1: 1.8, 10_000: 28.6, 100_000: 269, 1_000_000: 2658],
            result2024: [
                1: (3.5546875, 10), 10_000: (34.29296875, 10.01), 100_000: (262.67578125, 10.09),
                1_000_000: (2585.5859375, 10.83),
            ]),
        "node": Published(
            runtime: "Node.js (promises)", memory2023: [1: 36.2, 10_000: 48.3, 100_000: 112.5, 1_000_000: 494],
            result2024: [
                1: (41.9296875, 10.05), 10_000: (64.7890625, 10.02), 100_000: (125.06640625, 10.06),
                1_000_000: (563.88671875, 10.51),
            ]),
        "tokio": Published(
            runtime: "Rust tokio (spawn)", memory2023: [1: 3.0, 10_000: 4.6, 100_000: 23.7, 1_000_000: 213.6],
            result2024: [
                1: (4.71875, 10), 10_000: (9.03515625, 10), 100_000: (46.234375, 10.04),
                1_000_000: (439.08984375, 10.41),
            ]),
        "python-asyncio": Published(
            runtime: "Python asyncio", memory2023: [1: 17.3, 10_000: 40.0, 100_000: 240.5, 1_000_000: 2232],
            result2024: [
                1: (19.515625, 10.09), 10_000: (33.34765625, 10.1), 100_000: (146.46875, 10.71),
                1_000_000: (1275.71875, 19.36),
            ]),
        // 2023 only: Rust threads, which could not start 100,000 there; 2024 measured no threads.
        "pthread": Published(
            runtime: "OS threads (Rust threads)", memory2023: [1: 2.5, 10_000: 48.3], result2024: [:]),
    ]

    /// The table for the sleep rows of a run that has 1M-task rows; "—" where this run has no
    /// row, "not published" where the articles have no figure.
    static func table(_ figures: SleepFigures) -> String {
        let counts = Self.counts.filter { n in figures.rows.contains { $0.key.tasks == n } }
        var text =
            "This run beside the published figures for the same program (N tasks that each sleep \(Units.formatDuration(nanoseconds: Int64(figures.latency * 1e6))), launched together, then joined): peak resident memory of the whole process, MiB, and the time from the first task's start to the last one's end; 2023: [pkolaczk](https://pkolaczk.github.io/memory-consumption-of-async/) (Rust 1.69, Go 1.18.1, Node.js 12.22.9, Python 3.10.6; memory only), 2024: [hez2010's re-run, take 2](https://hez2010.github.io/async-runtimes-benchmarks-2024/take2.html) (Rust 1.82.0, Go 1.23.3, Node.js 23.2.0, Python 3.13.0; memory and the whole program's time). Other machines, other versions: a difference is a finding to explain, not an error.\n\n"
        text += "| backend | published as | N | peak MiB here | time here | 2023 peak MB | 2024 peak MB (time) |\n"
        text += "|---|---|--:|--:|--:|--:|--:|\n"
        for backend in figures.backends {
            let source = published[backend]
            for n in counts {
                let row = figures.rows.first { $0.key.backend == backend && $0.key.tasks == n }
                var peak = "—"
                var time = "—"
                if let row {
                    if row.status == .ok, let bytes = row.real(RunnerColumns.peakRSS) {
                        peak = Units.trim(bytes / 1_048_576, digits: 1)
                        time = row[RunnerColumns.wallMedian].map { Units.trim($0 / 1000, digits: 2) + " s" } ?? "—"
                    } else {
                        peak = row.status.rawValue
                    }
                }
                let old = source?.memory2023[n].map { Units.trim($0, digits: 1) } ?? "not published"
                let new =
                    source?.result2024[n].map {
                        "\(Units.trim($0.megabytes, digits: 1)) (\(Units.trim($0.seconds, digits: 2)) s)"
                    }
                    ?? "not published"
                text +=
                    "| \(backend) | \(source?.runtime ?? "not published") | \(n) | \(peak) | \(time) | \(old) | \(new) |\n"
            }
        }
        return text
    }
}
