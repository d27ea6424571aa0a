import ArgumentParser
import AsyncBenchAnalysis
import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import AsyncBenchSweep

extension AsyncBench {
    /// `asyncbench plot DIR`.
    struct Plot: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Draw a run's charts (PNG and SVG) into DIR/charts with gnuplot and plot.gnuplot.",
            discussion: """
                Needs gnuplot (apt-get install gnuplot-nox). The script is --script, else \
                $ASYNCBENCH_PLOT, else the plot.gnuplot of the package that built this binary; never \
                one in the working folder (a gnuplot script can run commands). \
                Exit status: 0 drawn, 2 not drawn (the message says why).

                Example: asyncbench plot Results
                """)

        @Argument(help: "A run folder (holding results.csv).")
        var directory: String

        @Option(help: ArgumentHelp("The gnuplot script to use.", valueName: "path"))
        var script: String?

        func run() throws {
            try finish(
                with: ReportSession.plot(
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
            try finish(with: ReportSession.report(directory: directory))
        }
    }

    /// `asyncbench verify`.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check asyncbench's figures against independent tools on this machine.",
            discussion: """
                Runs the switch workload pinned to one CPU for pthread and fork beside \
                `perf bench sched pipe -T` and `perf bench sched pipe` pinned to the same CPU (both pass a \
                byte over a pair of pipes; target: within ±15%), and compares one cell's peak RSS with \
                the kernel's ru_maxrss for that process (within ±10%). Without perf it says so in one \
                line and checks the rest. Exit status: 0 all agree, 1 a figure disagrees, 2 a cell failed.

                Example: asyncbench verify --rounds 200000
                """)

        @Option(help: "Round trips per switch measurement (asyncbench and perf alike).")
        var rounds = 200_000

        func validate() throws {
            do {
                try Verification.check(rounds: rounds)
            } catch {
                throw ValidationError(error.description)
            }
        }

        func run() throws {
            try finish(
                with: ReportSession.verify(
                    Verification.run(executable: AsyncBench.Run.executablePath(), rounds: rounds)))
        }
    }
}
