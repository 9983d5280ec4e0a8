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
    case tuple(PickleTuple)
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
        case .tuple(let t): "tuple(\(t.items.count))"
        case .dict(let d): "dict(\(d.items.map { "\($0.key)" }.joined(separator: ", ")))"
        case .global(let m, let n): "\(m).\(n)"
        case .dtype(let d): "dtype(\(d))"
        case .array(let a): "array(\(a.shape), \(a.dtype))"
        }
    }

    /// What the value holds, for an error a user can report: types, keys and shapes of the
    /// first `entries` items of each container, `levels` deep (never the data itself).
    public func structure(levels: Int = 3, entries: Int = 3) -> String {
        func items(_ values: [String], total: Int) -> String {
            values.joined(separator: ", ") + (total > values.count ? ", ... (\(total) in all)" : "")
        }
        guard levels > 0 else { return kind }
        switch self {
        case .list(let l):
            let shown = l.items.prefix(entries).map {
                $0.structure(levels: levels - 1, entries: entries)
            }
            return "list of \(l.items.count) [\(items(shown, total: l.items.count))]"
        case .tuple(let t):
            let shown = t.items.prefix(entries).map {
                $0.structure(levels: levels - 1, entries: entries)
            }
            return "tuple of \(t.items.count) (\(items(shown, total: t.items.count)))"
        case .dict(let d):
            let shown = d.items.prefix(max(entries, 6)).map {
                let value = $0.value.structure(levels: levels - 1, entries: entries)
                return "\($0.key.structure(levels: 1)): \(value)"
            }
            return "dict of \(d.items.count) {\(items(shown, total: d.items.count))}"
        case .string(let s): return "str '\(s.prefix(40))'"
        case .array(let a): return "ndarray \(a.shape) \(a.dtype)"
        default: return description
        }
    }

    /// The nesting recorded while building: 0 for a scalar or an array.
    var nesting: Int {
        switch self {
        case .list(let l): l.depth
        case .tuple(let t): t.depth
        case .dict(let d): d.depth
        default: 0
        }
    }

    /// The containers directly inside this value (none for a scalar or an array).
    var children: [PickleValue] {
        switch self {
        case .list(let l): l.items
        case .tuple(let t): t.items
        case .dict(let d): d.items.flatMap { [$0.key, $0.value] }
        default: []
        }
    }

    /// The container's identity, nil for a scalar or an array.
    var identity: ObjectIdentifier? {
        switch self {
        case .list(let l): ObjectIdentifier(l)
        case .tuple(let t): ObjectIdentifier(t)
        case .dict(let d): ObjectIdentifier(d)
        default: nil
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

/// Containers are reference types: a memoised list and its later appends agree, and the
/// unpickler can walk and take apart any structure by identity, without recursion.
/// `depth` is the nesting the unpickler recorded while building (1 for a flat container).
public final class PickleList {
    public var items: [PickleValue] = []
    var depth = 1
}
public final class PickleTuple {
    public internal(set) var items: [PickleValue]
    let depth: Int
    init(_ items: [PickleValue]) {
        self.items = items
        depth = 1 + (items.map(\.nesting).max() ?? 0)
    }
}
public final class PickleDict {
    public var items: [(key: PickleValue, value: PickleValue)] = []
    var depth = 1
    public subscript(_ key: String) -> PickleValue? {
        items.first { if case .string(let k) = $0.key { return k == key } else { return false } }?
            .value
    }
    public var stringKeys: [String] {
        items.compactMap { if case .string(let k) = $0.key { return k } else { return nil } }
    }
}
