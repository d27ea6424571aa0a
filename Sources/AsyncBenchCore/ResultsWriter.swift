import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#endif

/// Writes a run's output folder: `run.json` (metadata) at the start, then `results.csv` one row
/// at a time (each row a single append, so the file is valid after any interruption) or
/// `results.json` at the end (written to a temporary name and renamed, never half-written).
public final class ResultsWriter {
    public let directory: String
    public let format: OutputFormat
    let metadata: RunMetadata
    private var csv: Int32 = -1
    private var rows: [ResultRow] = []

    public var resultsPath: String { directory + "/results." + format.rawValue }

    public init(directory: String, format: OutputFormat, metadata: RunMetadata) throws(SystemError) {
        self.directory = directory
        self.format = format
        self.metadata = metadata
        try Self.writeAtomically(CellSpecCoding.json(metadata, pretty: true) + "\n", to: directory + "/run.json")
        if format == .csv {
            csv = open(resultsPath, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644)
            guard csv >= 0 else { throw SystemError("open \(resultsPath)", errno: errno) }
            try Self.writeAll(csv, CSV.preamble(metadata) + CSV.header, path: resultsPath)
        }
    }

    deinit {
        if csv >= 0 { close(csv) }
    }

    public func append(_ row: ResultRow) throws(SystemError) {
        rows.append(row)
        if csv >= 0 { try Self.writeAll(csv, CSV.row(row), path: resultsPath) }
    }

    /// Completes the output: closes the CSV, or writes the JSON results file.
    public func finish(interrupted: Bool) throws(SystemError) {
        if csv >= 0 {
            close(csv)
            csv = -1
        }
        if format == .json {
            let document = JSONResults(metadata: metadata, interrupted: interrupted, rows: rows)
            try Self.writeAtomically(CellSpecCoding.json(document, pretty: true) + "\n", to: resultsPath)
        }
    }

    struct JSONResults: Encodable {
        var schemaVersion = Schema.version
        var metadata: RunMetadata
        var interrupted: Bool
        var rows: [ResultRow]
    }

    /// Writes `text` to `path.partial`, then renames it over `path`.
    static func writeAtomically(_ text: String, to path: String) throws(SystemError) {
        let temporary = path + ".partial"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SystemError("open \(temporary)", errno: errno) }
        do {
            try writeAll(fd, text, path: temporary)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let error = SystemError("rename \(temporary)", errno: errno)
            unlink(temporary)
            throw error
        }
    }

    /// One write() per call where the kernel allows (rows are far below the pipe/file atomic size),
    /// continuing after short writes and EINTR.
    static func writeAll(_ fd: Int32, _ text: String, path: String) throws(SystemError) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw SystemError("write \(path)", errno: errno)
            }
            offset += written
        }
    }
}
