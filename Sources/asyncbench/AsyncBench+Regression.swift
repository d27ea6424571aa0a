import ArgumentParser
import AsyncBenchAnalysis
import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import AsyncBenchSweep

extension RegressionGate.Scope: ExpressibleByArgument {}
extension Comparison.Format: ExpressibleByArgument {}

/// `trend --format`: its table as text or Markdown.
enum TableFormat: String, ExpressibleByArgument {
    case text, markdown
}

/// Options shared by the commands that read baselines.
struct BaselineOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Where baselines are kept.", valueName: "dir"))
    var baselineDir = BaselineStore.defaultDirectory

    var store: BaselineStore { BaselineStore(directory: baselineDir) }
}

/// Options that choose and judge metrics.
struct GateOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Metrics to judge, comma-separated (default: all in the gate).",
            discussion: Metric.all.map {
                "\($0.name) (\($0.kind.rawValue), \($0.lowerIsBetter ? "lower" : "higher") is better, default threshold \(Units.trim($0.relativeThreshold * 100))%): \($0.meaning)"
            }.joined(separator: "; "),
            valueName: "list"))
    var metric: String?

    @Option(
        help: ArgumentHelp(
            "Relative change that counts, for every metric (10%) or per metric (wall=20%,cpu=30%).",
            valueName: "percent"))
    var threshold: String?

    @Option(
        help: ArgumentHelp("all, or only counters, memory or timing metrics.", valueName: "all|counters|memory|timing"))
    var gate = RegressionGate.Scope.all

    @Flag(help: "Refuse (exit 2) to compare runs from different machines instead of warning.")
    var strict = false

    @Option(help: ArgumentHelp("Output format: text, markdown or json.", valueName: "text|markdown|json"))
    var format = Comparison.Format.text

    func validate() throws {
        do {
            _ = try makeGate()
        } catch {
            throw ValidationError(error.description)
        }
    }

    func makeGate() throws(UsageError) -> RegressionGate {
        try RegressionGate(scope: gate, metricNames: metric, threshold: threshold)
    }
}

extension AsyncBench {
    /// `asyncbench baseline save|list`.
    struct Baseline: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Save a run as a named baseline, or list the saved ones.",
            subcommands: [Save.self, List.self]
        )

        struct Save: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Store a run (default: the newest in runs/) as baseline NAME.",
                discussion: """
                    Copies RUN_DIR/results.csv and run.json to BASELINE_DIR/NAME/, replacing an older \
                    baseline of that name. Example: asyncbench baseline save main runs/2026-11-25T034811Z
                    """)

            @Argument(help: "Baseline name: letters, digits, '.', '_', '-'.")
            var name: String

            @Argument(help: "A run folder or results CSV (default: the newest run in runs/).")
            var runPath: String?

            @OptionGroup var baselines: BaselineOptions

            func validate() throws {
                do {
                    try BaselineStore.checkName(name)
                } catch {
                    throw ValidationError(error.description)
                }
            }

            func run() throws {
                try finish(
                    with:

                        RegressionSession.save(name: name, run: runPath, store: baselines.store))
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the saved baselines.")

            @OptionGroup var baselines: BaselineOptions

            func run() throws {
                try finish(with: RegressionSession.list(store: baselines.store))
            }
        }
    }

    /// `asyncbench compare BASELINE [RUN_DIR | BASELINE2]`.
    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare a run (or another baseline) with a baseline, cell by cell and metric by metric.",
            discussion: """
                Verdicts: improved, unchanged, regressed, new, missing. A change counts only when it \
                exceeds the metric's threshold, its absolute floor and the combined min–max spread of \
                both runs' repetitions. Exit status: 0, or 2 on error.

                Examples:
                  asyncbench compare main
                  asyncbench compare main runs/2026-11-25T034811Z --format markdown
                  asyncbench compare v1 v2 --metric wall,rss_per_task --format json
                """)

        @Argument(help: "A saved baseline (or a run folder).")
        var baseline: String

        @Argument(help: "A run folder, results CSV or baseline name (default: the newest run in runs/).")
        var current: String?

        @OptionGroup var baselines: BaselineOptions
        @OptionGroup var judging: GateOptions

        func run() throws {
            try finish(
                with:

                    RegressionSession.compare(
                        baseline: baseline, current: current, store: baselines.store, gate: judging.makeGate,
                        format: judging.format, strict: judging.strict))
        }
    }

    /// `asyncbench check --baseline NAME [RUN_DIR]`.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fail (exit 1) when a run regressed against a baseline; for CI.",
            discussion: """
                Without RUN_DIR, first runs the baseline's cells with its settings. Prints the cells \
                that changed. Exit status: 0 nothing regressed, 1 something regressed, 2 error (missing \
                baseline, unreadable or malformed file, schema mismatch, --strict across machines).

                Examples:
                  asyncbench check --baseline main
                  asyncbench check --baseline main runs/2026-11-25T034811Z --threshold 15%
                  asyncbench check --baseline main --gate counters     # for noisy CI runners
                """)

        @Option(help: "The saved baseline to judge against.")
        var baseline: String

        @Argument(help: "A run folder or results CSV (default: run the baseline's cells now).")
        var runPath: String?

        @Option(help: ArgumentHelp("Output folder of the run made without RUN_DIR.", valueName: "dir"))
        var out: String?

        @OptionGroup var baselines: BaselineOptions
        @OptionGroup var judging: GateOptions

        func run() throws {
            try finish(
                with:

                    RegressionSession.check(
                        baseline: baseline, run: runPath, store: baselines.store, gate: judging.makeGate,
                        format: judging.format, strict: judging.strict, executable: AsyncBench.Run.executablePath(),
                        out: out))
        }
    }

    /// `asyncbench trend BASELINE...`.
    struct Trend: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one metric across saved baselines, in the order given (table and chart).",
            discussion: """
                Example: asyncbench trend v1 v2 v3 --metric rss_per_task --chart trend.png
                """)

        @Argument(help: "Baselines (or run folders), oldest first.")
        var baselines: [String]

        @Option(help: ArgumentHelp("The metric to follow.", valueName: "name"))
        var metric = "wall"

        @Option(help: ArgumentHelp("Table format: text or markdown.", valueName: "text|markdown"))
        var format = TableFormat.text

        @Option(help: ArgumentHelp("Draw a PNG chart here with gnuplot.", valueName: "file"))
        var chart: String?

        @OptionGroup var store: BaselineOptions

        func validate() throws {
            guard !baselines.isEmpty else { throw ValidationError("name at least one baseline, oldest first") }
            guard AsyncBenchAnalysis.Metric.named(metric) != nil else {
                throw ValidationError(
                    "unknown --metric '\(metric)': choose from \(AsyncBenchAnalysis.Metric.all.map(\.name).joined(separator: ", "))"
                )
            }
        }

        func run() throws {
            try finish(
                with:

                    RegressionSession.trend(
                        baselines: baselines, store: store.store, metric: metric, markdown: format == .markdown,
                        chart: chart))
        }
    }
}
