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
    case outputExists(path: String, file: String)
    case outputHoldsOtherFile(path: String, file: String)
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
            return "cannot write to output folder '\(path.shortened())': \(reason); pass a writable --out DIR"
        case .workloadProblem(let problem):
            return problem
        case .allocatorMissing(let hint):
            return hint
        case .outputInUse(let path, let pid):
            return
                "output folder '\(path.shortened())' is in use by another asyncbench run (pid \(pid)); wait for it to end or pass another --out DIR"
        case .outputExists(let path, let file):
            return
                "output folder '\(path.shortened())' already holds a run (it has \(file), which this run would write); pass another --out DIR, or --overwrite to replace the earlier run's files"
        case .outputHoldsOtherFile(let path, let file):
            return
                "output folder '\(path.shortened())' has \(file), which this run would write but no earlier run's manifest lists (\(path.shortened())/.asyncbench-manifest); --overwrite removes only a run's files: move it away, or pass another --out DIR"
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

/// Why a folder or file that asyncbench would build or run code in (or keep its own files in)
/// cannot be trusted: it may be someone else's, who could then run code as this user. Each
/// message names the path, the owner where it matters, and what to do.
public enum UnsafePathError: Error, Equatable, CustomStringConvertible {
    /// A symbolic link where asyncbench expects its own folder or file: never followed.
    case symbolicLink(path: String)
    /// Something other than a folder (or a regular file) is there.
    case notAFolder(path: String)
    /// Another user owns it.
    case notOwned(path: String, owner: String)
    /// Group or others may use or change it (its mode, octal).
    case notPrivate(path: String, mode: UInt32)
    /// A folder above it belongs to another user or may be changed by others (not sticky).
    case unsafeAncestor(path: String, folder: String, owner: String, mode: UInt32)
    /// The check itself failed (the path is missing, a call failed).
    case system(SystemError)

    public var description: String {
        let fix = "remove it (or set XDG_CACHE_HOME to a folder of your own), then run again"
        switch self {
        case .symbolicLink(let path):
            return
                "'\(path)' is a symbolic link where asyncbench keeps its own files; it is not followed (someone may be trying to make asyncbench write or run code elsewhere): \(fix)"
        case .notAFolder(let path):
            return "'\(path)' is not a folder or a file asyncbench made: \(fix)"
        case .notOwned(let path, let owner):
            return
                "'\(path)' belongs to \(owner), not to you (\(Files.userName(geteuid()))): asyncbench builds and runs code only in folders of its own that no one else can change; \(fix)"
        case .notPrivate(let path, let mode):
            return
                "'\(path)' has mode \(String(mode, radix: 8)): others may change it, so asyncbench will not build or run code in it (it makes its folders 0700); \(fix)"
        case .unsafeAncestor(let path, let folder, let owner, let mode):
            return
                "'\(folder)', above '\(path)', belongs to \(owner) with mode \(String(mode, radix: 8)): another user could replace what asyncbench keeps there; \(fix)"
        case .system(let error):
            return error.description
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
