import AsyncBenchModel

/// The latency server's stalls (`--stall D --stall-every P`): it answers for P − D, then holds
/// the replies due in the next D until that D ends, period after period.
public enum Stall {
    /// The two durations, ns, checked: no stall (0, and P unused), or 0 < D < P.
    public static func parse(stall: String, every: String) throws(UsageError) -> (Int64, Int64) {
        let length = try Units.parseDuration(stall, option: "--stall")
        let period = try Units.parseDuration(every, option: "--stall-every")
        guard length > 0 else { return (0, 0) }
        guard period > length else {
            throw .outOfRange(
                option: "--stall-every", value: every, range: "longer than --stall (\(stall)), or it never answers")
        }
        return (length, period)
    }
}
