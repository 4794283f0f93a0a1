import Transport

/// The messages that one routing step claimed to send itself (``SessionLink/claim()``): sent by
/// ``send()`` after the router's lock, in the order they were routed.
///
/// Most steps route one message (a call, a result) or none; an event to many subscribers
/// routes more. The first is held inline, so that a step that sends one allocates nothing.
struct ClaimedSends {
    private var first: (link: SessionLink, message: WAMPMessage)?
    private var more: [(link: SessionLink, message: WAMPMessage)] = []

    /// Nothing claimed.
    init() {}

    /// Adds `message`, claimed on `link`.
    mutating func append(_ message: WAMPMessage, on link: SessionLink) {
        if first == nil {
            first = (link, message)
        } else {
            more.append((link, message))
        }
    }

    /// Sends each message on its link, or queues it for the link's writer
    /// (``SessionLink/sendClaimed(_:)``). Consuming: the messages are moved out, not copied.
    consuming func send() {
        guard let first = first.take() else { return }
        first.link.sendClaimed(first.message)
        for claimed in more { claimed.link.sendClaimed(claimed.message) }
    }
}
