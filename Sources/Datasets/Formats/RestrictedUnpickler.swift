/// Decodes a pickle without ever executing anything in it.
///
/// Python's unpickler calls whatever callable a pickle names, which is how a pickle runs a
/// command. This one knows a fixed set of opcodes (protocols 2 to 5) and a fixed allowlist of
/// globals, each of which it *interprets* itself rather than calls:
/// - `numpy.core.multiarray._reconstruct` / `numpy._core.multiarray._reconstruct` with the
///   `ndarray.__setstate__` state (NumPy 1.x and 2.x, protocols 2 to 4);
/// - `numpy.core.numeric._frombuffer` / `numpy._core.numeric._frombuffer` (protocol 5);
/// - `numpy.dtype` and its state; `numpy.ndarray` (as an argument only);
/// - `_codecs.encode(str, 'latin1')`, which is how protocol 2 stores `bytes`.
/// Any other global, opcode, an object array, or a truncated file is an error that names the
/// file, the opcode and the byte offset.
///
/// No input can crash it: every length, count and shape product is checked for overflow and
/// against the bytes left in the file before anything is allocated; containers nest at most
/// `maximumDepth` levels (a feature dump needs four), checked as they are built and again,
/// exactly, on the finished value (a memoised list may be filled after it was nested); a list
/// that contains itself is refused. Whatever the outcome, the values built are taken apart
/// iteratively, so that no deep or cyclic structure is ever released by recursion.
///
/// reference: https://github.com/python/cpython/blob/main/Lib/pickletools.py (opcode table)
public struct RestrictedUnpickler {
    public let file: MappedFile

    static let allowedGlobals: Set<String> = [
        "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct",
        "numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer",
        "numpy.dtype", "numpy.ndarray", "_codecs.encode",
    ]

    /// How deeply lists, tuples and dicts may nest (the release's pickles: list > dict > array).
    public static let maximumDepth = 100

    public init(file: MappedFile) { self.file = file }

    public static func load(path: String) throws -> PickleValue {
        try RestrictedUnpickler(file: try MappedFile(path: path)).load()
    }

    /// A value under construction: an object whose `__setstate__` (BUILD) is still to come.
    private enum Pending {
        case arrayShell  // _reconstruct(ndarray, (0,), b'b'), waiting for its state
        case dtypeShell(NumPyDType)
    }

    public func load() throws -> PickleValue {
        let bytes = file.bytes
        var stack: [PickleValue] = []
        var marks: [Int] = []
        var memo: [Int: PickleValue] = [:]
        var shells: [Int: Pending] = [:]  // stack index -> pending object (by position)
        // Memo keys that hold a shell, by stack index: BUILD must update them too, since a
        // pickle memoises an array or dtype before its state arrives (and may GET it later).
        var shellMemoKeys: [Int: [Int]] = [:]
        var pos = 0
        let path = file.path

        func fail(_ message: String, at offset: Int) -> DataError {
            DataError(file: path, message: "pickle \(message) at byte \(offset)")
        }
        func need(_ n: Int, _ what: String, _ at: Int) throws {
            guard n >= 0, n <= bytes.count - pos else {
                throw fail(
                    "truncated: \(what) runs past the end of the file (\(bytes.count) bytes)",
                    at: at)
            }
        }
        func readUInt(_ n: Int, _ at: Int) throws -> UInt64 {
            try need(n, "a \(n)-byte integer", at)
            var v: UInt64 = 0
            for i in 0..<n { v |= UInt64(bytes[pos + i]) << (8 * UInt64(i)) }
            pos += n
            return v
        }
        func readSlice(_ n: Int, _ what: String, _ at: Int) throws -> UnsafeRawBufferPointer {
            try need(n, what, at)
            defer { pos += n }
            return UnsafeRawBufferPointer(rebasing: bytes[pos..<(pos + n)])
        }
        /// A length prefix of `width` bytes, checked against the bytes left before any use.
        func readLength(_ width: Int, _ what: String, _ at: Int) throws -> Int {
            let n = try readUInt(width, at)
            guard n <= UInt64(bytes.count - pos) else {
                throw fail(
                    "truncated: \(what) of \(n) bytes runs past the end of the file "
                        + "(\(bytes.count) bytes)",
                    at: at)
            }
            return Int(n)
        }
        func readString(_ n: Int, _ at: Int) throws -> String {
            String(decoding: try readSlice(n, "a string", at), as: UTF8.self)
        }
        func readLine(_ at: Int) throws -> String {
            var end = pos
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            guard end < bytes.count else { throw fail("truncated: unterminated line", at: at) }
            let s = String(
                decoding: UnsafeRawBufferPointer(rebasing: bytes[pos..<end]), as: UTF8.self)
            pos = end + 1
            return s
        }
        func pop(_ at: Int) throws -> PickleValue {
            guard let v = stack.popLast() else { throw fail("stack underflow", at: at) }
            shells[stack.count] = nil
            shellMemoKeys[stack.count] = nil
            return v
        }
        func memoize(_ key: Int, _ at: Int) throws {
            guard let top = stack.last else { throw fail("memoising from an empty stack", at: at) }
            memo[key] = top
            if shells[stack.count - 1] != nil {
                shellMemoKeys[stack.count - 1, default: []].append(key)
            }
        }
        func popMark(_ at: Int) throws -> [PickleValue] {
            guard let m = marks.popLast(), m <= stack.count else {
                throw fail("MARK missing", at: at)
            }
            let items = Array(stack[m...])
            for i in m..<stack.count {
                shells[i] = nil
                shellMemoKeys[i] = nil
            }
            stack.removeSubrange(m...)
            return items
        }
        func push(_ v: PickleValue) { stack.append(v) }
        func checkDepth(_ depth: Int, _ at: Int) throws {
            guard depth <= Self.maximumDepth else {
                throw fail(
                    "containers nested deeper than \(Self.maximumDepth) levels refused", at: at)
            }
        }
        // Whatever happens, take apart what was built, without recursion; keep only the result.
        var result: PickleValue?
        defer { Self.dismantle(roots: stack + Array(memo.values), keeping: result) }

        // Protocols 2 to 5 all open with PROTO n.
        guard bytes.count >= 2, bytes[0] == 0x80, (2...5).contains(bytes[1]) else {
            let found =
                bytes.count < 2
                ? "\(bytes.count) bytes"
                : "first bytes 0x\(String(bytes[0], radix: 16)) 0x\(String(bytes[1], radix: 16))"
            throw DataError(file: path, message: "not a pickle of protocol 2 to 5 (\(found))")
        }

        while true {
            let at = pos
            guard pos < bytes.count else { throw fail("truncated: no STOP opcode", at: at) }
            let op = bytes[pos]
            pos += 1
            switch op {
            case 0x80: _ = try readUInt(1, at)  // PROTO
            case 0x95: _ = try readUInt(8, at)  // FRAME: frames are contiguous in the file
            case 0x2E:  // STOP
                guard let top = stack.last else { throw fail("STOP with an empty stack", at: at) }
                try Self.checkNesting(of: top) { throw fail($0, at: at) }
                result = top
                return top
            case 0x28: marks.append(stack.count)  // MARK
            case 0x30: _ = try pop(at)  // POP
            case 0x31: _ = try popMark(at)  // POP_MARK
            case 0x32:  // DUP
                guard let top = stack.last else { throw fail("DUP of an empty stack", at: at) }
                push(top)
            case 0x4E: push(.none)
            case 0x88: push(.bool(true))
            case 0x89: push(.bool(false))
            case 0x4A: push(.int(Int(Int32(truncatingIfNeeded: try readUInt(4, at)))))  // BININT
            case 0x4B: push(.int(Int(try readUInt(1, at))))  // BININT1
            case 0x4D: push(.int(Int(try readUInt(2, at))))  // BININT2
            case 0x8A, 0x8B:  // LONG1, LONG4: little-endian two's complement
                let n = Int(try readUInt(op == 0x8A ? 1 : 4, at))
                guard n <= 8 else { throw fail("integer of \(n) bytes is too large", at: at) }
                let raw = try readSlice(n, "a long", at)
                var v: UInt64 = 0
                for i in 0..<n { v |= UInt64(raw[i]) << (8 * UInt64(i)) }
                if n > 0 && n < 8 && raw[n - 1] & 0x80 != 0 { v |= ~0 << (8 * UInt64(n)) }
                push(.int(Int(Int64(bitPattern: v))))
            case 0x47:  // BINFLOAT: big-endian double
                let bits = try readUInt(8, at).byteSwapped
                push(.float(Double(bitPattern: bits)))
            case 0x49:  // INT (text)
                let line = try readLine(at)
                if line == "00" || line == "01" {
                    push(.bool(line == "01"))
                } else {
                    guard let v = Int(line) else { throw fail("INT with text '\(line)'", at: at) }
                    push(.int(v))
                }
            case 0x8C, 0x58, 0x8D:  // SHORT_BINUNICODE, BINUNICODE, BINUNICODE8
                let n = try readLength(op == 0x8C ? 1 : op == 0x58 ? 4 : 8, "a string", at)
                push(.string(try readString(n, at)))
            // SHORT_BINSTRING, BINSTRING, SHORT_BINBYTES, BINBYTES, BINBYTES8, BYTEARRAY8
            case 0x55, 0x54, 0x43, 0x42, 0x8E, 0x96:
                let width = [0x55: 1, 0x54: 4, 0x43: 1, 0x42: 4, 0x8E: 8, 0x96: 8][op]!
                let n = try readLength(width, "bytes", at)
                push(.bytes(.mapped(try readSlice(n, "bytes", at), owner: file)))
            case 0x97, 0x98:
                throw fail(
                    op == 0x97
                        ? "NEXT_BUFFER (an out-of-band buffer, which a file cannot carry) refused"
                        : "READONLY_BUFFER refused", at: at)
            case 0x29: push(.tuple(PickleTuple([])))  // EMPTY_TUPLE
            case 0x74:  // TUPLE
                let t = PickleTuple(try popMark(at))
                try checkDepth(t.depth, at)
                push(.tuple(t))
            case 0x85, 0x86, 0x87:  // TUPLE1..3
                let n = Int(op - 0x84)
                guard stack.count >= n else { throw fail("stack underflow", at: at) }
                var items: [PickleValue] = []
                for _ in 0..<n { items.insert(try pop(at), at: 0) }
                let t = PickleTuple(items)
                try checkDepth(t.depth, at)
                push(.tuple(t))
            case 0x5D: push(.list(PickleList()))  // EMPTY_LIST
            case 0x6C:  // LIST
                let l = PickleList()
                l.items = try popMark(at)
                l.depth = 1 + (l.items.map(\.nesting).max() ?? 0)
                try checkDepth(l.depth, at)
                push(.list(l))
            case 0x61:  // APPEND
                let v = try pop(at)
                guard case .list(let l)? = stack.last else {
                    throw fail("APPEND to a non-list", at: at)
                }
                l.items.append(v)
                l.depth = max(l.depth, v.nesting + 1)
                try checkDepth(l.depth, at)
            case 0x65:  // APPENDS
                let items = try popMark(at)
                guard case .list(let l)? = stack.last else {
                    throw fail("APPENDS to a non-list", at: at)
                }
                l.items += items
                l.depth = max(l.depth, 1 + (items.map(\.nesting).max() ?? 0))
                try checkDepth(l.depth, at)
            case 0x7D: push(.dict(PickleDict()))  // EMPTY_DICT
            case 0x64:  // DICT
                let items = try popMark(at)
                let d = PickleDict()
                for i in stride(from: 0, to: items.count - 1, by: 2) {
                    d.items.append((items[i], items[i + 1]))
                }
                d.depth = 1 + (items.map(\.nesting).max() ?? 0)
                try checkDepth(d.depth, at)
                push(.dict(d))
            case 0x73:  // SETITEM
                let v = try pop(at)
                let k = try pop(at)
                guard case .dict(let d)? = stack.last else {
                    throw fail("SETITEM on a non-dict", at: at)
                }
                d.items.append((k, v))
                d.depth = max(d.depth, 1 + max(k.nesting, v.nesting))
                try checkDepth(d.depth, at)
            case 0x75:  // SETITEMS
                let items = try popMark(at)
                guard case .dict(let d)? = stack.last else {
                    throw fail("SETITEMS on a non-dict", at: at)
                }
                for i in stride(from: 0, to: items.count - 1, by: 2) {
                    d.items.append((items[i], items[i + 1]))
                }
                d.depth = max(d.depth, 1 + (items.map(\.nesting).max() ?? 0))
                try checkDepth(d.depth, at)
            case 0x94: try memoize(memo.count, at)  // MEMOIZE
            // BINPUT, LONG_BINPUT
            case 0x71, 0x72: try memoize(Int(try readUInt(op == 0x71 ? 1 : 4, at)), at)
            case 0x68, 0x6A:  // BINGET, LONG_BINGET
                let index = Int(try readUInt(op == 0x68 ? 1 : 4, at))
                guard let v = memo[index] else {
                    throw fail("GET of unknown memo \(index)", at: at)
                }
                push(v)
            case 0x70:  // PUT (text)
                guard let index = Int(try readLine(at)) else { throw fail("bad PUT", at: at) }
                try memoize(index, at)
            case 0x67:  // GET (text)
                guard let index = Int(try readLine(at)), let v = memo[index] else {
                    throw fail("bad GET", at: at)
                }
                push(v)
            case 0x63:  // GLOBAL "module\nname\n"
                let module = try readLine(at)
                let name = try readLine(at)
                push(try global(module, name, at))
            case 0x93:  // STACK_GLOBAL
                let name = try pop(at)
                let module = try pop(at)
                guard case .string(let m) = module, case .string(let n) = name else {
                    throw fail("STACK_GLOBAL with non-string names", at: at)
                }
                push(try global(m, n, at))
            case 0x52:  // REDUCE: callable(*args), interpreted for the allowlist only
                let args = try pop(at)
                let callable = try pop(at)
                guard case .global(let module, let name) = callable,
                    case .tuple(let argsTuple) = args
                else {
                    throw fail("REDUCE of \(callable.kind) refused", at: at)
                }
                let a = argsTuple.items
                switch name {
                case "_reconstruct":
                    guard a.count >= 1, case .global(_, "ndarray") = a[0] else {
                        throw fail(
                            "_reconstruct of something other than numpy.ndarray refused", at: at)
                    }
                    push(.none)
                    shells[stack.count - 1] = .arrayShell
                case "dtype":
                    guard case .string(let typeString)? = a.first else {
                        throw fail("numpy.dtype without a type string", at: at)
                    }
                    let dtype = NumPyDType(typeString: typeString)
                    push(.dtype(dtype))
                    shells[stack.count - 1] = .dtypeShell(dtype)
                case "_frombuffer":
                    // _frombuffer(buffer, dtype, shape, order)
                    guard a.count == 4, case .bytes(let data) = a[0], case .dtype(let dtype) = a[1],
                        let shape = Self.shape(a[2]), case .string(let order) = a[3]
                    else {
                        throw fail(
                            "_frombuffer with unexpected arguments (\(a.map(\.kind)))", at: at)
                    }
                    push(
                        .array(
                            try NumPyArray(
                                shape: shape, dtype: dtype, fortranOrder: order == "F", data: data,
                                file: path)))
                case "encode":
                    guard a.count >= 1, case .string(let text) = a[0] else {
                        throw fail("_codecs.encode of a non-string", at: at)
                    }
                    if a.count > 1, case .string(let encoding) = a[1],
                        !["latin1", "latin-1", "iso-8859-1"].contains(encoding.lowercased())
                    {
                        throw fail("_codecs.encode with encoding '\(encoding)' refused", at: at)
                    }
                    var out: [UInt8] = []
                    out.reserveCapacity(text.unicodeScalars.count)
                    for scalar in text.unicodeScalars {
                        guard scalar.value < 256 else {
                            throw fail("latin-1 bytes with a code point above 255", at: at)
                        }
                        out.append(UInt8(scalar.value))
                    }
                    push(.bytes(.owned(out)))
                default:
                    throw fail("REDUCE of \(module).\(name) refused", at: at)
                }
            case 0x62:  // BUILD: obj.__setstate__(state)
                let state = try pop(at)
                guard let index = stack.indices.last, let shell = shells[index] else {
                    throw fail(
                        "BUILD on \(stack.last?.kind ?? "nothing") refused: "
                            + "only NumPy arrays and dtypes are rebuilt",
                        at: at)
                }
                shells[index] = nil
                switch shell {
                case .dtypeShell(var dtype):
                    // (version, byteorder, subdescr, names, fields, elsize, alignment, flags)
                    guard case .tuple(let stateTuple) = state, case let t = stateTuple.items,
                        t.count >= 2, case .string(let order) = t[1], let c = order.first
                    else {
                        throw fail("dtype state not understood", at: at)
                    }
                    if t.count > 3, case .tuple = t[3] {
                        throw fail("structured dtype refused", at: at)
                    }
                    dtype.byteOrder = c
                    stack[index] = .dtype(dtype)
                case .arrayShell:
                    // (version, shape, dtype, is_fortran, rawdata)
                    guard case .tuple(let stateTuple) = state, case let t = stateTuple.items,
                        t.count == 5, let shape = Self.shape(t[1]),
                        case .dtype(let dtype) = t[2], case .bool(let fortran) = t[3]
                    else { throw fail("ndarray state not understood", at: at) }
                    guard case .bytes(let data) = t[4] else {
                        throw fail(
                            "ndarray with \(t[4].kind) data refused "
                                + "(an object array, whose elements are pickled objects)",
                            at: at)
                    }
                    stack[index] = .array(
                        try NumPyArray(
                            shape: shape, dtype: dtype, fortranOrder: fortran, data: data,
                            file: path))
                }
                for key in shellMemoKeys.removeValue(forKey: index) ?? [] {
                    memo[key] = stack[index]
                }
            case 0x81, 0x92:  // NEWOBJ, NEWOBJ_EX
                throw fail(
                    "\(op == 0x81 ? "NEWOBJ" : "NEWOBJ_EX") refused: "
                        + "only plain data and NumPy arrays are read",
                    at: at)
            case 0x8F, 0x90, 0x91:
                throw fail("sets refused", at: at)
            default:
                throw fail(
                    "opcode 0x\(String(op, radix: 16)) "
                        + "('\(Character(Unicode.Scalar(op)))') refused",
                    at: at)
            }
        }

        func global(_ module: String, _ name: String, _ at: Int) throws -> PickleValue {
            guard Self.allowedGlobals.contains("\(module).\(name)") else {
                throw fail(
                    "global \(module).\(name) refused (allowed: NumPy array reconstruction only)",
                    at: at)
            }
            return .global(module: module, name: name)
        }
    }

    /// The exact nesting of a finished value, walked without recursion (each container once):
    /// a container that contains itself, or nesting beyond `maximumDepth`, is an error.
    static func checkNesting(of value: PickleValue, _ fail: (String) throws -> Never) throws {
        var depth: [ObjectIdentifier: Int] = [:]
        var onPath = Set<ObjectIdentifier>()
        var work: [(value: PickleValue, expanded: Bool)] = [(value, false)]
        while let (v, expanded) = work.popLast() {
            guard let id = v.identity else { continue }
            if expanded {
                onPath.remove(id)
                let d = 1 + (v.children.compactMap { $0.identity.flatMap { depth[$0] } }.max() ?? 0)
                guard d <= maximumDepth else {
                    try fail("containers nested deeper than \(maximumDepth) levels refused")
                }
                depth[id] = d
            } else if depth[id] == nil {
                guard onPath.insert(id).inserted else {
                    try fail("a container that contains itself refused")
                }
                work.append((v, true))
                for child in v.children where child.identity != nil {
                    if let childID = child.identity, onPath.contains(childID) {
                        try fail("a container that contains itself refused")
                    }
                    work.append((child, false))
                }
            }
        }
    }

    /// Empties every container reachable from `roots` except those inside `keeping`, so that
    /// releasing them never recurses (deep chains, cycles); each container is visited once.
    static func dismantle(roots: [PickleValue], keeping: PickleValue?) {
        var kept = Set<ObjectIdentifier>()
        var work = keeping.map { [$0] } ?? []
        while let v = work.popLast() {
            guard let id = v.identity, kept.insert(id).inserted else { continue }
            work += v.children
        }
        var seen = kept
        var garbage: [PickleValue] = []
        work = roots
        while let v = work.popLast() {
            guard let id = v.identity, seen.insert(id).inserted else { continue }
            garbage.append(v)
            work += v.children
        }
        for v in garbage {
            switch v {
            case .list(let l): l.items = []
            case .tuple(let t): t.items = []
            case .dict(let d): d.items = []
            default: break
            }
        }
    }

    private static func shape(_ value: PickleValue) -> [Int]? {
        guard case .tuple(let tuple) = value else { return nil }
        var shape: [Int] = []
        for item in tuple.items {
            guard case .int(let n) = item, n >= 0 else { return nil }
            shape.append(n)
        }
        return shape
    }
}
