/// What a column may hold beyond its type, declared with the column: what every figure of it
/// read from a file or a worker is checked against (`problem`).
///
/// A number is finite and within ±`FigureDomain.limit` (no time, size or count asyncbench
/// measures comes near 1e15: 11.5 days in ns, 1 PB in bytes); it is ≥ 0 unless the column is
/// `signed` (a lateness, an overhead: differences). Whole-number columns hold whole numbers
/// (their type). Text is a `Name` unless the column holds free text (a message).
public enum FigureDomain: Sendable, Equatable {
    case nonNegative
    case signed
    case name
    case freeText

    /// The largest magnitude a figure may have.
    public static let limit = 1e15

    /// Why `figure` is not a value of this domain, in words that follow the quoted value; nil
    /// when it is one.
    public func problem(_ figure: Figure) -> String? {
        switch figure {
        case .integer(let value): return problem(number: Double(value))
        case .real(let value): return problem(number: value)
        case .text(let text):
            switch self {
            case .name: return Name.problem(text)
            case .freeText, .nonNegative, .signed: return nil
            }
        }
    }

    func problem(number: Double) -> String? {
        guard number.isFinite else { return "is not a finite number" }
        guard abs(number) <= Self.limit else { return "is beyond ±1e15, larger than any figure asyncbench measures" }
        guard number >= 0 || self == .signed else { return "is negative, and this figure never is" }
        return nil
    }
}

/// The one grammar numbers are read with from a results, capacity or baseline file: an optional
/// `-`, digits, optionally `.` and digits, optionally an exponent (`e`, an optional sign,
/// digits): what asyncbench writes. No `+`, no spaces, no hexadecimal (`0x10`), no `inf` or
/// `nan`, no leading or trailing `.`.
public enum DecimalText {
    /// The value of `text`, or nil when it does not follow the grammar. Overflow (`1e999`)
    /// gives an infinite value, which `FigureDomain` then refuses by name.
    public static func parse(_ text: String) -> Double? {
        guard isDecimal(text) else { return nil }
        return Double(text)
    }

    /// A whole number: the grammar without a fraction or exponent, within Int's range.
    public static func parseInteger(_ text: String) -> Int? {
        guard isDecimal(text), !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) else { return nil }
        return Int(text)
    }

    static func isDecimal(_ text: String) -> Bool {
        var scalars = Substring(text).unicodeScalars[...]
        func digits() -> Int {
            var count = 0
            while let next = scalars.first, ("0"..."9").contains(next) {
                scalars.removeFirst()
                count += 1
            }
            return count
        }
        if scalars.first == "-" { scalars.removeFirst() }
        guard digits() > 0 else { return false }
        if scalars.first == "." {
            scalars.removeFirst()
            guard digits() > 0 else { return false }
        }
        if scalars.first == "e" || scalars.first == "E" {
            scalars.removeFirst()
            if scalars.first == "-" || scalars.first == "+" { scalars.removeFirst() }
            guard digits() > 0 else { return false }
        }
        return scalars.isEmpty
    }
}

extension AnyColumn {
    /// Reads a field of a file into a figure of this column: nil for an empty field, else the
    /// figure, or why the field is refused (not of the column's type, or outside its domain), in
    /// words that follow the quoted field.
    public func read(_ field: String) -> Result<Figure?, FigureRefusal> {
        guard !field.isEmpty else { return .success(nil) }
        guard let figure = parse(field) else {
            // A number that parses but is not finite says so, rather than "not a number".
            if let value = DecimalText.parse(field), !value.isFinite {
                return .failure(FigureRefusal(problem: "is not a finite number"))
            }
            return .failure(FigureRefusal(problem: "is not \(expected)"))
        }
        if let problem = domain.problem(figure) { return .failure(FigureRefusal(problem: problem)) }
        return .success(figure)
    }

    /// Why `figure` (from a worker: already typed) is not a value of this column, or nil.
    public func problem(_ figure: Figure) -> String? {
        if let problem = domain.problem(figure) { return problem }
        return accepts(figure) ? nil : "is not \(expected)"
    }
}

/// Why a field or a figure is not a value of its column, in words that follow the quoted value.
public struct FigureRefusal: Error, Equatable, Sendable {
    public var problem: String

    public init(problem: String) { self.problem = problem }
}
