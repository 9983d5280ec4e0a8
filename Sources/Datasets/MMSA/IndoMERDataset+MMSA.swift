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
            guard Set(parts.map(\.dim)).count == 1 else {
                throw DataError(
                    file: path,
                    message: "\(m.rawValue) features of widths \(parts.map(\.dim)) in "
                        + file.splits.map(\.name).joined(separator: ", ") + ", expected one")
            }
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
        for split in file.splits {
            dataset.nonFiniteReplaced.merge(split.nonFiniteReplaced, uniquingKeysWith: +)
        }
        for (m, n) in dataset.nonFiniteReplaced.sorted(by: { $0.key < $1.key }) {
            log("\(path): \(n) NaN or infinite \(m.rawValue) value(s) set to 0 (--zero-non-finite)")
        }
        let unlabelled = clips.filter { $0.labels.isEmpty }.map(\.id)
        if !unlabelled.isEmpty {
            log(
                "\(path): \(unlabelled.count) clip(s) with a NaN label belong to no task: "
                    + unlabelled.prefix(5).joined(separator: ", "))
        }
        dataset.name = file.family == .sims ? DataSetName.chsims : DataSetName.cmu
        dataset.tasks = file.family.tasks
        dataset.standardize()
        return dataset
    }
}
