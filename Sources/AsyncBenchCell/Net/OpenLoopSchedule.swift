import ArgumentParser

#if canImport(Glibc)
    import Glibc
#endif

/// How an open-loop connection spaces its requests (`--arrivals`).
public enum Arrivals: String, Codable, Sendable, CaseIterable, ExpressibleByArgument {
    /// Every `tasks / rate` seconds, connections offset evenly within one interval.
    case constant
    /// Exponential gaps of the same mean (each connection a Poisson process; together, one of
    /// the whole rate), seeded per connection.
    case poisson
}

/// When each request of an open-loop cell is meant to be sent: for each connection, the offsets
/// of its requests from the schedule's start, which is `lead(tasks:)` after the repetition
/// began, so that the connections have opened before any request is due (as wrk connects
/// first), or the moment the connection opened, if later (a connection that starts late does not
/// count its start-up as latency; a reply that comes late delays, and is charged to, every
/// request scheduled after it).
public struct OpenLoopSchedule: Sendable, Equatable {
    /// Requests each connection sends in a repetition (the same for all).
    public let perConnection: Int
    /// Offsets in ns: connection c's request k at `offsets[c * perConnection + k]`.
    public let offsets: [Int64]

    /// The time the connections of a repetition get to open before the schedule starts: 100 ms
    /// plus 0.3 ms per connection (the fork backend, the slowest to start its tasks, took about
    /// 0.4 ms per child here).
    public static func lead(tasks: Int) -> Int64 { 100_000_000 + 300_000 * Int64(tasks) }

    /// Most requests one repetition may schedule (the slots of three figures per request).
    public static let maxRequests = 5_000_000

    /// The requests a repetition of `tasks` connections sends at `rate` requests/s in all over
    /// `durationNanoseconds`: at least one per connection.
    public static func requestsPerConnection(tasks: Int, rate: Double, durationNanoseconds: Int64) -> Int {
        max(1, Int((rate * Double(durationNanoseconds) / 1e9 / Double(tasks)).rounded()))
    }

    public init(tasks: Int, rate: Double, durationNanoseconds: Int64, arrivals: Arrivals, seed: UInt64) {
        let count = Self.requestsPerConnection(tasks: tasks, rate: rate, durationNanoseconds: durationNanoseconds)
        perConnection = count
        let interval = Double(tasks) / rate * 1e9  // ns between one connection's requests
        var offsets = [Int64](repeating: 0, count: tasks * count)
        for connection in 0..<tasks {
            switch arrivals {
            case .constant:
                let phase = interval * Double(connection) / Double(tasks)
                for k in 0..<count { offsets[connection * count + k] = Int64(phase + interval * Double(k)) }
            case .poisson:
                var state = seed ^ (UInt64(connection) &* 0x9E37_79B9_7F4A_7C15)
                var at = 0.0
                for k in 0..<count {
                    // u in (0, 1]: -log(u) is an exponential draw of mean 1.
                    let u = Double((LatencyServer.State.next(&state) >> 11) + 1) / Double(1 << 53)
                    at += -log(u) * interval
                    offsets[connection * count + k] = Int64(at)
                }
            }
        }
        self.offsets = offsets
    }
}
