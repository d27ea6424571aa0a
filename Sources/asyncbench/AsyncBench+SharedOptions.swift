import ArgumentParser
import AsyncBenchSweep

/// Options every command that runs cells shares (`run`, `capacity`): where results go, whether
/// an earlier run there may be replaced, progress, and the pthread stack size.
struct CellRunOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Output folder (default: runs/<UTC time>). A folder that holds a run is not replaced without --overwrite.",
            valueName: "dir"))
    var out: String?

    @Flag(help: "Replace the results in an --out folder that already holds a run.")
    var overwrite = false

    @Flag(help: "No per-cell progress on stderr.")
    var quiet = false

    @Option(
        help: ArgumentHelp(
            "Stack size of each pthread: 64KiB, 8MiB, ... or 'default' (the system default, RLIMIT_STACK).",
            valueName: "size"))
    var threadStack = RunOptions().threadStack
}
