import Foundation
import HDF5
import Testing

@Suite struct HDF5FileTests {
    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent(
            "hdf5-\(UUID().uuidString).h5"
        ).path
    }

    @Test func writeAndReadEveryKindWithGroupsAndAttributes() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let file = try HDF5File(path: path, mode: .create)
            try file.write(
                "a/b/floats", floats: [1.5, -2, 3.25, 0, 1e-30, .greatestFiniteMagnitude],
                shape: [2, 3])
            try file.write("ints", int64s: [-1, 0, Int64.max], shape: [3])
            try file.write("names", strings: ["clip_1", "ünïcode, \"quoted\"", ""])
            try file.write("empty", floats: [], shape: [0, 4])
            try file.setAttribute("format", "test/1")
            try file.setAttribute("note", "on a dataset", on: "ints")
        }
        let file = try HDF5File(path: path, mode: .read)
        let (values, shape) = try file.readFloats("a/b/floats")
        #expect(shape == [2, 3] && values == [1.5, -2, 3.25, 0, 1e-30, .greatestFiniteMagnitude])
        #expect(try file.readInt64s("ints").values == [-1, 0, Int64.max])
        #expect(try file.readStrings("names") == ["clip_1", "ünïcode, \"quoted\"", ""])
        #expect(try file.readFloats("empty").shape == [0, 4])
        #expect(try file.attribute("format") == "test/1")
        #expect(try file.attribute("note", of: "ints") == "on a dataset")
        #expect(try file.attribute("absent") == nil)
        #expect(file.contains("a/b/floats") && !file.contains("a/c") && !file.contains("zzz/x"))
        #expect(try file.names() == ["a", "empty", "ints", "names"])
        // Integers read as floats (PyTorch exports num_batches_tracked as int64).
        #expect(try file.readFloats("ints").values.first == -1)
    }

    @Test func errorsNameTheFileAndTheObject() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect { try HDF5File(path: path, mode: .read) } throws: { "\($0)".contains(path) }
        let file = try HDF5File(path: path, mode: .create)
        try file.write("x", floats: [1], shape: [1])
        #expect { try file.write("x", floats: [1], shape: [1]) } throws: {
            "\($0)".contains("x") && "\($0)".contains("already exists")
        }
        #expect { try file.readFloats("missing") } throws: {
            "\($0)".contains("missing") && "\($0)".contains("no such dataset")
        }
        #expect { try file.readStrings("x") } throws: {
            "\($0)".contains("expected a string dataset")
        }
        #expect { try file.write("y", floats: [1, 2], shape: [3]) } throws: {
            "\($0)".contains("2 values for shape [3]")
        }
    }
}
