/// Where a message's list form goes, element by element: an array (``WAMPMessage/elements``),
/// or a serializer that writes each element as it comes, without building the list.
///
/// ``WAMPMessageBody/appendElements(to:)`` and ``WAMPMessage/appendElements(to:withoutPayload:)``
/// hand the elements over in order. An `[WAMPValue]` is a sink as it is.
public protocol WAMPElementSink {
    /// Takes the next element of the list form.
    mutating func append(_ element: WAMPValue)
}

extension Array: WAMPElementSink where Element == WAMPValue {}
