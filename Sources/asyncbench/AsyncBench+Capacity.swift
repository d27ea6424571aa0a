import ArgumentParser
import AsyncBenchAnalysis
import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import AsyncBenchSweep

private let defaults = CapacityOptions()

extension AsyncBench {
    /// `asyncbench capacity`: the highest number of concurrent tasks each backend completes.
    struct Capacity: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find the highest number of concurrent tasks each backend completes (claim C2).",
            discussion: """
                Per backend: N tasks of the sleep workload (each waits --latency), doubling from \
                --start, then bisection between the highest N whose tasks were all alive at once and \
                the lowest that failed, to within 1/16. A probe is one cell in a fresh process. The \
                search for a backend stops at a limit (the kernel or a cap refused a thread or \
                process), the memory guard (the next N would need more than --memory-budget, \
                estimated from the last N's memory per task), a probe timeout, --time-budget, or \
                --max-tasks. sequential and threadpool run a fixed number of tasks at once by \
                construction and are not searched.

                Threads and processes are capped below the kernel's limit (pid_max, threads-max, \
                RLIMIT_NPROC) less those running and 2048 more, so the machine keeps working; \
                --max-threads and --max-procs override.

                Writes OUT/capacity.csv (one row per backend), OUT/results.csv (every probe, the \
                sweep's schema), run.json, charts and REPORT.md.

                Examples:
                  asyncbench capacity --backend async,pthread,fork
                  asyncbench capacity --backend async --memory-budget 8GiB --time-budget 120s
                  asyncbench capacity --backend async,python-asyncio --python /usr/bin/python3.13
                """)

        @Option(
            help: ArgumentHelp(
                "Backends to search, comma-separated: names, 'all' (the Swift ones) or 'python' (the Python ones).",
                valueName: "list"))
        var backend = defaults.backends

        @Option(help: ArgumentHelp("The workload whose tasks are counted (sleep).", valueName: "name"))
        var workload = defaults.workload

        @Option(
            help: ArgumentHelp(
                "How long each task waits (long enough for all N to be alive at once).", valueName: "duration"))
        var latency = defaults.latency

        @Option(help: "The first N tried.")
        var start = defaults.start

        @Option(help: "The largest N tried.")
        var maxTasks = defaults.maxTasks

        @Option(
            help: ArgumentHelp(
                "Largest memory a probe may need (default: 16GiB or 60% of available memory, whichever is less).",
                valueName: "size"))
        var memoryBudget: String?

        @Option(help: ArgumentHelp("Time allowed per backend.", valueName: "duration"))
        var timeBudget = defaults.timeBudget

        @Option(help: "Most threads a probe may create (default: the kernel's limit less headroom).")
        var maxThreads: Int?

        @Option(name: .customLong("max-procs"), help: "Most processes a probe may fork (default: as --max-threads).")
        var maxProcesses: Int?

        @OptionGroup var shared: CellRunOptions

        func run() throws {
            shared.exportPython()
            var options = CapacityOptions()
            options.backends = backend
            options.workload = workload
            options.latency = latency
            options.start = start
            options.maxTasks = maxTasks
            options.memoryBudget = memoryBudget
            options.timeBudget = timeBudget
            options.threadStack = shared.threadStack
            options.maxThreads = maxThreads
            options.maxProcesses = maxProcesses
            options.out = shared.out
            options.overwrite = shared.overwrite
            options.progress = !shared.quiet
            let plan: CapacityPlan
            do {
                plan = try CapacityPlan(options)
            } catch {
                throw usageError(error.description, command: Self.self)
            }
            try finish(
                with: CapacitySession.execute(
                    plan: plan, commandLine: CommandLine.arguments, executable: Run.executablePath()))
        }
    }
}
