// swift-tools-version:5.4
import PackageDescription

// libFuzzer harnesses for swift-wamp-rawsocket. A package of its own, so that users of the
// library never build it. Build and run with `./run.sh` (see README.md): every module is
// compiled with `-sanitize=fuzzer` (coverage instrumentation, libFuzzer's `main`) and
// address sanitizer, and with `-parse-as-library` so that Swift does not emit a `main` of its
// own next to libFuzzer's.

let package = Package(
    name: "swift-wamp-rawsocket-fuzz",
    dependencies: [
        .package(name: "swift-wamp-rawsocket", path: "../"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "FuzzHandshake",
            dependencies: [.product(name: "RawSocketTransport", package: "swift-wamp-rawsocket")]
        ),
        .executableTarget(
            name: "FuzzFrameDecoder",
            dependencies: [
                .product(name: "RawSocketTransport", package: "swift-wamp-rawsocket"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // The round-trip check the serializer harnesses share.
        .target(
            name: "FuzzSupport",
            dependencies: [
                .product(name: "Transport", package: "swift-wamp-rawsocket"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "FuzzJSON",
            dependencies: [
                "FuzzSupport",
                .product(name: "JSONSerializer", package: "swift-wamp-rawsocket"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "FuzzMsgPack",
            dependencies: ["FuzzSupport", .product(name: "MsgPackSerializer", package: "swift-wamp-rawsocket")]
        ),
        .executableTarget(
            name: "FuzzCBOR",
            dependencies: ["FuzzSupport", .product(name: "CBORSerializer", package: "swift-wamp-rawsocket")]
        ),
    ],
    swiftLanguageVersions: [.v5]
)
