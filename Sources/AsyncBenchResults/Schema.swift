import AsyncBenchModel

/// The results schema: every column, in file order, with what it holds. Generated from the
/// columns the runner and the workloads declare, so the CSV header, the reader, the README's
/// schema table and the summary table cannot disagree.
///
/// Bump `version` whenever a column is removed, renamed or changes meaning. Readers find columns
/// by name, so a new workload's columns (and a new order) keep files of this version readable.
public struct Schema: Sendable {
    public static let version = 6
    /// The versions `RunReader` reads: 1 lacks `pinned`, `rounds` and `switch_ns` (its cells ran
    /// unpinned); 2 lacks `allocator` (its cells ran on the system allocator) and the heap and
    /// creation columns; 3 lacks the file columns; 4 has the columns of 5 in another order; 5
    /// lacks `rate_rps` (it had no open-loop cells: read as 0).
    public static let readableVersions = [1, 2, 3, 4, 5, 6]
    /// The columns that identify a cell across runs (its parameters); every readable version has
    /// them (`pinned`, from version 2, is read as `no` when absent; `allocator`, from version 3,
    /// as `system`).
    public static let keyColumns = ["backend", "workload", "tasks", "latency_ms"]

    /// A column of the file: its name, meaning, and the field it writes for a row.
    public struct Entry: Sendable {
        public let name: String
        public let meaning: String
        let field: @Sendable (ResultRow) -> String
    }

    /// The columns holding figures (all but the key, status and message), by name.
    public let figureColumns: [String: AnyColumn]
    /// Every column, in file order.
    public let entries: [Entry]

    /// The schema of rows of `workloads`, each with the columns it declares (in order; a name
    /// declared twice is kept once); `listed` names the workloads the docs list (not test ones).
    public init(workloads: [(name: String, columns: [AnyColumn])], listed: [String]) {
        var figures: [AnyColumn] = []
        for column in workloads.flatMap(\.columns) + RunnerColumns.all
        where !figures.contains(where: { $0.name == column.name }) {
            figures.append(column)
        }
        figureColumns = Dictionary(
            ([RunnerColumns.tasksReached.erased] + figures).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let names = listed.joined(separator: ", ")
        entries =
            [
                Entry(name: "schema_version", meaning: "version of this schema (\(Self.version))") { _ in
                    "\(Self.version)"
                },
                Entry(
                    name: "backend",
                    meaning:
                        "how tasks run: async, executor, nio, dispatch, pthread, threadpool, fork, spawn, sequential"
                ) { $0.backend },
                Entry(name: "workload", meaning: "what each task does: \(names)") { $0.workload },
                Entry(name: "tasks", meaning: "number of concurrent tasks N in the cell") { "\($0.tasks)" },
                Self.figure(RunnerColumns.tasksReached.erased),
                Entry(
                    name: "latency_ms", meaning: "the wait each task makes (--latency), ms; 0 for workloads without one"
                ) { Units.trim($0.latencyMilliseconds, digits: 6) },
                Entry(
                    name: "rate_rps",
                    meaning:
                        "requests per second the cell offered in all, on a schedule (--rate; net-rate only); 0 for closed-loop workloads"
                ) { Units.trim($0.key.rate, digits: 1) },
                Entry(name: "pinned", meaning: "yes: the cell ran on one CPU (sched_setaffinity); no: on every CPU") {
                    $0.pinned ? "yes" : "no"
                },
                Entry(
                    name: "allocator",
                    meaning:
                        "system: glibc malloc; jemalloc: libjemalloc.so.2 preloaded into the cell process (--allocator)"
                ) { $0.allocator },
            ] + figures.map(Self.figure) + [
                Entry(name: "status", meaning: "ok | limit | timeout | crashed | error | skipped") {
                    $0.status.rawValue
                },
                Entry(
                    name: "message",
                    meaning: "why a cell is not ok (the errno text, the signal, the cap); empty when ok"
                        // One line, control characters escaped, a leading formula character
                        // neutralised (`spreadsheetSafe`; docs/output.md states the rule).
                ) { $0.message.spreadsheetSafe },
            ]
    }

    static func figure(_ column: AnyColumn) -> Entry {
        Entry(name: column.name, meaning: column.meaning) { row in row.figures[column.name].map(column.format) ?? "" }
    }

    /// The header line's fields.
    public var header: [String] { entries.map(\.name) }

    /// The fields of one row, in file order.
    public func fields(_ row: ResultRow) -> [String] { entries.map { $0.field(row) } }

    /// The columns that have a summary-table header, in file order.
    public var summaryColumns: [AnyColumn] {
        entries.compactMap { figureColumns[$0.name] }.filter { $0.summary != nil }
    }
}

extension Schema {
    /// The schema as a Markdown table (docs/schema.md): every column, in file order.
    public var markdown: String {
        var text = "# Results schema (version \(Self.version))\n\n"
        text +=
            "Generated by `asyncbench schema` from the columns the runner and the workloads declare; do not edit by hand.\n\n"
        text += "| column | meaning |\n|---|---|\n"
        for entry in entries { text += "| `\(entry.name)` | \(entry.meaning.replacingAll("|", with: "\\|")) |\n" }
        return text
    }
}
