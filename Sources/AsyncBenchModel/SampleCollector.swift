import Synchronization

/// Collects what tasks timed over the measured repetitions of a cell (how late each woke, each
/// request's round trip), from any thread, for exact percentiles at the end. Each `append` is
/// one repetition's, so the spread of a percentile between repetitions can be told too.
public final class SampleCollector: Sendable {
    private let repetitions = Mutex<[[Double]]>([])

    public init() {}

    /// Adds one repetition's values.
    public func append<Values: Sequence>(_ values: Values) where Values.Element == Int64 {
        let converted = values.map(Double.init)
        repetitions.withLock { $0.append(converted) }
    }

    /// Everything collected, repetition after repetition.
    public var values: [Double] { repetitions.withLock { $0.flatMap { $0 } } }

    /// Percentiles of everything collected; nil when nothing was.
    public var percentiles: Percentiles? { Percentiles(repetitions.withLock { $0.flatMap { $0 } }) }

    /// The lowest and highest p99 of one repetition's values alone (repetitions with none left
    /// out); nil when nothing was collected.
    public var repetitionP99Range: ClosedRange<Double>? {
        let p99s = repetitions.withLock { $0.compactMap { Percentiles($0)?.p99 } }
        guard let low = p99s.min(), let high = p99s.max() else { return nil }
        return low...high
    }
}
