import FoundationEssentials

/// JSON encoding of what crosses the pipe between the sweep and a cell process, and of the
/// JSON files asyncbench writes.
public enum JSONCoding {
    public static func encode(_ spec: CellSpec) -> String {
        json(spec)
    }

    public static func decodeSpec(_ text: String) -> CellSpec? {
        try? JSONDecoder().decode(CellSpec.self, from: Data(text.utf8))
    }

    /// One line of JSON, no trailing newline.
    public static func encode(_ report: CellReport) -> String {
        json(report)
    }

    public static func decodeReport(_ text: String) -> CellReport? {
        try? JSONDecoder().decode(CellReport.self, from: Data(text.utf8))
    }

    /// A value decoded from JSON bytes; nil when they are not one.
    public static func decode<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8]) -> Value? {
        try? JSONDecoder().decode(type, from: Data(bytes))
    }

    /// Sorted-key JSON (one line unless `pretty`) of any encodable value.
    public static func json<T: Encodable>(_ value: T, pretty: Bool = false) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting =
            pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        // Encoding our own plain structs cannot fail.
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
