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
