// swift-tools-version:6.0
//
// asyncbench: quantifies the claims of an asyncio tutorial about concurrency models by
// running the same workload on interchangeable backends (Swift async on its pool and on one
// thread, SwiftNIO event loops, GCD, pthreads, a thread pool, fork, sequential) and writing tidy CSV.
//
// Direction of dependency (the compiler enforces it): asyncbench (CLI) -> AsyncBenchAnalysis ->
// AsyncBenchSweep -> AsyncBenchCell -> AsyncBenchResults -> AsyncBenchModel -> CAsyncBench.

import PackageDescription

let package = Package(
    name: "asyncbench",
    products: [
        .executable(name: "asyncbench", targets: ["asyncbench"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", exact: "0.2.0"),
    ],
    targets: [
        // C: only what Swift cannot do safely (async-signal-safe code for forked children,
        // affinity, the sampler thread, allocator statistics).
        .target(
            name: "CAsyncBench",
            cSettings: [.define("_GNU_SOURCE")]
        ),
        // Specs, figures and columns, units, errors, the /proc readers and file helpers.
        .target(
            name: "AsyncBenchModel",
            dependencies: ["CAsyncBench"]
        ),
        // The typed row model, the schema, CSV and JSON output.
        .target(
            name: "AsyncBenchResults",
            dependencies: ["AsyncBenchModel"]
        ),
        // Inside a cell: backends, workloads (their options, columns and bodies), the runner,
        // the latency server and its clients, the registry.
        .target(
            name: "AsyncBenchCell",
            dependencies: [
                "CAsyncBench", "AsyncBenchModel", "AsyncBenchResults",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        // The plan, the sweep of cell processes, the capacity search.
        .target(
            name: "AsyncBenchSweep",
            dependencies: [
                "CAsyncBench", "AsyncBenchModel", "AsyncBenchResults", "AsyncBenchCell",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Reading runs back: the claims report, regression (baseline, compare, check, trend).
        .target(
            name: "AsyncBenchAnalysis",
            dependencies: ["CAsyncBench", "AsyncBenchModel", "AsyncBenchResults", "AsyncBenchCell", "AsyncBenchSweep"]
        ),
        // The CLI: ArgumentParser commands, printing, exit codes.
        .executableTarget(
            name: "asyncbench",
            dependencies: [
                "CAsyncBench", "AsyncBenchModel", "AsyncBenchResults", "AsyncBenchCell", "AsyncBenchSweep",
                "AsyncBenchAnalysis",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(
            name: "TestSupport",
            dependencies: ["AsyncBenchModel", "AsyncBenchCell"],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "AsyncBenchCoreTests",
            dependencies: [
                "CAsyncBench", "AsyncBenchModel", "AsyncBenchResults", "AsyncBenchCell", "AsyncBenchSweep",
                "AsyncBenchAnalysis", "TestSupport", "asyncbench",
            ]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "asyncbench", "AsyncBenchModel", "AsyncBenchResults", "AsyncBenchCell", "AsyncBenchSweep",
                "TestSupport",
            ]
        ),
    ]
)
