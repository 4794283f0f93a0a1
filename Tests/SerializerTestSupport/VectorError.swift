/// The vectors could not be found or read.
public struct VectorError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
