import Datasets
import Foundation
import HDF5
import Testing
import Vocabulary

/// The release reader on label files in the release's layout that the tests write themselves.
@Suite struct LabelTests {
    @Test func writtenLabelFilesReadBackWithTheReleaseCounts() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "labels-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try ReleaseLabelFiles.write(to: root)
        let clips = try ReleaseReader(root: root).readClips()
        #expect(
            clips == ReleaseLabelFiles.clips,
            "every id, split, label and per-modality label as written")
        let train = clips.filter { $0.split == .train }
        let val = clips.filter { $0.split == .val }
        // The release's counts (its README), which the written files reproduce.
        #expect(train.count == 1588 && val.count == 356)
        #expect(
            Set(train.map(\.sourceVideo)).count == 173 && Set(val.map(\.sourceVideo)).count == 34)
        #expect((0..<3).map { k in train.filter { $0.sentiment == k }.count } == [249, 1054, 285])
        #expect(
            (0..<7).map { k in val.filter { $0.emotion == k }.count } == [4, 5, 13, 32, 262, 39, 1])
        #expect(clips.allSatisfy { $0.id.hasPrefix("clip_") && $0.modalitySentiment.count == 3 })
        // The 3-class rows have exactly the release's keys.
        let rows =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: root.appendingPathComponent("3_Class/3_class_val.json")))
            as! [[String: Any]]
        #expect(
            Set(rows[0].keys) == [
                "sample_id", "text", "text_label", "audio_label", "video_label", "label", "video",
                "audio",
            ])
    }

    @Test func csvParsesQuotedFields() {
        #expect(
            CSV.parse("a,\"b, \"\"c\"\"\",d\n\"x\ny\",2,3\n") == [
                ["a", "b, \"c\"", "d"], ["x\ny", "2", "3"],
            ])
    }
}
