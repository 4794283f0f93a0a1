// swift-tools-version: 6.1
import PackageDescription

// The benchmark suites, in a package of their own so that users of the library never build
// package-benchmark (the same layout as swift-nio's `Benchmarks/`). Run them from this folder:
//
//     swift package benchmark
//
// See README.md.

/// The settings of the library's own targets.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "swift-wamp-rawsocket-benchmarks",
    dependencies: [
        .package(name: "swift-wamp-rawsocket", path: "../"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        // Only the MallocInterposer trait: the default traits also enable RuntimeInterposer,
        // which on Linux with Swift 6.3 pulls in ordo-one/swift-runtime-interposer.
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "SerializerBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Transport", package: "swift-wamp-rawsocket"),
                .product(name: "JSONSerializer", package: "swift-wamp-rawsocket"),
                .product(name: "MsgPackSerializer", package: "swift-wamp-rawsocket"),
                .product(name: "CBORSerializer", package: "swift-wamp-rawsocket"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Benchmarks/SerializerBenchmarks",
            swiftSettings: swiftSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "RawSocketBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Transport", package: "swift-wamp-rawsocket"),
                .product(name: "RawSocketTransport", package: "swift-wamp-rawsocket"),
                .product(name: "JSONSerializer", package: "swift-wamp-rawsocket"),
                .product(name: "MsgPackSerializer", package: "swift-wamp-rawsocket"),
                .product(name: "CBORSerializer", package: "swift-wamp-rawsocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Benchmarks/RawSocketBenchmarks",
            swiftSettings: swiftSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The server that Benchmarks/memory.py measures (memory per connection, per message).
        .executableTarget(
            name: "MemoryProbe",
            dependencies: [
                .product(name: "Transport", package: "swift-wamp-rawsocket"),
                .product(name: "RawSocketTransport", package: "swift-wamp-rawsocket"),
                .product(name: "JSONSerializer", package: "swift-wamp-rawsocket"),
                .product(name: "MsgPackSerializer", package: "swift-wamp-rawsocket"),
            ],
            path: "MemoryProbe",
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
