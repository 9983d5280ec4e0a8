import Datasets
import Foundation
import Testing

/// Crafted and mutated pickles: each is refused with an error naming the file, or read; none
/// crashes the process (a crash would end the test run, which is how these tests fail).
@Suite struct HostilePickleTests {
    /// Opcode bytes written by hand (`pickletools` names), so the expected outcome does not
    /// depend on our writer.
    enum Op {
        static let proto4: [UInt8] = [0x80, 4]
        static let stop: UInt8 = 0x2E, mark: UInt8 = 0x28, emptyList: UInt8 = 0x5D,
            append: UInt8 = 0x61
        static let emptyTuple: UInt8 = 0x29, tuple1: UInt8 = 0x85, tuple2: UInt8 = 0x86,
            tuple3: UInt8 = 0x87
        static let tuple: UInt8 = 0x74, reduce: UInt8 = 0x52, build: UInt8 = 0x62, pop: UInt8 = 0x30
        static let newFalse: UInt8 = 0x89, newTrue: UInt8 = 0x88, none: UInt8 = 0x4E

        static func global(_ module: String, _ name: String) -> [UInt8] {
            [0x63] + Array("\(module)\n\(name)\n".utf8)
        }
        static func shortString(_ s: String) -> [UInt8] {
            [0x8C, UInt8(s.utf8.count)] + Array(s.utf8)
        }
        static func shortBytes(_ b: [UInt8]) -> [UInt8] { [0x43, UInt8(b.count)] + b }
        static func int1(_ v: UInt8) -> [UInt8] { [0x4B, v] }
        static func int4(_ v: Int32) -> [UInt8] { [0x4A] + le(UInt64(UInt32(bitPattern: v)), 4) }
        /// LONG1 of a non-negative value (8 bytes, so 2^32 and 2^62 fit).
        static func long(_ v: UInt64) -> [UInt8] { [0x8A, 8] + le(v, 8) }
        static func le(_ v: UInt64, _ n: Int) -> [UInt8] {
            (0..<n).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) }
        }
        static func longPut(_ k: UInt32) -> [UInt8] { [0x72] + le(UInt64(k), 4) }
        static func longGet(_ k: UInt32) -> [UInt8] { [0x6A] + le(UInt64(k), 4) }
    }

    /// `numpy._core.multiarray._reconstruct` of a float32 array with this shape and raw data,
    /// as NumPy 2 pickles it with protocol 4.
    static func array(shape: [UInt64], data: [UInt8]) -> [UInt8] {
        var out =
            Op.global("numpy._core.multiarray", "_reconstruct") + Op.global("numpy", "ndarray")
        out +=
            Op.int1(0) + [Op.tuple1] + Op.shortBytes([UInt8(ascii: "b")]) + [Op.tuple3, Op.reduce]
        out += [Op.mark] + Op.int1(1) + [Op.mark] + shape.flatMap(Op.long) + [Op.tuple]
        out +=
            Op.global("numpy", "dtype") + Op.shortString("f4") + [
                Op.newFalse, Op.newTrue, Op.tuple3, Op.reduce,
            ]
        out +=
            [Op.mark] + Op.int1(3) + Op.shortString("<") + [Op.none, Op.none, Op.none] + Op.int4(-1)
            + Op.int4(-1) + Op.int1(0) + [Op.tuple, Op.build]
        out += [Op.newFalse] + [0x8E] + Op.le(UInt64(data.count), 8) + data + [Op.tuple, Op.build]
        return out
    }

    static func write(_ bytes: [UInt8], name: String = "hostile") -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "\(name)-\(UUID()).pkl"
        ).path
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    /// Loads `bytes` and returns the error's text (nil when it was read).
    static func refusal(_ bytes: [UInt8]) -> String? {
        let path = write(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try RestrictedUnpickler.load(path: path)
            return nil
        } catch {
            let text = "\(error)"
            #expect(text.contains(path), "the error names the file: \(text)")
            return text
        }
    }

    @Test func theHandWrittenArrayEncodingIsRead() throws {
        let values: [Float] = [1, 2, 3, 4]
        let data = values.withUnsafeBytes { Array($0) }
        let path = Self.write(Op.proto4 + Self.array(shape: [2, 2], data: data) + [Op.stop])
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard case .array(let a) = try RestrictedUnpickler.load(path: path) else {
            Issue.record("not an array")
            return
        }
        #expect(a.shape == [2, 2] && a.floats() == values)
    }

    static let hugeLengths: [UInt64] = [UInt64(Int64.max), UInt64.max, 1 << 40]

    /// BINBYTES8, BINUNICODE8, BYTEARRAY8 with lengths of 2^63-1, 2^64-1 and 2^40.
    @Test(arguments: [UInt8(0x8E), 0x8D, 0x96], hugeLengths)
    func lengthsBeyondTheFileAreRefused(opcode: UInt8, length: UInt64) {
        let text = Self.refusal(Op.proto4 + [opcode] + Op.le(length, 8) + [0, 0, Op.stop])
        #expect(text?.contains("truncated") == true, "\(text ?? "read")")
    }

    static let overflowingShapes: [[UInt64]] = [
        [1 << 32, 1 << 32], [1 << 62, 4], [UInt64(Int64.max), 2], [0, UInt64(Int64.max), 3],
    ]

    @Test(arguments: overflowingShapes)
    func shapesWhoseSizeOverflowsAreRefused(shape: [UInt64]) {
        let text = Self.refusal(
            Op.proto4 + Self.array(shape: shape, data: [UInt8](repeating: 0, count: 16)) + [Op.stop]
        )
        #expect(text != nil, "shape \(shape) was read")
        #expect(text?.contains("shape") == true, "\(text ?? "")")
    }

    @Test func aZeroSizeArrayIsReadAsEmpty() throws {
        let path = Self.write(Op.proto4 + Self.array(shape: [0, 3], data: []) + [Op.stop])
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard case .array(let a) = try RestrictedUnpickler.load(path: path) else {
            Issue.record("not an array")
            return
        }
        #expect(a.shape == [0, 3] && a.count == 0 && a.floats().isEmpty)
    }

    /// 100,000 nested lists, as Python pickles `[[[...]]]`: all lists first, then the appends.
    @Test func deeplyNestedListsAreRefused() {
        let n = 100_000
        var bytes = Op.proto4
        bytes += [UInt8](repeating: 0, count: 2 * n).enumerated().map {
            $0.offset % 2 == 0 ? Op.emptyList : 0x94
        }  // EMPTY_LIST, MEMOIZE
        bytes += [UInt8](repeating: Op.append, count: n - 1) + [Op.stop]
        let text = Self.refusal(bytes)
        #expect(
            text?.contains("nested deeper than \(RestrictedUnpickler.maximumDepth)") == true,
            "\(text ?? "read")")
    }

    @Test func deeplyNestedTuplesAreRefused() {
        let bytes =
            Op.proto4 + [Op.emptyTuple] + [UInt8](repeating: Op.tuple1, count: 100_000) + [Op.stop]
        let text = Self.refusal(bytes)
        #expect(text?.contains("nested deeper") == true, "\(text ?? "read")")
    }

    /// Lists filled after they were nested (through the memo), so that no depth recorded while
    /// building is high: the finished value's exact depth still is, and it is taken apart
    /// without recursion (a recursive release of 100,000 levels would overflow the stack).
    @Test func aChainBuiltThroughTheMemoIsRefused() {
        let n: UInt32 = 100_000
        var bytes = Op.proto4
        for i in 0...n { bytes += [Op.emptyList] + Op.longPut(i) + [Op.pop] }
        for i in 0..<n { bytes += Op.longGet(i) + Op.longGet(i + 1) + [Op.append, Op.pop] }
        bytes += Op.longGet(0) + [Op.stop]
        let text = Self.refusal(bytes)
        #expect(text?.contains("nested deeper") == true, "\(text ?? "read")")
    }

    @Test func aListThatContainsItselfIsRefused() {
        let text = Self.refusal(
            Op.proto4 + [Op.emptyList] + Op.longPut(0) + Op.longGet(0) + [Op.append, Op.stop])
        #expect(text?.contains("contains itself") == true, "\(text ?? "read")")
    }

    /// Seeded random mutations of small valid pickles (ours and NumPy's): bytes flipped,
    /// inserted, deleted, truncated, chunks duplicated. Each is refused with a DataError or read.
    @Test func mutatedPicklesAreRefusedOrRead() throws {
        var seeds: [[UInt8]] = []
        for name in ["np2_p4.pkl", "np1_p2.pkl", "np2_p5.pkl"] {
            seeds.append(
                Array(try Data(contentsOf: URL(fileURLWithPath: PickleTests.fixture(name)))))
        }
        var small = Op.proto4 + [Op.emptyList, Op.mark]
        for k in 0..<3 {
            small +=
                [0x7D, Op.mark] + Op.shortString("video_name") + Op.shortString("clip_\(k)")
                + Op.shortString("video_feature")
            small +=
                Self.array(shape: [2, 2], data: [UInt8](repeating: UInt8(k), count: 16)) + [0x75]
        }
        seeds.append(small + [0x65, Op.stop])
        var rng = SplitMix(state: 20_261_202)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pickle-fuzz-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("mutant.pkl").path
        var (read, refused) = (0, 0)
        for _ in 0..<3_000 {
            var bytes = seeds[Int(rng.next() % UInt64(seeds.count))]
            for _ in 0...(rng.next() % 4) {
                let at = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 5 {
                case 0: bytes[at] ^= UInt8(1 << (rng.next() % 8))
                case 1: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
                case 2:
                    bytes.insert(
                        contentsOf: (0..<(1 + rng.next() % 8)).map { _ in
                            UInt8(truncatingIfNeeded: rng.next())
                        }, at: at)
                case 3: bytes.removeSubrange(at..<min(bytes.count, at + 1 + Int(rng.next() % 16)))
                default: bytes = Array(bytes.prefix(at))
                }
                if bytes.isEmpty { bytes = [0x80] }
            }
            FileManager.default.createFile(atPath: path, contents: Data(bytes))
            do {
                let value = try RestrictedUnpickler.load(path: path)
                _ = "\(value)"
                read += 1
            } catch let error as DataError {
                #expect(error.file == path)
                refused += 1
            }
        }
        #expect(read + refused == 3_000)
        #expect(refused > 1_000, "most mutants are refused (read \(read), refused \(refused))")
    }
}

/// SplitMix64, for seeded test mutations.
struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
