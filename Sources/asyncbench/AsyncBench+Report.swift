import ArgumentParser
import AsyncBenchCore

extension AsyncBench {
    /// `asyncbench plot DIR`.
    struct Plot: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Draw a run's charts (PNG and SVG) into DIR/charts with gnuplot and plot.gnuplot.",
            discussion: """
                Needs gnuplot (apt-get install gnuplot-nox). The script is found with --script, \
                $ASYNCBENCH_PLOT, ./plot.gnuplot, or in the package that built this binary. \
                Exit status: 0 drawn, 2 not drawn (the message says why).

                Example: asyncbench plot Results
                """)

        @Argument(help: "A run folder (holding results.csv).")
        var directory: String

        @Option(help: ArgumentHelp("The gnuplot script to use.", valueName: "path"))
        var script: String?

        func run() throws {
            try exitOnFailure(
                ReportSession.plotCommand(
                    directory: directory, script: script, executable: AsyncBench.Run.executablePath()))
        }
    }

    /// `asyncbench report DIR`.
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write DIR/REPORT.md: a verdict per claim C1–C8, computed from the run's figures.",
            discussion: """
                Each verdict (supported, contradicted, nuanced, not measured) follows a rule stated in \
                the report; charts in DIR/charts are linked when present. Exit status: 0 written, 2 on \
                a missing or malformed run.

                Example: asyncbench report Results
                """)

        @Argument(help: "A run folder (holding results.csv and run.json).")
        var directory: String

        func run() throws {
            try exitOnFailure(ReportSession.reportCommand(directory: directory))
        }
    }
}
