import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import AsyncBenchSweep
import FoundationEssentials

/// What went wrong reading a results file or a baseline: each case names the file (and line)
/// and says what to do. `asyncbench compare`/`check`/`trend` exit with status 2 on these.
public enum DataError: Error, Equatable, CustomStringConvertible {
    case notFound(path: String, hint: String)
    case unreadable(path: String)
    case empty(path: String)
    case malformed(path: String, line: Int, problem: String)
    /// A field that is not a value of its column: not of its type, not finite, negative where
    /// the column never is, a name outside the name grammar.
    case badField(path: String, line: Int, column: String, value: String, problem: String)
    case schemaMismatch(path: String, found: Int, readable: [Int])
    case baselineNotFound(name: String, directory: String, known: [String])
    case badName(String)
    case symlinkLoop(path: String)
    case notAFolder(path: String, option: String)
    case noRunFound(directory: String)
    case machinesDiffer([String])
    case noCommonCells
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case .notFound(let path, let hint):
            return "\(path): no such file or folder; \(hint)"
        case .unreadable(let path):
            return "\(path): cannot be read; check its permissions"
        case .empty(let path):
            return "\(path): empty, no header line; it is not an asyncbench results file"
        case .malformed(let path, let line, let problem):
            return "\(path):\(line): \(problem)"
        case .badField(let path, let line, let column, let value, let problem):
            return
                "\(path):\(line): column \(column): \(value.quotedExcerpt()) \(problem); asyncbench never writes that (the file was edited or is not asyncbench's): fix or remove the row, or re-run the sweep"
        case .schemaMismatch(let path, let found, let readable):
            let versions = readable.map(String.init).joined(separator: ", ")
            return
                "\(path): schema version \(found), but this asyncbench reads schema \(versions); re-run the sweep with this version (or save a new baseline)"
        case .baselineNotFound(let name, let directory, let known):
            let list = known.isEmpty ? "none saved yet" : "saved: " + known.joined(separator: ", ")
            return
                "no baseline '\(name)' in \(directory) (\(list)); save one with: asyncbench baseline save \(name) RUN_DIR"
        case .badName(let name) where name.isEmpty || name.allSatisfy({ $0 == "." }):
            return
                "baseline name '\(name)' would name the baselines folder or one above it; choose a name such as main or v1.2"
        case .badName(let name):
            return
                "baseline name \(name.quotedExcerpt(limit: 40)) \(Name.problem(name) ?? "is not a name"); a name is 1 to \(Name.maximumLength) letters, digits, '.', '_' and '-', starting with a letter or digit, such as main or v1.2"
        case .symlinkLoop(let path):
            return "\(path): a loop of symbolic links (a link that leads back to itself); point it at a run folder"
        case .notAFolder(let path, let option):
            return "\(path) is a file, not a folder; pass a folder as \(option)"
        case .noRunFound(let directory):
            return "no run found in \(directory)/; run a sweep first or pass RUN_DIR"
        case .machinesDiffer(let differences):
            return "the runs come from different machines (" + differences.joined(separator: "; ")
                + "); drop --strict to compare anyway"
        case .noCommonCells:
            return "the two runs have no cell in common: compare runs of the same sweep"
        case .cannotWrite(let path, let reason):
            return "cannot write \(path): \(reason)"
        }
    }
}

/// A run read back from disk: its rows, schema version and metadata (when `run.json` is there).
public struct RecordedRun: Sendable {
    public var path: String
    public var schemaVersion: Int
    public var metadata: RunMetadata?
    public var rows: [ResultRow]
    /// The run's capacity.csv, when it is a capacity run (`asyncbench capacity`).
    public var capacity: [CapacityResult]? = nil

    /// Reads a run folder (its `results.csv` and `run.json`) or a results CSV file.
    public static func load(_ path: String) throws(DataError) -> RecordedRun {
        if Files.isSymlinkLoop(path) { throw .symlinkLoop(path: path) }
        let isFolder = Files.isDirectory(path)
        let csvPath = isFolder ? path + "/results.csv" : path
        let folder = isFolder ? path : Files.parent(of: path)
        guard Files.exists(csvPath) else {
            if isFolder, Files.exists(path + "/results.json") {
                throw .notFound(
                    path: csvPath, hint: "this run was written with --format json; compare needs the CSV (--format csv)"
                )
            }
            throw .notFound(path: csvPath, hint: "pass a run folder (holding results.csv) or a results CSV")
        }
        guard let text = Measurement.readFile(csvPath) else { throw .unreadable(path: csvPath) }
        var run = try parse(text, path: csvPath)
        do {
            run.capacity = try CapacityFile.load(folder + "/capacity.csv")
        } catch {
            throw .badField(
                path: folder + "/capacity.csv", line: error.line, column: error.column, value: error.value,
                problem: error.problem)
        }
        if let json = Measurement.readFile(folder + "/run.json") {
            run.metadata = try metadata(json, path: folder + "/run.json")
        }
        return run
    }

    /// Decodes a run.json, refusing one that is not asyncbench's (empty, garbage, an array).
    static func metadata(_ json: String, path: String) throws(DataError) -> RunMetadata {
        var problem: String
        do {
            let metadata = try JSONDecoder().decode(RunMetadata.self, from: Data(json.utf8))
            guard let refused = metadata.problem else { return metadata }
            problem = refused
        } catch DecodingError.keyNotFound(let key, _) {
            problem = "it has no '\(key.stringValue)' field"
        } catch DecodingError.typeMismatch(_, let context) where context.codingPath.isEmpty {
            problem = "it is not a JSON object"
        } catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context) {
            problem = "its '\(context.codingPath.map(\.stringValue).joined(separator: "."))' field has the wrong type"
        } catch {
            problem = json.trimmingWhitespace().isEmpty ? "it is empty" : "it is not valid JSON"
        }
        throw .malformed(
            path: path, line: 1,
            problem:
                "not the run metadata asyncbench writes (\(problem)); re-run the sweep, or remove run.json to use results.csv alone"
        )
    }

    /// Parses the text of a results CSV, checking its header, schema version and every row.
    public static func parse(_ text: String, path: String, schema: Schema = Registry.schema) throws(DataError)
        -> RecordedRun
    {
        if let (line, problem) = CSV.byteProblem(in: text) {
            throw .malformed(path: path, line: line, problem: "the line " + problem)
        }
        let records = CSV.records(text)
        guard let header = records.first else { throw .empty(path: path) }
        let required = ["schema_version", "status"] + Schema.keyColumns
        for column in required where !header.fields.contains(column) {
            throw .malformed(
                path: path, line: header.line,
                problem: "the header has no '\(column)' column; this is not an asyncbench results file")
        }
        var schemaVersion = Schema.version
        var rows: [ResultRow] = []
        for record in records.dropFirst() {
            guard record.complete else {
                throw .malformed(
                    path: path, line: record.line, problem: "the file ends inside a quoted field (truncated?)")
            }
            guard record.fields.count == header.fields.count else {
                throw .malformed(
                    path: path, line: record.line,
                    problem:
                        "\(record.fields.count) fields, but the header has \(header.fields.count) (truncated or edited?)"
                )
            }
            let values = Dictionary(zip(header.fields, record.fields), uniquingKeysWith: { first, _ in first })
            guard let version = DecimalText.parseInteger(values["schema_version"] ?? "") else {
                throw .malformed(path: path, line: record.line, problem: "schema_version is not a number")
            }
            guard Schema.readableVersions.contains(version) else {
                throw .schemaMismatch(path: path, found: version, readable: Schema.readableVersions)
            }
            schemaVersion = version
            guard let tasks = DecimalText.parseInteger(values["tasks"] ?? ""), tasks > 0,
                Double(tasks) <= FigureDomain.limit
            else {
                throw .malformed(
                    path: path, line: record.line,
                    problem: "tasks \((values["tasks"] ?? "").quotedExcerpt()) is not a positive whole number")
            }
            let latency = try Self.number("latency_ms", values, path: path, line: record.line)
            let statusText = values["status"] ?? ""
            guard let status = CellStatus(rawValue: statusText) else {
                throw .malformed(path: path, line: record.line, problem: "unknown status \(statusText.quotedExcerpt())")
            }
            // `pinned` came with schema 2; schema 1 cells ran unpinned.
            let pinned = values["pinned"] ?? "no"
            guard pinned == "yes" || pinned == "no" else {
                throw .malformed(
                    path: path, line: record.line, problem: "pinned \(pinned.quotedExcerpt()) is not yes or no")
            }
            // `allocator` came with schema 3; earlier cells ran on the system allocator.
            let allocator = values["allocator"] ?? Allocator.system.rawValue
            guard Allocator(rawValue: allocator) != nil else {
                throw .malformed(
                    path: path, line: record.line,
                    problem: "allocator \(allocator.quotedExcerpt()) is not system or jemalloc")
            }
            // `rate_rps` came with schema 6; earlier cells were all closed-loop.
            let rate =
                values["rate_rps"] == nil ? 0 : try Self.number("rate_rps", values, path: path, line: record.line)
            let (backend, workload) = (
                try Self.name("backend", values, path: path, line: record.line),
                try Self.name("workload", values, path: path, line: record.line)
            )
            let key = CellKey(
                backend: backend, workload: workload, tasks: tasks,
                latencyMilliseconds: latency, pinned: pinned == "yes", allocator: allocator, rate: rate)
            if rows.contains(where: { $0.key == key }) {
                throw .malformed(path: path, line: record.line, problem: "a second row for the cell \(key)")
            }
            var row = ResultRow(key: key, status: status, message: (values["message"] ?? "").spreadsheetUnquoted)
            row.figures = try Self.figures(
                values, columns: header.fields, schema: schema, path: path, line: record.line)
            row.line = record.line
            rows.append(row)
        }
        return RecordedRun(path: path, schemaVersion: schemaVersion, metadata: nil, rows: rows)
    }
}
