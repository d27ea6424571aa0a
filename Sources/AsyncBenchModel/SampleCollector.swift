import Synchronization

/// Collects what tasks timed over the measured repetitions of a cell (how late each woke, each
/// request's round trip), from any thread, for exact percentiles at the end.
public final class SampleCollector: Sendable {
    private let samples = Mutex<[Double]>([])

    public init() {}

    public func append<Values: Sequence>(_ values: Values) where Values.Element == Int64 {
        let converted = values.map(Double.init)
        samples.withLock { $0 += converted }
    }

    /// Percentiles of everything collected; nil when nothing was.
    public var percentiles: Percentiles? { Percentiles(samples.withLock { $0 }) }
}
