import Foundation
import Vocabulary

extension IndoMERDataset {
    /// A plain-text summary: provenance, clips per split, class counts, shapes and true-length
    /// statistics per modality.
    public var summary: String {
        var lines = ["data: \(provenanceLine)", "source: \(source)"]
        for split in Split.allCases where !indices(in: split).isEmpty {
            let clips = indices(in: split).map { self.clips[$0] }
            lines.append(
                "\(split.rawValue): \(clips.count) clips from \(Set(clips.map(\.sourceVideo)).count) source videos"
            )
            for task in tasks {
                let counts = task.classNames.enumerated().map { k, name in
                    "\(name) \(clips.filter { $0.labels[task] == k }.count)"
                }
                let none = clips.filter { $0.labels[task] == nil }.count
                lines.append(
                    "  \(task.name): \(counts.joined(separator: ", "))"
                        + (none > 0 ? "; \(none) without a class" : ""))
            }
        }
        for m in modalities {
            let f = features[m]!
            let lengths = f.lengths.sorted()
            let mean = Double(lengths.reduce(0, +)) / Double(Swift.max(lengths.count, 1))
            let nonFinite =
                f.data.reduce(0) { $0 + ($1.isFinite ? 0 : 1) } + (nonFiniteReplaced[m] ?? 0)
            lines.append(
                "\(m.rawValue): padded \(f.paddedLength) x \(f.dim); true length min \(lengths.first ?? 0), median \(lengths.isEmpty ? 0 : lengths[lengths.count / 2]), mean \(String(format: "%.1f", mean)), max \(lengths.last ?? 0); NaN/Inf \(nonFinite)"
            )
        }
        return lines.joined(separator: "\n")
    }
}
