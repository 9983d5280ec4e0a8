import Datasets
import Foundation
import HDF5
import Testing
import Vocabulary

/// Checks against the release's real public label files: they run when `INDOMER_LABELS` names a
/// folder that holds them (CI sets it), and are skipped with that reason otherwise.
@Suite(.enabled(if: RealLabels.available, RealLabels.skipReason)) struct RealLabelTests {
    @Test func realLabelFilesGiveTheReleaseCounts() throws {
        let clips = try ReleaseReader(root: RealLabels.folder!).readClips()
        let train = clips.filter { $0.split == .train }
        let val = clips.filter { $0.split == .val }
        #expect(train.count == 1588 && val.count == 356)
        #expect(
            Set(train.map(\.sourceVideo)).count == 173 && Set(val.map(\.sourceVideo)).count == 34)
        #expect(Set(train.map(\.sourceVideo)).isDisjoint(with: val.map(\.sourceVideo)))
        func counts(_ c: [Clip], _ task: ClassificationTask) -> [Int] {
            (0..<task.classCount).map { k in c.filter { $0.label(for: task) == k }.count }
        }
        #expect(counts(train, .sentiment) == [249, 1054, 285])
        #expect(counts(val, .sentiment) == [54, 262, 40])
        // fear, disgust, anger, sadness, neutral, happiness, surprise
        #expect(counts(train, .emotion) == [5, 33, 69, 142, 1054, 278, 7])
        #expect(counts(val, .emotion) == [4, 5, 13, 32, 262, 39, 1])
        let agree = train.filter { c in
            Modality.allCases.allSatisfy { c.modalitySentiment[$0] == c.sentiment }
        }
        #expect(agree.count == 520)
        // The conflict analysis's agreement groups (all agree, only T, only A, only V disagrees,
        // two or more disagree): clips and source videos, counted from the label files' strings
        // by a separate script.
        func groups(_ clips: [Clip]) -> (clips: [Int], videos: [Int]) {
            let members = AgreementGroup.allCases.map { g in
                clips.filter { $0.sentimentLabels!.agreement == g }
            }
            return (members.map(\.count), members.map { Set($0.map(\.sourceVideo)).count })
        }
        #expect(
            groups(train).clips == [520, 244, 189, 127, 508]
                && groups(train).videos == [140, 96, 77, 56, 127])
        #expect(
            groups(val).clips == [111, 41, 52, 49, 103]
                && groups(val).videos == [25, 18, 18, 11, 25])
    }

    @Test func annotationsCSVParsesQuotedFieldsAndAgreesWithTheSplits() throws {
        let text = try String(
            contentsOf: RealLabels.folder!.appendingPathComponent("Annotations.csv"),
            encoding: .utf8)
        let rows = CSV.parse(text)
        #expect(
            rows.first == [
                "video_name", "audio_name", "emotion", "sentiment", "text_sentiment",
                "audio_sentiment", "video_sentiment", "text",
            ])
        #expect(rows.count == 1945)
        #expect(
            rows.allSatisfy { $0.count == 8 },
            "every row has 8 fields despite commas and quotes in transcripts")
        let byID = Dictionary(
            uniqueKeysWithValues: rows.dropFirst().map {
                (($0[0] as NSString).deletingPathExtension, $0)
            })
        let clips = try ReleaseReader(root: RealLabels.folder!).readClips()
        for clip in clips {
            let row = try #require(byID[clip.id], "\(clip.id) missing from Annotations.csv")
            #expect(
                IndoMERRelease.classIndex(ofLabel: row[2], task: .emotion) == clip.emotion,
                "\(clip.id)"
            )
            #expect(
                IndoMERRelease.classIndex(ofLabel: row[3], task: .sentiment) == clip.sentiment,
                "\(clip.id)")
        }
    }
}

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

@Suite struct ReleaseFolderTests {
    @Test func readEndToEndPrepareAndReadBack() throws {
        let folder = try ReleaseFolder()
        defer { folder.remove() }
        let dataset = try IndoMERDataset.loadRelease(at: folder.root)
        #expect(dataset.clips.count == 1944 && !dataset.isSynthetic)
        #expect(dataset.fingerprint.count == 64)
        for m in Modality.allCases {
            let f = try #require(dataset.features[m])
            #expect(
                f.dim == ReleaseFolder.shapes[m]!.dim
                    && f.paddedLength == ReleaseFolder.shapes[m]!.frames)
            for (i, clip) in dataset.clips.enumerated() {
                #expect(
                    f.length(of: i) == folder.lengths[m]![clip.id], "\(m) \(clip.id) true length")
            }
            // Values are the written ones, standardised with the train statistics.
            let n = try #require(dataset.normalization[m])
            let probe = dataset.clips.count - 1
            let written = folder.values[m]![dataset.clips[probe].id]!
            let stored = Array(f.frames(of: probe))
            for (k, (w, s)) in zip(written, stored).enumerated() {
                let d = k % f.dim
                #expect(Swift.abs((w - n.mean[d]) / n.std[d] - s) < 1e-4, "\(m) value \(k)")
            }
            // Train true frames have mean 0 and standard deviation 1 per dimension.
            let train = dataset.indices(in: .train)
            for d in 0..<f.dim {
                let column = train.flatMap { c in
                    stride(from: d, to: f.length(of: c) * f.dim, by: f.dim).map {
                        Double(f.frames(of: c)[f.offsets[c] * f.dim + $0])
                    }
                }
                let mean = column.reduce(0, +) / Double(column.count)
                let variance =
                    column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(column.count)
                #expect(Swift.abs(mean) < 1e-4 && Swift.abs(variance - 1) < 1e-3, "\(m) dim \(d)")
            }
        }
        // Prepared to HDF5 and read back: identical.
        let cache = folder.root.appendingPathComponent("cache.h5").path
        try FeatureCache.write(dataset, to: cache)
        let back = try FeatureCache.read(from: cache)
        #expect(back.clips == dataset.clips)
        #expect(back.fingerprint == dataset.fingerprint && back.isSynthetic == false)
        for m in Modality.allCases {
            #expect(back.features[m]!.data == dataset.features[m]!.data)
            #expect(back.features[m]!.offsets == dataset.features[m]!.offsets)
            #expect(back.normalization[m] == dataset.normalization[m])
        }
    }

    @Test func textKeysAndFolderSpellingsAreAccepted() throws {
        let folder = try ReleaseFolder(textKeys: ("name", "feature"), videoFolder: "videos_feature")
        defer { folder.remove() }
        let dataset = try IndoMERDataset.loadRelease(at: folder.root)
        #expect(dataset.features[.text]!.clipCount == 1944)
    }

    @Test func missingClipsAreListed() throws {
        let gone = [ReleaseLabelFiles.clips[1].id, ReleaseLabelFiles.clips.last!.id]
        let folder = try ReleaseFolder { m, id, _ in !(m == .video && gone.contains(id)) }
        defer { folder.remove() }
        #expect {
            try IndoMERDataset.loadRelease(at: folder.root)
        } throws: { error in
            let text = "\(error)"
            return text.contains("2 clip(s) have no video features") && text.contains(gone[0])
                && text.contains(gone[1])
        }
    }

    @Test func nonFiniteValuesAreRefusedUnlessZeroed() throws {
        let bad = ReleaseLabelFiles.clips[5].id
        let folder = try ReleaseFolder { m, id, values in
            if m == .audio && id == bad {
                values[1] = .nan
                values[2] = .infinity
            }
            return true
        }
        defer { folder.remove() }
        #expect {
            try IndoMERDataset.loadRelease(at: folder.root)
        } throws: { "\($0)".contains("2 NaN or infinite audio values in 1 clip(s) (\(bad): 2)") }
        let zeroed = try IndoMERDataset.loadRelease(at: folder.root, nonFinite: .zero)
        #expect(zeroed.features[.audio]!.data.allSatisfy { $0.isFinite })
        #expect(zeroed.nonFiniteReplaced[.audio] == 2 && zeroed.nonFiniteReplaced[.video] == 0)
        #expect(zeroed.summary.contains("NaN/Inf 2"), "inspect shows what was found")
    }

    @Test func mismatchedShapeNamesTheClip() throws {
        let folder = try ReleaseFolder()
        defer { folder.remove() }
        // Rewrite the val text pickle with one clip of another width.
        let writer = try PickleWriter(
            path: folder.root.appendingPathComponent("text_feature/val_text_features.pkl").path)
        let ids =
            try JSONSerialization.jsonObject(
                with: Data(
                    contentsOf: folder.root.appendingPathComponent("3_Class/3_class_val.json")))
            as! [[String: Any]]
        for (i, entry) in ids.enumerated() {
            let dim = i == 3 ? 7 : 4
            let values = [Float](repeating: 1, count: 5 * dim)
            values.withUnsafeBufferPointer {
                writer.append(
                    name: entry["sample_id"] as! String, nameKey: "text_name",
                    featureKey: "text_feature", values: $0, frames: 5, dim: dim)
            }
        }
        try writer.finish()
        let bad = ids[3]["sample_id"] as! String
        #expect {
            try IndoMERDataset.loadRelease(at: folder.root)
        } throws: {
            "\($0)".contains("clip \(bad)") && "\($0)".contains("[5, 7]")
                && "\($0)".contains("val_text_features.pkl")
        }
    }

    @Test func missingFeatureFolderSaysWhatWasFound() throws {
        let folder = try ReleaseFolder()
        defer { folder.remove() }
        try FileManager.default.removeItem(at: folder.root.appendingPathComponent("text_feature"))
        #expect {
            try IndoMERDataset.loadRelease(at: folder.root)
        } throws: { "\($0)".contains("no text features") && "\($0)".contains("audio_feature") }
        // Without text, the other modalities still load.
        let av = try IndoMERDataset.loadRelease(at: folder.root, modalities: [.audio, .video])
        #expect(av.modalities == [.audio, .video])
    }
}
