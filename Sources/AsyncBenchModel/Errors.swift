import CAsyncBench

#if canImport(Glibc)
    import Glibc
#endif

/// A mistake in what the user asked for, found before anything runs.
///
/// Each message quotes the bad value and says what to do instead.
public enum UsageError: Error, Equatable, CustomStringConvertible {
    case unknownBackend(String, known: [String])
    case unknownWorkload(String, known: [String])
    case emptyList(option: String)
    case emptyItem(option: String, value: String)
    case badInteger(option: String, value: String)
    case outOfRange(option: String, value: String, range: String)
    case badDuration(option: String, value: String)
    case badSize(option: String, value: String)
    case badFormat(String)
    case outputNotWritable(path: String, reason: String)
    case outputExists(path: String)
    case outputInUse(path: String, pid: String)
    case workloadProblem(String)
    case allocatorMissing(String)

    public var description: String {
        switch self {
        case .unknownBackend(let name, let known):
            return "unknown backend '\(name)': choose from \(known.joined(separator: ", ")) or 'all'"
        case .unknownWorkload(let name, let known):
            return "unknown workload '\(name)': choose from \(known.joined(separator: ", "))"
        case .emptyList(let option):
            return "\(option) needs at least one value, e.g. \(option) \(Self.example(option))"
        case .emptyItem(let option, let value):
            return
                "\(option) '\(value)' has an empty item (two commas in a row, or one at an end); give a comma list such as \(option) \(Self.example(option))"
        case .badInteger(let option, let value):
            return "\(option) must be a whole number, got '\(value)'"
        case .outOfRange(let option, let value, let range):
            return "\(option) must be \(range), got \(value)"
        case .badDuration(let option, let value):
            return
                "\(option) must be a duration with a unit (ns, us, ms, s), e.g. 10ms or 1s, got '\(value)'"
        case .badSize(let option, let value):
            return
                "\(option) must be a size such as 64KiB, 8MiB\(option == "--thread-stack" ? " or 'default'" : ""), got '\(value)'"
        case .badFormat(let value):
            return "--format must be csv or json, got '\(value)'"
        case .outputNotWritable(let path, let reason):
            return "cannot write to output folder '\(path)': \(reason); pass a writable --out DIR"
        case .workloadProblem(let problem):
            return problem
        case .allocatorMissing(let hint):
            return hint
        case .outputInUse(let path, let pid):
            return
                "output folder '\(path)' is in use by another asyncbench run (pid \(pid)); wait for it to end or pass another --out DIR"
        case .outputExists(let path):
            return
                "output folder '\(path)' already holds a run; pass a new --out DIR, or --overwrite to replace it"
        }
    }

    /// A value of the list option `option` to show in a message.
    static func example(_ option: String) -> String {
        switch option {
        case "--backend": return "async,pthread"
        case "--workload": return "sleep,net"
        case "--latency": return "10ms,1s"
        default: return "1,10,100"
        }
    }
}

/// A system call that failed: the call's name and the errno it set.
public struct SystemError: Error, Equatable, CustomStringConvertible {
    public var call: String
    public var errno: Int32

    public init(_ call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    /// `call: strerror (errno N)`, e.g. `pthread_create: Resource temporarily unavailable (errno 11)`.
    public var description: String {
        "\(call): \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

/// Why a cell ended without a full set of measured repetitions.
///
/// `limit` is a result, not a failure: the machine (or a cap) refused more tasks.
public enum CellFailure: Error, Equatable, CustomStringConvertible {
    /// A resource ran out (threads, processes, memory) or a cap was reached after `reached` tasks started.
    case limit(reached: Int?, cause: String)
    /// A task failed for a reason other than a limit.
    case taskFailed(String)
    /// Some tasks did not report completion.
    case unaccounted(expected: Int, completed: Int)
    /// The cell could not be set up.
    case setup(String)

    /// For a limit, the most tasks that were running when the system refused more (if known).
    public var reached: Int? {
        if case .limit(let reached, _) = self { return reached }
        return nil
    }

    public var status: CellStatus {
        switch self {
        case .limit: return .limit
        case .taskFailed, .unaccounted, .setup: return .error
        }
    }

    public var description: String {
        switch self {
        case .limit(let reached, let cause):
            guard let reached else { return cause }
            return "\(cause); highest N reached: \(reached)"
        case .taskFailed(let message):
            return "a task failed: \(message)"
        case .unaccounted(let expected, let completed):
            return "only \(completed) of \(expected) tasks reported completion"
        case .setup(let message):
            return "cell setup failed: \(message)"
        }
    }
}

/// Why another program (a probe such as `python --describe`, a toolchain, gnuplot, perf) gave
/// no usable answer: each bound `ProcessIO.run` keeps is named, with the program and what it was
/// asked to do (`label`: "the interpreter /usr/bin/python3"; `task`: "answer --describe").
public enum ToolFailure: Error, Equatable, CustomStringConvertible {
    /// It could not be started (not found, not executable, fork refused).
    case cannotStart(label: String, error: SystemError)
    /// It ran past its time and was killed with its process group.
    case timedOut(label: String, task: String, seconds: Double)
    /// It wrote more than `limit` bytes and was killed with its process group.
    case tooMuchOutput(label: String, task: String, limit: Int)
    /// A line it wrote is longer than `limit` bytes (a protocol or probe line is short).
    case lineTooLong(label: String, limit: Int)
    /// Reading its output failed.
    case unreadable(label: String, error: SystemError)
    /// It ended with `status` rather than exit status 0.
    case failed(label: String, task: String, status: WaitStatus)
    /// It answered several lines where one was asked for.
    case notOneLine(label: String, task: String, lines: Int)
    /// This process was interrupted (SIGINT, SIGTERM, SIGHUP) while it ran: it was killed.
    case interrupted(label: String, signal: Int32)

    public var description: String {
        switch self {
        case .cannotStart(let label, let error):
            return "\(label) could not be started: \(error)"
        case .timedOut(let label, let task, let seconds):
            return
                "\(label) did not \(task) within \(Units.trim(seconds, digits: 1)) s: it was killed with its process group; check that it works when run by hand"
        case .tooMuchOutput(let label, let task, let limit):
            return
                "\(label) wrote more than \(limit) bytes when asked to \(task): it was killed with its process group; check that it is the program it should be"
        case .lineTooLong(let label, let limit):
            return "\(label) wrote a line longer than \(limit) bytes: not what it should answer"
        case .unreadable(let label, let error):
            return "cannot read the output of \(label): \(error)"
        case .failed(let label, let task, let status):
            return "\(label) \(status) when asked to \(task); check that it works when run by hand"
        case .notOneLine(let label, let task, let lines):
            return
                "\(label) answered \(lines) lines when asked to \(task), not one: check that it is the program it should be"
        case .interrupted(let label, let signal):
            return "\(label) was stopped: asyncbench was interrupted by \(WaitStatus.signalName(signal))"
        }
    }
}
