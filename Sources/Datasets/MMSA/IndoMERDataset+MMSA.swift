import Foundation
import Vocabulary

extension IndoMERDataset {
    /// An MMSA-format file (`MMSAFeatures`) as a data set: its train, valid (`val`) and test
    /// splits; each clip's class in every task of the file's family, as MMSA 2.2.1 gives it
    /// (`MMSALabels`; a clip MMSA leaves out of a task has no class there); true frames only,
    /// standardised per dimension on the training split as IndoMER's are; the source video is the
    /// id before `$_$`. The fingerprint is the SHA-256 of the file.
    public static func loadMMSA(
        at path: String, family: MMSAFeatures.Family? = nil,
        nonFinite: NonFinitePolicy = .refuse, log: (String) -> Void = { _ in }
    ) throws -> IndoMERDataset {
        let mapped = try MappedFile(path: path)
        var hasher = SHA256()
        hasher.update("mmsa/1")
        hasher.update(mapped.bytes)
        let file = try MMSAFeatures.read(
            RestrictedUnpickler(file: mapped).load(), path: path, family: family,
            nonFinite: nonFinite)
        let splits: [String: Split] = ["train": .train, "valid": .val, "test": .test]
        var clips: [Clip] = []
        var features: [Modality: RaggedFeatures] = [:]
        for m in Modality.allCases {
            let parts = file.splits.map { $0.features[m]! }
            var offsets = [0]
            var data: [Float] = []
            for part in parts {
                offsets += part.offsets.dropFirst().map { $0 + offsets.last! }
                data += part.data
            }
            features[m] = RaggedFeatures(
                dim: parts[0].dim, paddedLength: parts.map(\.paddedLength).max()!, offsets: offsets,
                data: data)
        }
        var seen: Set<String> = []
        for split in file.splits {
            for (i, id) in split.ids.enumerated() {
                guard seen.insert(id).inserted else {
                    throw DataError(file: path, clip: id, message: "\(split.name): listed twice")
                }
                var labels: [ClassificationTask: Int] = [:]
                for task in file.family.tasks {
                    labels[task] = MMSALabels.classIndex(ofLabel: split.labels[i], task: task)
                }
                let video = id.range(of: "$_$").map { String(id[..<$0.lowerBound]) } ?? id
                // CH-SIMS's per-modality scores, in the same 3 classes, for the conflict analysis.
                var modalitySentiment: [Modality: Int] = [:]
                for (m, values) in split.modalityLabels {
                    modalitySentiment[m] = MMSALabels.classIndex(ofLabel: values[i], task: .sims3)
                }
                clips.append(
                    Clip(
                        id: id, sourceVideo: video, split: splits[split.name]!, labels: labels,
                        modalitySentiment: modalitySentiment))
            }
            if split.audioNegativeInfinities > 0 {
                log(
                    "\(path): \(split.name): \(split.audioNegativeInfinities) audio value(s) of "
                        + "−inf set to 0, as MMSA does")
            }
        }
        var dataset = IndoMERDataset(
            clips: clips, features: features, normalization: [:], isSynthetic: false,
            fingerprint: hasher.finalize(), source: path)
        dataset.name = file.family == .sims ? "CH-SIMS" : "CMU-MOSI/MOSEI"
        dataset.tasks = file.family.tasks
        dataset.standardize()
        return dataset
    }
}
