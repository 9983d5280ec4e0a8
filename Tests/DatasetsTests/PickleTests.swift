import Datasets
import Foundation
import Testing

/// Pickles written by NumPy 1.26 and 2.x (`Tests/Fixtures/Reference/make_pickle_fixtures.py`).
@Suite struct PickleTests {
    static func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/pickles/\(name)").path
    }

    /// (10·i + j) / 8 for rows i < 4 of a (5, 3) array; the last row is padding.
    static let expected: [Float] = (0..<15).map { (k: Int) -> Float in
        let (i, j) = (k / 3, k % 3)
        return i < 4 ? Float(10 * i + j) / 8 : 0
    }

    @Test(arguments: [1, 2], [2, 3, 4, 5])
    func everyEncodingDecodes(numpy: Int, protocolVersion: Int) throws {
        let value = try RestrictedUnpickler.load(
            path: Self.fixture("np\(numpy)_p\(protocolVersion).pkl"))
        guard case .list(let list) = value else {
            Issue.record("expected a list, found \(value)")
            return
        }
        #expect(list.items.count == 12)
        var names: [String] = []
        for item in list.items {
            guard case .dict(let d) = item, case .string(let name)? = d["video_name"],
                case .array(let array)? = d["video_feature"]
            else {
                Issue.record("unexpected entry \(item)")
                continue
            }
            names.append(name)
            #expect(array.shape == [5, 3], "\(name)")
            #expect(
                array.floats() == Self.expected,
                "\(name) (numpy \(numpy), protocol \(protocolVersion))")
        }
        #expect(Set(names).count == 12, "all dtype/byte-order/layout combinations present")
        #expect(names.contains("float16_be_F.mp4") && names.contains("float64_le_C.mp4"))
    }

    @Test func aPickleThatWouldRunACommandIsRefusedAndRunsNothing() throws {
        let marker = "/tmp/indomer-pickle-pwned"
        try? FileManager.default.removeItem(atPath: marker)
        let path = Self.fixture("hostile_command.pkl")
        #expect {
            try RestrictedUnpickler.load(path: path)
        } throws: { error in
            let text = "\(error)"
            return text.contains(path) && text.contains("system") && text.contains("refused")
                && text.contains("at byte")
        }
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test func truncatedFileIsRefused() {
        let path = Self.fixture("hostile_truncated.pkl")
        #expect {
            try RestrictedUnpickler.load(path: path)
        } throws: { "\($0)".contains(path) && "\($0)".contains("truncated") }
    }

    @Test func objectArrayIsRefused() {
        let path = Self.fixture("hostile_object_array.pkl")
        #expect {
            try RestrictedUnpickler.load(path: path)
        } throws: { "\($0)".contains(path) && "\($0)".contains("object") }
    }

    @Test func emptyAndGarbageFilesAreRefused() throws {
        let dir = FileManager.default.temporaryDirectory
        let empty = dir.appendingPathComponent("empty-\(UUID()).pkl").path
        let garbage = dir.appendingPathComponent("garbage-\(UUID()).pkl").path
        FileManager.default.createFile(atPath: empty, contents: Data())
        FileManager.default.createFile(atPath: garbage, contents: Data("hello, world".utf8))
        defer {
            try? FileManager.default.removeItem(atPath: empty)
            try? FileManager.default.removeItem(atPath: garbage)
        }
        #expect { try RestrictedUnpickler.load(path: empty) } throws: {
            "\($0)".contains(empty) && "\($0)".contains("not a pickle")
        }
        #expect { try RestrictedUnpickler.load(path: garbage) } throws: {
            "\($0)".contains(garbage) && "\($0)".contains("not a pickle")
        }
    }
}
