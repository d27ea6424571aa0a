// swift-tools-version:6.0
//
// asyncbench: quantifies the claims of an asyncio tutorial about concurrency models by
// running the same workload on interchangeable backends (Swift async on its pool and on one
// thread, SwiftNIO event loops, GCD, pthreads, a thread pool, fork, sequential) and writing tidy CSV.
//
// Direction of dependency: asyncbench (CLI) -> AsyncBenchCore -> CAsyncBench (C shim).

import PackageDescription

let package = Package(
    name: "asyncbench",
    products: [
        .executable(name: "asyncbench", targets: ["asyncbench"]),
        .library(name: "AsyncBenchCore", targets: ["AsyncBenchCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
    ],
    targets: [
        .target(
            name: "CAsyncBench",
            cSettings: [.define("_GNU_SOURCE")]
        ),
        .target(
            name: "AsyncBenchCore",
            dependencies: [
                "CAsyncBench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "asyncbench",
            dependencies: [
                "AsyncBenchCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(
            name: "TestSupport",
            dependencies: ["AsyncBenchCore"],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "AsyncBenchCoreTests",
            dependencies: ["AsyncBenchCore", "CAsyncBench", "TestSupport"]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["asyncbench", "AsyncBenchCore", "TestSupport"]
        ),
    ]
)
