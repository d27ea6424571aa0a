import ArgumentParser
import AsyncBenchAnalysis
import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import AsyncBenchSweep

#if canImport(Glibc)
    import Glibc
#endif

/// The defaults of every option live in the core, where tests see them.
private let defaults = RunOptions()

extension AsyncBench {
    /// `asyncbench run` (the default): validate the options, run the sweep, print the summary.
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a sweep of backends × workloads × tasks × latency (the default command).",
            discussion: """
                Every cell runs in a fresh 'asyncbench cell' process, under --cell-timeout, with \
                --warmup discarded repetitions then --reps measured ones. Results go to \
                OUT/results.csv (or .json) with metadata in OUT/run.json; a summary table goes \
                to stdout and per-cell progress to stderr when it is a terminal.

                Examples:
                  asyncbench --backend all                            # the Swift backends
                  asyncbench --backend all,python --workload cpu      # and the 4 Python ones
                  asyncbench --backend python --python /usr/bin/python3.13
                  asyncbench --backend async,pthread --tasks 100,10000 --latency 10ms,100ms
                  asyncbench --backend pthread --thread-stack default --tasks 1000 --out /tmp/run1
                  asyncbench --workload switch --backend all          # ns per switch, pinned and not
                  asyncbench --workload cpu --backend all             # speedup of CPU-bound tasks
                  asyncbench --allocator both --tasks 1000            # heap per task, glibc vs jemalloc
                  asyncbench --workload blocking,blocking-offload --backend async,executor   # C6
                  asyncbench --preset million-tasks                   # 1M sleeping tasks (~4 min)
                  asyncbench --backend go,node --workload sleep,switch,cpu,net   # goroutines, promises
                  asyncbench --workload net --tasks 1,100,1000,10000 --latency 20ms    # C4
                  asyncbench --workload net --loss 0.01 --reset 0.01 --request-timeout 200ms
                  asyncbench --workload net --server 192.168.1.20:7000     # a server elsewhere (asyncbench server)
                  asyncbench --workload file,file-offload --file-size 64KiB --file-dir /mnt/ssd   # C5

                Exit status: 0 the sweep finished (limit/timeout/crashed rows are results), \
                1 the run failed, 64 bad input, 128+N stopped by signal N (130 for Ctrl-C).
                """
        )

        @Option(
            help: ArgumentHelp(
                "Backends to run, comma-separated: names, 'all' (the Swift ones), or a runtime: 'python' (the Python ones), 'go', 'node'.",
                discussion: "One of: \(Registry.listedBackendNames.joined(separator: ", ")).",
                valueName: "list"))
        var backend = defaults.backends

        @Option(
            help: ArgumentHelp(
                "Workloads to run, comma-separated.",
                discussion: Registry.workloads.filter { !$0.hidden }.map { "\($0.name): \($0.summary)" }
                    .joined(separator: "; "),
                valueName: "list"))
        var workload = defaults.workloads

        @Option(
            help: ArgumentHelp(
                "Task counts N to sweep, comma-separated, e.g. 1,10,100.",
                discussion: "Default: "
                    + Registry.workloads.filter { !$0.hidden }.map {
                        "\($0.defaultTasks.map(String.init).joined(separator: ",")) for \($0.name)"
                    }.joined(separator: ", ") + ".",
                valueName: "list"))
        var tasks: String?

        @Option(
            help: ArgumentHelp(
                "Run cells on one CPU (yes), on all (no), or both (default: both for switch, no otherwise).",
                valueName: "no|yes|both"))
        var pin: PinChoice?

        @OptionGroup var workloadOptions: WorkloadOptions

        @Option(
            help: ArgumentHelp(
                "How long each task waits, with a unit (ns, us, ms, s); a comma list sweeps several.",
                valueName: "duration"))
        var latency = defaults.latencies

        @Option(help: "Measured repetitions per cell (the median, min and max are reported).")
        var reps = defaults.reps

        @Option(help: "Fewest measured repetitions when --rep-budget stops a slow cell early.")
        var minReps = defaults.minReps

        @Option(
            help: ArgumentHelp(
                "Stop measuring a cell once --min-reps ran and their wall time reached this; 0s = always --reps.",
                valueName: "duration"))
        var repBudget = defaults.repBudget

        @Option(help: "Warm-up repetitions per cell, run first and discarded.")
        var warmup = defaults.warmup

        @OptionGroup var shared: CellRunOptions

        @Option(help: ArgumentHelp("Results file format: csv or json.", valueName: "csv|json"))
        var format = defaults.format

        @Option(help: ArgumentHelp("Kill a cell (and its process group) after this long.", valueName: "duration"))
        var cellTimeout = defaults.cellTimeout

        @Option(
            help:
                "Most threads one cell may create (kept below the kernel's ~32k threads+processes so the machine keeps working)."
        )
        var maxThreads = defaults.maxThreads

        @Option(name: .customLong("max-procs"), help: "Most processes one fork cell may create.")
        var maxProcesses = defaults.maxProcesses

        @Option(help: "Threads of the threadpool backend's pool (default: one per core).")
        var poolSize: Int?

        @Option(help: "Event loops of the nio backend.")
        var loops = defaults.loops

        @Option(help: "Largest task count of the spawn backend's cells (each helper costs ~2.5 ms of CPU here).")
        var maxSpawn = defaults.maxSpawn

        @Option(
            help:
                "Most waits one thread makes one after another: sequential cells above it (tasks × waits per task: 1, or --requests for net), and threadpool cells above it × --pool-size, are skipped; file, cpu and switch cells are not."
        )
        var sequentialMaxTasks = defaults.sequentialMaxTasks

        @Option(
            help: ArgumentHelp(
                "Allocator of the cell processes: system (glibc malloc), jemalloc (preloaded), or both (each cell under each).",
                discussion:
                    "jemalloc needs libjemalloc.so.2 (Debian: apt-get install libjemalloc2); without it 'both' runs the system rows only.",
                valueName: "system|jemalloc|both"))
        var allocator = defaults.allocator

        @Option(
            help: ArgumentHelp(
                "A named set of options, applied over the others.",
                discussion: RunPlan.presets.map { "\($0.name): \($0.summary)." }.joined(separator: " "),
                valueName: "name"))
        var preset: String?

        @Option(
            help: ArgumentHelp(
                "The sweep's time budget: a cell estimated (from a smaller N of its series) to take more than a twelfth of it, or more than is left, is skipped with the estimate, and so are the larger N of its series.",
                discussion:
                    "Default: \(RunPlan.mainJobBudget) for the main job (no --workload, --tasks or --preset), none otherwise. Example: --budget 10m, or --budget none to run every cell.",
                valueName: "duration|none"))
        var budget: String?

        @Flag(
            help:
                "Run cells the memory guard would skip (estimated from a smaller N's memory per task, over 80% of available memory)."
        )
        var force = false

        @Flag(help: "After the sweep, run 'asyncbench verify' (figures beside perf and the kernel's).")
        var verify = false

        func validate() throws {
            guard verify else { return }
            do {
                try Verification.check(rounds: workloadOptions.group(SwitchWorkload.Options.self).rounds)
            } catch {
                throw ValidationError(error.description)
            }
        }

        func run() throws {
            let plan = try makePlan()
            try finish(
                with: RunSession.execute(
                    plan: plan, commandLine: CommandLine.arguments, executable: Self.executablePath()))
            if verify {
                print("")
                try finish(
                    with: ReportSession.verify(
                        Verification.run(executable: Self.executablePath(), options: workloadOptions)))
            }
        }

        func makePlan() throws -> RunPlan {
            shared.exportPython()
            var options = RunOptions()
            options.backends = backend
            options.workloads = workload
            options.tasks = tasks
            options.pin = pin
            options.workloadOptions = workloadOptions
            options.latencies = latency
            options.reps = reps
            options.warmup = warmup
            options.minReps = minReps
            options.repBudget = repBudget
            options.out = shared.out
            options.format = format
            options.threadStack = shared.threadStack
            options.cellTimeout = cellTimeout
            options.maxThreads = maxThreads
            options.maxProcesses = maxProcesses
            options.poolSize = poolSize
            options.loops = loops
            options.maxSpawn = maxSpawn
            options.sequentialMaxTasks = sequentialMaxTasks
            options.allocator = allocator
            options.overwrite = shared.overwrite
            options.preset = preset
            options.force = force
            options.budget = budget
            options.progress = !shared.quiet
            do {
                return try RunPlan(options)
            } catch {
                throw usageError(error.description, command: Self.self)
            }
        }

        /// This binary, to start cell processes with.
        static func executablePath() -> String {
            Files.executablePath ?? CommandLine.arguments[0]
        }
    }
}
