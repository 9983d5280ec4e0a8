import Datasets
import Foundation
import Testing
import Vocabulary

/// Malformed release folders are refused before anything is trained, each with a message that
/// names the file, the clip and what was expected; the text pickle's plausible layouts are read.
@Suite struct ReleaseValidationTests {
    typealias Op = HostilePickleTests.Op

    static func rows(_ folder: ReleaseFolder, _ file: String) throws -> [[String: Any]] {
        try JSONSerialization.jsonObject(
            with: Data(contentsOf: folder.root.appendingPathComponent(file))) as! [[String: Any]]
    }

    static func editLabels(
        _ folder: ReleaseFolder, _ file: String, _ edit: (inout [[String: Any]]) -> Void
    ) throws {
        var r = try rows(folder, file)
        edit(&r)
        try JSONSerialization.data(withJSONObject: r).write(
            to: folder.root.appendingPathComponent(file))
    }

    /// Rewrites the val text pickle (5 x 4 per clip) with these (name, frames) entries.
    static func rewriteValText(_ folder: ReleaseFolder, _ entries: [(String, Int)]) throws {
        let writer = try PickleWriter(
            path: folder.root.appendingPathComponent("text_feature/val_text_features.pkl").path)
        for (name, frames) in entries {
            let values = [Float](repeating: 1, count: frames * 4)
            values.withUnsafeBufferPointer {
                writer.append(
                    name: name, nameKey: "text_name", featureKey: "text_feature", values: $0,
                    frames: frames, dim: 4)
            }
        }
        try writer.finish()
    }

    static func valIDs(_ folder: ReleaseFolder) throws -> [String] {
        try rows(folder, "3_Class/3_class_val.json").map { $0["sample_id"] as! String }
    }

    static func refusal(_ folder: ReleaseFolder) -> String {
        do {
            _ = try IndoMERDataset.loadRelease(at: folder.root)
            return "loaded"
        } catch { return "\(error)" }
    }

    @Test func anIdenticalDuplicateRowIsReadOnceWithAWarning() throws {
        let folder = try ReleaseFolder()
        defer { folder.remove() }
        for file in ["3_Class/3_class_val.json", "7_Class/7_class_val.json"] {
            try Self.editLabels(folder, file) { $0.append($0[4]) }
        }
        var lines: [String] = []
        let dataset = try IndoMERDataset.loadRelease(at: folder.root) { lines.append($0) }
        #expect(dataset.clips.count == 1944)
        #expect(
            lines.contains {
                $0.contains("3_class_val.json")
                    && $0.contains("1 clip id(s) listed twice with the same labels")
            }, "\(lines)")
    }

    @Test func aDuplicateWithOtherLabelsIsRefused() throws {
        let folder = try ReleaseFolder()
        defer { folder.remove() }
        let id = try Self.valIDs(folder)[4]
        try Self.editLabels(folder, "7_Class/7_class_val.json") { rows in
            var copy = rows[4]
            copy["label"] = (copy["label"] as! String) == "netral" ? "jijik" : "netral"
            rows.append(copy)
        }
        let text = Self.refusal(folder)
        #expect(
            text.contains("7_class_val.json") && text.contains("clip \(id)")
                && text.contains("listed twice with different labels"), "\(text)")
    }

    @Test func aClipInBothSplitsIsRefused() throws {
        let folder = try ReleaseFolder()
        defer { folder.remove() }
        let train3 = try Self.rows(folder, "3_Class/3_class_train.json")[0]
        let train7 = try Self.rows(folder, "7_Class/7_class_train.json")[0]
        try Self.editLabels(folder, "3_Class/3_class_val.json") { $0.append(train3) }
        try Self.editLabels(folder, "7_Class/7_class_val.json") { $0.append(train7) }
        let text = Self.refusal(folder)
        #expect(
            text.contains("clip \(train3["sample_id"] as! String)")
                && text.contains("listed in both the train and the val split"), "\(text)")
    }

    @Test func anEmptySplitIsRefused() throws {
        let folder = try ReleaseFolder()
        defer { folder.remove() }
        for file in ["3_Class/3_class_val.json", "7_Class/7_class_val.json"] {
            try Self.editLabels(folder, file) { $0 = [] }
        }
        let text = Self.refusal(folder)
        #expect(
            text.contains("3_class_val.json") && text.contains("the val split is empty"), "\(text)")
    }

    @Test func aNameTwiceInOnePickleIsRefused() throws {
        let folder = try ReleaseFolder()
        defer { folder.remove() }
        let ids = try Self.valIDs(folder)
        try Self.rewriteValText(folder, ids.map { ($0, 5) } + [(ids[7], 5)])
        let text = Self.refusal(folder)
        #expect(
            text.contains("val_text_features.pkl") && text.contains("clip \(ids[7])")
                && text.contains("listed twice in this pickle"), "\(text)")
    }

    @Test func anEntryOfTheOtherSplitIsRefused() throws {
        let folder = try ReleaseFolder()
        defer { folder.remove() }
        let trainID = try Self.rows(folder, "3_Class/3_class_train.json")[3]["sample_id"] as! String
        try Self.rewriteValText(folder, try Self.valIDs(folder).map { ($0, 5) } + [(trainID, 5)])
        let text = Self.refusal(folder)
        #expect(
            text.contains("clip \(trainID)")
                && text.contains("a train-split clip in the val pickle"), "\(text)")
    }

    @Test func entriesOutsideTheLabelFilesAreIgnoredWithAWarning() throws {
        let folder = try ReleaseFolder()
        defer { folder.remove() }
        try Self.rewriteValText(
            folder, try Self.valIDs(folder).map { ($0, 5) } + [("clip_999_Extra_1", 5)])
        var lines: [String] = []
        let dataset = try IndoMERDataset.loadRelease(at: folder.root) { lines.append($0) }
        #expect(dataset.clips.count == 1944)
        #expect(
            lines.contains {
                $0.contains("1 entry not in the label files, ignored (clip_999_Extra_1)")
            }, "\(lines)")
    }

    @Test func anArrayWithNoFramesIsRefused() throws {
        let folder = try ReleaseFolder()
        defer { folder.remove() }
        let ids = try Self.valIDs(folder)
        try Self.rewriteValText(
            folder, ids.enumerated().map { ($0.element, $0.offset == 2 ? 0 : 5) })
        let text = Self.refusal(folder)
        #expect(
            text.contains("clip \(ids[2])") && text.contains("[0, 4]")
                && text.contains("no frames"), "\(text)")
    }

    @Test func editingALabelOrAPickleChangesTheFingerprint() throws {
        let folder = try ReleaseFolder()
        defer { folder.remove() }
        let before = try IndoMERDataset.loadRelease(at: folder.root).fingerprint
        try Self.editLabels(folder, "3_Class/3_class_val.json") { rows in
            rows[0]["text_label"] =
                (rows[0]["text_label"] as! String) == "netral" ? "positif" : "netral"
        }
        let after = try IndoMERDataset.loadRelease(at: folder.root).fingerprint
        #expect(before != after)
        // So does editing a feature pickle (one value of one clip).
        let ids = try Self.valIDs(folder)
        try Self.rewriteValText(folder, ids.map { ($0, 5) })
        let once = try IndoMERDataset.loadRelease(at: folder.root).fingerprint
        let writer = try PickleWriter(
            path: folder.root.appendingPathComponent("text_feature/val_text_features.pkl").path)
        for (k, id) in ids.enumerated() {
            var values = [Float](repeating: 1, count: 20)
            if k == 9 { values[3] = 2 }
            values.withUnsafeBufferPointer {
                writer.append(
                    name: id, nameKey: "text_name", featureKey: "text_feature", values: $0,
                    frames: 5, dim: 4)
            }
        }
        try writer.finish()
        #expect(try IndoMERDataset.loadRelease(at: folder.root).fingerprint != once)
    }

    // MARK: - Text pickle layouts

    /// The val text features in another layout, as hand-written pickle bytes.
    static func writeValText(_ folder: ReleaseFolder, _ bytes: [UInt8]) throws {
        try Data(bytes).write(
            to: folder.root.appendingPathComponent("text_feature/val_text_features.pkl"))
    }

    static func array(_ values: [Float], _ shape: [Int]) -> [UInt8] {
        HostilePickleTests.array(
            shape: shape.map(UInt64.init), data: values.withUnsafeBytes { Array($0) })
    }

    static func names(_ ids: [String]) -> [UInt8] {
        [Op.emptyList, Op.mark] + ids.flatMap(Op.shortString) + [0x65]
    }

    @Test func theTextPickleIsReadInEveryPlausibleLayout() throws {
        let folder = try ReleaseFolder()
        defer { folder.remove() }
        let expected = try IndoMERDataset.loadRelease(at: folder.root, modalities: [.text])
            .features[.text]!
        let ids = try Self.valIDs(folder)
        let values: [[Float]] = ids.map { id in
            let v = folder.values[.text]![id]!
            return v + [Float](repeating: 0, count: 5 * 4 - v.count)
        }
        let stacked = Self.array(values.flatMap { $0 }, [ids.count, 5, 4])
        var byName: [UInt8] = [0x7D, Op.mark]
        var listed: [UInt8] = [Op.emptyList, Op.mark]
        for (id, v) in zip(ids, values) {
            byName += Op.shortString(id) + Self.array(v, [5, 4])
            listed +=
                [0x7D, Op.mark] + Op.shortString("clip_id") + Op.shortString(id)
                + Op.shortString("bert_embedding") + Self.array(v, [5, 4]) + [0x75]
        }
        var keyed: [UInt8] = [0x7D, Op.mark] + Op.shortString("ids") + Self.names(ids)
        keyed += Op.shortString("features") + stacked + [0x75]
        let layouts: [(String, [UInt8])] = [
            ("dict from name to array", byName + [0x75]),
            ("(names, stacked array)", Self.names(ids) + stacked + [Op.tuple2]),
            ("{ids, features} with a stacked array", keyed),
            ("list of {clip_id, bert_embedding}", listed + [0x65]),
        ]
        for (layout, bytes) in layouts {
            try Self.writeValText(folder, Op.proto4 + bytes + [Op.stop])
            let read = try IndoMERDataset.loadRelease(at: folder.root, modalities: [.text])
                .features[.text]!
            #expect(read.offsets == expected.offsets && read.data == expected.data, "\(layout)")
        }
    }

    @Test func anUnreadableLayoutIsRefusedWithItsStructure() throws {
        let folder = try ReleaseFolder()
        defer { folder.remove() }
        let ids = try Self.valIDs(folder)
        try Self.writeValText(
            folder,
            Op.proto4 + [0x7D, Op.mark] + Op.shortString("version") + Op.int1(2)
                + Op.shortString("clips") + Self.names(Array(ids.prefix(5))) + [0x75, Op.stop])
        let text = Self.refusal(folder)
        #expect(
            text.contains("val_text_features.pkl") && text.contains("Accepted layouts"), "\(text)")
        #expect(
            text.contains("dict of 2 {str 'version': 2, str 'clips': list of 5 [str '\(ids[0])'"),
            "\(text)")
    }
}
