import AsyncBenchModel
import AsyncBenchResults

/// A worker's report checked before it becomes a row: a worker is another program (another
/// runtime, a script), and what it says is data. Every repetition's figures are finite, ≥ 0
/// and within ±1e15 (`FigureDomain`); no more tasks were in flight, or reached, than the cell
/// has; every figure it names is a declared column of the results, of that column's type and
/// domain. A report that is not is an `error` row saying which figure, never an `ok` row.
extension WorkerReport {
    /// Why this report cannot be believed for `spec`, in one line naming the figure; nil when
    /// every figure is one the cell could have measured.
    public func problem(for spec: CellSpec, columns: [String: AnyColumn] = Registry.schema.figureColumns) -> String? {
        let prefix = "the worker's report is not believable: "
        if let reached = tasksReached, let problem = Self.count(reached, most: spec.tasks) {
            return prefix + "tasksReached \(reached) \(problem)"
        }
        if let children = childrenPrivateBytes, let problem = FigureDomain.nonNegative.problem(.integer(children)) {
            return prefix + "childrenPrivateBytes \(children) \(problem)"
        }
        for (index, sample) in samples.enumerated() {
            let figures: [(String, Figure)] =
                [
                    ("wallNanoseconds", .integer(sample.wallNanoseconds)), ("userSeconds", .real(sample.userSeconds)),
                    ("systemSeconds", .real(sample.systemSeconds)),
                    ("voluntarySwitches", .integer(Int64(sample.voluntarySwitches))),
                    ("involuntarySwitches", .integer(Int64(sample.involuntarySwitches))),
                ] + (sample.creationNanoseconds.map { [("creationNanoseconds", .integer($0))] } ?? [])
            for (name, figure) in figures {
                if let problem = FigureDomain.nonNegative.problem(figure) {
                    return prefix + "repetition \(index + 1)'s \(name) \(Self.text(figure)) \(problem)"
                }
            }
            if let peak = sample.peakInFlight, let problem = Self.count(peak, most: spec.tasks) {
                return prefix + "repetition \(index + 1)'s peakInFlight \(peak) \(problem)"
            }
        }
        for (name, figure) in self.figures.values.sorted(by: { $0.key < $1.key }) {
            guard let column = columns[name] else {
                return prefix
                    + "it sends a figure \(name.quotedExcerpt()), which no column of the results declares (docs/schema.md lists them)"
            }
            if let problem = column.problem(figure) {
                return prefix + "its figure \(name) \(Self.text(figure)) \(problem)"
            }
        }
        return nil
    }

    /// Why a count of tasks is impossible in a cell of `most` tasks, or nil.
    static func count(_ value: Int, most: Int) -> String? {
        value < 0 ? "is negative" : value > most ? "is more than the cell's \(most) tasks" : nil
    }

    /// A figure as the message quotes it.
    static func text(_ figure: Figure) -> String {
        switch figure {
        case .integer(let value): return "\(value)"
        case .real(let value): return "\(value)"
        case .text(let value): return value.quotedExcerpt()
        }
    }
}
