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
        guard dtype.kind == .float, [2, 4, 8].contains(dtype.itemSize) else {
            throw DataError(
                file: file,
                message:
                    "array of dtype \(dtype) refused: only float16, float32 and float64 arrays "
                    + "are read (object arrays could run code)"
            )
        }
        // The byte count, checked for overflow: a crafted shape such as (2^32, 2^32) is refused.
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

    /// The values as `Float`, row-major, written into `out` (`count` elements).
    public func copyFloats(into out: UnsafeMutableBufferPointer<Float>) {
        precondition(out.count == count)
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
