import AsyncBenchModel
import AsyncBenchResults

/// The fields of a results row checked against their columns as they are read: a figure that
/// is not of its column's type or outside its domain (`FigureDomain`), and a key name outside
/// the name grammar (`Name`), refuse the file naming its line and column: nonsense never reaches
/// a comparison, a chart or a report.
extension RecordedRun {
    /// The figures of a row: every figure column of `schema` the row has a field for, checked
    /// in the header's order (`columns`).
    static func figures(_ values: [String: String], columns: [String], schema: Schema, path: String, line: Int)
        throws(DataError) -> Figures
    {
        var figures = Figures()
        for name in columns {
            guard let column = schema.figureColumns[name], let field = values[name], figures[name] == nil else {
                continue
            }
            switch column.read(field) {
            case .success(let figure): figures[name] = figure
            case .failure(let refusal):
                throw .badField(path: path, line: line, column: name, value: field, problem: refusal.problem)
            }
        }
        return figures
    }

    /// A key column holding a name (backend, workload).
    static func name(_ column: String, _ values: [String: String], path: String, line: Int) throws(DataError)
        -> String
    {
        let field = values[column] ?? ""
        if let problem = Name.problem(field) {
            throw .badField(
                path: path, line: line, column: column, value: field,
                problem: "is not a \(column) name (\(problem))")
        }
        return field
    }

    /// A key column holding a number ≥ 0 (latency_ms, rate_rps).
    static func number(_ column: String, _ values: [String: String], path: String, line: Int) throws(DataError)
        -> Double
    {
        let field = values[column] ?? ""
        guard let value = DecimalText.parse(field) else {
            throw .badField(path: path, line: line, column: column, value: field, problem: "is not a decimal number")
        }
        if let problem = FigureDomain.nonNegative.problem(.real(value)) {
            throw .badField(path: path, line: line, column: column, value: field, problem: problem)
        }
        return value
    }
}
