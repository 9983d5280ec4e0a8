/// A NumPy array decoded from a pickle, its values still in the file's bytes.
public struct NumPyArray {
    public let shape: [Int]
    public let dtype: NumPyDType
    /// Column-major (Fortran) order; otherwise row-major (C).
    public let fortranOrder: Bool
    let data: PickleBytes

    public var count: Int { shape.reduce(1, *) }

    init(
        shape: [Int], dtype: NumPyDType, fortranOrder: Bool, data: PickleBytes, file: String
    ) throws {
        guard Self.readable(dtype) else {
            throw DataError(
                file: file,
                message:
                    "array of dtype \(dtype) refused: only float16/32/64, integer, bool and "
                    + "fixed-width string arrays are read (object arrays could run code)"
            )
        }
        // The byte count (and so the element count, items being at least one byte), checked for
        // overflow: a crafted shape such as (2^32, 2^32) is refused.
        var bytes = dtype.itemSize
        for n in shape {
            let (product, overflow) = bytes.multipliedReportingOverflow(by: n)
            guard n >= 0, !overflow else {
                throw DataError(
                    file: file,
                    message:
                        "array of shape \(shape) and dtype \(dtype) would need more bytes "
                        + "than a file can hold: corrupt"
                )
            }
            bytes = product
        }
        guard data.count == bytes else {
            throw DataError(
                file: file,
                message:
                    "array of shape \(shape) and dtype \(dtype) needs \(bytes) bytes, "
                    + "found \(data.count): truncated or corrupt"
            )
        }
        self.shape = shape
        self.dtype = dtype
        self.fortranOrder = fortranOrder
        self.data = data
    }

    /// The dtypes read: floats, integers and bools (numbers), fixed-width strings (MMSA's ids).
    static func readable(_ dtype: NumPyDType) -> Bool {
        switch dtype.kind {
        case .float: [2, 4, 8].contains(dtype.itemSize)
        case .signed, .unsigned: [1, 2, 4, 8].contains(dtype.itemSize)
        case .bool: dtype.itemSize == 1
        case .unicode: dtype.itemSize > 0 && dtype.itemSize % 4 == 0
        case .bytes: dtype.itemSize > 0
        case .object, .other: false
        }
    }

    public var isNumeric: Bool { [.float, .signed, .unsigned, .bool].contains(dtype.kind) }
    public var isString: Bool { dtype.kind == .unicode || dtype.kind == .bytes }

    /// Element `i` (storage order) of an integer or bool array, as `Int64` (a `u8` above
    /// `Int64.max` wraps; no data set stores one).
    private func integer(_ raw: UnsafeRawBufferPointer, at offset: Int) -> Int64 {
        let swap = dtype.isBigEndian
        switch (dtype.kind, dtype.itemSize) {
        case (.signed, 1): return Int64(raw.load(fromByteOffset: offset, as: Int8.self))
        case (.signed, 2):
            let v = raw.loadUnaligned(fromByteOffset: offset, as: Int16.self)
            return Int64(swap ? v.byteSwapped : v)
        case (.signed, 4):
            let v = raw.loadUnaligned(fromByteOffset: offset, as: Int32.self)
            return Int64(swap ? v.byteSwapped : v)
        case (.signed, _):
            let v = raw.loadUnaligned(fromByteOffset: offset, as: Int64.self)
            return swap ? v.byteSwapped : v
        case (_, 1): return Int64(raw.load(fromByteOffset: offset, as: UInt8.self))
        case (_, 2):
            let v = raw.loadUnaligned(fromByteOffset: offset, as: UInt16.self)
            return Int64(swap ? v.byteSwapped : v)
        case (_, 4):
            let v = raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
            return Int64(swap ? v.byteSwapped : v)
        default:
            let v = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            return Int64(truncatingIfNeeded: swap ? v.byteSwapped : v)
        }
    }

    /// The values of an integer or bool array, row-major; nil for other dtypes.
    public func integers() -> [Int]? {
        guard [.signed, .unsigned, .bool].contains(dtype.kind) else { return nil }
        return data.withUnsafeBytes { raw in
            (0..<count).map { Int(integer(raw, at: sourceIndex($0) * dtype.itemSize)) }
        }
    }

    /// The values of a string array (`U`: UTF-32, `S`: bytes as UTF-8), row-major, with
    /// NumPy's trailing NULs removed; nil for other dtypes.
    public func strings() -> [String]? {
        guard isString else { return nil }
        return data.withUnsafeBytes { raw in
            (0..<count).map { i in
                let offset = sourceIndex(i) * dtype.itemSize
                if dtype.kind == .bytes {
                    let bytes = Array(raw[offset..<(offset + dtype.itemSize)])
                    return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
                }
                var scalars = String.UnicodeScalarView()
                for c in 0..<(dtype.itemSize / 4) {
                    var v = raw.loadUnaligned(fromByteOffset: offset + 4 * c, as: UInt32.self)
                    if dtype.isBigEndian { v = v.byteSwapped }
                    guard v != 0 else { break }
                    scalars.append(Unicode.Scalar(v) ?? "\u{FFFD}")
                }
                return String(scalars)
            }
        }
    }

    /// The values as `Float`, row-major, written into `out` (`count` elements); integers and
    /// bools converted, a string array gives NaN (callers check `isNumeric` first).
    public func copyFloats(into out: UnsafeMutableBufferPointer<Float>) {
        precondition(out.count == count)
        guard dtype.kind == .float else {
            data.withUnsafeBytes { raw in
                for i in 0..<count {
                    out[i] =
                        isNumeric ? Float(integer(raw, at: sourceIndex(i) * dtype.itemSize)) : .nan
                }
            }
            return
        }
        data.withUnsafeBytes { raw in
            let swap = dtype.isBigEndian
            for i in 0..<count {
                let offset = sourceIndex(i) * dtype.itemSize
                switch dtype.itemSize {
                case 2:
                    var bits = raw.loadUnaligned(fromByteOffset: offset, as: UInt16.self)
                    if swap { bits = bits.byteSwapped }
                    out[i] = Float(Float16(bitPattern: bits))
                case 4:
                    var bits = raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
                    if swap { bits = bits.byteSwapped }
                    out[i] = Float(bitPattern: bits)
                default:
                    var bits = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                    if swap { bits = bits.byteSwapped }
                    out[i] = Float(Double(bitPattern: bits))
                }
            }
        }
    }

    /// Entry `i` of the first axis of a C-order array (a stacked `[N, T, D]` dump), sharing the
    /// bytes; nil for a Fortran-order array, whose entries are not contiguous.
    public func entry(_ i: Int) -> NumPyArray? {
        guard !fortranOrder, shape.count >= 2, (0..<shape[0]).contains(i) else { return nil }
        let rest = Array(shape.dropFirst())
        let size = rest.reduce(1, *) * dtype.itemSize
        let part: PickleBytes
        switch data {
        case .mapped(let range, let owner):
            part = .mapped(
                UnsafeRawBufferPointer(rebasing: range[(i * size)..<((i + 1) * size)]), owner: owner
            )
        case .owned(let bytes): part = .owned(Array(bytes[(i * size)..<((i + 1) * size)]))
        }
        return NumPyArray(checkedShape: rest, dtype: dtype, fortranOrder: false, data: part)
    }

    private init(checkedShape: [Int], dtype: NumPyDType, fortranOrder: Bool, data: PickleBytes) {
        shape = checkedShape
        self.dtype = dtype
        self.fortranOrder = fortranOrder
        self.data = data
    }

    /// Lets the kernel drop this array's pages of the mapped file (after its values were copied).
    public func releaseMappedPages() {
        if case .mapped(let range, let owner) = data { owner.dropPages(range) }
    }

    public func floats() -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            copyFloats(into: buffer)
            initialized = count
        }
    }

    /// The storage index of row-major element `i`.
    @inline(__always) private func sourceIndex(_ i: Int) -> Int {
        guard fortranOrder, shape.count > 1 else { return i }
        var rest = i
        var index = 0
        var step = 1
        // Row-major digits of i, read back with column-major strides.
        var digits = [Int](repeating: 0, count: shape.count)
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            digits[d] = rest % shape[d]
            rest /= shape[d]
        }
        for d in 0..<shape.count {
            index += digits[d] * step
            step *= shape[d]
        }
        return index
    }
}
