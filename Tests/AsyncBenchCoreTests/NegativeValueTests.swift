import AsyncBenchModel
import Testing

/// A negative duration or size is out of range, said as such (not "must be a duration").
extension UnitsTests {
    @Test func aNegativeDurationOrSizeIsOutOfRange() {
        #expect(
            throws: UsageError.outOfRange(
                option: "--latency", value: "'-5ms'", range: "0 or more, with a unit (e.g. 10ms)")
        ) {
            try Units.parseDuration("-5ms", option: "--latency")
        }
        #expect(throws: UsageError.outOfRange(option: "--thread-stack", value: "'-5'", range: "0 or more (e.g. 64KiB)"))
        {
            try Units.parseSize("-5", option: "--thread-stack")
        }
    }

}
