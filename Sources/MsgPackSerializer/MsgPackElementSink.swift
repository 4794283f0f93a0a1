internal import Transport

/// Writes a message's elements with msgpack-c's packer as the message hands them over
/// (``WAMPMessage/appendElements(to:withoutPayload:)``), and counts them: no list form is
/// built. The first element that cannot be written stops the writing; its error is kept for
/// the caller to throw.
struct MsgPackElementSink: WAMPElementSink {
    let writer: MsgPackWriter
    let packer: MsgPackWriter.Packer
    /// Why an element could not be written; later elements are skipped.
    private(set) var error: WAMPSerializationError?
    /// The elements handed over: the list's length.
    private(set) var count = 0

    init(writer: MsgPackWriter, packer: MsgPackWriter.Packer) {
        self.writer = writer
        self.packer = packer
    }

    mutating func append(_ element: WAMPValue) {
        count += 1
        guard error == nil else { return }
        do {
            try writer.write(element, depth: 1, packer: packer)
        } catch {
            self.error = error
        }
    }
}
