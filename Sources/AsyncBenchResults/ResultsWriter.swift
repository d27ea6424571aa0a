import AsyncBenchModel
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#endif

/// Writes a run's output folder: `run.json` (metadata) at the start, then `results.csv` one row
/// at a time (each row a single append, so the file is valid after any interruption) or
/// `results.json` at the end (written to a temporary name and renamed, never half-written).
/// Output formats of the results file (`--format`).
public enum OutputFormat: String, Sendable, CaseIterable {
    case csv, json
}

public final class ResultsWriter {
    public let directory: String
    public let format: OutputFormat
    let metadata: RunMetadata
    let schema: Schema
    private var csv: Int32 = -1
    private var rows: [ResultRow] = []

    public var resultsPath: String { directory + "/results." + format.rawValue }

    public init(directory: String, format: OutputFormat, metadata: RunMetadata, schema: Schema) throws(SystemError) {
        self.directory = directory
        self.schema = schema
        self.format = format
        self.metadata = metadata
        // The run's first writes: its manifest (what --overwrite may remove later), run.json,
        // then the CSV's header in a new file (O_EXCL) renamed over results.csv, so that a
        // link planted there is replaced, never followed, and the header is whole before the
        // name exists. Any failure leaves none of them: nothing of the run at all.
        var temporary = ""
        do {
            try RunManifest.start(in: directory, listing: ["run.json", "results." + format.rawValue])
            try Files.writeAtomically(JSONCoding.json(metadata, pretty: true) + "\n", to: directory + "/run.json")
            if format == .csv {
                let created = try Files.createExclusive(beside: resultsPath)
                (csv, temporary) = created
                _ = fcntl(csv, F_SETFL, O_APPEND)  // each row at the end, even after a cut-back
                try Files.writeAll(csv, CSV.preamble(metadata) + CSV.header(schema), path: resultsPath)
                let from = temporary
                let to = resultsPath
                _ = try Syscall.call("rename \(from)") { rename(from, to) }
            }
        } catch {
            if csv >= 0 { close(csv) }
            csv = -1
            if !temporary.isEmpty { unlink(temporary) }
            unlink(directory + "/run.json")
            unlink(directory + "/" + RunManifest.name)
            throw error
        }
    }

    deinit {
        if csv >= 0 { close(csv) }
    }

    /// Appends one row, whole or not at all: a write that fails part way (a full disk, a file
    /// size limit) is cut back to the last complete row before the error is thrown, so every
    /// reader still reads every row before it.
    public func append(_ row: ResultRow) throws(SystemError) {
        if csv >= 0 {
            let end = lseek(csv, 0, SEEK_END)
            do {
                try Files.writeAll(csv, CSV.row(row, schema), path: resultsPath)
            } catch {
                if end >= 0 { _ = ftruncate(csv, end) }
                throw error
            }
        } else {
            rows.append(row)  // written as one JSON document by `finish`
        }
    }

    /// Completes the output: closes the CSV, or writes the JSON results file.
    public func finish(interrupted: Bool) throws(SystemError) {
        if csv >= 0 {
            close(csv)
            csv = -1
        }
        if format == .json {
            let document = JSONResults(metadata: metadata, interrupted: interrupted, rows: rows, schema: schema)
            try Files.writeAtomically(JSONCoding.json(document, pretty: true) + "\n", to: resultsPath)
        }
    }

    /// The JSON results document: each row an object of the CSV's columns (numbers as numbers
    /// at the CSV's precision, `pinned` a boolean, empty fields left out) plus `wall_ms_per_rep`.
    struct JSONResults: Encodable {
        var schemaVersion = Schema.version
        var metadata: RunMetadata
        var interrupted: Bool
        var rows: [[String: JSONValue]]

        init(metadata: RunMetadata, interrupted: Bool, rows: [ResultRow], schema: Schema) {
            self.metadata = metadata
            self.interrupted = interrupted
            self.rows = rows.map { row in
                var object: [String: JSONValue] = [
                    "schema_version": .integer(Int64(Schema.version)), "backend": .string(row.backend),
                    "workload": .string(row.workload), "tasks": .integer(Int64(row.tasks)),
                    "latency_ms": .real(row.latencyMilliseconds), "pinned": .bool(row.pinned),
                    "allocator": .string(row.allocator), "status": .string(row.status.rawValue),
                    "message": .string(row.message),
                ]
                for (name, field) in zip(schema.header, schema.fields(row)) where !field.isEmpty {
                    switch row.figures[name] {
                    case .integer(let value)?: object[name] = .integer(value)
                    case .real(let value)?: object[name] = .real(Double(field) ?? value)
                    case .text(let value)?: object[name] = .string(value)
                    case nil: break
                    }
                }
                object["wall_ms_per_rep"] = .array(row.wallMillisecondsPerRep.map(JSONValue.real))
                return object
            }
        }
    }
}
