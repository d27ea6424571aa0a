import AsyncBenchModel
import CAsyncBench

#if canImport(Glibc)
    import Glibc
#endif

/// The step a worker program needs once per run, before the first cell: compiling it (Go,
/// Rust) or checking it (Node.js). The sweep runs it once per `name` (backends that share a
/// program, such as tokio and tokio-current-thread, share one build), times it apart from the
/// measurements, and makes every cell of the backend an `error` row carrying the compiler's first
/// error line when it fails (docs/worker-protocol.md, "Compiled workers").
public struct WorkerBuild: Sendable {
    /// Names the program built; backends with the same name share one build per run.
    public var name: String
    /// Builds (or checks) the worker, returning what it built; run in the sweep's process.
    public var run: @Sendable () -> Result<WorkerBuilt, WorkerBuildFailure>

    public init(name: String, run: @escaping @Sendable () -> Result<WorkerBuilt, WorkerBuildFailure>) {
        self.name = name
        self.run = run
    }
}

/// A build that succeeded: how long it took and what it ran on.
public struct WorkerBuilt: Sendable, Equatable {
    /// The build's wall time (the toolchain's own caches may make a rebuild quick).
    public var seconds: Double
    /// The build command, as one line (e.g. `go build -o … .` in `Workers/go`).
    public var step: String
    /// The runtime's exact version and its settings (GOMAXPROCS...), as the built worker says.
    public var version: String

    public init(seconds: Double, step: String, version: String) {
        self.seconds = seconds
        self.step = step
        self.version = version
    }
}

/// A build that failed: the compiler's first error line and what was run.
public struct WorkerBuildFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var firstErrorLine: String
    public var step: String
    public var seconds: Double
    /// What the user should do, after the step.
    public var fix: String

    public static let fixSource = "fix the worker's source, then run again"

    public init(firstErrorLine: String, step: String, seconds: Double, fix: String = Self.fixSource) {
        self.firstErrorLine = firstErrorLine
        self.step = step
        self.seconds = seconds
        self.fix = fix
    }

    /// A build refused before it started because its folder cannot be trusted: nothing was
    /// built or run there.
    public init(unsafe error: UnsafePathError, step: String) {
        self.init(
            firstErrorLine: error.description, step: step, seconds: 0, fix: "nothing was built or run in that folder")
    }

    public var description: String {
        "the worker did not build: \(firstErrorLine) (\(step); \(fix))"
    }
}

/// What compiled and checked workers share: where their sources are, the folder they are built
/// into, and running their toolchain.
///
/// Sources: `$<variable>` (a folder, e.g. `ASYNCBENCH_GO_WORKER`), or `Workers/<language>/` in
/// the nearest folder above the asyncbench executable that has one, or in the package this was
/// built from (as `PythonWorker.script`). Build folder: `<buildRoot>/<name>-<hash of the
/// sources>/` (see `buildRoot`: `~/.cache/asyncbench` by default), private to the user and
/// checked before every use, never in the repository or a run's output folder. The hash keys it to the exact sources, so a cell process finds the program the sweep
/// built for them (never a stale one) and runs of other worktrees do not clash; the sweep builds
/// again every run, so the toolchain's caches, kept in that folder, make a rebuild quick.
public enum CompiledWorker {
    /// The folder of the worker's sources, or nil when none is found.
    public static func sources(_ relative: String, variable: String) -> String? {
        if let named = PythonWorker.environment(variable) { return Files.isDirectory(named) ? named : nil }
        var folders = Files.executablePath.map(Files.folders(above:)) ?? []
        // This file is <package>/Sources/AsyncBenchCell/Backends/CompiledWorker.swift.
        folders.append(String(#filePath).split(separator: "/").dropLast(4).map { "/" + $0 }.joined())
        return folders.map { "\($0)/\(relative)" }.first { Files.isDirectory($0) }
    }

    /// The one line for a worker whose sources are not found.
    public static func sourcesMissing(_ relative: String, variable: String) -> WorkerUnavailable {
        WorkerUnavailable(
            PythonWorker.environment(variable).map { "$\(variable) names \($0), which is not a folder" }
                ?? "the worker \(relative) is not found above the asyncbench executable nor in its package; set \(variable) to its folder"
        )
    }

    /// FNV-1a (64 bits) over the relative path and bytes of every file under `folder` (hidden
    /// names and `target/` left out), in sorted order: 16 hex digits.
    static func hash(of folder: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ bytes: some Sequence<UInt8>) {
            for byte in bytes {
                hash ^= UInt64(byte)
                hash = hash &* 0x100_0000_01b3
            }
        }
        func walk(_ path: String, _ relative: String) {
            for name in Files.list(path) where !name.hasPrefix(".") && name != "target" {
                let full = "\(path)/\(name)"
                if Files.isDirectory(full) {
                    walk(full, relative + name + "/")
                } else if let text = Measurement.readFile(full) {
                    mix((relative + name).utf8)
                    mix([0])
                    mix(text.utf8)
                }
            }
        }
        walk(folder, "")
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// What running a tool gave: its exit status (nil when it could not start or ran past its
    /// time) and its stdout and stderr together.
    public struct ToolOutput: Sendable {
        public var exitStatus: Int32?
        public var output: String
        public var seconds: Double
    }

    /// The most a toolchain may write before it is stopped (a failed build's errors fit).
    public static let toolOutputBytes = 16 << 20

    /// Runs `arguments` (the program's path first) in `directory` with `environment` added to
    /// this process's, its stdout and stderr read together, through `ProcessIO.run`: killed with
    /// its process group after `timeoutSeconds` or `toolOutputBytes` of output, the reason then
    /// its output's last line.
    public static func runTool(
        _ arguments: [String], in directory: String?, environment: [String: String] = [:],
        timeoutSeconds: Double = 600
    ) -> ToolOutput {
        var variables = environment
        var index = 0
        while let entry = environ[index] {
            let text = String(cString: entry)
            let key = String(text.prefix { $0 != "=" })
            if variables[key] == nil { variables[key] = String(text.dropFirst(key.count + 1)) }
            index += 1
        }
        let envp = variables.map { "\($0.key)=\($0.value)" }.sorted()
        let started = Measurement.monotonicNanoseconds()
        let outcome = ProcessIO.run(
            arguments, label: "`\(arguments.joined(separator: " ").prefix(200))`", task: "finish", in: directory,
            environment: envp, timeoutSeconds: timeoutSeconds, outputLimit: toolOutputBytes)
        switch outcome {
        case .success(let finished):
            var exit: Int32?
            if case .exited(let code) = finished.status { exit = code }
            return ToolOutput(exitStatus: exit, output: finished.text, seconds: finished.seconds)
        case .failure(let failure):
            let seconds = Double(Measurement.monotonicNanoseconds() - started) / 1e9
            return ToolOutput(exitStatus: nil, output: "error: \(failure)", seconds: seconds)
        }
    }

    /// The compiler's first error line in `output`: the first line starting with `error` (rustc,
    /// cargo), naming a source position (`file.go:12:5: …`), or saying `…Error: …` (Node.js);
    /// else the first line that is not a `#` heading; else `fallback`.
    public static func firstErrorLine(_ output: String, fallback: String) -> String {
        let lines = output.split(whereSeparator: \.isNewline).map { String($0).trimmingWhitespace() }
        func namesPosition(_ line: String) -> Bool {
            let parts = line.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
            return parts.count == 4 && Int(parts[1]) != nil && Int(parts[2]) != nil
        }
        let found =
            lines.first { $0.hasPrefix("error") }
            ?? lines.first(where: namesPosition)
            ?? lines.first { $0.contains("Error: ") }
            ?? lines.first { !$0.isEmpty && !$0.hasPrefix("#") }
        return found.map { String($0.prefix(300)) } ?? fallback
    }
}
