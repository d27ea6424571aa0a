/// A value one column of the results holds: a whole number, a real number or text.
///
/// Cells report figures as these, rows store them, and the CSV and JSON files write them; the
/// same code reads them back (`ColumnValue.parse`).
public enum Figure: Sendable, Equatable, Codable {
    case integer(Int64)
    case real(Double)
    case text(String)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .real(value)
        } else {
            self = .text(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .integer(let value): try container.encode(value)
        case .real(let value): try container.encode(value)
        case .text(let value): try container.encode(value)
        }
    }
}

/// A Swift type a column can hold, with its text form in the CSV.
public protocol ColumnValue: Sendable {
    init?(figure: Figure)
    var figure: Figure { get }
    /// The value of a CSV field; nil when empty or not of this type.
    static func parse(_ text: String) -> Self?
    /// What a field of this type holds, for messages ("a whole number").
    static var expected: String { get }
    /// The domain of a column of this type unless it declares another.
    static var defaultDomain: FigureDomain { get }
}

extension ColumnValue {
    public static var expected: String { "a known value" }
    public static var defaultDomain: FigureDomain { .name }
}

extension Int: ColumnValue {
    public init?(figure: Figure) {
        switch figure {
        case .integer(let value): self.init(value)
        case .real(let value) where value.rounded() == value && abs(value) < 9e18: self.init(value)
        default: return nil
        }
    }
    public var figure: Figure { .integer(Int64(self)) }
    /// A whole number in the decimal grammar (`DecimalText`); `1e3` and `2.0` are read too.
    public static func parse(_ text: String) -> Int? {
        DecimalText.parseInteger(text) ?? DecimalText.parse(text).flatMap { Int(figure: .real($0)) }
    }
    public static var expected: String { "a whole number" }
    public static var defaultDomain: FigureDomain { .nonNegative }
}

extension Double: ColumnValue {
    public init?(figure: Figure) {
        switch figure {
        case .integer(let value): self.init(value)
        case .real(let value): self = value
        case .text: return nil
        }
    }
    public var figure: Figure { .real(self) }
    /// A number in the decimal grammar (`DecimalText`): no hexadecimal, `inf` or `nan`.
    public static func parse(_ text: String) -> Double? { DecimalText.parse(text) }
    public static var expected: String { "a decimal number" }
    public static var defaultDomain: FigureDomain { .nonNegative }
}

extension String: ColumnValue {
    public init?(figure: Figure) {
        guard case .text(let value) = figure else { return nil }
        self = value
    }
    public var figure: Figure { .text(self) }
    /// The text of a field, without the quote a formula character got (`spreadsheetSafe`).
    public static func parse(_ text: String) -> String? { text.spreadsheetUnquoted }
    public static var expected: String { "text" }
}

/// One column of the results: its name in the CSV header, its unit (in the name too, by
/// convention: `_ms`, `_bytes`...), what it holds, and how many significant digits it is written
/// with. A workload declares the columns it adds; the runner declares the ones every cell has.
/// Rows are read and written through these, so code that uses a column names this value, never
/// its text: renaming or removing a column is a compile error where it is used.
public struct Column<Value: ColumnValue>: Sendable {
    public let name: String
    public let meaning: String
    /// Significant digits of a real number in the CSV (whole numbers and text are exact).
    public let digits: Int
    /// The header of its column in the summary table printed after a run, when it has one.
    public let summary: String?
    /// What its figures may be beyond their type (finite, sign, a name): checked wherever a
    /// figure comes from outside (a file read back, a worker's report).
    public let domain: FigureDomain

    /// `domain` defaults to the type's: numbers ≥ 0, text a `Name`; a column whose figures may
    /// be negative (a difference) says `.signed`, one of free text `.freeText`.
    public init(
        _ name: String, _ meaning: String, digits: Int = 3, summary: String? = nil, domain: FigureDomain? = nil
    ) {
        self.name = name
        self.meaning = meaning
        self.digits = digits
        self.summary = summary
        self.domain = domain ?? Value.defaultDomain
    }

    /// The column without its value type, for the schema.
    public var erased: AnyColumn {
        let digits = self.digits
        return AnyColumn(
            name: name, meaning: meaning, summary: summary, domain: domain, expected: Value.expected,
            parse: { text in text.isEmpty ? nil : Value.parse(text)?.figure },
            format: { figure in Figure.format(figure, digits: digits) },
            accepts: { figure in Value(figure: figure) != nil })
    }
}

/// A column of any value type: what the schema lists and the CSV reader and writer use.
public struct AnyColumn: Sendable {
    public let name: String
    public let meaning: String
    public let summary: String?
    public let domain: FigureDomain
    /// What a field of the column holds, for messages ("a whole number").
    public let expected: String
    /// The figure a CSV field holds (nil: empty, or not of the column's type).
    public let parse: @Sendable (String) -> Figure?
    /// The CSV field of a figure.
    public let format: @Sendable (Figure) -> String
    /// Whether a figure has the column's type.
    public let accepts: @Sendable (Figure) -> Bool
}

extension Figure {
    /// The text of a figure in the CSV: reals with `digits` significant digits (an empty field
    /// when not finite), the others exact.
    public static func format(_ figure: Figure, digits: Int) -> String {
        switch figure {
        case .integer(let value): return "\(value)"
        case .real(let value): return value.isFinite ? Units.trim(value, digits: digits) : ""
        case .text(let value): return value.spreadsheetSafe
        }
    }
}

/// The figures of one cell, by column: what a cell process reports and what a row holds beside
/// its key, status and message. Read and written through typed `Column`s.
public struct Figures: Sendable, Equatable, Codable {
    public private(set) var values: [String: Figure] = [:]

    public init() {}

    public subscript<Value>(column: Column<Value>) -> Value? {
        get { values[column.name].flatMap(Value.init(figure:)) }
        set { values[column.name] = newValue?.figure }
    }

    /// The figure of a column by its name (the CSV reader and writer).
    public subscript(name: String) -> Figure? {
        get { values[name] }
        set { values[name] = newValue }
    }

    /// Adds the figures of `other` that belong to `columns` and have their column's type (what a
    /// cell reported for its workload: nothing else, e.g. a runner column, gets in).
    public mutating func merge(_ other: Figures, only columns: [AnyColumn]) {
        for column in columns {
            guard let figure = other.values[column.name], column.parse(column.format(figure)) != nil else { continue }
            values[column.name] = figure
        }
    }

    public init(from decoder: any Decoder) throws {
        values = try [String: Figure](from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        try values.encode(to: encoder)
    }
}

extension Figures {
    /// Sets the p50, p99 and max columns of a set of samples (ns), each divided by `scale`
    /// (1e3: µs, 1e6: ms); `p90`, when given, too.
    public mutating func set(
        _ percentiles: Percentiles?, scale: Double, p50: Column<Double>, p90: Column<Double>? = nil,
        p99: Column<Double>, max: Column<Double>
    ) {
        guard let percentiles else { return }
        self[p50] = percentiles.p50 / scale
        if let p90 { self[p90] = percentiles.p90 / scale }
        self[p99] = percentiles.p99 / scale
        self[max] = percentiles.max / scale
    }
}
