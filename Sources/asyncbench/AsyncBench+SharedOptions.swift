import ArgumentParser
import AsyncBenchCell
import AsyncBenchSweep

#if canImport(Glibc)
    import Glibc
#endif

/// Options every command that runs cells shares (`run`, `capacity`): where results go, whether
/// an earlier run there may be replaced, progress, the pthread stack size and the Python
/// interpreter.
struct CellRunOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Output folder (default: runs/<UTC time>). A folder holding any file a run writes (results.csv, REPORT.md, charts/*.svg...) is refused without --overwrite.",
            valueName: "dir"))
    var out: String?

    @Flag(
        help:
            "Replace an earlier run in --out: remove the files its .asyncbench-manifest lists (a folder without one: only the file names a run writes, never a subfolder or another file), then run."
    )
    var overwrite = false

    @Flag(help: "No per-cell progress on stderr.")
    var quiet = false

    @Option(
        help: ArgumentHelp(
            "Stack size of each pthread: 64KiB, 8MiB, ... or 'default' (the system default, RLIMIT_STACK).",
            valueName: "size"))
    var threadStack = RunOptions().threadStack

    @Option(
        help: ArgumentHelp(
            "The Python interpreter of the python-* backends (default: python3 on PATH).",
            discussion:
                "The worker script is found above this executable (Workers/python/), or set ASYNCBENCH_PYTHON_WORKER.",
            valueName: "path"))
    var python: String?

    /// Puts `--python` in the environment, so that the plan's skip reasons and every cell process
    /// see it.
    func exportPython() {
        if let python { setenv(PythonWorker.interpreterVariable, python, 1) }
    }
}
