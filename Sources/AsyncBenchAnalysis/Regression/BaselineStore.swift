import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import AsyncBenchSweep

/// Named baselines: copies of a run's `results.csv` and `run.json` in `DIR/NAME/`
/// (default `.asyncbench/baselines/NAME/`), for `compare`, `check` and `trend`.
public struct BaselineStore: Sendable {
    public static let defaultDirectory = ".asyncbench/baselines"
    /// Where sweeps write their runs by default; the newest is used when no run is named.
    public static let runsDirectory = "runs"

    public let directory: String

    public init(directory: String = BaselineStore.defaultDirectory) {
        self.directory = directory
    }

    public func path(of name: String) -> String { directory + "/" + name }

    /// The saved baselines, by name.
    public func names() -> [String] {
        Files.list(directory).filter { Files.exists(path(of: $0) + "/results.csv") }
    }

    /// The saved baselines, by name, for `baseline list`: refuses a directory that is a file.
    public func listing() throws(DataError) -> [String] {
        if Files.isSymlinkLoop(directory) { throw .symlinkLoop(path: directory) }
        if Files.exists(directory) && !Files.isDirectory(directory) {
            throw .notAFolder(path: directory, option: "--baseline-dir")
        }
        return names()
    }

    /// Saves the run at `runPath` (a run folder or results CSV) as `name`, replacing an older
    /// baseline of that name. The run is read and checked first, so a baseline is never garbage.
    /// Returns the baseline's folder.
    @discardableResult
    public func save(name: String, run runPath: String) throws(DataError) -> String {
        try Self.checkName(name)
        let run = try RecordedRun.load(runPath)
        let folder = path(of: name)
        let source = Files.isDirectory(runPath) ? runPath : Files.parent(of: runPath)
        do {
            try Files.makeDirectories(folder)
            try Files.writeAtomically(Measurement.readFile(run.path) ?? "", to: folder + "/results.csv")
            if let metadata = Measurement.readFile(source + "/run.json") {
                try Files.writeAtomically(metadata, to: folder + "/run.json")
            }
        } catch {
            throw .cannotWrite(path: folder, reason: error.description + "; pass a writable --baseline-dir")
        }
        return folder
    }

    /// Reads the baseline `name`.
    public func load(_ name: String) throws(DataError) -> RecordedRun {
        try Self.checkName(name)
        guard Files.exists(path(of: name) + "/results.csv") else {
            throw .baselineNotFound(name: name, directory: directory, known: names())
        }
        return try RecordedRun.load(path(of: name))
    }

    /// Reads what a command-line argument names: a saved baseline, else a run folder or CSV, else
    /// (nil) the newest run in `runs/`. Returns the run and a label for tables.
    public func resolve(_ argument: String?) throws(DataError) -> (run: RecordedRun, label: String) {
        guard let argument else {
            let latest = try Self.latestRun()
            return (try RecordedRun.load(latest), latest)
        }
        if !argument.contains("/"), Files.exists(path(of: argument) + "/results.csv") {
            return (try load(argument), argument)
        }
        if Files.exists(argument) || Files.isSymlinkLoop(argument) {
            return (try RecordedRun.load(argument), argument)
        }
        throw .baselineNotFound(name: argument, directory: directory, known: names())
    }

    /// The newest run folder under `runs/` (their names are UTC timestamps).
    public static func latestRun(in directory: String = runsDirectory) throws(DataError) -> String {
        guard let name = Files.list(directory).last(where: { Files.exists(directory + "/\($0)/results.csv") })
        else { throw .noRunFound(directory: directory) }
        return directory + "/" + name
    }

    /// Refuses a name that is not one plain folder name (`DataError.badName`).
    public static func checkName(_ name: String) throws(DataError) {
        // A name is one folder of the baselines folder: `Name`'s grammar (no '/', no leading '-'
        // that reads as an option, nor '.' that hides it or names a folder above).
        guard Name.isValid(name) else { throw .badName(name) }
    }
}
