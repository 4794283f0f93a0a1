import Logging
import NIOCore
import NIOHTTP1
import NIOWebSocket
import Transport

/// Installs the HTTP upgrade handlers and, after the upgrade, the WAMP WebSocket handler.
package enum WebSocketPipeline {
    /// Configures a server channel (after TLS, if any) to accept one WAMP WebSocket upgrade
    /// at `path`, negotiating one of `serializers`. The result completes when the upgrade is
    /// done or refused; the channel is closed when it does not complete within the
    /// configuration's `handshakeTimeout`.
    package static func configureServer(
        on channel: any Channel, path: String, serializers: [any WAMPSerializer],
        configuration: WebSocketConfiguration, metrics: TransportMetrics, logger: Logger
    ) throws -> EventLoopFuture<WebSocketUpgradeResult> {
        let accepted = serializers.map(\.id.webSocketSubprotocol)
        // The head of an upgrade request this server refuses, for the error response (the
        // upgrade handler does not pass it on).
        let refusedHead = NIOLoopBoundBox<HTTPRequestHead?>(nil, eventLoop: channel.eventLoop)
        let upgrader = NIOTypedWebSocketServerUpgrader<WebSocketUpgradeResult>(
            maxFrameSize: min(configuration.maxReceiveLength, Int(UInt32.max)),
            shouldUpgrade: { channel, head in
                let offered = WebSocketSubprotocol.parse(head.headers["Sec-WebSocket-Protocol"])
                guard pathOf(head.uri) == pathOf(path),
                      let serializer = WebSocketSubprotocol.select(offered: offered, accepted: serializers)
                else {
                    logger.debug("WebSocket upgrade refused", metadata: ["uri": "\(head.uri)", "offered": "\(offered)"])
                    refusedHead.value = head
                    return channel.eventLoop.makeSucceededFuture(nil)
                }
                var headers = HTTPHeaders()
                headers.add(name: "Sec-WebSocket-Protocol", value: serializer.id.webSocketSubprotocol)
                return channel.eventLoop.makeSucceededFuture(headers)
            },
            upgradePipelineHandler: { channel, head in
                channel.eventLoop.makeCompletedFuture {
                    let offered = WebSocketSubprotocol.parse(head.headers["Sec-WebSocket-Protocol"])
                    guard let serializer = WebSocketSubprotocol.select(offered: offered, accepted: serializers) else {
                        throw WebSocketError(.subprotocolUnsupported, "no accepted subprotocol in \(offered)")
                    }
                    logger.debug("WebSocket upgrade accepted", metadata: ["subprotocol": "\(serializer.id.webSocketSubprotocol)"])
                    return .upgraded(try install(
                        on: channel, serializer: serializer, isClient: false, configuration: configuration,
                        metrics: metrics, logger: logger))
                }
            })
        let upgradeConfiguration = NIOTypedHTTPServerUpgradeConfiguration<WebSocketUpgradeResult>(
            upgraders: [upgrader],
            notUpgradingCompletionHandler: { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(WebSocketRefusalHandler(
                        path: path, subprotocols: accepted, refusedUpgrade: refusedHead.value, metrics: metrics))
                    return .refused(WebSocketError(.upgradeRefused, "the request was not a WAMP WebSocket upgrade for \(path)"))
                }
            })
        let result = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(
            configuration: .init(upgradeConfiguration: upgradeConfiguration))
        let timeout = configuration.handshakeTimeout
        let timer = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            logger.debug("WebSocket handshake timed out", metadata: ["timeout": "\(timeout)"])
            metrics.handshakeFailed(code: WebSocketError.Code.handshakeTimeout.description)
            channel.close(promise: nil)
        }
        result.whenComplete { _ in timer.cancel() }
        return result
    }

    /// Configures a server channel (after TLS, if any) to answer every request with HTTP 503
    /// and close: the server is at its connection limit.
    package static func configureOverloaded(
        on channel: any Channel, path: String, serializers: [any WAMPSerializer], configuration: WebSocketConfiguration,
        metrics: TransportMetrics
    ) throws -> EventLoopFuture<WebSocketUpgradeResult> {
        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
        try channel.pipeline.syncOperations.addHandler(WebSocketRefusalHandler(
            path: path, subprotocols: serializers.map(\.id.webSocketSubprotocol), refusedUpgrade: nil, overloaded: true,
            metrics: metrics))
        let timeout = configuration.handshakeTimeout
        let timer = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) { channel.close(promise: nil) }
        channel.closeFuture.whenComplete { _ in timer.cancel() }
        return channel.eventLoop.makeSucceededFuture(.refused(WebSocketError(
            .upgradeRefused, "the server is at its connection limit; the request gets HTTP 503")))
    }

    /// Configures a client channel (after TLS, if any) to send the upgrade request for
    /// `endpoint`, offering `serializers` in order of preference.
    static func configureClient(
        on channel: any Channel, endpoint: WebSocketEndpoint, serializers: [any WAMPSerializer],
        configuration: WebSocketConfiguration, metrics: TransportMetrics, logger: Logger
    ) throws -> EventLoopFuture<WebSocketUpgradeResult> {
        let offered = serializers.map(\.id.webSocketSubprotocol)
        // The status of a response that refuses the upgrade, for the error (`HTTP 404`).
        let status = NIOLoopBoundBox<HTTPResponseStatus?>(nil, eventLoop: channel.eventLoop)
        let upgrader = NIOTypedWebSocketClientUpgrader<WebSocketUpgradeResult>(
            maxFrameSize: min(configuration.maxReceiveLength, Int(UInt32.max)),
            upgradePipelineHandler: { channel, response in
                channel.eventLoop.makeCompletedFuture {
                    let chosen = WebSocketSubprotocol.parse(response.headers["Sec-WebSocket-Protocol"])
                    guard chosen.count == 1, let serializer = serializers.first(where: { $0.id.webSocketSubprotocol == chosen[0] })
                    else {
                        closeSoon(channel)
                        return .refused(WebSocketError(
                            .subprotocolUnsupported,
                            "the server chose the subprotocol \(chosen.isEmpty ? "(none)" : chosen.joined(separator: ", ")); this client offered \(offered.joined(separator: ", "))"))
                    }
                    logger.debug("WebSocket upgrade accepted", metadata: ["subprotocol": "\(chosen[0])"])
                    return .upgraded(try install(
                        on: channel, serializer: serializer, isClient: true, configuration: configuration,
                        metrics: metrics, logger: logger))
                }
            })
        var headers = HTTPHeaders()
        let hostHeader = endpoint.host.contains(":") ? "[\(endpoint.host)]" : endpoint.host
        headers.add(name: "Host", value: "\(hostHeader):\(endpoint.port)")
        headers.add(name: "Sec-WebSocket-Protocol", value: WebSocketSubprotocol.offer(serializers))
        headers.add(name: "Content-Length", value: "0")
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: endpoint.path, headers: headers)
        let upgradeConfiguration = NIOTypedHTTPClientUpgradeConfiguration<WebSocketUpgradeResult>(
            upgradeRequestHead: head, upgraders: [upgrader],
            notUpgradingCompletionHandler: { channel in
                channel.eventLoop.makeCompletedFuture {
                    closeSoon(channel)
                    let answer = status.value.map { "HTTP \($0.code) \($0.reasonPhrase)" } ?? "no HTTP response"
                    return .refused(WebSocketError(.upgradeRefused, "WebSocket upgrade refused: \(answer)"))
                }
            })
        let result = try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(
            configuration: .init(upgradeConfiguration: upgradeConfiguration))
        let upgradeHandler = try channel.pipeline.syncOperations.handler(
            type: NIOTypedHTTPClientUpgradeHandler<WebSocketUpgradeResult>.self)
        try channel.pipeline.syncOperations.addHandler(
            WebSocketResponseStatusRecorder(status: status), position: .before(upgradeHandler))
        return result
    }

    /// Installs the WAMP handler and the bridge to async Swift on an upgraded channel.
    static func install(
        on channel: any Channel, serializer: any WAMPSerializer, isClient: Bool,
        configuration: WebSocketConfiguration, metrics: TransportMetrics, logger: Logger
    ) throws -> OpenedWebSocket {
        let handler = WebSocketChannelHandler(
            binary: serializer.isBinary, isClient: isClient, configuration: configuration, metrics: metrics,
            logger: logger)
        try channel.pipeline.syncOperations.addHandler(handler)
        let bridge = try ChannelBridge(
            installingOn: channel, maxBufferedMessages: configuration.maxBufferedMessages,
            maxUnwrittenBytes: configuration.maxUnwrittenSendBytes,
            closedError: WebSocketFraming.connectionClosed)
        return OpenedWebSocket(bridge: bridge, serializer: serializer, configuration: configuration, metrics: metrics)
    }

    /// Closes a channel once the upgrade handler is done with the current event (closing
    /// from inside its completion handlers disturbs its state).
    private static func closeSoon(_ channel: any Channel) {
        channel.eventLoop.execute { channel.close(promise: nil) }
    }

    /// The path of a request target, without the query.
    static func pathOf(_ uri: String) -> Substring {
        uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
    }
}
