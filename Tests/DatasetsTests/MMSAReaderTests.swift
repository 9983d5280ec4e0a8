import Datasets
import Foundation
import Testing
import Vocabulary

/// MMSA-format pickles written by `make_mmsa_fixtures.py` (NumPy): a CH-SIMS-shaped unaligned
/// file (float64, `text_bert`, lengths arrays, NumPy string ids, an audio −inf, per-modality
/// labels) and a MOSI-shaped aligned one (float32, no lengths, Python-list ids). Expected values
/// from the script: clip i's frame t, feature d is offset + 100·i + 10·t + d.
@Suite struct MMSAReaderTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/mmsa")

    @Test func unalignedSIMSFileReadsEndToEnd() throws {
        let file = try MMSAFeatures.read(
            path: Self.folder.appendingPathComponent("sims_unaligned.pkl").path)
        #expect(file.family == .sims && file.unaligned)
        #expect(file.splits.map(\.name) == ["train", "valid", "test"])
        #expect(file.splits.map(\.ids.count) == [6, 3, 3])
        let train = file.splits[0]
        #expect(train.ids[0] == "video_0$_$0" && train.ids[3] == "video_1$_$1")
        // Lengths: text from the text_bert mask (i % 4 + 3), audio (i % 5 + 5) and video
        // (i % 3 + 3) from their own arrays.
        #expect(train.features[.text]!.lengths == (0..<6).map { $0 % 4 + 3 })
        #expect(train.features[.audio]!.lengths == (0..<6).map { $0 % 5 + 5 })
        #expect(train.features[.video]!.lengths == (0..<6).map { $0 % 3 + 3 })
        #expect(train.features[.text]!.paddedLength == 6 && train.features[.text]!.dim == 4)
        // Clip 1, frame 2: text 1 + 100 + 20 + d; audio 0.5 + 100 + 20 + d; video 0.25 + ...
        #expect(Array(Self.frame(train.features[.text]!, clip: 1, t: 2)) == [121, 122, 123, 124])
        #expect(Array(Self.frame(train.features[.audio]!, clip: 1, t: 2)) == [120.5, 121.5, 122.5])
        #expect(Array(Self.frame(train.features[.video]!, clip: 1, t: 2)) == [120.25, 121.25])
        // MMSA's one correction: the audio −inf (clip 0, frame 1, feature 2) became 0.
        #expect(Array(Self.frame(train.features[.audio]!, clip: 0, t: 1)) == [10.5, 11.5, 0])
        #expect(train.audioNegativeInfinities == 1)
        #expect(train.labels == [-1, -0.6, -0.2, 0, 0.2, 0.8].map { Float($0) })
        #expect(train.modalityLabels[.text] == train.labels.map { -$0 })
        #expect(train.modalityLabels.count == 3)
        // The test split starts at clip 9: labels 3, 4, 5 of the cycle.
        #expect(file.splits[2].labels == [0, 0.2, 0.8].map { Float($0) })
        let summary = file.summary
        #expect(summary.contains("sims-3: negative 3, neutral 1, positive 2"), "\(summary)")
    }

    @Test func alignedMOSIFileReadsEndToEnd() throws {
        let file = try MMSAFeatures.read(
            path: Self.folder.appendingPathComponent("mosi_aligned.pkl").path)
        #expect(file.family == .cmu && !file.unaligned)
        let train = file.splits[0]
        #expect(train.ids == ["v0$_$0", "v0$_$1", "v0$_$2", "v1$_$0", "v1$_$1", "v1$_$2"])
        // One time axis: every modality takes the text's length (its last non-zero row).
        for m in Modality.allCases {
            #expect(train.features[m]!.lengths == (0..<6).map { $0 % 3 + 3 }, "\(m)")
        }
        #expect(Array(Self.frame(train.features[.audio]!, clip: 5, t: 4)) == [540.5, 541.5, 542.5])
        #expect(train.labels == [-3, -1.4, 0, 0.6, 2.5, 3].map { Float($0) })
        #expect(train.modalityLabels.isEmpty)
        // Classes of these labels as MMSA gives them (a label of 0 has no non-0 class).
        let classes = train.labels.map { MMSALabels.classIndex(ofLabel: $0, task: .cmuNon0) }
        #expect(classes == [0, 0, nil, 1, 1, 1])
        #expect(
            train.labels.map { MMSALabels.classIndex(ofLabel: $0, task: .cmu7) } == [
                0, 2, 3, 4, 5, 6,
            ])
        #expect(file.summary.contains("cmu-2-non0: negative 2, positive 3; 1 without a class"))
    }

    /// Truncated files and files of the wrong shape are refused with the file, split and what
    /// was expected; nothing crashes.
    @Test func damagedFilesAreRefused() throws {
        let data = try Data(contentsOf: Self.folder.appendingPathComponent("sims_unaligned.pkl"))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mmsa-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for cut in [10, data.count / 3, data.count - 5] {
            let path = dir.appendingPathComponent("cut\(cut).pkl").path
            try data.prefix(cut).write(to: URL(fileURLWithPath: path))
            #expect(throws: DataError.self) { _ = try MMSAFeatures.read(path: path) }
        }
        let release = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/pickles/np2_p4.pkl").path
        #expect {
            _ = try MMSAFeatures.read(path: release)
        } throws: { error in
            "\(error)".contains("not an MMSA feature pickle")
        }
    }

    /// An MMSA-layout pickle (`{"train": {"audio": …}}`) whose audio would run a command
    /// (`posix.system` through REDUCE) is refused by the same restricted unpickler, naming the
    /// file and the global, and the command never runs.
    @Test func aHostileMMSAPickleIsRefusedWithoutRunningIt() throws {
        typealias Op = HostilePickleTests.Op
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mmsa-pwned-\(UUID().uuidString)")
        let emptyDict: UInt8 = 0x7D
        let setItem: UInt8 = 0x73
        let bytes =
            Op.proto4 + [emptyDict] + Op.shortString("train") + [emptyDict]
            + Op.shortString("audio") + Op.global("posix", "system")
            + Op.shortString("touch \(marker.path)") + [Op.tuple1, Op.reduce, setItem, setItem]
            + [Op.stop]
        let path = HostilePickleTests.write(bytes, name: "mmsa-hostile")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            _ = try MMSAFeatures.read(path: path)
        } throws: { error in
            "\(error)".contains(path) && "\(error)".contains("system")
        }
        #expect(!FileManager.default.fileExists(atPath: marker.path))
    }

    static func frame(_ f: RaggedFeatures, clip: Int, t: Int) -> ArraySlice<Float> {
        let start = (f.offsets[clip] + t) * f.dim
        return f.data[start..<(start + f.dim)]
    }
}
