/// Bytes of a pickle: a slice of the mapped file or an owned copy (latin-1 decoded strings).
public enum PickleBytes {
    case mapped(UnsafeRawBufferPointer, owner: MappedFile)
    case owned([UInt8])

    public var count: Int {
        switch self {
        case .mapped(let b, _): b.count
        case .owned(let a): a.count
        }
    }

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch self {
        case .mapped(let b, _): try body(b)
        case .owned(let a): try a.withUnsafeBytes(body)
        }
    }
}
