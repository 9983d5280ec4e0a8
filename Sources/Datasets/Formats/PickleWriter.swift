import Foundation

/// Writes feature pickles in the release's layout, as NumPy 2.x pickles them (protocol 4:
/// `numpy._core.multiarray._reconstruct` plus the array state, float32 little-endian, C order):
/// a list of `{nameKey: name, featureKey: array}` dicts. Streams to the file entry by entry,
/// so a multi-gigabyte pickle never sits in memory. For tests and benchmarks.
public struct PickleWriter {
    let handle: FileHandle
    public let path: String

    public init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else {
            throw DataError(file: path, message: "cannot create")
        }
        self.handle = handle
        self.path = path
        emit([0x80, 4, 0x5D, 0x28])  // PROTO 4, EMPTY_LIST, MARK
    }

    /// Appends one entry; `values` is row-major `[frames, dim]`.
    public func append(
        name: String, nameKey: String, featureKey: String, values: UnsafeBufferPointer<Float>,
        frames: Int, dim: Int
    ) {
        precondition(values.count == frames * dim)
        var out: [UInt8] = [0x7D, 0x28]  // EMPTY_DICT, MARK
        out += unicode(nameKey) + unicode(name) + unicode(featureKey)
        out += global("numpy._core.multiarray", "_reconstruct") + global("numpy", "ndarray")
        out += [0x4B, 0, 0x85, 0x43, 1, UInt8(ascii: "b"), 0x87, 0x52]  // (0,), b'b' -> REDUCE
        out += [0x28, 0x4B, 1]  // MARK, version 1
        out += int(frames) + int(dim) + [0x86]  // shape
        // dtype('f4', False, True)
        out += global("numpy", "dtype") + unicode("f4") + [0x89, 0x88, 0x87, 0x52]
        out +=
            [0x28, 0x4B, 3] + unicode("<") + [0x4E, 0x4E, 0x4E] + int(-1) + int(-1) + [
                0x4B, 0, 0x74, 0x62,
            ]  // dtype state, BUILD
        out += [0x89, 0x8E]  // not Fortran; BINBYTES8
        let byteCount = UInt64(values.count * 4)
        out += (0..<8).map { UInt8(truncatingIfNeeded: byteCount >> (8 * UInt64($0))) }
        emit(out)
        handle.write(Data(buffer: values))
        emit([0x74, 0x62, 0x75])  // TUPLE (array state), BUILD, SETITEMS
    }

    /// Closes the list (APPENDS) and the pickle (STOP).
    public func finish() throws {
        emit([0x65, 0x2E])
        try handle.close()
    }

    private func emit(_ bytes: [UInt8]) { handle.write(Data(bytes)) }

    private func unicode(_ s: String) -> [UInt8] {
        let utf8 = Array(s.utf8)
        return [0x58] + (0..<4).map { UInt8(truncatingIfNeeded: utf8.count >> (8 * $0)) } + utf8
    }

    private func global(_ module: String, _ name: String) -> [UInt8] {
        [0x63] + Array("\(module)\n\(name)\n".utf8)
    }

    private func int(_ v: Int) -> [UInt8] {
        let bits = UInt32(bitPattern: Int32(v))
        return [0x4A] + (0..<4).map { UInt8(truncatingIfNeeded: bits >> (8 * UInt32($0))) }
    }
}
