import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import AsyncBenchSweep
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

// MARK: - Helpers

struct Finished {
    /// The process's id (of the shell that exec'ed asyncbench).
    var pid: pid_t
    var status: Int32
    var stdout: String
    var stderr: String
}

/// The asyncbench binary SwiftPM built beside this test bundle.
func asyncbenchPath() -> String {
    var directory = Files.executablePath ?? ""
    while let last = directory.lastIndex(of: "/") {
        directory = String(directory[..<last])
        if access(directory + "/asyncbench", X_OK) == 0 { return directory + "/asyncbench" }
    }
    return "asyncbench"
}

/// Runs asyncbench with `arguments` through /bin/sh, capturing stdout and stderr in files.
func run(
    _ arguments: [String], addressSpaceLimit: Int? = nil, openFiles: Int? = nil, fileSizeLimit: Int? = nil,
    environment: [String: String] = [:], in folder: String? = nil
) throws -> Finished {
    let directory = temporaryDirectory()
    let quoted = ([asyncbenchPath()] + arguments).map(shellQuoted).joined(separator: " ")
    let limit =
        (addressSpaceLimit.map { "ulimit -v \($0 / 1024); " } ?? "") + (openFiles.map { "ulimit -n \($0); " } ?? "")
        + (fileSizeLimit.map { "ulimit -c 0; ulimit -f \($0 / 1024); " } ?? "")
    let variables = environment.sorted { $0.key < $1.key }.map { "\($0.key)='\($0.value)' " }.joined()
    let change = folder.map { "cd \(shellQuoted($0)) && " } ?? ""
    let pid = try shell(
        "\(change)\(limit)exec env \(variables)\(quoted) >\(directory)/out 2>\(directory)/err </dev/null")
    guard case .success(let status) = WaitStatus.wait(for: pid) else { throw SystemError("waitpid", errno: errno) }
    let code: Int32
    switch status {
    case .exited(let value): code = value
    case .signaled(let signal): code = 128 + signal
    }
    return Finished(
        pid: pid, status: code, stdout: Measurement.readFile(directory + "/out") ?? "",
        stderr: Measurement.readFile(directory + "/err") ?? "")
}

/// The rows of a results CSV as column → value dictionaries.
func readRows(_ path: String) throws -> [[String: String]] {
    let text = try #require(Measurement.readFile(path))
    let records = CSV.parse(text)
    let header = try #require(records.first)
    return records.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
}

/// The command lines of the processes that name `parent` as theirs (`--parent PID`: cells and
/// servers), and of its direct children.
func childrenOf(_ parent: pid_t) throws -> [String] {
    commandLines().compactMap { pid, commandLine -> String? in
        let stat = Measurement.readFile("/proc/\(pid)/stat") ?? ""
        let ppid = stat.split(separator: ")").last?.split(separator: " ").dropFirst().first.flatMap { Int32($0) }
        let named = commandLine.contains("--parent \(parent) ") || commandLine.hasSuffix("--parent \(parent) ")
        return named || ppid == parent ? commandLine : nil
    }
}

/// The latency servers a sweep (`sweep`, its pid) runs: its cells' servers name it with `--parent`.
func servers(of sweep: pid_t) -> [pid_t] { processes(of: sweep, running: " server ") }

/// The cell processes a sweep is running.
func cells(of sweep: pid_t) -> [pid_t] { processes(of: sweep, running: " cell --spec ") }

/// Every process whose command line holds `command`.
func processes(running command: String) -> [pid_t] {
    commandLines().filter { $0.commandLine.contains(command) }.map(\.pid)
}

/// The parent process of `pid` (PPid in /proc/PID/status), or nil once it is gone.
func parent(of pid: pid_t) -> pid_t? {
    guard let status = Measurement.readFile("/proc/\(pid)/status") else { return nil }
    let line = status.split(separator: "\n").first { $0.hasPrefix("PPid:") }
    return line.flatMap { pid_t(String($0.dropFirst(5)).trimmingWhitespace()) }
}

/// The processes started with `--parent sweep` whose command line holds `command`.
func processes(of sweep: pid_t, running command: String) -> [pid_t] {
    commandLines().filter { $0.commandLine.contains(command) && $0.commandLine.hasSuffix("--parent \(sweep) ") }
        .map(\.pid)
}

/// Every other process and its command line (arguments joined by spaces, with a trailing one).
func commandLines() -> [(pid: pid_t, commandLine: String)] {
    Files.list("/proc").compactMap { name in
        guard let pid = Int32(name), pid != getpid() else { return nil }
        let commandLine = (Measurement.readFile("/proc/\(pid)/cmdline") ?? "").replacingOccurrences(of: "\0", with: " ")
        return (pid, commandLine)
    }
}

/// Latency servers that a finished sweep left running (a sweep stops and reaps each one before
/// it exits).
func serversLeft(by sweep: pid_t) throws -> Int { servers(of: sweep).count }

/// Starts asyncbench with `arguments` in the background, its stdout and stderr in `output`/out
/// and `output`/err; returns its pid.
func start(_ arguments: [String], output: String) throws -> pid_t {
    try shell(
        "exec " + ([asyncbenchPath()] + arguments).map(shellQuoted).joined(separator: " ")
            + " >\(output)/out 2>\(output)/err")
}

/// `text` as one word for /bin/sh, whatever it holds.
func shellQuoted(_ text: String) -> String { RunMetadata.shellQuoted(text) }

/// Starts `/bin/sh -c command`; returns its pid.
func shell(_ command: String) throws -> pid_t {
    var pid: pid_t = 0
    let rc = ProcessIO.withCStrings(["/bin/sh", "-c", command]) { argv in
        posix_spawn(&pid, "/bin/sh", nil, nil, argv, environ)
    }
    guard rc == 0 else { throw SystemError("posix_spawn", errno: rc) }
    return pid
}

/// Processes of ours still running (the fork children of a killed cell would be `asyncbench cell`).
func sleepersLeft() throws -> Int {
    commandLines().filter { $0.commandLine.contains("asyncbench cell") && $0.commandLine.contains("30000000000") }.count
}

extension String {
    func components(_ separator: String) -> Int {
        var count = 0
        var rest = self[...]
        while let range = rest.firstRange(of: separator) {
            count += 1
            rest = rest[range.upperBound...]
        }
        return count
    }

    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
