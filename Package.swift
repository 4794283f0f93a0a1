// swift-tools-version: 6.1
import PackageDescription

/// One set of settings for every target: Swift 6 language mode (strict concurrency) plus
/// the upcoming features that keep existentials and imports explicit.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "swift-wamp-rawsocket",
    products: [
        .library(name: "Transport", targets: ["Transport"]),
        .library(name: "RawSocketTransport", targets: ["RawSocketTransport"]),
        .library(name: "JSONSerializer", targets: ["JSONSerializer"]),
        .library(name: "MsgPackSerializer", targets: ["MsgPackSerializer"]),
        .library(name: "WebSocketTransport", targets: ["WebSocketTransport"]),
        .library(name: "UniversalServer", targets: ["UniversalServer"]),
        .library(name: "WAMPSession", targets: ["WAMPSession"]),
        .library(name: "WAMPRouter", targets: ["WAMPRouter"]),
        .library(name: "WAMPTesting", targets: ["WAMPTesting"]),
        .executable(name: "wamp", targets: ["wamp"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // The core: typed WAMP messages, values, the Serializer and WAMPTransport protocols,
        // and the machinery every transport on SwiftNIO shares (channel bridge, connection core,
        // client connector, server engine). It knows no transport and no serializer.
        .target(
            name: "Transport",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // Serializer plugins: each depends on the core only.
        .target(
            name: "JSONSerializer",
            dependencies: ["Transport", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .systemLibrary(
            name: "CMsgPack",
            path: "Sources/CMsgPack",
            pkgConfig: "msgpack",
            providers: [.apt(["libmsgpack-dev"])]
        ),
        .target(
            name: "MsgPackSerializer",
            dependencies: ["Transport", "CMsgPack", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),

        // The RawSocket transport: depends on the core only; serializers are handed to it.
        .target(
            name: "RawSocketTransport",
            dependencies: [
                "Transport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // The WebSocket transport: depends on the core only; serializers are handed to it.
        .target(
            name: "WebSocketTransport",
            dependencies: [
                "Transport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // The WAMP client session: runs on any WAMPTransport, knows no transport and no serializer.
        .target(
            name: "WAMPSession",
            dependencies: ["Transport", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),

        // The WAMP router (broker and dealer): runs on any WAMPTransport, knows no transport and
        // no serializer.
        .target(
            name: "WAMPRouter",
            dependencies: [
                "Transport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // Test support for code written against WAMPTransport: an in-memory transport pair.
        .target(
            name: "WAMPTesting",
            dependencies: ["Transport", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),

        // RawSocket and WebSocket on one port, told apart by the first octet.
        .target(
            name: "UniversalServer",
            dependencies: [
                "Transport", "RawSocketTransport", "WebSocketTransport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // The command-line tool: wires transports and serializers together.
        .executableTarget(
            name: "wamp",
            dependencies: [
                "Transport", "RawSocketTransport", "WebSocketTransport", "UniversalServer", "JSONSerializer",
                "MsgPackSerializer", "WAMPSession", "WAMPRouter",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Examples/wamp",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ClientExample",
            dependencies: ["Transport", "RawSocketTransport", "JSONSerializer", "MsgPackSerializer"],
            path: "Examples/ClientExample",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ServerExample",
            dependencies: ["Transport", "RawSocketTransport", "JSONSerializer", "MsgPackSerializer"],
            path: "Examples/ServerExample",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "SerializerSwapExample",
            dependencies: ["Transport", "RawSocketTransport", "JSONSerializer", "MsgPackSerializer"],
            path: "Examples/SerializerSwapExample",
            swiftSettings: swiftSettings
        ),

        .testTarget(
            name: "TransportTests",
            dependencies: [
                "Transport", "JSONSerializer", "MsgPackSerializer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "JSONSerializerTests",
            dependencies: ["Transport", "JSONSerializer", "MsgPackSerializer"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MsgPackSerializerTests",
            dependencies: ["Transport", "JSONSerializer", "MsgPackSerializer"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RawSocketTransportTests",
            dependencies: [
                "Transport", "RawSocketTransport", "JSONSerializer", "MsgPackSerializer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "WebSocketTransportTests",
            dependencies: [
                "Transport", "WebSocketTransport", "RawSocketTransport", "UniversalServer", "JSONSerializer",
                "MsgPackSerializer",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "WAMPSessionTests",
            dependencies: [
                "Transport", "WAMPSession", "RawSocketTransport", "JSONSerializer",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "WAMPRouterTests",
            dependencies: [
                "Transport", "WAMPRouter", "WAMPTesting", "WAMPSession", "JSONSerializer",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Interoperability with real peers (Autobahn|Python, Crossbar.io), started by the tests.
        .testTarget(
            name: "InteropTests",
            dependencies: [
                "Transport", "RawSocketTransport", "WebSocketTransport", "UniversalServer", "JSONSerializer",
                "MsgPackSerializer", "WAMPSession",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            exclude: ["Peers"],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
