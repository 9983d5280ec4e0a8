import Foundation
import Vocabulary

extension IndoMERDataset {
    /// How to treat NaN and infinite feature values: refuse the data (default), or zero them.
    public enum NonFinitePolicy: Sendable { case refuse, zero }

    /// Reads a release folder into memory: labels, the requested modalities' true frames,
    /// standardisation fitted on the training split, and a fingerprint of the label files and
    /// the feature pickles read.
    ///
    /// Every clip of both splits must have every requested modality; all of a modality's
    /// arrays must share one shape; NaN and infinite values are refused (with counts and clips)
    /// unless `nonFinite` is `.zero`. A clip's true length is its padded length minus its
    /// trailing all-zero frames (at least one frame is kept).
    public static func loadRelease(
        at root: URL, modalities: [Modality] = Modality.allCases,
        nonFinite: NonFinitePolicy = .refuse,
        log: (String) -> Void = { _ in }
    ) throws -> IndoMERDataset {
        let reader = ReleaseReader(root: root)
        let clips = try reader.readClips(warn: log)
        let splitOf = Dictionary(uniqueKeysWithValues: clips.map { ($0.id, $0.split) })
        var features: [Modality: RaggedFeatures] = [:]
        var replaced: [Modality: Int] = [:]
        // The fingerprint covers the label files and every feature file read: editing any of
        // them makes a different data set, whose runs are trained anew.
        var hasher = SHA256()
        hasher.update("indomer-release/2")
        for file in ReleaseReader.labelFiles {
            let mapped = try MappedFile(path: root.appendingPathComponent(file).path)
            hasher.update(file)
            hasher.update(mapped.bytes)
        }
        for modality in modalities {
            var arrays: [String: NumPyArray] = [:]
            var files: [Split: MappedFile] = [:]
            for split in IndoMERRelease.splits {
                let (file, splitArrays) = try reader.readFeatures(modality, split)
                log("read \(splitArrays.count) \(modality.rawValue) arrays from \(file.path)")
                files[split] = file
                hasher.update("\(modality.rawValue)/\(split.rawValue)")
                hasher.update(file.bytes)
                var unknown: [String] = []
                for (id, array) in splitArrays {
                    guard let owner = splitOf[id] else {
                        unknown.append(id)
                        continue
                    }
                    guard owner == split else {
                        throw DataError(
                            file: file.path, clip: id,
                            message:
                                "a \(owner.rawValue)-split clip in the \(split.rawValue) pickle (the label files put it in \(owner.rawValue))"
                        )
                    }
                    arrays[id] = array
                }
                if !unknown.isEmpty {
                    log(
                        "warning: \(file.path): \(unknown.count) entr\(unknown.count == 1 ? "y" : "ies") not in the label files, ignored (\(unknown.sorted().prefix(3).joined(separator: ", "))\(unknown.count > 3 ? ", ..." : ""))"
                    )
                }
            }
            let missing = clips.filter { arrays[$0.id] == nil }
            if !missing.isEmpty {
                let file = IndoMERRelease.splits.compactMap {
                    reader.featureFile(modality, $0)?.path
                }
                .joined(separator: ", ")
                throw DataError(
                    file: file,
                    message:
                        "\(missing.count) clip(s) have no \(modality.rawValue) features: \(missing.prefix(10).map(\.id).joined(separator: ", "))\(missing.count > 10 ? ", ..." : "")"
                )
            }
            (features[modality], replaced[modality]) = try ragged(
                modality, clips: clips, arrays: arrays, reader: reader, nonFinite: nonFinite)
            _ = files  // the maps stay alive until every array has been copied
        }
        var dataset = IndoMERDataset(
            clips: clips, features: features, normalization: [:], isSynthetic: false,
            fingerprint: hasher.finalize(), source: root.path)
        dataset.nonFiniteReplaced = replaced
        dataset.standardize()
        return dataset
    }

    private static func ragged(
        _ modality: Modality, clips: [Clip], arrays: [String: NumPyArray], reader: ReleaseReader,
        nonFinite: NonFinitePolicy
    ) throws -> (RaggedFeatures, Int) {
        let first = arrays[clips[0].id]!
        let (padded, dim) = (first.shape[0], first.shape[1])
        var offsets = [0]
        var data: [Float] = []
        var nonFiniteClips: [(String, Int)] = []
        var buffer = [Float](repeating: 0, count: padded * dim)
        for clip in clips {
            let array = arrays[clip.id]!
            guard array.shape == first.shape else {
                let file = reader.featureFile(modality, clip.split)?.path ?? reader.root.path
                throw DataError(
                    file: file, clip: clip.id,
                    message:
                        "\(modality.rawValue) features of shape \(array.shape), expected \(first.shape) like clip \(clips[0].id)"
                )
            }
            buffer.withUnsafeMutableBufferPointer { array.copyFloats(into: $0) }
            array.releaseMappedPages()
            var bad = 0
            for i in buffer.indices where !buffer[i].isFinite {
                bad += 1
                buffer[i] = 0
            }
            if bad > 0 { nonFiniteClips.append((clip.id, bad)) }
            let length = Swift.max(1, trueLength(buffer, frames: padded, dim: dim))
            data += buffer[0..<(length * dim)]
            offsets.append(offsets.last! + length)
        }
        if !nonFiniteClips.isEmpty && nonFinite == .refuse {
            let total = nonFiniteClips.reduce(0) { $0 + $1.1 }
            let file = IndoMERRelease.splits.compactMap { reader.featureFile(modality, $0)?.path }
                .joined(
                    separator: ", ")
            throw DataError(
                file: file,
                message:
                    "\(total) NaN or infinite \(modality.rawValue) values in \(nonFiniteClips.count) clip(s) (\(nonFiniteClips.prefix(5).map { "\($0.0): \($0.1)" }.joined(separator: ", "))); pass --zero-non-finite to replace them with 0"
            )
        }
        return (
            RaggedFeatures(dim: dim, paddedLength: padded, offsets: offsets, data: data),
            nonFiniteClips.reduce(0) { $0 + $1.1 }
        )
    }

    /// The number of frames before the trailing all-zero ones.
    public static func trueLength(_ values: [Float], frames: Int, dim: Int) -> Int {
        var length = frames
        while length > 0 {
            let row = values[((length - 1) * dim)..<(length * dim)]
            if row.contains(where: { $0 != 0 }) { break }
            length -= 1
        }
        return length
    }

    /// Standardises every modality per feature dimension with the mean and standard deviation
    /// of the *training* split's true frames (accumulated in Double). A dimension whose standard
    /// deviation is below 1e-6 (constant) is only centred, not divided, so that it stays finite.
    public mutating func standardize() {
        let trainClips = indices(in: .train)
        for (modality, var f) in features {
            var sum = [Double](repeating: 0, count: f.dim)
            var squares = [Double](repeating: 0, count: f.dim)
            var n = 0.0
            for c in trainClips {
                for row in f.offsets[c]..<f.offsets[c + 1] {
                    for d in 0..<f.dim {
                        let v = Double(f.data[row * f.dim + d])
                        sum[d] += v
                        squares[d] += v * v
                    }
                }
                n += Double(f.length(of: c))
            }
            let mean = sum.map { $0 / Swift.max(n, 1) }
            let std = zip(squares, mean).map { s, m in
                (Swift.max(s / Swift.max(n, 1) - m * m, 0)).squareRoot()
            }
            let scale = std.map { $0 < 1e-6 ? 1 : 1 / $0 }
            f.data.withUnsafeMutableBufferPointer { data in
                for row in 0..<(data.count / f.dim) {
                    for d in 0..<f.dim {
                        data[row * f.dim + d] = Float(
                            (Double(data[row * f.dim + d]) - mean[d]) * scale[d])
                    }
                }
            }
            features[modality] = f
            normalization[modality] = Normalization(
                mean: mean.map { Float($0) }, std: std.map { Float($0) })
        }
    }
}
