/// An error from libhdf5, naming the file, the object and what was expected.
public struct HDF5Error: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let object: String
    public let message: String

    public var description: String {
        object.isEmpty ? "\(path): \(message)" : "\(path): \(object): \(message)"
    }
}
