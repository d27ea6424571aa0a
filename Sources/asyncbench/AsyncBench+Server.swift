import ArgumentParser
import AsyncBenchAnalysis
import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import AsyncBenchSweep
import CAsyncBench

#if canImport(Glibc)
    import Glibc
#endif

extension AsyncBench {
    /// `asyncbench server`: the latency server, standalone, until Ctrl-C.
    struct Server: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the latency server: answers each request after --latency ± --jitter.",
            discussion: """
                A SwiftNIO TCP server: each reply is a timer on the connection's event loop, never a \
                sleeping thread. Protocol (big-endian): request = id (8 bytes) + payload length \
                (4 bytes) + payload; the response echoes the id and a payload of the same length. \
                Id 0xFFFFFFFFFFFFFFFF with no payload asks for the server's statistics (JSON). A \
                payload over 64 KiB is malformed: the server logs it and closes that connection. \
                Jitter is drawn uniformly from ±--jitter by a generator seeded with --seed, so runs \
                are reproducible. Prints the bound address, serves until SIGINT or SIGTERM, then \
                prints what it did (replies, and how late they went out against their schedule).

                Examples:
                  asyncbench server --port 0 --latency 20ms --jitter 5ms
                  asyncbench server --host 0.0.0.0 --port 7000 --latency 50ms --seed 7
                  asyncbench server --latency 20ms --loss 0.01 --reset 0.01     # network faults
                  asyncbench server --latency 10ms --stall 300ms --stall-every 1s  # a pausing server
                  asyncbench server --port 8080 --latency 10ms --http   # then: wrk -c 100 http://127.0.0.1:8080/

                With --stall D --stall-every P, the server answers normally for P − D, then holds every \
                reply due in the next D until that D ends (as a garbage-collection pause would), and so on. \
                With --http, a connection that starts with `GET ` is served as HTTP/1.1 (keep-alive, a \
                13-byte body) after the same delay; other connections speak the binary protocol.

                Limits: at most --max-connections open at once (more are closed at once and counted \
                as refused); a connection idle for --idle-timeout is closed; while a connection's \
                replies wait (64 of them, 64 KiB of them, or a client that does not read what it is \
                sent), the server stops reading it. See docs/latency-server.md before exposing it.
                """)

        @Option(help: ArgumentHelp("Address to listen on.", valueName: "ipv4"))
        var host = "127.0.0.1"

        @Option(help: "Port to listen on; 0 lets the system choose (printed).")
        var port = 0

        @Option(help: ArgumentHelp("Delay before each reply.", valueName: "duration"))
        var latency = "20ms"

        @Option(help: ArgumentHelp("Each delay varies uniformly within ± this.", valueName: "duration"))
        var jitter = "0ms"

        @Option(help: "Seed of the jitter's generator.")
        var seed: UInt64 = 1

        @Option(help: "Event loop threads.")
        var threads = 1

        @Option(help: "Share of requests, 0 to 1, whose reply is dropped (clients must time out).")
        var loss = 0.0

        @Option(help: "Share of requests, 0 to 1, answered by resetting the connection (TCP RST).")
        var reset = 0.0

        @Option(help: ArgumentHelp("Stop answering for this long once every --stall-every.", valueName: "duration"))
        var stall = "0ms"

        @Option(help: ArgumentHelp("The period of --stall.", valueName: "duration"))
        var stallEvery = "1s"

        @Flag(help: "Also answer HTTP/1.1 GET requests (for wrk), on connections that start with one.")
        var http = false

        @Option(
            help: ArgumentHelp(
                "Most connections open at once; more are closed at once. Default: the open-file limit less 64.",
                valueName: "count"))
        var maxConnections: Int?

        @Option(
            help: ArgumentHelp(
                "Close a connection that has sent and received nothing (no reply pending) for this long; 0: never.",
                valueName: "duration"))
        var idleTimeout = "60s"

        @Option(help: ArgumentHelp("Exit when this process does (the sweep sets it).", visibility: .hidden))
        var parent: Int32?

        func run() throws {
            // One descriptor per connection: tens of thousands (and the default --max-connections).
            _ = CAsyncBench_raise_nofile()
            let configuration: LatencyServer.Configuration
            do throws(UsageError) {
                let delay = try Units.parseDuration(latency, option: "--latency")
                let spread = try Units.parseDuration(jitter, option: "--jitter")
                guard (0...65535).contains(port) else {
                    throw UsageError.outOfRange(option: "--port", value: "\(port)", range: "between 0 and 65535")
                }
                guard (1...64).contains(threads) else {
                    throw UsageError.outOfRange(option: "--threads", value: "\(threads)", range: "between 1 and 64")
                }
                guard (0...1).contains(loss), (0...1).contains(reset), loss + reset <= 1 else {
                    throw UsageError.outOfRange(
                        option: "--loss and --reset", value: "\(loss) and \(reset)",
                        range: "between 0 and 1, summing to 1 at most")
                }
                var server = LatencyServer.Configuration(
                    host: host, port: port, latencyNanoseconds: delay, jitterNanoseconds: spread, seed: seed,
                    threads: threads, loss: loss, reset: reset)
                (server.stallNanoseconds, server.stallEveryNanoseconds) = try Stall.parse(
                    stall: stall, every: stallEvery)
                server.http = http
                let idle = try Units.parseDuration(idleTimeout, option: "--idle-timeout")
                if let maxConnections, maxConnections < 1 {
                    throw UsageError.outOfRange(
                        option: "--max-connections", value: "\(maxConnections)", range: "at least 1")
                }
                server.limits = ServerLimits(maxConnections: maxConnections, idleTimeoutNanoseconds: idle)
                configuration = server
            } catch {
                throw usageError(error.description, command: Self.self)
            }
            if let parent { _ = CAsyncBench_die_with_parent(parent) }
            _ = CAsyncBench_install_interrupt_handlers()
            let server: LatencyServer
            do {
                server = try LatencyServer(configuration)
            } catch {
                throw usageError(error.description, command: Self.self)
            }
            let stalls = configuration.stallNanoseconds > 0 ? ", stalls \(stall) every \(stallEvery)" : ""
            let limits = configuration.limits
            let idle = limits.idleTimeoutNanoseconds > 0 ? "idle timeout \(idleTimeout)" : "no idle timeout"
            print(
                "asyncbench server listening on \(host):\(server.port) (latency \(latency) ± \(jitter), seed \(seed)\(stalls)\(http ? ", HTTP too" : ""); at most \(limits.maxConnections) connections, \(idle))"
            )
            fflush(nil)
            while CAsyncBench_interrupted() == 0 { usleep(100_000) }
            let statistics = server.statistics
            server.stop()
            let lateness =
                statistics.lateness.map {
                    "; replies late against their schedule: p50 \(Units.trim($0.p50 / 1e3, digits: 1)) µs, p99 \(Units.trim($0.p99 / 1e3, digits: 1)) µs, max \(Units.trim($0.max / 1e3, digits: 1)) µs"
                } ?? ""
            print(
                "asyncbench server: \(statistics.connections) connections, \(statistics.answered) replies, \(statistics.lost) dropped, \(statistics.reset) reset, \(statistics.malformed) malformed, \(statistics.refused ?? 0) refused (--max-connections), \(statistics.idle ?? 0) closed idle\(lateness)"
            )
        }
    }
}
