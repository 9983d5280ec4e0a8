import Datasets
import Foundation
import HDF5
import Testing
import Vocabulary

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
