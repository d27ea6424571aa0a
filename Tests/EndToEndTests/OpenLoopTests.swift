import AsyncBenchModel
import TestSupport
import Testing

/// The open-loop net workload (net-rate): latency from the intended send time, the server's
/// stalls, every request reconciled, and the cell's HdrHistogram file. Relations with wide
/// margins only, never a speed.
@Suite(.serialized) struct OpenLoopTests {
    /// The figures of one row, as numbers.
    func number(_ row: [String: String], _ column: String) -> Double {
        Double(row[column] ?? "") ?? .nan
    }

    @Test func belowCapacityCorrectedAndUncorrectedAgreeAndEveryRequestIsCounted() throws {
        // 40 connections at 200 requests/s in all: one request every 200 ms each, replies in 50 ms,
        // so a reply is never still pending at the next send, and this VM's wake-up noise (a few ms
        // at p99, see schedule_lag_ms_p99) is well inside 25% of the round trip.
        let out = temporaryDirectory()
        let result = try run([
            "--workload", "net", "--rate", "200", "--rate-duration", "2s", "--backend", "async,nio,pthread,fork",
            "--tasks", "40", "--latency", "50ms", "--reps", "2", "--warmup", "0", "--out", out, "--overwrite",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("--rate given, so its cells run open-loop"))
        let rows = try readRows(out + "/results.csv")
        #expect(rows.count == 4)
        for row in rows {
            #expect(row["status"] == "ok", "\(row)")
            #expect(row["workload"] == "net-rate")
            #expect(row["rate_rps"] == "200" && row["offered_rps"] == "200")
            // 200/s × 2 s over 40 connections: 10 each, × 2 measured repetitions.
            #expect(row["requests_per_connection"] == "10")
            #expect(row["requests_sent"] == "800" && row["requests_answered"] == "800", "\(row)")
            #expect(row["server_answered"] == "800")
            let achieved = number(row, "achieved_rps")
            #expect(achieved > 150 && achieved < 225, "\(row)")
            let corrected = number(row, "request_ms_p99")
            let uncorrected = number(row, "request_ms_p99_uncorrected")
            #expect(uncorrected >= 50 && corrected >= uncorrected, "\(row)")
            #expect(corrected <= uncorrected * 1.25, "well below capacity the two agree within 25%: \(row)")
            #expect(number(row, "request_ms_p999") >= corrected)
            let histogram = out + "/histograms/\(row["backend"] ?? "")-net-rate-n40-50ms-200rps.hgrm"
            #expect(Measurement.readFile(histogram) != nil, "\(histogram)")
        }
    }

    @Test func aStallShowsInTheCorrectedLatencyNotInTheUncorrected() throws {
        // 2 connections at 400/s in all (one request every 5 ms each, replies in 2 ms): the server
        // holds its replies for 300 ms of every second. Each stall delays ~60 scheduled requests
        // per connection but only the one in flight sees it from its actual send.
        let out = temporaryDirectory()
        let result = try run([
            "--workload", "net-rate", "--rate", "400", "--backend", "async,pthread", "--tasks", "2", "--latency",
            "2ms", "--stall", "300ms", "--stall-every", "1s", "--rate-duration", "2s", "--reps", "1", "--warmup", "0",
            "--out", out, "--overwrite",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try readRows(out + "/results.csv")
        #expect(rows.count == 2)
        for row in rows {
            #expect(row["status"] == "ok", "\(row)")
            #expect(row["requests_sent"] == row["server_answered"])
            let corrected = number(row, "request_ms_p99")
            let uncorrected = number(row, "request_ms_p99_uncorrected")
            #expect(corrected >= 100, "\(row)")
            #expect(corrected >= 2 * uncorrected, "\(row)")
            #expect(Int(row["late_sends"] ?? "") ?? 0 > 0, "sends waited for the held replies")
        }
    }

    @Test func theHistogramFileIsStandardHdrHistogramText() throws {
        let out = temporaryDirectory()
        let result = try run([
            "--workload", "net-rate", "--rate", "200", "--backend", "pthread", "--tasks", "4", "--latency", "5ms",
            "--reps", "1", "--warmup", "0", "--arrivals", "poisson", "--out", out, "--overwrite",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let row = try #require(try readRows(out + "/results.csv").first)
        let text = try #require(Measurement.readFile(out + "/histograms/pthread-net-rate-n4-5ms-200rps.hgrm"))
        let histogram = try #require(PercentileDistribution(text))
        // Every answered request of the measured repetition is in it, in ms.
        #expect(histogram.totalCount == Int(row["requests_answered"] ?? ""))
        let p50 = number(row, "request_ms_p50")
        let read = try #require(histogram.value(atPercentile: 0.5))
        #expect(abs(read - p50) <= p50 * 0.02, "HdrHistogram keeps 3 significant digits: \(read) vs \(p50)")
        #expect(abs(histogram.max - number(row, "request_ms_max")) <= number(row, "request_ms_max") * 0.01)
    }

    @Test func badRatesAndStallsAreRefusedWithTheReason() throws {
        let zero = try run(["--workload", "net-rate", "--rate", "0", "--out", temporaryDirectory()])
        #expect(zero.status == 64)
        #expect(zero.stderr.contains("--rate") && zero.stderr.contains("at least 1 request per second"))
        let text = try run(["--workload", "net-rate", "--rate", "fast", "--out", temporaryDirectory()])
        #expect(text.status == 64 && text.stderr.contains("numbers of requests per second"))
        let stall = try run([
            "--workload", "net-rate", "--stall", "2s", "--stall-every", "1s", "--out", temporaryDirectory(),
        ])
        #expect(stall.status == 64 && stall.stderr.contains("longer than --stall"))
        let huge = try run(["--workload", "net-rate", "--rate", "1e9", "--out", temporaryDirectory()])
        #expect(huge.status == 64 && huge.stderr.contains("requests per repetition"))
        for failed in [zero, text, stall, huge] { #expect(!failed.stderr.contains("Fatal error")) }
    }

    @Test func theSequentialAndPoolBackendsAreSkippedWithTheReason() throws {
        let out = temporaryDirectory()
        let result = try run([
            "--workload", "net-rate", "--rate", "100", "--backend", "sequential,threadpool", "--tasks", "4",
            "--latency", "1ms", "--reps", "1", "--out", out,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        for row in try readRows(out + "/results.csv") {
            #expect(row["status"] == "skipped")
            #expect(row["message"]?.contains("open loop") == true)
        }
    }
}

/// HdrHistogram's percentile distribution text (`outputPercentileDistribution`, the `.hgrm`
/// files HdrHistogram's plotter reads), read back as that format defines it: a header line,
/// rows of value, percentile (0 to 1), total count and 1/(1-percentile), then `#[Mean = …]`,
/// `#[Max = …, Total count = …]` and `#[Buckets = …]`.
struct PercentileDistribution {
    var rows: [(value: Double, percentile: Double, count: Int)] = []
    var max = 0.0
    var totalCount = 0

    init?(_ text: String) {
        let lines = text.split(separator: "\n").map { String($0).trimmingWhitespace() }
        guard lines.first?.hasPrefix("Value") == true, lines.first?.contains("Percentile") == true else { return nil }
        for line in lines.dropFirst() where !line.isEmpty {
            if line.hasPrefix("#[Max") {
                let fields = line.dropFirst(2).dropLast().split(separator: ",").map {
                    $0.split(separator: "=").last.map { String($0).trimmingWhitespace() } ?? ""
                }
                guard fields.count == 2, let max = Double(fields[0]), let count = Int(fields[1]) else { return nil }
                self.max = max
                totalCount = count
                continue
            }
            if line.hasPrefix("#") { continue }
            let fields = line.split(separator: " ")
            guard fields.count >= 3, let value = Double(fields[0]), let percentile = Double(fields[1]),
                let count = Int(fields[2])
            else { return nil }
            rows.append((value, percentile, count))
        }
        guard !rows.isEmpty, rows.last?.count == totalCount else { return nil }
    }

    /// The value at `percentile` (0 to 1): that of the first row at or past it.
    func value(atPercentile percentile: Double) -> Double? {
        rows.first { $0.percentile >= percentile }?.value
    }
}
