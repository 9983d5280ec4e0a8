import Datasets
import Foundation
import Testing
import Vocabulary

@Suite struct CacheProvenanceTests {
    /// A cache remembers the files it was built from and notices when one changes.
    @Test func aCacheNoticesThatItsReleaseFilesChanged() throws {
        let folder = try ReleaseFolder()
        defer { folder.remove() }
        let dataset = try IndoMERDataset.loadRelease(at: folder.root)
        let cache = folder.root.appendingPathComponent("cache.h5").path
        try FeatureCache.write(
            dataset, to: cache,
            sourceFiles: FeatureCache.SourceFile.release(folder.root, modalities: Modality.allCases)
        )
        let header = try FeatureCache.header(at: cache)
        #expect(header.sourceFiles.count == 4 + 6, "four label files and six pickles")
        #expect(
            header.modalities == Modality.allCases && !header.synthetic
                && header.fingerprint == dataset.fingerprint)
        #expect(header.changedSource() == nil)
        try ReleaseValidationTests.editLabels(folder, "7_Class/7_class_train.json") { rows in
            rows[0]["text"] = "diubah"
        }
        #expect(
            header.changedSource()?.contains("7_class_train.json changed") == true,
            "\(header.changedSource() ?? "unchanged")")
        // No partial file is left beside it.
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: folder.root.path).allSatisfy {
                !$0.contains(".partial-")
            })
    }
}
