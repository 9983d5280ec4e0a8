/// A value decoded from a pickle by `RestrictedUnpickler`: plain data and NumPy arrays only.
public indirect enum PickleValue: CustomStringConvertible {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    /// Bytes, as a range of the mapped file when they came from it directly (no copy), or owned.
    case bytes(PickleBytes)
    case list(PickleList)
    case tuple([PickleValue])
    case dict(PickleDict)
    /// A global reference from the allowlist, not yet called.
    case global(module: String, name: String)
    case dtype(NumPyDType)
    case array(NumPyArray)

    public var description: String {
        switch self {
        case .none: "None"
        case .bool(let b): b ? "True" : "False"
        case .int(let i): "\(i)"
        case .float(let d): "\(d)"
        case .string(let s): "'\(s.prefix(40))'"
        case .bytes(let b): "bytes(\(b.count))"
        case .list(let l): "list(\(l.items.count))"
        case .tuple(let t): "tuple(\(t.count))"
        case .dict(let d): "dict(\(d.items.map { "\($0.key)" }.joined(separator: ", ")))"
        case .global(let m, let n): "\(m).\(n)"
        case .dtype(let d): "dtype(\(d))"
        case .array(let a): "array(\(a.shape), \(a.dtype))"
        }
    }

    /// The kind, for error messages.
    var kind: String {
        switch self {
        case .none: "None"
        case .bool: "bool"
        case .int: "int"
        case .float: "float"
        case .string: "str"
        case .bytes: "bytes"
        case .list: "list"
        case .tuple: "tuple"
        case .dict: "dict"
        case .global: "global"
        case .dtype: "dtype"
        case .array: "ndarray"
        }
    }
}

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

/// Lists and dicts are reference types so that a memoised one and its later appends agree.
public final class PickleList { public var items: [PickleValue] = [] }
public final class PickleDict {
    public var items: [(key: PickleValue, value: PickleValue)] = []
    public subscript(_ key: String) -> PickleValue? {
        items.first { if case .string(let k) = $0.key { return k == key } else { return false } }?.value
    }
    public var stringKeys: [String] {
        items.compactMap { if case .string(let k) = $0.key { return k } else { return nil } }
    }
}
