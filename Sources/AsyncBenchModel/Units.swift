/// Parsing and printing of the units asyncbench's options and tables use.
public enum Units {
    /// Parses a duration with a unit: `10ms`, `1s`, `250us`, `500ns`, `1.5s`. Returns nanoseconds.
    ///
    /// A bare number is refused: "10" could mean seconds or milliseconds.
    public static func parseDuration(_ text: String, option: String) throws(UsageError) -> Int64 {
        let trimmed = text.trimmingWhitespace().lowercased()
        guard !trimmed.hasPrefix("-") else {
            throw .outOfRange(option: option, value: "'\(text)'", range: "0 or more, with a unit (e.g. 10ms)")
        }
        let units: [(String, Double)] = [
            ("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9),
        ]
        for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
            let number = String(trimmed.dropLast(suffix.count))
            // "ms" also ends in "s": let the longer suffix win by checking the number parses.
            guard let value = Double(number), value.isFinite, value >= 0,
                number.first?.isNumber == true || number.first == "."
            else { continue }
            let nanoseconds = value * scale
            guard nanoseconds < 1e15 else {
                throw .outOfRange(option: option, value: "'\(text)'", range: "below 1000000s (11.5 days)")
            }
            return Int64(nanoseconds.rounded())
        }
        throw .badDuration(option: option, value: text)
    }

    /// Parses a size: `65536`, `64KiB`, `64K`, `8MiB`, `8M`, `1GiB`. Returns bytes.
    public static func parseSize(_ text: String, option: String) throws(UsageError) -> Int {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.hasPrefix("-") else {
            throw .outOfRange(option: option, value: "'\(text)'", range: "0 or more (e.g. 64KiB)")
        }
        let units: [(String, Int)] = [
            ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30),
            ("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30), ("k", 1 << 10), ("B", 1), ("", 1),
        ]
        for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
            let number = String(trimmed.dropLast(suffix.count))
            guard let value = Int(number), value >= 0, value <= (1 << 40) / scale else { continue }
            return value * scale
        }
        throw .badSize(option: option, value: text)
    }

    /// A duration for people: `10ms`, `1.5s`, `250us`.
    public static func formatDuration(nanoseconds: Int64) -> String {
        switch nanoseconds {
        case 1_000_000_000...: return trim(Double(nanoseconds) / 1e9) + "s"
        case 1_000_000...: return trim(Double(nanoseconds) / 1e6) + "ms"
        case 1_000...: return trim(Double(nanoseconds) / 1e3) + "us"
        default: return "\(nanoseconds)ns"
        }
    }

    /// A byte count for people, one decimal at most: `64KiB`, `8MiB`, `23.5GiB`.
    /// `bytes` as a size `parseSize` reads back exactly: 4KiB, or 20000B.
    public static func exactSize(_ bytes: Int) -> String {
        let short = formatBytes(bytes)
        return (try? parseSize(short, option: "")) == bytes ? short : "\(bytes)B"
    }

    public static func formatBytes(_ bytes: Int) -> String {
        switch bytes {
        case (1 << 30)...: return trim(Double(bytes) / Double(1 << 30), digits: 1) + "GiB"
        case (1 << 20)...: return trim(Double(bytes) / Double(1 << 20), digits: 1) + "MiB"
        case (1 << 10)...: return trim(Double(bytes) / Double(1 << 10), digits: 1) + "KiB"
        default: return "\(bytes)B"
        }
    }

    /// A number with at most `digits` decimals and no trailing zeros.
    /// The items of a comma list given to `option`, trimmed; refuses an empty list or item.
    public static func list(_ text: String, option: String) throws(UsageError) -> [String] {
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map {
            String($0).trimmingWhitespace()
        }
        guard items.contains(where: { !$0.isEmpty }) else { throw .emptyList(option: option) }
        guard !items.contains(where: \.isEmpty) else { throw .emptyItem(option: option, value: text) }
        return items
    }

    public static func trim(_ value: Double, digits: Int = 3) -> String {
        guard value.isFinite else { return "" }
        var text = Self.fixed(value, digits: digits)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }

    /// `value` printed with exactly `digits` decimals, without Foundation.
    public static func fixed(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return "" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9e18 else { return String(value) }
        let whole = Int64(scaled)
        let integer = whole / Int64(scale)
        let fraction = whole % Int64(scale)
        var text = (value < 0 && whole != 0 ? "-" : "") + String(integer)
        if digits > 0 {
            let digitsText = String(fraction)
            text += "." + String(repeating: "0", count: digits - digitsText.count) + digitsText
        }
        return text
    }
}

extension String {
    public func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while slice.first?.isWhitespace == true { slice.removeFirst() }
        while slice.last?.isWhitespace == true { slice.removeLast() }
        return String(slice)
    }
}

extension Array where Element: Equatable {
    /// The elements in order, each only the first time it appears.
    public func uniqued() -> [Element] {
        reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
    }
}
