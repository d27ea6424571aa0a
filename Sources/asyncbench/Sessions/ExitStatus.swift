import ArgumentParser
import AsyncBenchModel

/// How `asyncbench` ends, for every command: the one set of exit statuses, documented in
/// `asyncbench --help` and the README.
enum ExitStatus: Equatable, Sendable {
    /// Done: the sweep ran to its end (rows with status limit, timeout, crashed or error are
    /// results), the report or charts were written, the check found no regression.
    case success
    /// The answer is no: `check` found a regression, `verify` a figure that disagrees.
    case failed
    /// The run could not go on: output could not be written, a cell could not be started.
    case runFailed
    /// A file or baseline is missing, unreadable or malformed (compare, check, trend, report,
    /// plot), or a verify cell failed.
    case dataError
    /// Bad command-line input (ArgumentParser's validation errors too).
    case usage
    /// Stopped by signal N (SIGINT: 130, SIGTERM: 143, SIGHUP: 129).
    case interrupted(Int32)

    /// The process exit code.
    var code: Int32 {
        switch self {
        case .success: return 0
        case .failed, .runFailed: return 1
        case .dataError: return 2
        case .usage: return 64
        case .interrupted(let signal): return 128 + signal
        }
    }

    /// The help text's paragraph on exit statuses.
    static let documentation =
        "Exit status: 0 done; 1 the run failed, or check found a regression, or verify a figure that disagrees; 2 a missing or malformed file or baseline (or a verify cell failed); 64 bad input; 128+N stopped by signal N (130 for Ctrl-C)."
}

/// Ends the command with `status` unless it is success.
func finish(with status: ExitStatus) throws {
    if status != .success { throw ExitCode(status.code) }
}

/// A usage error found once `command` runs (its options parsed, but do not fit together or name
/// what does not exist): printed the way ArgumentParser prints its own, with `command`'s usage
/// line and help pointer rather than the root command's. Returns the exit code (64) to throw.
func usageError(_ message: String, command: any ParsableCommand.Type) -> ExitCode {
    let name = "asyncbench " + command._commandName
    ProcessIO.writeStandardError(
        "Error: \(message)\nUsage: \(AsyncBench.usageString(for: command))\n  See '\(name) --help' for more information.\n"
    )
    return ExitCode(ExitStatus.usage.code)
}
