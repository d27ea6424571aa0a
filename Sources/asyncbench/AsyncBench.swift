import ArgumentParser
import AsyncBenchAnalysis
import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import AsyncBenchSweep

@main
struct AsyncBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "asyncbench",
        abstract:
            "Measures what concurrency models cost: Swift async (pool and one thread), SwiftNIO, GCD, pthreads, a thread pool, fork, spawn.",
        discussion: """
            Runs the same workload on interchangeable backends, each cell in a fresh process, and \
            writes tidy CSV plus a summary. Start with the default sweep:

              asyncbench --backend all

            See 'asyncbench run --help' for every option.

            \(ExitStatus.documentation)
            """,
        subcommands: [
            Run.self, Capacity.self, Server.self, Plot.self, Report.self, Verify.self, Baseline.self, Compare.self,
            Check.self,
            Trend.self, SchemaCommand.self, CLIReference.self,
            Cell.self,
        ],
        defaultSubcommand: Run.self
    )

    /// Reads the command line through `CommandLinePreflight` (negative values, `-dash`), then runs
    /// the command as ArgumentParser does.
    static func main() {
        switch CommandLinePreflight.prepare(Array(CommandLine.arguments.dropFirst())) {
        case .success(let arguments): main(arguments)
        case .failure(let error): exit(withError: error)
        }
    }
}
